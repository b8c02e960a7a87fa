// user_create, user_get, user_update, user_delete.
import PluginAPI
import PluginKit

extension StoreCore {
    // MARK: create

    public func createUser(_ input: UnsafePointer<proteus_user>?) throws {
        let u = try StoreInput.record(input, "user")
        try StoreInput.userFields(u, fields: StoreInput.allUserFields)
        let now = now()
        try perform(.write, "creating a user") { c in
            try writes.insert(c, u, version: 1, createdAt: u.created_at == 0 ? now : u.created_at, updatedAt: now)
        }
    }

    // MARK: get

    public func getUser(_ keyPointer: UnsafePointer<proteus_user_key>?, docNS: proteus_str, arena: OpaquePointer?,
                        out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_user>?>?) throws {
        let out = try output(out)
        let writer = try arenaWriter(arena)
        let found = try readUser(keyPointer, docNS: docNS, keyPresenceNS: nil)
        out.pointee = try writer.single(try writer.user(found.user))
    }

    /// user_get_with_key_presence (2.7): the user and whether it holds an
    /// API key of `keyNS` (absent: any), from one row.
    public func getUserWithKeyPresence(_ keyPointer: UnsafePointer<proteus_user_key>?, docNS: proteus_str, keyNS: proteus_str,
                                       arena: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_user>?>?,
                                       holdsKey: UnsafeMutablePointer<UInt8>?) throws {
        guard holdsKey != nil else { throw PluginError.invalid("the key presence output is missing (NULL)") }
        try answerUser(keyPointer, docNS: docNS, keyNS: keyNS, arena: arena, out: out, holdsKey: holdsKey, cached: false)
    }

    /// user_get_cached (2.8): user_get_with_key_presence (user_get when
    /// `holdsKey` is NULL) for showing a user; by id, answered from the
    /// auth cache while it holds the answer (AuthCache: every write of this
    /// host clears it, other hosts' writes are seen within its bound).
    public func getUserCached(_ keyPointer: UnsafePointer<proteus_user_key>?, docNS: proteus_str, keyNS: proteus_str,
                              arena: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_user>?>?,
                              holdsKey: UnsafeMutablePointer<UInt8>?) throws {
        try answerUser(keyPointer, docNS: docNS, keyNS: keyNS, arena: arena, out: out, holdsKey: holdsKey, cached: true)
    }

    /// The user (and, when `holdsKey` is given, its key presence in `keyNS`)
    /// into the outputs; `cached`: from the auth cache when it holds it.
    private func answerUser(_ keyPointer: UnsafePointer<proteus_user_key>?, docNS: proteus_str, keyNS: proteus_str,
                            arena: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_user>?>?,
                            holdsKey: UnsafeMutablePointer<UInt8>?, cached: Bool) throws {
        let out = try output(out)
        let writer = try arenaWriter(arena)
        let presenceNS: proteus_str? = holdsKey == nil ? nil : keyNS
        if let presenceNS, presenceNS.isPresent { try StoreInput.requireText(presenceNS, "the API key namespace", allowEmpty: false) }
        let found = cached ? try shownUser(keyPointer, docNS: docNS, keyPresenceNS: presenceNS)
                           : try readUser(keyPointer, docNS: docNS, keyPresenceNS: presenceNS)
        out.pointee = try writer.single(try writer.user(found.user))
        holdsKey?.pointee = found.holdsKey ? 1 : 0
    }

    /// readUser through the auth cache: a lookup by id answered from memory
    /// while the cache holds it, kept there after a read of the database.
    private func shownUser(_ keyPointer: UnsafePointer<proteus_user_key>?, docNS: proteus_str,
                           keyPresenceNS: proteus_str?) throws -> (user: UserRecord, holdsKey: Bool) {
        guard let keyPointer, keyPointer.pointee.by == PROTEUS_LOOKUP_ID, authCache.isEnabled else {
            return try readUser(keyPointer, docNS: docNS, keyPresenceNS: keyPresenceNS)
        }
        let cacheKey = AuthCache.ShownUserKey(id: keyPointer.pointee.id.byteArray,
                                              documents: Self.documentsKey(StoreInput.DocSelection(docNS)),
                                              keyPresence: keyPresenceNS.map { $0.isPresent ? .one(Array($0.buffer)) : .any } ?? .notAsked)
        if let cached = authCache.shownUser(cacheKey) { return (cached.user, cached.holdsKey) }
        let ticket = authCache.ticket()
        let found = try readUser(keyPointer, docNS: docNS, keyPresenceNS: keyPresenceNS)
        authCache.keep(AuthCache.ShownUser(user: found.user, holdsKey: found.holdsKey), for: cacheKey, ticket)
        return found
    }

    /// One user by key, with its key presence when `keyPresenceNS` is
    /// given (.absent: any namespace); NOT_FOUND when none matches.
    private func readUser(_ keyPointer: UnsafePointer<proteus_user_key>?, docNS: proteus_str,
                          keyPresenceNS: proteus_str?) throws -> (user: UserRecord, holdsKey: Bool) {
        guard let keyPointer else { throw PluginError.invalid("the lookup key is missing (NULL)") }
        let key = keyPointer.pointee
        let docs = StoreInput.DocSelection(docNS)
        let lookup: UserLookup
        switch key.by {
        case PROTEUS_LOOKUP_ID:
            lookup = .id
        case PROTEUS_LOOKUP_USERNAME:
            guard key.text.isPresent else { throw PluginError.invalid("a username lookup needs the username (key.text is absent)") }
            lookup = .username
        case PROTEUS_LOOKUP_EMAIL:
            guard key.text.isPresent else { throw PluginError.invalid("an email lookup needs the email (key.text is absent)") }
            lookup = .email
        default:
            throw PluginError.invalid("unknown lookup kind \(key.by) (expected PROTEUS_LOOKUP_ID, _USERNAME or _EMAIL)")
        }
        let select = keyPresenceNS == nil ? sql.selectUser(by: lookup, documents: docs)
            : sql.selectUserWithKeyPresence(by: lookup, documents: docs)
        let presenceColumn = rows.userColumnCount
        let found: (user: UserRecord, holdsKey: Bool)? = try perform(rows.readsInSeveralStatements ? .snapshot : .read, "reading a user") { c in
            let row = try c.first(select, "reading a user", { v in
                if lookup == .id { v.bind(key.id) } else { v.bind(key.text) }
                if rows.detailsInRow, case .one(let ns) = docs { v.bind(ns) }
                if let keyPresenceNS { v.bind(keyPresenceNS) }
            }) { s in (rows.read(s), keyPresenceNS != nil && s.int64(presenceColumn) != 0) }
            guard var found = row else { return nil }
            try rows.complete(c, &found.0, documents: docs)
            return (found.0, found.1)
        }
        guard let found else {
            switch lookup {
            case .id: throw PluginError.notFound("no user with id \(key.id.text)")
            case .username: throw PluginError.notFound("no user with that username")
            case .email: throw PluginError.notFound("no user with that email")
            }
        }
        return found
    }

    // MARK: update

    public func updateUser(_ input: UnsafePointer<proteus_user>?, fields: UInt64, expectedVersion: UInt64,
                           guardRole: proteus_str, newVersion: UnsafeMutablePointer<UInt64>?) throws {
        let u = try StoreInput.record(input, "user")
        guard fields & ~StoreInput.allUserFields == 0 else {
            throw PluginError.invalid("unknown field selector bits 0x\(String(fields & ~StoreInput.allUserFields, radix: 16)) (this store knows PROTEUS_FIELD_* up to LOGIN_AT)")
        }
        try StoreInput.userFields(u, fields: fields)
        if guardRole.isPresent { try StoreInput.slug(guardRole, "the guard role") }
        let columns = Self.columns(fields)
        let update = sql.updateUser(setting: columns.enumerated().map { ", \($1.rawValue) = \(sql.placeholder($0 + 3))" }.joined())
        let now = now()
        let version: UInt64 = try perform(.write, "updating a user") { c in
            guard let current = try writes.lockForChange(c, u.id, guardRole: guardRole) else {
                throw PluginError.notFound("no user with id \(u.id.text)")
            }
            if expectedVersion != 0 && current.version != expectedVersion {
                throw PluginError.stale("user \(u.id.text) is at version \(current.version), not \(expectedVersion)")
            }
            let wasHolder = guardRole.isPresent ? try writes.isEnabledHolder(c, u.id, guardRole) : false
            let renames = fields & PROTEUS_FIELD_USERNAME != 0 && !current.hasUsername(u.username)
            if renames { try writes.unindexUsername(c, u.id, current.username) }
            do {
                try c.run(update, "updating a user") { v in
                    v.bind(u.id)
                    v.bind(now)
                    for column in columns { Self.bind(column, of: u, v) }
                }
            } catch {
                throw writes.diagnose(error, u)
            }
            if renames { try writes.indexUsername(c, u.id, u.username) }
            if fields & PROTEUS_FIELD_ROLES != 0 { try writes.replaceRoles(c, u) }
            if fields & PROTEUS_FIELD_DOCS != 0 { try writes.writeDocuments(c, u, replaceAll: false) }
            if wasHolder, try !writes.anyEnabledHolder(c, guardRole) {
                throw PluginError.guarded("the change would leave no enabled user holding the role \"\(guardRole.string ?? "")\"")
            }
            return current.version + 1
        }
        newVersion?.pointee = version
    }

    /// The users columns `fields` selects, in UserColumn order.
    static func columns(_ fields: UInt64) -> [UserColumn] {
        var columns: [UserColumn] = []
        if fields & PROTEUS_FIELD_USERNAME != 0 { columns.append(.username) }
        if fields & PROTEUS_FIELD_EMAIL != 0 { columns.append(.email) }
        if fields & PROTEUS_FIELD_DISPLAY_NAME != 0 { columns.append(.displayName) }
        if fields & PROTEUS_FIELD_PASSWORD_HASH != 0 { columns.append(.passwordHash) }
        if fields & PROTEUS_FIELD_FLAGS != 0 { columns.append(.flags) }
        if fields & PROTEUS_FIELD_MFA != 0 { columns += [.mfaSecret, .mfaLastStep] }
        if fields & PROTEUS_FIELD_GROUP != 0 { columns.append(.groupID) }
        if fields & PROTEUS_FIELD_ACCESSED_AT != 0 { columns.append(.accessedAt) }
        if fields & PROTEUS_FIELD_LOGIN_AT != 0 { columns.append(.loginAt) }
        return columns
    }

    static func bind(_ column: UserColumn, of u: proteus_user, _ v: any StoreValues) {
        switch column {
        case .username: v.bind(u.username)
        case .email: v.bind(u.email)
        case .displayName: v.bind(u.display_name)
        case .passwordHash: v.bind(u.password_hash)
        case .flags: v.bind(u.flags)
        case .mfaSecret: v.bind(u.mfa_secret)
        case .mfaLastStep: v.bind(u.mfa_last_step)
        case .groupID: v.bind(idOrNull: u.has_group ? u.group_id : nil)
        case .accessedAt: v.bind(u.accessed_at)
        case .loginAt: v.bind(u.login_at)
        }
    }

    // MARK: delete

    public func deleteUser(_ id: proteus_id, expectedVersion: UInt64, guardRole: proteus_str) throws {
        if guardRole.isPresent { try StoreInput.slug(guardRole, "the guard role") }
        try perform(.write, "deleting a user") { c in
            guard let current = try writes.lockForChange(c, id, guardRole: guardRole) else {
                throw PluginError.notFound("no user with id \(id.text)")
            }
            if expectedVersion != 0 && current.version != expectedVersion {
                throw PluginError.stale("user \(id.text) is at version \(current.version), not \(expectedVersion)")
            }
            let wasHolder = guardRole.isPresent ? try writes.isEnabledHolder(c, id, guardRole) : false
            try writes.unindexUsername(c, id, current.username)
            // Documents, roles, sessions, keys and identity links go by ON DELETE CASCADE.
            try c.run(sql.deleteUser, "deleting a user") { $0.bind(id) }
            if wasHolder, try !writes.anyEnabledHolder(c, guardRole) {
                throw PluginError.guarded("deleting this user would leave no enabled user holding the role \"\(guardRole.string ?? "")\"")
            }
        }
    }
}
