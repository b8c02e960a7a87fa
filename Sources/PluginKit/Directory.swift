// The store contract for dialects: the host's routed store table wrapped in
// a StoreClient, with lookups answering nil for NOT_FOUND (an answer, not
// an error). Every other failure throws the PluginError with its code.
// `client` offers the whole contract when a dialect needs more.
import PluginAPI

public struct Directory: @unchecked Sendable {
    public let client: StoreClient

    /// Without a store table (the host gives one to dialects only) every
    /// call throws UNSUPPORTED: StoreClient refuses an empty table.
    public init(host: Host) {
        // Read only as far as the table's struct_size: a store built
        // against an older minor has a shorter one.
        let table = host.api.pointee.store.map(StoreTable.copy) ?? proteus_store_api()
        client = StoreClient(api: table, store: host.api.pointee.store_ctx, host: host.api)
    }

    /// nil when the call fails with NOT_FOUND.
    private func lookup<R>(_ body: () throws -> R) throws -> R? {
        do { return try body() } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND { return nil }
    }

    // MARK: users

    public func user(id: [UInt8], documents: String? = nil) throws -> UserRecord? {
        try lookup { try client.getUser(id: id, docs: documents) }
    }

    public func user(username: String, documents: String? = nil) throws -> UserRecord? {
        try lookup { try client.getUser(username: username, docs: documents) }
    }

    public func user(email: String, documents: String? = nil) throws -> UserRecord? {
        try lookup { try client.getUser(email: email, docs: documents) }
    }

    /// The user with this id and whether it holds an API key of
    /// `keyNamespace` (nil: any), or nil for an unknown id: one store call
    /// (two on a store built before 2.7).
    public func userWithKeyPresence(id: [UInt8], documents: String? = nil, keyNamespace: String?) throws -> (user: UserRecord, holdsKey: Bool)? {
        var key = proteus_user_key()
        key.by = PROTEUS_LOOKUP_ID
        key.id = proteus_id(byteArray: id)
        return try lookup { try client.getUserWithKeyPresence(key, docs: documents, keyNS: keyNamespace) }
    }

    /// userWithKeyPresence for showing the user (a point read), which the
    /// store may answer from memory (ABI 2.8, user_get_cached): current
    /// with every write through this host, within the store's cache bound
    /// (authCacheMs) of other hosts' writes. Never to decide a write.
    public func shownUserWithKeyPresence(id: [UInt8], documents: String? = nil, keyNamespace: String?) throws -> (user: UserRecord, holdsKey: Bool)? {
        var key = proteus_user_key()
        key.by = PROTEUS_LOOKUP_ID
        key.id = proteus_id(byteArray: id)
        return try lookup { try client.getUserCached(key, docs: documents, presence: true, keyNS: keyNamespace) }
    }

    public func createUser(_ user: UserRecord) throws { try client.createUser(user) }

    /// Writes the selected fields; returns the new version.
    @discardableResult
    public func updateUser(_ changes: UserRecord, fields: UInt64, expectedVersion: UInt64 = 0, guardRole: String? = nil) throws -> UInt64 {
        try client.updateUser(changes, fields: fields, expectedVersion: expectedVersion, guardRole: guardRole)
    }

    public func deleteUser(id: [UInt8], expectedVersion: UInt64 = 0, guardRole: String? = nil) throws {
        try client.deleteUser(id, expectedVersion: expectedVersion, guardRole: guardRole)
    }

    public func searchUsers(_ query: UserQuery) throws -> UserPage { try client.search(query) }

    // MARK: roles and groups

    @discardableResult
    public func putRole(_ role: RoleRecord) throws -> Int64 { try client.putRole(role) }
    public func roles() throws -> [RoleRecord] { try client.listRoles() }
    public func groups() throws -> [GroupRecord] { try client.listGroups() }

    // MARK: sessions and API keys

    public func createSession(_ session: SessionRecord) throws { try client.createSession(session) }

    public func session(tokenHash: [UInt8], now: Int64) throws -> SessionRecord? {
        try lookup { try client.getSession(tokenHash, now: now) }
    }

    /// Deletes one session; a missing one is not an error.
    public func deleteSession(tokenHash: [UInt8]) throws {
        _ = try lookup { try client.deleteSession(tokenHash) }
    }

    @discardableResult
    public func deleteSessions(userID: [UInt8], namespace: String?) throws -> UInt64 {
        try client.deleteSessions(user: userID, ns: namespace)
    }

    /// (ABI 2.6) The user's live sessions at `now`, every namespace; an
    /// unknown user has 0. UNSUPPORTED from a store built before 2.6.
    public func sessionCount(userID: [UInt8], now: Int64) throws -> UInt64 {
        try client.sessionCount(user: userID, now: now)
    }

    public func createAPIKey(_ key: APIKeyRecord) throws { try client.createKey(key) }

    public func apiKey(keyHash: [UInt8], now: Int64) throws -> APIKeyRecord? {
        try lookup { try client.getKey(keyHash, now: now) }
    }

    /// The API key with this hash and its owner (documents as selected),
    /// or nil for an unknown key: one store call (two on a 2.0 store).
    public func apiKeyOwner(keyHash: [UInt8], now: Int64, documents: String? = nil) throws -> KeyOwner? {
        try lookup { try client.getKeyOwner(keyHash, now: now, docs: documents) }
    }

    /// For each user, whether it holds an API key of `namespace` (nil:
    /// any), in the order given: one store call for a page of users.
    public func apiKeyPresence(userIDs: [[UInt8]], namespace: String?) throws -> [Bool] {
        try client.keyPresence(users: userIDs, ns: namespace)
    }

    @discardableResult
    public func deleteAPIKeys(userID: [UInt8], namespace: String?) throws -> UInt64 {
        try client.deleteKeys(user: userID, ns: namespace)
    }

    // MARK: plugin entries (ABI 2.3: UNSUPPORTED on an older store)

    /// The entry (namespace, key), or nil when there is none.
    public func entry(namespace: String, key: String) throws -> EntryRecord? {
        try lookup { try client.getEntry(namespace: namespace, key: key) }
    }

    /// Writes an entry: a new key is inserted; an existing one is replaced
    /// when `replace` (created_at kept), else CONFLICT.
    public func putEntry(_ entry: EntryRecord, replace: Bool) throws {
        try client.putEntry(entry, replace: replace)
    }

    /// Every entry of the namespace, by key; TOO_LARGE beyond PROTEUS_ENTRY_LIST_MAX.
    public func entries(namespace: String) throws -> [EntryRecord] {
        try client.listEntries(namespace: namespace)
    }

    /// Deletes the entry; false when there was none.
    @discardableResult
    public func deleteEntry(namespace: String, key: String) throws -> Bool {
        try lookup { try client.deleteEntry(namespace: namespace, key: key) } != nil
    }

    // MARK: audit log (ABI 2.5: UNSUPPORTED on an older store)

    /// Appends an event to the store's audit log directly (its source and
    /// address as given). Dialects record through the host instead
    /// (Host.audit), which fills time, source and address.
    public func appendAudit(_ event: AuditEventRecord) throws {
        try client.appendAudit(event)
    }

    /// A page of the audit log, newest first.
    public func auditEvents(_ query: AuditQuery) throws -> AuditPage {
        try client.listAudit(query)
    }

    // MARK: identities

    /// The user linked to (provider, subject), or nil. One primary-key lookup.
    public func identityUser(provider: String, subject: String) throws -> [UInt8]? {
        try lookup { try client.identityUser(provider: provider, subject: subject) }
    }

    /// Links (provider, subject) to a user; CONFLICT when the pair is taken.
    public func link(_ identity: IdentityRecord) throws { try client.link(identity) }
}
