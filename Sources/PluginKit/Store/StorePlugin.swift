// Everything a store plugin's C face needs, shared by every store: the
// contract as a Swift protocol, the descriptor and the static function table
// whose entries recover the instance and call it. A store plugin implements
// StoreOperations and returns makeStoreDescriptor(...) from its entry symbol.
import PluginAPI

/// The store contract (proteus_store_api) in Swift. Every method may be
/// called from many threads at once; failures are thrown (PluginError or a
/// PluginErrorConvertible backend error) and reported by the table.
public protocol StoreOperations: AnyObject, Sendable {
    func createUser(_ input: UnsafePointer<proteus_user>?) throws
    func getUser(_ key: UnsafePointer<proteus_user_key>?, docNS: proteus_str, arena: OpaquePointer?,
                 out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_user>?>?) throws
    func updateUser(_ input: UnsafePointer<proteus_user>?, fields: UInt64, expectedVersion: UInt64,
                    guardRole: proteus_str, newVersion: UnsafeMutablePointer<UInt64>?) throws
    func deleteUser(_ id: proteus_id, expectedVersion: UInt64, guardRole: proteus_str) throws
    func searchUsers(_ input: UnsafePointer<proteus_user_query>?, arena: OpaquePointer?,
                     out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_user_page>?>?) throws
    func importUsers(_ users: UnsafePointer<proteus_user>?, count: Int, mode: Int32) throws
    func exportUsers(hasAfter: Bool, after: proteus_id, limit: UInt32, arena: OpaquePointer?,
                     out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_user_page>?>?) throws

    func createGroup(_ input: UnsafePointer<proteus_group>?) throws
    func getGroup(_ id: proteus_id, arena: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_group>?>?) throws
    func listGroups(arena: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_group_list>?>?) throws
    func updateGroup(_ input: UnsafePointer<proteus_group>?, expectedVersion: UInt64, newVersion: UnsafeMutablePointer<UInt64>?) throws
    func deleteGroup(_ id: proteus_id) throws

    func putRole(_ input: UnsafePointer<proteus_role>?, outID: UnsafeMutablePointer<Int64>?) throws
    func getRole(_ slug: proteus_str, arena: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_role>?>?) throws
    func listRoles(arena: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_role_list>?>?) throws
    func deleteRole(_ slug: proteus_str) throws

    func createSession(_ input: UnsafePointer<proteus_session>?) throws
    func getSession(_ hash: proteus_bytes, now: Int64, arena: OpaquePointer?,
                    out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_session>?>?) throws
    func deleteSession(_ hash: proteus_bytes) throws
    func deleteUserSessions(_ user: proteus_id, ns: proteus_str, deleted: UnsafeMutablePointer<UInt64>?) throws

    func createAPIKey(_ input: UnsafePointer<proteus_api_key>?) throws
    func getAPIKey(_ hash: proteus_bytes, now: Int64, arena: OpaquePointer?,
                   out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_api_key>?>?) throws
    func listAPIKeys(hasUser: Bool, user: proteus_id, arena: OpaquePointer?,
                     out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_api_key_list>?>?) throws
    func deleteAPIKey(_ hash: proteus_bytes) throws
    func deleteUserAPIKeys(_ user: proteus_id, ns: proteus_str, deleted: UnsafeMutablePointer<UInt64>?) throws

    func linkIdentity(_ input: UnsafePointer<proteus_identity>?) throws
    func getIdentity(provider: proteus_str, subject: proteus_str, user: UnsafeMutablePointer<proteus_id>?) throws
    func unlinkIdentity(provider: proteus_str, subject: proteus_str) throws
    func listIdentities(hasUser: Bool, user: proteus_id, arena: OpaquePointer?,
                        out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_identity_list>?>?) throws

    func stats(_ out: UnsafeMutablePointer<proteus_store_stats>?) throws
    func purgeExpired(now: Int64, removed: UnsafeMutablePointer<UInt64>?) throws

    /// counter_hit: `key` and `windowSeconds` are already checked
    /// (CounterInput); one atomic statement or transaction.
    func hitCounter(_ key: proteus_bytes, weight: UInt32, windowSeconds: UInt32, nowMillis: Int64) throws -> CounterHit
    /// counter_clear: `key` is already checked.
    func clearCounter(_ key: proteus_bytes) throws

    /// [shutdown] Flush and close connections.
    func close()
}

/// The opaque `void *instance` of a store: a box around the instance.
public final class StoreBox {
    public let store: any StoreOperations
    init(_ store: any StoreOperations) { self.store = store }

    /// The store behind an instance pointer this kit created.
    public static func store(_ pointer: UnsafeMutableRawPointer?) -> any StoreOperations {
        Unmanaged<StoreBox>.fromOpaque(pointer!).takeUnretainedValue().store
    }
}

/// Makes the store of one library from its options (set once by
/// makeStoreDescriptor; each plugin library has its own copy of this kit).
public typealias StoreFactory = @Sendable (UnsafePointer<proteus_host_api>, PluginOptions) throws -> any StoreOperations
nonisolated(unsafe) private var storeFactory: StoreFactory?

/// The descriptor of a store plugin. Call once, from a global `let`.
public func makeStoreDescriptor(name: StaticString, version: StaticString, description: StaticString,
                                getExtension: GetExtensionFunction? = nil,
                                create: @escaping StoreFactory) -> UnsafePointer<proteus_plugin_descriptor> {
    storeFactory = create
    return makeDescriptor(
        kind: PROTEUS_KIND_STORE, name: name, version: version, description: description,
        create: { host, optionsText, optionsLength, instance, err in
            guard let host, let instance else {
                return PluginError.invalid("create: missing host table or instance pointer").report(to: err)
            }
            guard let factory = storeFactory else { return PluginError.internal("no store factory").report(to: err) }
            do {
                let options = try PluginOptions(json: optionsText, length: optionsLength)
                let store = try factory(host, options)
                instance.pointee = Unmanaged.passRetained(StoreBox(store)).toOpaque()
                return PROTEUS_OK
            } catch let e as PluginError {
                return e.report(to: err)
            } catch let e as PluginErrorConvertible {
                return e.pluginError.report(to: err)
            } catch {
                return PluginError.internal("\(error)").report(to: err)
            }
        },
        destroy: { instance in
            guard let instance else { return }
            let box = Unmanaged<StoreBox>.fromOpaque(instance)
            box.takeUnretainedValue().store.close()
            box.release()
        },
        vtable: UnsafeRawPointer(storeTable),
        getExtension: getExtension)
}

/// Runs one operation on the store behind `store`, reporting failures into `err`.
@inline(__always)
private func call(_ store: UnsafeMutableRawPointer?, _ err: UnsafeMutablePointer<proteus_error>?,
                  _ body: (any StoreOperations) throws -> Void) -> proteus_status {
    guard store != nil else { return PluginError.invalid("no store instance (NULL)").report(to: err) }
    do {
        try body(StoreBox.store(store))
        return PROTEUS_OK
    } catch let e as PluginError {
        return e.report(to: err)
    } catch let e as PluginErrorConvertible {
        return e.pluginError.report(to: err)
    } catch {
        return PluginError.internal("\(error)").report(to: err)
    }
}

/// The one static function table of this library's store.
nonisolated(unsafe) private let storeTable: UnsafePointer<proteus_store_api> = {
    var t = proteus_store_api()
    t.struct_size = UInt32(MemoryLayout<proteus_store_api>.size)

    t.user_create = { store, user, err in call(store, err) { try $0.createUser(user) } }
    t.user_get = { store, key, ns, arena, out, err in
        call(store, err) { try $0.getUser(key, docNS: ns, arena: arena, out: out) }
    }
    t.user_update = { store, changes, fields, expected, guardRole, newVersion, err in
        call(store, err) {
            try $0.updateUser(changes, fields: fields, expectedVersion: expected, guardRole: guardRole, newVersion: newVersion)
        }
    }
    t.user_delete = { store, id, expected, guardRole, err in
        call(store, err) { try $0.deleteUser(id, expectedVersion: expected, guardRole: guardRole) }
    }
    t.user_search = { store, query, arena, out, err in
        call(store, err) { try $0.searchUsers(query, arena: arena, out: out) }
    }
    t.users_import = { store, users, count, mode, err in
        call(store, err) { try $0.importUsers(users, count: count, mode: mode) }
    }
    t.users_export = { store, hasAfter, after, limit, arena, out, err in
        call(store, err) { try $0.exportUsers(hasAfter: hasAfter, after: after, limit: limit, arena: arena, out: out) }
    }

    t.group_create = { store, group, err in call(store, err) { try $0.createGroup(group) } }
    t.group_get = { store, id, arena, out, err in call(store, err) { try $0.getGroup(id, arena: arena, out: out) } }
    t.group_list = { store, arena, out, err in call(store, err) { try $0.listGroups(arena: arena, out: out) } }
    t.group_update = { store, group, expected, newVersion, err in
        call(store, err) { try $0.updateGroup(group, expectedVersion: expected, newVersion: newVersion) }
    }
    t.group_delete = { store, id, err in call(store, err) { try $0.deleteGroup(id) } }

    t.role_put = { store, role, outID, err in call(store, err) { try $0.putRole(role, outID: outID) } }
    t.role_get = { store, slug, arena, out, err in call(store, err) { try $0.getRole(slug, arena: arena, out: out) } }
    t.role_list = { store, arena, out, err in call(store, err) { try $0.listRoles(arena: arena, out: out) } }
    t.role_delete = { store, slug, err in call(store, err) { try $0.deleteRole(slug) } }

    t.session_create = { store, session, err in call(store, err) { try $0.createSession(session) } }
    t.session_get = { store, hash, now, arena, out, err in
        call(store, err) { try $0.getSession(hash, now: now, arena: arena, out: out) }
    }
    t.session_delete = { store, hash, err in call(store, err) { try $0.deleteSession(hash) } }
    t.session_delete_user = { store, user, ns, deleted, err in
        call(store, err) { try $0.deleteUserSessions(user, ns: ns, deleted: deleted) }
    }

    t.apikey_create = { store, key, err in call(store, err) { try $0.createAPIKey(key) } }
    t.apikey_get = { store, hash, now, arena, out, err in
        call(store, err) { try $0.getAPIKey(hash, now: now, arena: arena, out: out) }
    }
    t.apikey_list = { store, hasUser, user, arena, out, err in
        call(store, err) { try $0.listAPIKeys(hasUser: hasUser, user: user, arena: arena, out: out) }
    }
    t.apikey_delete = { store, hash, err in call(store, err) { try $0.deleteAPIKey(hash) } }
    t.apikey_delete_user = { store, user, ns, deleted, err in
        call(store, err) { try $0.deleteUserAPIKeys(user, ns: ns, deleted: deleted) }
    }

    t.identity_link = { store, identity, err in call(store, err) { try $0.linkIdentity(identity) } }
    t.identity_get = { store, provider, subject, user, err in
        call(store, err) { try $0.getIdentity(provider: provider, subject: subject, user: user) }
    }
    t.identity_unlink = { store, provider, subject, err in
        call(store, err) { try $0.unlinkIdentity(provider: provider, subject: subject) }
    }
    t.identity_list = { store, hasUser, user, arena, out, err in
        call(store, err) { try $0.listIdentities(hasUser: hasUser, user: user, arena: arena, out: out) }
    }

    t.stats = { store, out, err in call(store, err) { try $0.stats(out) } }
    t.purge_expired = { store, now, removed, err in
        call(store, err) { try $0.purgeExpired(now: now, removed: removed) }
    }

    t.counter_hit = { store, key, weight, window, now, count, windowEnds, err in
        call(store, err) {
            try CounterInput.check(key: key, windowSeconds: window)
            let hit = try $0.hitCounter(key, weight: weight, windowSeconds: window, nowMillis: now)
            count?.pointee = hit.count
            windowEnds?.pointee = hit.windowEndsMillis
        }
    }
    t.counter_clear = { store, key, err in
        call(store, err) {
            try CounterInput.check(key: key)
            try $0.clearCounter(key)
        }
    }
    return makeStaticTable(t)
}()
