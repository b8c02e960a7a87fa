// The store contract as Swift calls, for dialects: each call runs through
// the host's store table with a private arena and returns Swift values.
// NOT_FOUND on a lookup is an answer (nil), every other failure throws.
import PluginAPI

public struct Directory: @unchecked Sendable {
    public let host: Host
    var store: proteus_store_api {
        guard let table = host.api.pointee.store else { fatalError("the host gave this plugin no store (only dialects get one)") }
        return table.pointee
    }
    var ctx: UnsafeMutableRawPointer? { host.api.pointee.store_ctx }

    /// Runs a store call with an arena and an error out-parameter.
    func call<R>(_ body: (ArenaWriter, UnsafeMutablePointer<proteus_error>) throws -> (proteus_status, () throws -> R)) throws -> R {
        let result: Result<R, PluginError> = host.withArena { arena in
            var err = proteus_error()
            do {
                let (status, produce) = try body(ArenaWriter(host: host.api, arena: arena), &err)
                guard status == PROTEUS_OK else { return .failure(PluginError(status: status, from: err)) }
                return .success(try produce())
            } catch let e as PluginError {
                return .failure(e)
            } catch {
                return .failure(PluginError.internal("\(error)"))
            }
        }
        return try result.get()
    }

    func lookup<R>(_ body: (ArenaWriter, UnsafeMutablePointer<proteus_error>) throws -> (proteus_status, () throws -> R)) throws -> R? {
        do { return try call(body) } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND { return nil }
    }

    // MARK: users

    public func user(id: [UInt8], documents: String? = nil) throws -> UserRecord? {
        var key = proteus_user_key(by: PROTEUS_LOOKUP_ID, id: proteus_id(byteArray: id), text: .absent)
        return try userLookup(&key, documents: documents)
    }

    public func user(username: String, documents: String? = nil) throws -> UserRecord? {
        try withProteusStr(username) { text in
            var key = proteus_user_key(by: PROTEUS_LOOKUP_USERNAME, id: proteus_id(), text: text)
            return try userLookup(&key, documents: documents)
        }
    }

    public func user(email: String, documents: String? = nil) throws -> UserRecord? {
        try withProteusStr(email) { text in
            var key = proteus_user_key(by: PROTEUS_LOOKUP_EMAIL, id: proteus_id(), text: text)
            return try userLookup(&key, documents: documents)
        }
    }

    private func userLookup(_ key: inout proteus_user_key, documents: String?) throws -> UserRecord? {
        let k = key
        return try lookup { (w, err) in
            var out: UnsafeMutablePointer<proteus_user>?
            let ns = try w.str(documents)
            let status = withUnsafePointer(to: k) { store.user_get(ctx, $0, ns, w.arena, &out, err) }
            return (status, { () throws in
                guard let out else { throw PluginError.internal("store returned no user") }
                return UserRecord(out.pointee)
            })
        }
    }

    public func createUser(_ user: UserRecord) throws {
        try call { (w, err) in
            var c = try w.user(user)
            c.version = 0
            return (withUnsafePointer(to: c) { store.user_create(ctx, $0, err) }, {})
        }
    }

    /// Writes the selected fields; returns the new version.
    @discardableResult
    public func updateUser(_ changes: UserRecord, fields: UInt64, expectedVersion: UInt64 = 0, guardRole: String? = nil) throws -> UInt64 {
        try call { (w, err) in
            let c = try w.user(changes)
            let guardText = try w.str(guardRole)
            var version: UInt64 = 0
            let status = withUnsafePointer(to: c) { store.user_update(ctx, $0, fields, expectedVersion, guardText, &version, err) }
            return (status, { version })
        }
    }

    public func deleteUser(id: [UInt8], expectedVersion: UInt64 = 0, guardRole: String? = nil) throws {
        try call { (w, err) in
            let guardText = try w.str(guardRole)
            return (store.user_delete(ctx, proteus_id(byteArray: id), expectedVersion, guardText, err), {})
        }
    }

    public func searchUsers(_ query: UserQuery) throws -> UserPage {
        try call { (w, err) in
            let q = try w.query(query)
            var out: UnsafeMutablePointer<proteus_user_page>?
            let status = withUnsafePointer(to: q) { store.user_search(ctx, $0, w.arena, &out, err) }
            return (status, { () throws in
                guard let out else { throw PluginError.internal("store returned no page") }
                return UserPage(out.pointee)
            })
        }
    }

    // MARK: roles and groups

    @discardableResult
    public func putRole(_ role: RoleRecord) throws -> Int64 {
        try call { (w, err) in
            let c = try w.role(role)
            var id: Int64 = 0
            return (withUnsafePointer(to: c) { store.role_put(ctx, $0, &id, err) }, { id })
        }
    }

    public func roles() throws -> [RoleRecord] {
        try call { (w, err) in
            var out: UnsafeMutablePointer<proteus_role_list>?
            let status = store.role_list(ctx, w.arena, &out, err)
            return (status, {
                guard let list = out?.pointee else { return [] }
                return (0..<Int(list.count)).map { RoleRecord(list.items[$0]) }
            })
        }
    }

    public func groups() throws -> [GroupRecord] {
        try call { (w, err) in
            var out: UnsafeMutablePointer<proteus_group_list>?
            let status = store.group_list(ctx, w.arena, &out, err)
            return (status, {
                guard let list = out?.pointee else { return [] }
                return (0..<Int(list.count)).map { GroupRecord(list.items[$0]) }
            })
        }
    }

    // MARK: sessions and API keys

    public func createSession(_ session: SessionRecord) throws {
        try call { (w, err) in
            let c = try w.session(session)
            return (withUnsafePointer(to: c) { store.session_create(ctx, $0, err) }, {})
        }
    }

    public func session(tokenHash: [UInt8], now: Int64) throws -> SessionRecord? {
        try lookup { (w, err) in
            var out: UnsafeMutablePointer<proteus_session>?
            let status = withProteusBytes(tokenHash) { store.session_get(ctx, $0, now, w.arena, &out, err) }
            return (status, { () throws in
                guard let out else { throw PluginError.internal("store returned no session") }
                return SessionRecord(out.pointee)
            })
        }
    }

    public func deleteSession(tokenHash: [UInt8]) throws {
        do {
            try call { (_, err) in (withProteusBytes(tokenHash) { store.session_delete(ctx, $0, err) }, {}) }
        } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {}
    }

    @discardableResult
    public func deleteSessions(userID: [UInt8], namespace: String?) throws -> UInt64 {
        try call { (w, err) in
            let ns = try w.str(namespace)
            var deleted: UInt64 = 0
            return (store.session_delete_user(ctx, proteus_id(byteArray: userID), ns, &deleted, err), { deleted })
        }
    }

    public func createAPIKey(_ key: APIKeyRecord) throws {
        try call { (w, err) in
            let c = try w.apiKey(key)
            return (withUnsafePointer(to: c) { store.apikey_create(ctx, $0, err) }, {})
        }
    }

    public func apiKey(keyHash: [UInt8], now: Int64) throws -> APIKeyRecord? {
        try lookup { (w, err) in
            var out: UnsafeMutablePointer<proteus_api_key>?
            let status = withProteusBytes(keyHash) { store.apikey_get(ctx, $0, now, w.arena, &out, err) }
            return (status, { () throws in
                guard let out else { throw PluginError.internal("store returned no key") }
                return APIKeyRecord(out.pointee)
            })
        }
    }

    @discardableResult
    public func deleteAPIKeys(userID: [UInt8], namespace: String?) throws -> UInt64 {
        try call { (w, err) in
            let ns = try w.str(namespace)
            var deleted: UInt64 = 0
            return (store.apikey_delete_user(ctx, proteus_id(byteArray: userID), ns, &deleted, err), { deleted })
        }
    }
}

