// The whole store contract as Swift calls: inputs are built in a per-call
// arena, outputs copied into Swift records before the arena is freed, and
// every status other than OK is thrown as a PluginError carrying the code.
// Used by dialects (through Directory, over the host's store table), by the
// host's conformance suite and by `proteus migrate` (over a store directly).
import PluginAPI

public final class StoreClient: @unchecked Sendable {
    public let api: proteus_store_api
    public let store: UnsafeMutableRawPointer?
    public let host: UnsafePointer<proteus_host_api>
    private var raw: UnsafeMutableRawPointer? { store }

    /// `api` + `store`: a store plugin's table and instance, or the host's
    /// routed table and `store_ctx`. `host` provides arenas and the clock.
    public init(api: proteus_store_api, store: UnsafeMutableRawPointer?, host: UnsafePointer<proteus_host_api>) {
        self.api = api
        self.store = store
        self.host = host
    }

    // MARK: plumbing

    /// Runs `body` with a fresh arena, destroyed afterwards.
    public func withArena<R>(_ body: (ArenaWriter, OpaquePointer) throws -> R) throws -> R {
        guard let arena = host.pointee.arena_create(host.pointee.ctx) else {
            throw PluginError.internal("arena_create failed")
        }
        defer { host.pointee.arena_destroy(arena) }
        return try body(ArenaWriter(host: host, arena: arena), arena)
    }

    /// Calls the store function `function` (a field of proteus_store_api)
    /// and checks its status: any operation can be called this way, also
    /// one appended to the contract after this client's conveniences were
    /// written. UNSUPPORTED when the table is too short to hold the
    /// function or leaves it NULL (never a crash).
    public func invoke<F>(_ function: KeyPath<proteus_store_api, F?>, _ name: String = #function,
                          _ body: (F, UnsafeMutablePointer<proteus_error>) -> proteus_status) throws {
        let operation = name.prefix { $0 != "(" }
        // An empty table (struct_size 0) is "no store".
        guard api.struct_size != 0 else {
            throw PluginError.unsupported("\(operation): this plugin has no store (the host gives one to dialects only)")
        }
        guard let call = TableEntry.function(api, function, declaredSize: api.struct_size) else {
            throw PluginError.unsupported("\(operation): the store's table has no such function (a store built against an older ABI minor)")
        }
        var err = proteus_error()
        let status = body(call, &err)
        guard status == PROTEUS_OK else {
            let failure = PluginError(status, "\(operation): " + PluginError(status: status, from: err).message)
            // What operators need to see; per-record answers (NOT_FOUND,
            // STALE, CONFLICT...) are normal and stay out of the log.
            if status == PROTEUS_E_UNAVAILABLE || status == PROTEUS_E_INTERNAL { log(failure) }
            throw failure
        }
    }

    private func log(_ failure: PluginError) {
        withProteusStr("store call failed: \(failure.message)") { host.pointee.log?(host.pointee.ctx, PROTEUS_LOG_WARN, $0) }
    }

    /// The status a call ends with (OK or the failure's code).
    public static func status(_ body: () throws -> Void) -> proteus_status {
        do { try body(); return PROTEUS_OK } catch let f as PluginError { return f.code } catch { return PROTEUS_E_INTERNAL }
    }

    public var now: Int64 { host.pointee.now_ms(host.pointee.ctx) }

    // MARK: users

    public func createUser(_ u: UserRecord) throws {
        try withArena { w, _ in
            var c = try w.user(u)
            try invoke(\.user_create) { $0(raw, &c, $1) }
        }
    }

    /// Creates from a raw C record (for struct_size tests).
    public func createUserRaw(_ c: proteus_user) throws {
        var c = c
        try invoke(\.user_create) { $0(raw, &c, $1) }
    }

    public func getUser(id: [UInt8], docs: String? = nil) throws -> UserRecord {
        var key = proteus_user_key()
        key.by = PROTEUS_LOOKUP_ID
        key.id = proteus_id(byteArray: id)
        return try getUser(key, docs: docs)
    }

    public func getUser(username: String, docs: String? = nil) throws -> UserRecord {
        try withProteusStr(username) { text in
            var key = proteus_user_key()
            key.by = PROTEUS_LOOKUP_USERNAME
            key.text = text
            return try getUser(key, docs: docs)
        }
    }

    public func getUser(email: String, docs: String? = nil) throws -> UserRecord {
        try withProteusStr(email) { text in
            var key = proteus_user_key()
            key.by = PROTEUS_LOOKUP_EMAIL
            key.text = text
            return try getUser(key, docs: docs)
        }
    }

    public func getUser(_ key: proteus_user_key, docs: String?) throws -> UserRecord {
        var key = key
        return try withArena { w, arena in
            let ns = try w.str(docs)
            var out: UnsafeMutablePointer<proteus_user>?
            try invoke(\.user_get) { $0(raw, &key, ns, arena, &out, $1) }
            guard let out else { throw PluginError.internal("user_get returned OK without a record") }
            return UserRecord(out.pointee)
        }
    }

    /// user_get_with_key_presence (ABI 2.7): the user and whether it holds
    /// an API key of namespace `keyNS` (nil: any), in one call. A store
    /// without it (2.6 or older, or answering UNSUPPORTED) is asked
    /// user_get, then apikey_presence.
    public func getUserWithKeyPresence(_ key: proteus_user_key, docs: String?, keyNS: String?) throws -> (user: UserRecord, holdsKey: Bool) {
        if let found = try readUser(\.user_get_with_key_presence, "user_get_with_key_presence", key, docs: docs, presence: true, keyNS: keyNS) {
            return found
        }
        let user = try getUser(key, docs: docs)
        return (user, try keyPresence(users: [user.id], ns: keyNS).first ?? false)
    }

    /// user_get_cached (ABI 2.8): as getUserWithKeyPresence (`keyNS` asked
    /// only when `presence`), for showing a user: a caching store may
    /// answer from memory, current with every write of this host and
    /// within its cache bound of other hosts' (never to decide a write). A
    /// store without it (2.7 or older, or answering UNSUPPORTED) is asked
    /// getUserWithKeyPresence, or user_get without `presence`.
    public func getUserCached(_ key: proteus_user_key, docs: String?, presence: Bool, keyNS: String?) throws -> (user: UserRecord, holdsKey: Bool) {
        if let found = try readUser(\.user_get_cached, "user_get_cached", key, docs: docs, presence: presence, keyNS: keyNS) {
            return found
        }
        return presence ? try getUserWithKeyPresence(key, docs: docs, keyNS: keyNS) : (try getUser(key, docs: docs), false)
    }

    /// The C signature user_get_with_key_presence and user_get_cached share.
    private typealias UserReadFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<proteus_user_key>?, proteus_str, proteus_str,
                                                        OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<proteus_user>?>?,
                                                        UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<proteus_error>?) -> proteus_status

    /// One of the two reads of a user with its key presence (holds_key NULL
    /// without `presence`); nil when the store lacks it or answers UNSUPPORTED.
    private func readUser(_ function: KeyPath<proteus_store_api, UserReadFunction?>, _ name: String, _ key: proteus_user_key,
                          docs: String?, presence: Bool, keyNS: String?) throws -> (user: UserRecord, holdsKey: Bool)? {
        guard has(function) else { return nil }
        var key = key
        do {
            return try withArena { w, arena in
                let docNS = try w.str(docs)
                let keyNamespace = try w.str(keyNS)
                var out: UnsafeMutablePointer<proteus_user>?
                var holds: UInt8 = 0
                if presence {
                    try invoke(function) { $0(raw, &key, docNS, keyNamespace, arena, &out, &holds, $1) }
                } else {
                    try invoke(function) { $0(raw, &key, docNS, keyNamespace, arena, &out, nil, $1) }
                }
                guard let out else { throw PluginError.internal("\(name) returned OK without a record") }
                return (UserRecord(out.pointee), holds != 0)
            }
        } catch let e as PluginError where e.code == PROTEUS_E_UNSUPPORTED {
            return nil
        }
    }

    @discardableResult
    public func updateUser(_ u: UserRecord, fields: UInt64, expectedVersion: UInt64 = 0, guardRole: String? = nil) throws -> UInt64 {
        try withArena { w, _ in
            var c = try w.user(u)
            let role = try w.str(guardRole)
            var version: UInt64 = 0
            try invoke(\.user_update) { $0(raw, &c, fields, expectedVersion, role, &version, $1) }
            return version
        }
    }

    public func deleteUser(_ id: [UInt8], expectedVersion: UInt64 = 0, guardRole: String? = nil) throws {
        try withArena { w, _ in
            let role = try w.str(guardRole)
            try invoke(\.user_delete) { $0(raw, proteus_id(byteArray: id), expectedVersion, role, $1) }
        }
    }

    /// user_search. A query with usernameFolded needs a store that reads
    /// it (built against 2.3 or later): an older one would answer as if it
    /// were not there, so it is refused with UNSUPPORTED instead.
    public func search(_ q: UserQuery) throws -> UserPage {
        if q.usernameFolded != nil && !readsFoldedUsernames {
            throw PluginError.unsupported("search: the store was built before ABI 2.3 and cannot match usernames case-insensitively (username_folded)")
        }
        if q.needs2_6 && !readsKeysetQueries {
            throw PluginError.unsupported("search: the store was built before ABI 2.6 and cannot page by username (after_username) or cap its count (total_cap)")
        }
        // A store built before 2.7 never reads key_presence: the page's
        // key presence is then asked with apikey_presence.
        var asked = q
        asked.keyPresence = q.keyPresence && readsKeyPresence
        var page: UserPage = try withArena { w, arena in
            var c = try w.query(asked)
            var out: UnsafeMutablePointer<proteus_user_page>?
            try invoke(\.user_search) { $0(raw, &c, arena, &out, $1) }
            guard let out else { throw PluginError.internal("user_search returned OK without a page") }
            guard let page = UserPage(out) else { throw PluginError.internal("user_search returned a page this reader cannot read") }
            return page
        }
        if q.keyPresence && page.holdsKey == nil {
            if asked.keyPresence && !page.users.isEmpty {
                throw PluginError.internal("user_search was asked for key presence and returned a page without it")
            }
            page.holdsKey = try keyPresence(users: page.users.map(\.id), ns: q.keyNamespace)
        }
        return page
    }

    /// True when the store reads the query field 2.7 appended
    /// (key_presence): its table was built against 2.7 or later.
    public var readsKeyPresence: Bool { Int(api.struct_size) > StoreTable.size2_6 }

    public func importUsers(_ users: [UserRecord], mode: Int32) throws {
        try withArena { w, _ in
            let records = try w.allocate(proteus_user.self, count: max(users.count, 1))
            for (i, u) in users.enumerated() { records[i] = try w.user(u) }
            try invoke(\.users_import) { $0(raw, records, users.count, mode, $1) }
        }
    }

    public func exportUsers(after: [UInt8]?, limit: UInt32) throws -> UserPage {
        try withArena { _, arena in
            var out: UnsafeMutablePointer<proteus_user_page>?
            let cursor = after.map { proteus_id(byteArray: $0) } ?? proteus_id()
            try invoke(\.users_export) { $0(raw, after != nil, cursor, limit, arena, &out, $1) }
            guard let out else { throw PluginError.internal("users_export returned OK without a page") }
            guard let page = UserPage(out) else { throw PluginError.internal("users_export returned a page this reader cannot read") }
            return page
        }
    }

    // MARK: groups

    public func createGroup(_ g: GroupRecord) throws {
        try withArena { w, _ in
            var c = try w.group(g)
            try invoke(\.group_create) { $0(raw, &c, $1) }
        }
    }

    public func getGroup(_ id: [UInt8]) throws -> GroupRecord {
        try withArena { _, arena in
            var out: UnsafeMutablePointer<proteus_group>?
            try invoke(\.group_get) { $0(raw, proteus_id(byteArray: id), arena, &out, $1) }
            guard let out else { throw PluginError.internal("group_get returned OK without a record") }
            return GroupRecord(out.pointee)
        }
    }

    public func listGroups() throws -> [GroupRecord] {
        try withArena { _, arena in
            var out: UnsafeMutablePointer<proteus_group_list>?
            try invoke(\.group_list) { $0(raw, arena, &out, $1) }
            guard let out else { return [] }
            guard RecordArray.isComplete(out), let items = RecordArray.read(out.pointee.items, count: out.pointee.count, GroupRecord.init) else {
                throw PluginError.internal("group_list returned a list this reader cannot read")
            }
            return items
        }
    }

    @discardableResult
    public func updateGroup(_ g: GroupRecord, expectedVersion: UInt64 = 0) throws -> UInt64 {
        try withArena { w, _ in
            var c = try w.group(g)
            var version: UInt64 = 0
            try invoke(\.group_update) { $0(raw, &c, expectedVersion, &version, $1) }
            return version
        }
    }

    public func deleteGroup(_ id: [UInt8]) throws {
        try invoke(\.group_delete) { $0(raw, proteus_id(byteArray: id), $1) }
    }

    // MARK: roles

    @discardableResult
    public func putRole(_ r: RoleRecord) throws -> Int64 {
        try withArena { w, _ in
            var c = try w.role(r)
            var id: Int64 = 0
            try invoke(\.role_put) { $0(raw, &c, &id, $1) }
            return id
        }
    }

    public func getRole(_ slug: String) throws -> RoleRecord {
        try withArena { w, arena in
            let s = try w.str(slug)
            var out: UnsafeMutablePointer<proteus_role>?
            try invoke(\.role_get) { $0(raw, s, arena, &out, $1) }
            guard let out else { throw PluginError.internal("role_get returned OK without a record") }
            return RoleRecord(out.pointee)
        }
    }

    public func listRoles() throws -> [RoleRecord] {
        try withArena { _, arena in
            var out: UnsafeMutablePointer<proteus_role_list>?
            try invoke(\.role_list) { $0(raw, arena, &out, $1) }
            guard let out else { return [] }
            guard RecordArray.isComplete(out), let items = RecordArray.read(out.pointee.items, count: out.pointee.count, RoleRecord.init) else {
                throw PluginError.internal("role_list returned a list this reader cannot read")
            }
            return items
        }
    }

    public func deleteRole(_ slug: String) throws {
        try withArena { w, _ in
            let s = try w.str(slug)
            try invoke(\.role_delete) { $0(raw, s, $1) }
        }
    }

    // MARK: sessions

    public func createSession(_ s: SessionRecord) throws {
        try withArena { w, _ in
            var c = try w.session(s)
            try invoke(\.session_create) { $0(raw, &c, $1) }
        }
    }

    public func getSession(_ hash: [UInt8], now: Int64) throws -> SessionRecord {
        try withArena { _, arena in
            var out: UnsafeMutablePointer<proteus_session>?
            // The hash is borrowed for the call (no copy into the arena).
            try withProteusBytes(hash) { h in try invoke(\.session_get) { $0(raw, h, now, arena, &out, $1) } }
            guard let out else { throw PluginError.internal("session_get returned OK without a record") }
            return SessionRecord(out.pointee)
        }
    }

    public func deleteSession(_ hash: [UInt8]) throws {
        try withArena { w, _ in
            let h = try w.bytes(hash)
            try invoke(\.session_delete) { $0(raw, h, $1) }
        }
    }

    public func deleteSessions(user: [UInt8], ns: String?) throws -> UInt64 {
        try withArena { w, _ in
            let n = try w.str(ns)
            var deleted: UInt64 = 0
            try invoke(\.session_delete_user) { $0(raw, proteus_id(byteArray: user), n, &deleted, $1) }
            return deleted
        }
    }

    public func purgeExpired(now: Int64) throws -> UInt64 {
        var removed: UInt64 = 0
        try invoke(\.purge_expired) { $0(raw, now, &removed, $1) }
        return removed
    }

    // MARK: API keys

    public func createKey(_ k: APIKeyRecord) throws {
        try withArena { w, _ in
            var c = try w.apiKey(k)
            try invoke(\.apikey_create) { $0(raw, &c, $1) }
        }
    }

    public func getKey(_ hash: [UInt8], now: Int64) throws -> APIKeyRecord {
        try withArena { _, arena in
            var out: UnsafeMutablePointer<proteus_api_key>?
            try withProteusBytes(hash) { h in try invoke(\.apikey_get) { $0(raw, h, now, arena, &out, $1) } }
            guard let out else { throw PluginError.internal("apikey_get returned OK without a record") }
            return APIKeyRecord(out.pointee)
        }
    }

    public func listKeys(user: [UInt8]?) throws -> [APIKeyRecord] {
        try withArena { _, arena in
            var out: UnsafeMutablePointer<proteus_api_key_list>?
            let id = user.map { proteus_id(byteArray: $0) } ?? proteus_id()
            try invoke(\.apikey_list) { $0(raw, user != nil, id, arena, &out, $1) }
            guard let out else { return [] }
            guard RecordArray.isComplete(out), let items = RecordArray.read(out.pointee.items, count: out.pointee.count, APIKeyRecord.init) else {
                throw PluginError.internal("apikey_list returned a list this reader cannot read")
            }
            return items
        }
    }

    public func deleteKey(_ hash: [UInt8]) throws {
        try withArena { w, _ in
            let h = try w.bytes(hash)
            try invoke(\.apikey_delete) { $0(raw, h, $1) }
        }
    }

    public func deleteKeys(user: [UInt8], ns: String?) throws -> UInt64 {
        try withArena { w, _ in
            let n = try w.str(ns)
            var deleted: UInt64 = 0
            try invoke(\.apikey_delete_user) { $0(raw, proteus_id(byteArray: user), n, &deleted, $1) }
            return deleted
        }
    }

    // MARK: authenticated reads (ABI 2.1; a 2.0 store gets the 2.0 calls)

    /// True when the store's table has `function`: its struct_size covers
    /// it and it is not NULL (a store built against an older minor lacks
    /// what was appended later).
    public func has<F>(_ function: KeyPath<proteus_store_api, F?>) -> Bool {
        api.struct_size != 0 && TableEntry.function(api, function, declaredSize: api.struct_size) != nil
    }

    /// apikey_owner: the key with `hash` and its owner, documents as `docs`
    /// selects, in one call and one snapshot. A store without it (2.0, or
    /// answering UNSUPPORTED) is asked apikey_get, then user_get; NOT_FOUND
    /// when the key or (in between) its owner is gone.
    public func getKeyOwner(_ hash: [UInt8], now: Int64, docs: String?) throws -> KeyOwner {
        if has(\.apikey_owner) {
            do {
                return try withArena { _, arena in
                    try withProteusBytes(hash) { h in
                        try withProteusStr(docs) { ns in
                            var key: UnsafeMutablePointer<proteus_api_key>?
                            var user: UnsafeMutablePointer<proteus_user>?
                            try invoke(\.apikey_owner) { $0(raw, h, now, ns, arena, &key, &user, $1) }
                            guard let key, let user else { throw PluginError.internal("apikey_owner returned OK without both records") }
                            return KeyOwner(key: APIKeyRecord(key.pointee), user: UserRecord(user.pointee))
                        }
                    }
                }
            } catch let e as PluginError where e.code == PROTEUS_E_UNSUPPORTED {}
        }
        let key = try getKey(hash, now: now)
        do {
            return KeyOwner(key: key, user: try getUser(id: key.userID, docs: docs))
        } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
            throw PluginError.notFound("getKeyOwner: the API key's user is gone")
        }
    }

    /// apikey_presence: for each of `users`, whether it holds an API key of
    /// namespace `ns` (nil: any), in the order given; one call per
    /// PROTEUS_APIKEY_PRESENCE_MAX users. A store without it (2.0, or
    /// answering UNSUPPORTED) is asked apikey_list per user.
    public func keyPresence(users: [[UInt8]], ns: String?) throws -> [Bool] {
        guard !users.isEmpty else { return [] }
        if has(\.apikey_presence) {
            do {
                var answer: [Bool] = []
                answer.reserveCapacity(users.count)
                let batch = Int(PROTEUS_APIKEY_PRESENCE_MAX)
                for start in stride(from: 0, to: users.count, by: batch) {
                    let ids = users[start..<min(start + batch, users.count)].map { proteus_id(byteArray: $0) }
                    var present = [UInt8](repeating: 0, count: ids.count)
                    try withProteusStr(ns) { n in
                        try ids.withUnsafeBufferPointer { i in
                            try present.withUnsafeMutableBufferPointer { p in
                                try invoke(\.apikey_presence) { $0(raw, i.baseAddress, i.count, n, p.baseAddress, $1) }
                            }
                        }
                    }
                    answer += present.map { $0 != 0 }
                }
                return answer
            } catch let e as PluginError where e.code == PROTEUS_E_UNSUPPORTED {}
        }
        return try users.map { user in try listKeys(user: user).contains { ns == nil || $0.namespace == ns } }
    }

    // MARK: plugin entries (ABI 2.3; an older store answers UNSUPPORTED, no fallback)

    /// True when the store reads the query fields 2.3 appended
    /// (username_folded): its table was built against 2.3 or later.
    public var readsFoldedUsernames: Bool { Int(api.struct_size) > StoreTable.size2_2 }

    /// True when the store reads the query fields 2.6 appended
    /// (after_username, total_cap): its table was built against 2.6 or later.
    public var readsKeysetQueries: Bool { Int(api.struct_size) > StoreTable.size2_5 }

    /// session_count_user (ABI 2.6): the user's live sessions at `now`
    /// (unix ms). An older store answers UNSUPPORTED (no fallback).
    public func sessionCount(user: [UInt8], now: Int64) throws -> UInt64 {
        var count: UInt64 = 0
        try invoke(\.session_count_user) { $0(raw, proteus_id(byteArray: user), now, &count, $1) }
        return count
    }

    /// entry_put: inserts; an existing key is replaced when `replace`
    /// (created_at kept), else CONFLICT.
    public func putEntry(_ e: EntryRecord, replace: Bool) throws {
        try withArena { w, _ in
            var c = try w.entry(e)
            try invoke(\.entry_put) { $0(raw, &c, replace, $1) }
        }
    }

    /// entry_get; NOT_FOUND when there is no such entry.
    public func getEntry(namespace: String, key: String) throws -> EntryRecord {
        try withArena { _, arena in
            try withProteusStr(namespace) { ns in
                try withProteusStr(key) { k in
                    var out: UnsafeMutablePointer<proteus_entry>?
                    try invoke(\.entry_get) { $0(raw, ns, k, arena, &out, $1) }
                    guard let out else { throw PluginError.internal("entry_get returned OK without a record") }
                    guard RecordArray.isComplete(out) else { throw PluginError.internal("entry_get returned a record this reader cannot read") }
                    return EntryRecord(out.pointee)
                }
            }
        }
    }

    /// entry_list: every entry of the namespace, by key (byte order); nil:
    /// of every namespace (export); TOO_LARGE beyond PROTEUS_ENTRY_LIST_MAX.
    public func listEntries(namespace: String?) throws -> [EntryRecord] {
        try withArena { _, arena in
            try withProteusStr(namespace) { ns in
                var out: UnsafeMutablePointer<proteus_entry_list>?
                try invoke(\.entry_list) { $0(raw, ns, arena, &out, $1) }
                guard let out else { throw PluginError.internal("entry_list returned OK without a list") }
                guard RecordArray.isComplete(out), let items = RecordArray.read(out.pointee.items, count: out.pointee.count, EntryRecord.init) else {
                    throw PluginError.internal("entry_list returned a list this reader cannot read")
                }
                return items
            }
        }
    }

    /// entry_delete; NOT_FOUND when there is no such entry.
    public func deleteEntry(namespace: String, key: String) throws {
        try withProteusStr(namespace) { ns in
            try withProteusStr(key) { k in
                try invoke(\.entry_delete) { $0(raw, ns, k, $1) }
            }
        }
    }

    // MARK: audit log (ABI 2.5; an older store answers UNSUPPORTED, no fallback)

    /// audit_append: the event is written with the next id (time 0 = now).
    public func appendAudit(_ e: AuditEventRecord) throws {
        try withArena { w, _ in
            var c = try w.auditEvent(e)
            try invoke(\.audit_append) { $0(raw, &c, $1) }
        }
    }

    /// audit_list: the events matching `query`, newest first, and the
    /// cursor of the next page (0: none).
    public func listAudit(_ query: AuditQuery) throws -> AuditPage {
        try withArena { w, arena in
            var c = try w.auditQuery(query)
            var out: UnsafeMutablePointer<proteus_audit_page>?
            try invoke(\.audit_list) { $0(raw, &c, arena, &out, $1) }
            guard let out else { throw PluginError.internal("audit_list returned OK without a page") }
            guard RecordArray.isComplete(out), let items = RecordArray.read(out.pointee.items, count: out.pointee.count, AuditEventRecord.init) else {
                throw PluginError.internal("audit_list returned a page this reader cannot read")
            }
            return AuditPage(events: items, next: out.pointee.next)
        }
    }

    // MARK: identities

    public func link(_ i: IdentityRecord) throws {
        try withArena { w, _ in
            var c = try w.identity(i)
            try invoke(\.identity_link) { $0(raw, &c, $1) }
        }
    }

    public func identityUser(provider: String, subject: String) throws -> [UInt8] {
        try withArena { w, _ in
            let p = try w.str(provider), s = try w.str(subject)
            var id = proteus_id()
            try invoke(\.identity_get) { $0(raw, p, s, &id, $1) }
            return id.byteArray
        }
    }

    public func unlink(provider: String, subject: String) throws {
        try withArena { w, _ in
            let p = try w.str(provider), s = try w.str(subject)
            try invoke(\.identity_unlink) { $0(raw, p, s, $1) }
        }
    }

    public func listIdentities(user: [UInt8]?) throws -> [IdentityRecord] {
        try withArena { _, arena in
            var out: UnsafeMutablePointer<proteus_identity_list>?
            let id = user.map { proteus_id(byteArray: $0) } ?? proteus_id()
            try invoke(\.identity_list) { $0(raw, user != nil, id, arena, &out, $1) }
            guard let out else { return [] }
            guard RecordArray.isComplete(out), let items = RecordArray.read(out.pointee.items, count: out.pointee.count, IdentityRecord.init) else {
                throw PluginError.internal("identity_list returned a list this reader cannot read")
            }
            return items
        }
    }

    // MARK: counters

    /// counter_hit: adds `weight` in the key's fixed window.
    public func hitCounter(_ key: [UInt8], weight: UInt32, windowSeconds: UInt32, now: Int64) throws -> CounterHit {
        var count: UInt64 = 0
        var ends: Int64 = 0
        try key.withUnsafeBufferPointer { k in
            try invoke(\.counter_hit) { $0(raw, proteus_bytes(ptr: k.baseAddress, len: k.count), weight, windowSeconds, now, &count, &ends, $1) }
        }
        return CounterHit(count: count, windowEndsMillis: ends)
    }

    public func clearCounter(_ key: [UInt8]) throws {
        try key.withUnsafeBufferPointer { k in
            try invoke(\.counter_clear) { $0(raw, proteus_bytes(ptr: k.baseAddress, len: k.count), $1) }
        }
    }

    // MARK: maintenance

    public func stats() throws -> proteus_store_stats {
        var s = proteus_store_stats()
        s.struct_size = UInt32(MemoryLayout<proteus_store_stats>.size)
        try invoke(\.stats) { $0(raw, &s, $1) }
        return s
    }
}
