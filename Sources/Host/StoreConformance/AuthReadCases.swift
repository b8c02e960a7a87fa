// Cases: the authenticated reads of ABI 2.1 (apikey_presence, apikey_owner),
// 2.7's user_get_with_key_presence, 2.8's user_get_cached, and reads after
// writes through the same instance — whatever a store caches, a revocation
// or change made through it is seen by its next read.
import PluginAPI
import PluginKit

extension StoreConformanceSuite {
    static var authReadCases: [Case] {
        [
            Case(name: "apikeys.presence", summary: "apikey_presence: mixed users, namespaces and unknown ids; count 0; limits", body: { try $0.apiKeyPresence() }),
            Case(name: "users.get_with_key_presence", summary: "user_get_with_key_presence: the user as user_get reads it and its key presence by namespace, every lookup; NOT_FOUND; INVALID", body: { try $0.userGetWithKeyPresence() }),
            Case(name: "users.get_cached", summary: "user_get_cached: as user_get_with_key_presence (NULL holds_key: as user_get), every lookup; writes through the instance (change, key created or deleted, delete) seen by the next read; NOT_FOUND; INVALID", body: { try $0.userGetCached() }),
            Case(name: "search.key_presence", summary: "user_search with key_presence: holds_key as apikey_presence answers, by role, substring, folded text, username order, every page; a 2.6 query is not asked; INVALID key_ns", body: { try $0.searchKeyPresence() }),
            Case(name: "apikeys.owner", summary: "apikey_owner: key and owner in one call; documents as selected; NOT_FOUND; last_used_at", body: { try $0.apiKeyOwner() }),
            Case(name: "apikeys.read_after_write", summary: "apikey_get and apikey_owner see this instance's revocations, bans and role changes at once", body: { try $0.apiKeyReadAfterWrite() }),
            Case(name: "sessions.read_after_write", summary: "session_get sees this instance's deletes at once; expiry still applies", body: { try $0.sessionReadAfterWrite() }),
        ]
    }

    /// Skips a case for a store built before the function existed.
    func requireFunction<F>(_ function: KeyPath<proteus_store_api, F?>, _ name: String) throws {
        guard client.has(function) else { throw ConformanceSkip(reason: "the store has no \(name) (built against an older ABI minor)") }
    }

    /// apikey_presence called directly (no fallback).
    func presence(_ ids: [[UInt8]], ns: String?) throws -> [UInt8] {
        let c = ids.map { proteus_id(byteArray: $0) }
        var present = [UInt8](repeating: 7, count: c.count)
        try withProteusStr(ns) { n in
            try c.withUnsafeBufferPointer { i in
                try present.withUnsafeMutableBufferPointer { p in
                    try client.invoke(\.apikey_presence) { $0(client.store, i.baseAddress, i.count, n, p.baseAddress, $1) }
                }
            }
        }
        return present
    }

    func apiKeyPresence() throws {
        try requireFunction(\.apikey_presence, "apikey_presence")
        let a = try createUser(newUser()), b = try createUser(newUser()), none = try createUser(newUser())
        try client.createKey(APIKeyRecord(keyHash: randomBytes(32), userID: a.id, namespace: "ct.one"))
        try client.createKey(APIKeyRecord(keyHash: randomBytes(32), userID: a.id, namespace: "ct.one"))
        try client.createKey(APIKeyRecord(keyHash: randomBytes(32), userID: b.id, namespace: "ct.two"))
        let unknown = randomID()
        let ids = [a.id, b.id, none.id, unknown, a.id]
        try expectEqual(try presence(ids, ns: "ct.one"), [1, 0, 0, 0, 1], "presence in ct.one (a twice)")
        try expectEqual(try presence(ids, ns: "ct.two"), [0, 1, 0, 0, 0], "presence in ct.two")
        try expectEqual(try presence(ids, ns: nil), [1, 1, 0, 0, 1], "presence in any namespace")
        try expectEqual(try presence(ids, ns: "ct.none"), [0, 0, 0, 0, 0], "presence in a namespace nobody uses")
        try expectEqual(try presence([b.id], ns: nil), [1], "presence of one user")

        // count 0: OK, reads nothing, NULL pointers allowed.
        try client.invoke(\.apikey_presence) { $0(client.store, nil, 0, .absent, nil, $1) }
        // The limit, and NULL pointers with a count.
        let max = Int(PROTEUS_APIKEY_PRESENCE_MAX)
        let full = (0..<max).map { $0 == max - 1 ? a.id : randomID() }
        let answer = try presence(full, ns: "ct.one")
        try expectEqual(answer.count, max, "answers at the limit")
        try expectEqual(answer.last, 1, "the last of \(max) ids")
        try expectEqual(answer.dropLast().filter { $0 != 0 }.count, 0, "unknown ids among \(max)")
        try expectStatus("apikey_presence over the limit", PROTEUS_E_INVALID) { _ = try presence(full + [a.id], ns: nil) }
        var out = [UInt8](repeating: 0, count: 1)
        try expectStatus("apikey_presence without ids", PROTEUS_E_INVALID) {
            try out.withUnsafeMutableBufferPointer { p in
                try client.invoke(\.apikey_presence) { $0(client.store, nil, 1, .absent, p.baseAddress, $1) }
            }
        }
        try expectStatus("apikey_presence without an output", PROTEUS_E_INVALID) {
            var id = proteus_id(byteArray: a.id)
            try client.invoke(\.apikey_presence) { $0(client.store, &id, 1, .absent, nil, $1) }
        }
        try expectStatus("apikey_presence with an empty namespace", PROTEUS_E_INVALID) { _ = try presence([a.id], ns: "") }
        // A user's keys deleted: no longer present.
        try expectEqual(try client.deleteKeys(user: a.id, ns: "ct.one"), 2, "a's keys deleted")
        try expectEqual(try presence(ids, ns: nil), [0, 1, 0, 0, 0], "presence after deleting a's keys")
    }

    /// user_get_with_key_presence (or, `cached`, user_get_cached) called
    /// directly (no fallback).
    func userWithKeyPresence(_ key: proteus_user_key, docs: String?, keyNS: String?, cached: Bool = false) throws -> (user: UserRecord, holds: UInt8) {
        var key = key
        let function = cached ? \proteus_store_api.user_get_cached : \proteus_store_api.user_get_with_key_presence
        return try client.withArena { _, arena in
            try withProteusStr(docs) { d in
                try withProteusStr(keyNS) { k in
                    var user: UnsafeMutablePointer<proteus_user>?
                    var holds: UInt8 = 7
                    try client.invoke(function) { $0(client.store, &key, d, k, arena, &user, &holds, $1) }
                    guard let user else { throw ConformanceFailure(message: "\(cached ? "user_get_cached" : "user_get_with_key_presence") returned OK without a record") }
                    return (UserRecord(user.pointee), holds)
                }
            }
        }
    }

    /// user_get_cached without the key presence (holds_key NULL).
    func cachedUser(_ key: proteus_user_key, docs: String?) throws -> UserRecord {
        var key = key
        return try client.withArena { _, arena in
            try withProteusStr(docs) { d in
                var user: UnsafeMutablePointer<proteus_user>?
                // key_ns is not read without holds_key: an empty one is no error.
                try withProteusStr("") { k in
                    try client.invoke(\.user_get_cached) { $0(client.store, &key, d, k, arena, &user, nil, $1) }
                }
                guard let user else { throw ConformanceFailure(message: "user_get_cached returned OK without a record") }
                return UserRecord(user.pointee)
            }
        }
    }

    func userKey(id: [UInt8]) -> proteus_user_key {
        var k = proteus_user_key()
        k.by = PROTEUS_LOOKUP_ID
        k.id = proteus_id(byteArray: id)
        return k
    }

    func userGetCached() throws {
        try requireFunction(\.user_get_cached, "user_get_cached")
        let role = try newRole("shown"), g = try newGroup()
        var u = fullUser(roles: [role], group: g.id)
        u.documents = [DocumentRecord(namespace: "ct.a", json: "{\"a\":1}"), DocumentRecord(namespace: "ct.b", json: "[2]")]
        let stored = try createUser(u)
        // Every document selection, twice (the second may come from memory),
        // as user_get reads it.
        for docs in [nil, "*", "ct.a", "ct.none"] as [String?] {
            for time in ["first", "second"] {
                let found = try userWithKeyPresence(userKey(id: u.id), docs: docs, keyNS: "ct.one", cached: true)
                try expectUser(found.user, try client.getUser(id: u.id, docs: docs), "the user with documents \(docs ?? "none"), \(time) read")
                try expectEqual(found.holds, 0, "no key yet, documents \(docs ?? "none"), \(time) read")
                try expectUser(try cachedUser(userKey(id: u.id), docs: docs), try client.getUser(id: u.id, docs: docs),
                               "without key presence, documents \(docs ?? "none"), \(time) read")
            }
        }
        try expectUser(try userWithKeyPresence(userKey(id: u.id), docs: "*", keyNS: nil, cached: true).user, stored, "the user with every document")
        // A key created, then deleted, through this instance: seen at once.
        let key = APIKeyRecord(keyHash: randomBytes(32), userID: u.id, namespace: "ct.one")
        try client.createKey(key)
        try expectEqual(try userWithKeyPresence(userKey(id: u.id), docs: nil, keyNS: "ct.one", cached: true).holds, 1, "after a key of ct.one was created")
        try expectEqual(try userWithKeyPresence(userKey(id: u.id), docs: nil, keyNS: nil, cached: true).holds, 1, "a key of any namespace")
        try expectEqual(try userWithKeyPresence(userKey(id: u.id), docs: nil, keyNS: "ct.two", cached: true).holds, 0, "no key of ct.two")
        try client.deleteKey(key.keyHash)
        try expectEqual(try userWithKeyPresence(userKey(id: u.id), docs: nil, keyNS: "ct.one", cached: true).holds, 0, "after the key was deleted")
        // A change through this instance: seen by the next read.
        var renamed = UserRecord(id: u.id)
        renamed.username = "\(stored.username ?? "")-renamed"
        renamed.flags = PROTEUS_USER_DISABLED
        try client.updateUser(renamed, fields: PROTEUS_FIELD_USERNAME | PROTEUS_FIELD_FLAGS)
        let changed = try userWithKeyPresence(userKey(id: u.id), docs: "*", keyNS: nil, cached: true).user
        try expectEqual(changed.username, renamed.username, "the username after a change")
        try expectEqual(changed.isDisabled, true, "the flags after a change")
        try expectUser(try cachedUser(userKey(id: u.id), docs: "*"), try client.getUser(id: u.id, docs: "*"), "without key presence, after a change")
        // Lookups by username and email find the same user.
        try withProteusStr(renamed.username) { name in
            var k = proteus_user_key()
            k.by = PROTEUS_LOOKUP_USERNAME
            k.text = name
            try expectEqual(Hex.encode(try userWithKeyPresence(k, docs: nil, keyNS: nil, cached: true).user.id), Hex.encode(u.id), "by username")
        }
        try withProteusStr(stored.email?.uppercased()) { email in
            var k = proteus_user_key()
            k.by = PROTEUS_LOOKUP_EMAIL
            k.text = email
            try expectEqual(Hex.encode(try userWithKeyPresence(k, docs: nil, keyNS: nil, cached: true).user.id), Hex.encode(u.id), "by email")
        }
        // Deleted through this instance: NOT_FOUND at once.
        try client.deleteUser(u.id)
        try expectStatus("user_get_cached of a deleted user", PROTEUS_E_NOT_FOUND) { _ = try userWithKeyPresence(userKey(id: u.id), docs: nil, keyNS: nil, cached: true) }
        try expectStatus("user_get_cached of an unknown id", PROTEUS_E_NOT_FOUND) { _ = try cachedUser(userKey(id: randomID()), docs: nil) }
        let other = try createUser(newUser())
        try expectStatus("user_get_cached with an empty key namespace", PROTEUS_E_INVALID) { _ = try userWithKeyPresence(userKey(id: other.id), docs: nil, keyNS: "", cached: true) }
        try expectStatus("user_get_cached without a key", PROTEUS_E_INVALID) {
            _ = try client.withArena { _, arena in
                var user: UnsafeMutablePointer<proteus_user>?
                try client.invoke(\.user_get_cached) { $0(client.store, nil, .absent, .absent, arena, &user, nil, $1) }
            }
        }
        try expectStatus("user_get_cached without an arena", PROTEUS_E_INVALID) {
            var key = userKey(id: other.id)
            var user: UnsafeMutablePointer<proteus_user>?
            try client.invoke(\.user_get_cached) { $0(client.store, &key, .absent, .absent, nil, &user, nil, $1) }
        }
        try expectStatus("user_get_cached without an output", PROTEUS_E_INVALID) {
            var key = userKey(id: other.id)
            _ = try client.withArena { _, arena in
                try client.invoke(\.user_get_cached) { $0(client.store, &key, .absent, .absent, arena, nil, nil, $1) }
            }
        }
    }

    func userGetWithKeyPresence() throws {
        try requireFunction(\.user_get_with_key_presence, "user_get_with_key_presence")
        let role = try newRole("keyed"), g = try newGroup()
        var u = fullUser(roles: [role], group: g.id)
        u.documents = [DocumentRecord(namespace: "ct.a", json: "{\"a\":1}"), DocumentRecord(namespace: "ct.b", json: "[2]")]
        let stored = try createUser(u)
        let plain = try createUser(newUser())
        try client.createKey(APIKeyRecord(keyHash: randomBytes(32), userID: u.id, namespace: "ct.one"))
        func byID(_ id: [UInt8]) -> proteus_user_key {
            var k = proteus_user_key()
            k.by = PROTEUS_LOOKUP_ID
            k.id = proteus_id(byteArray: id)
            return k
        }
        // Every document selection reads the user as user_get does.
        for docs in [nil, "*", "ct.a", "ct.none"] as [String?] {
            let found = try userWithKeyPresence(byID(u.id), docs: docs, keyNS: "ct.one")
            try expectUser(found.user, try client.getUser(id: u.id, docs: docs), "the user with documents \(docs ?? "none")")
            try expectEqual(found.holds, 1, "a key of ct.one, documents \(docs ?? "none")")
        }
        try expectUser(try userWithKeyPresence(byID(u.id), docs: "*", keyNS: nil).user, stored, "the user with every document")
        try expectEqual(try userWithKeyPresence(byID(u.id), docs: nil, keyNS: nil).holds, 1, "a key of any namespace")
        try expectEqual(try userWithKeyPresence(byID(u.id), docs: "ct.a", keyNS: "ct.two").holds, 0, "no key of ct.two")
        try expectEqual(try userWithKeyPresence(byID(plain.id), docs: nil, keyNS: nil).holds, 0, "a user without keys")
        // Lookups by username and email find the same user and presence.
        try withProteusStr(stored.username) { name in
            var k = proteus_user_key()
            k.by = PROTEUS_LOOKUP_USERNAME
            k.text = name
            let found = try userWithKeyPresence(k, docs: nil, keyNS: "ct.one")
            try expectEqual(Hex.encode(found.user.id), Hex.encode(u.id), "by username: the user")
            try expectEqual(found.holds, 1, "by username: the key")
        }
        try withProteusStr(stored.email?.uppercased()) { email in
            var k = proteus_user_key()
            k.by = PROTEUS_LOOKUP_EMAIL
            k.text = email
            let found = try userWithKeyPresence(k, docs: nil, keyNS: "ct.one")
            try expectEqual(Hex.encode(found.user.id), Hex.encode(u.id), "by email: the user")
            try expectEqual(found.holds, 1, "by email: the key")
        }
        // The key deleted: no longer held.
        try expectEqual(try client.deleteKeys(user: u.id, ns: nil), 1, "the key deleted")
        try expectEqual(try userWithKeyPresence(byID(u.id), docs: nil, keyNS: nil).holds, 0, "after the key was deleted")

        try expectStatus("user_get_with_key_presence of an unknown id", PROTEUS_E_NOT_FOUND) { _ = try userWithKeyPresence(byID(randomID()), docs: nil, keyNS: nil) }
        try expectStatus("user_get_with_key_presence with an empty key namespace", PROTEUS_E_INVALID) { _ = try userWithKeyPresence(byID(u.id), docs: nil, keyNS: "") }
        try expectStatus("user_get_with_key_presence without a key", PROTEUS_E_INVALID) {
            _ = try client.withArena { _, arena in
                var user: UnsafeMutablePointer<proteus_user>?
                var holds: UInt8 = 0
                try client.invoke(\.user_get_with_key_presence) { $0(client.store, nil, .absent, .absent, arena, &user, &holds, $1) }
            }
        }
        try expectStatus("user_get_with_key_presence without a presence output", PROTEUS_E_INVALID) {
            var key = byID(u.id)
            _ = try client.withArena { _, arena in
                var user: UnsafeMutablePointer<proteus_user>?
                try client.invoke(\.user_get_with_key_presence) { $0(client.store, &key, .absent, .absent, arena, &user, nil, $1) }
            }
        }
        try expectStatus("user_get_with_key_presence without an arena", PROTEUS_E_INVALID) {
            var key = byID(u.id)
            var user: UnsafeMutablePointer<proteus_user>?
            var holds: UInt8 = 0
            try client.invoke(\.user_get_with_key_presence) { $0(client.store, &key, .absent, .absent, nil, &user, &holds, $1) }
        }
    }

    func searchKeyPresence() throws {
        try requireFunction(\.user_get_with_key_presence, "user_get_with_key_presence (ABI 2.7, which reads key_presence)")
        let role = try newRole("kp"), t = token(8)
        var users: [UserRecord] = []
        for i in 0..<7 { users.append(try createUser(newUser("kp\(t)\(i)", roles: [role]))) }
        // Keys of ct.kp for users 1 and 4 (two for 4), of ct.other for user 5.
        for (i, ns) in [(1, "ct.kp"), (4, "ct.kp"), (4, "ct.kp"), (5, "ct.other")] {
            try client.createKey(APIKeyRecord(keyHash: randomBytes(32), userID: users[i].id, namespace: ns))
        }
        func search(_ adjust: (inout UserQuery) -> Void, ns: String? = "ct.kp") throws -> UserPage {
            var q = UserQuery()
            q.keyPresence = true
            q.keyNamespace = ns
            adjust(&q)
            return try rawSearch(q) { _, _ in }
        }
        /// holds_key is there for every user of the page, as apikey_presence answers.
        func check(_ page: UserPage, ns: String? = "ct.kp", _ what: String) throws {
            guard let holds = page.holdsKey else {
                if page.users.isEmpty { return }
                throw ConformanceFailure(message: "\(what): a page of \(page.users.count) users without holds_key")
            }
            try expectEqual(holds.count, page.users.count, "\(what): holds_key entries")
            try expectEqual(holds.map { $0 ? UInt8(1) : 0 }, try presence(page.users.map(\.id), ns: ns), "\(what): holds_key")
        }
        // Users created in the same millisecond are in id order: what each
        // page should say is found by id.
        let holders: Set<[UInt8]> = [users[1].id, users[4].id]
        func expected(_ page: UserPage, _ holders: Set<[UInt8]> = holders) -> [Bool] { page.users.map { holders.contains($0.id) } }
        var page = try search { $0.hasRole = role; $0.limit = 10 }
        try check(page, "by role")
        try expectEqual(page.users.count, 7, "by role: the users")
        try expectEqual(page.holdsKey ?? [], expected(page), "by role")
        page = try search({ $0.hasRole = role; $0.limit = 10 }, ns: nil)
        try check(page, ns: nil, "by role, any namespace")
        try expectEqual(page.holdsKey ?? [], expected(page, holders.union([users[5].id])), "by role, any namespace")
        for offset: UInt64 in [0, 2, 5, 6, 7, 100] {
            page = try search { $0.hasRole = role; $0.limit = 2; $0.offset = offset }
            try check(page, "by role, 2 from \(offset)")
        }
        page = try search { $0.usernameContains = t; $0.limit = 10 }
        try expectEqual(page.users.count, 7, "a substring: the users")
        try expectEqual(page.holdsKey ?? [], expected(page), "a substring")
        page = try search { $0.usernameContains = String(t.prefix(3)); $0.limit = 50 }
        try check(page, "a three-character substring")
        page = try search { $0.usernameContains = String(t.prefix(2)); $0.limit = 50 }
        try check(page, "a two-character substring")
        page = try search { $0.usernameFolded = "KP" + t.uppercased(); $0.usernameFoldedMatch = PROTEUS_MATCH_PREFIX; $0.limit = 10 }
        try expectEqual(page.users.count, 7, "a folded prefix: the users")
        try expectEqual(page.holdsKey ?? [], expected(page), "a folded prefix")
        page = try search { $0.usernameFolded = t.uppercased(); $0.usernameFoldedMatch = PROTEUS_MATCH_CONTAINS; $0.limit = 10 }
        try expectEqual(page.users.count, 7, "a folded substring: the users")
        try expectEqual(page.holdsKey ?? [], expected(page), "a folded substring")
        page = try search { $0.hasRole = role; $0.order = PROTEUS_ORDER_USERNAME; $0.limit = 10 }
        try expectEqual(page.holdsKey ?? [], [false, true, false, false, true, false, false], "by role in username order")
        page = try search { $0.hasRole = role; $0.order = PROTEUS_ORDER_USERNAME; $0.afterUsername = "kp\(t)3"; $0.limit = 10 }
        try expectEqual(page.holdsKey ?? [], [true, false, false], "after a username")
        page = try search { $0.limit = 20; $0.offset = 3 }
        try check(page, "every user, a page from 3")
        page = try search { $0.hasRole = role; $0.limit = 0 }
        try expectEqual(page.total, 7, "a count alone: the total")
        try expectEqual(page.users.count, 0, "a count alone: no users")
        // Without key_presence, or from a query that ends before it (2.6): no holds_key.
        page = try search { $0.hasRole = role; $0.limit = 10; $0.keyPresence = false }
        try expectEqual(page.holdsKey == nil, true, "without key_presence: holds_key NULL")
        page = try rawSearch({ var q = UserQuery(); q.hasRole = role; q.limit = 10; q.keyPresence = true; return q }()) { _, c in
            c.struct_size = UInt32(MemoryLayout<proteus_user_query>.offset(of: \proteus_user_query.key_presence) ?? 0)
        }
        try expectEqual(page.users.count, 7, "a 2.6 query: the page")
        try expectEqual(page.holdsKey == nil, true, "a 2.6 query: key_presence is not read")
        try expectStatus("key_presence with an empty key_ns", PROTEUS_E_INVALID) { _ = try search({ $0.hasRole = role; $0.limit = 10 }, ns: "") }
    }

    /// apikey_owner called directly (no fallback).
    func owner(_ hash: [UInt8], now: Int64, docs: String?) throws -> KeyOwner {
        try client.withArena { _, arena in
            try hash.withUnsafeBufferPointer { h in
                try withProteusStr(docs) { ns in
                    var key: UnsafeMutablePointer<proteus_api_key>?
                    var user: UnsafeMutablePointer<proteus_user>?
                    try client.invoke(\.apikey_owner) {
                        $0(client.store, proteus_bytes(ptr: h.baseAddress, len: h.count), now, ns, arena, &key, &user, $1)
                    }
                    guard let key, let user else { throw ConformanceFailure(message: "apikey_owner returned OK without both records") }
                    return KeyOwner(key: APIKeyRecord(key.pointee), user: UserRecord(user.pointee))
                }
            }
        }
    }

    func apiKeyOwner() throws {
        try requireFunction(\.apikey_owner, "apikey_owner")
        let role = try newRole("owner"), g = try newGroup()
        var u = fullUser(roles: [role], group: g.id)
        u.documents = [DocumentRecord(namespace: "ct.a", json: "{\"a\":1}"), DocumentRecord(namespace: "ct.b", json: "[2]")]
        let stored = try createUser(u)
        var k = APIKeyRecord(keyHash: randomBytes(32), userID: u.id, namespace: "ct.dialect")
        k.label = "owner"
        k.createdAt = 1_000
        try client.createKey(k)

        let t = now
        var found = try owner(k.keyHash, now: t, docs: "ct.a")
        try expectEqual(found.key.keyHash, k.keyHash, "the key's hash")
        try expectEqual(Hex.encode(found.key.userID), Hex.encode(u.id), "the key's user")
        try expectSame(found.key.namespace, "ct.dialect", "the key's namespace")
        try expectSame(found.key.label, "owner", "the key's label")
        try expectEqual(found.key.createdAt, 1_000, "the key's created_at")
        try expectEqual(found.key.lastUsedAt, t, "last_used_at recorded by the first use")
        var expected = stored
        expected.documents = [DocumentRecord(namespace: "ct.a", json: "{\"a\":1}")]
        try expectUser(found.user, expected, "the owner with one document")
        try expectUser(try owner(k.keyHash, now: t, docs: nil).user, { var e = stored; e.documents = []; return e }(), "the owner without documents")
        try expectUser(try owner(k.keyHash, now: t, docs: "*").user, stored, "the owner with every document")
        try expectUser(try owner(k.keyHash, now: t, docs: "ct.none").user, { var e = stored; e.documents = []; return e }(),
                       "the owner with a namespace it has no document in")

        // last_used_at: as apikey_get records it.
        found = try owner(k.keyHash, now: t + 5_000, docs: nil)
        try expectEqual(found.key.lastUsedAt, t, "last_used_at after a use within the resolution")
        let later = t + Int64(PROTEUS_LAST_USED_RESOLUTION_MS)
        try expectEqual(try owner(k.keyHash, now: later, docs: nil).key.lastUsedAt, later, "last_used_at returned a resolution later")
        try expectEqual(try client.listKeys(user: u.id)[0].lastUsedAt, later, "last_used_at stored a resolution later")

        try expectStatus("apikey_owner of an unknown hash", PROTEUS_E_NOT_FOUND) { _ = try owner(randomBytes(32), now: t, docs: nil) }
        try expectStatus("apikey_owner of an empty hash", PROTEUS_E_INVALID) { _ = try owner([], now: t, docs: nil) }
        try expectStatus("apikey_owner without an arena", PROTEUS_E_INVALID) {
            var key: UnsafeMutablePointer<proteus_api_key>?
            var user: UnsafeMutablePointer<proteus_user>?
            try k.keyHash.withUnsafeBufferPointer { h in
                try client.invoke(\.apikey_owner) { $0(client.store, proteus_bytes(ptr: h.baseAddress, len: h.count), t, .absent, nil, &key, &user, $1) }
            }
        }
        try expectStatus("apikey_owner without an output", PROTEUS_E_INVALID) {
            _ = try client.withArena { _, arena in
                var key: UnsafeMutablePointer<proteus_api_key>?
                try k.keyHash.withUnsafeBufferPointer { h in
                    try client.invoke(\.apikey_owner) { $0(client.store, proteus_bytes(ptr: h.baseAddress, len: h.count), t, .absent, arena, &key, nil, $1) }
                }
            }
        }
        try client.deleteKey(k.keyHash)
        try expectStatus("apikey_owner after the key's delete", PROTEUS_E_NOT_FOUND) { _ = try owner(k.keyHash, now: t, docs: nil) }
    }

    func apiKeyReadAfterWrite() throws {
        let hasOwner = client.has(\.apikey_owner)
        let role = try newRole("raw")
        let u = try createUser(newUser(roles: [role]))
        func key() throws -> APIKeyRecord {
            let k = APIKeyRecord(keyHash: randomBytes(32), userID: u.id, namespace: "ct.raw")
            try client.createKey(k)
            return k
        }
        /// Reads the key both ways (filling any cache), runs `write`, then
        /// checks what the next reads answer.
        func afterWrite(_ what: String, _ k: APIKeyRecord, _ write: () throws -> Void,
                        check: (APIKeyRecord?, KeyOwner?) throws -> Void) throws {
            _ = try client.getKey(k.keyHash, now: now)
            if hasOwner { _ = try owner(k.keyHash, now: now, docs: nil) }
            try write()
            let got: APIKeyRecord?
            do { got = try client.getKey(k.keyHash, now: now) } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND { got = nil }
            var both: KeyOwner? = nil
            if hasOwner {
                do { both = try owner(k.keyHash, now: now, docs: nil) } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND { both = nil }
            }
            try check(got, both)
        }
        let k1 = try key()
        try afterWrite("apikey_delete", k1, { try client.deleteKey(k1.keyHash) }) { got, both in
            try expect(got == nil && both == nil, "a key deleted through this instance was still found")
        }
        let k2 = try key()
        try afterWrite("apikey_delete_user", k2, { _ = try client.deleteKeys(user: u.id, ns: "ct.raw") }) { got, both in
            try expect(got == nil && both == nil, "a key deleted by apikey_delete_user was still found")
        }
        let k3 = try key()
        try afterWrite("user_update", k3, {
            var ban = UserRecord(id: u.id)
            ban.flags = PROTEUS_USER_DISABLED
            try client.updateUser(ban, fields: PROTEUS_FIELD_FLAGS)
        }) { _, both in
            if hasOwner { try expectEqual(both?.user.flags, PROTEUS_USER_DISABLED, "the owner's flags after a ban through this instance") }
        }
        try afterWrite("role_delete", k3, { try client.deleteRole(role) }) { _, both in
            if hasOwner { try expectEqual(both?.user.roles, [], "the owner's roles after role_delete through this instance") }
        }
        try afterWrite("users_import", k3, {
            var replaced = try client.getUser(id: u.id, docs: "*")
            replaced.displayName = "imported"
            try client.importUsers([replaced], mode: PROTEUS_IMPORT_UPSERT)
        }) { _, both in
            if hasOwner { try expectSame(both?.user.displayName, "imported", "the owner after users_import through this instance") }
        }
        try afterWrite("user_delete", k3, { try client.deleteUser(u.id) }) { got, both in
            try expect(got == nil && both == nil, "a deleted user's key was still found")
        }
    }

    func sessionReadAfterWrite() throws {
        let u = try createUser(newUser())
        let t = now
        func session(expiresAt: Int64 = 0) throws -> SessionRecord {
            var s = SessionRecord(tokenHash: randomBytes(32), userID: u.id, namespace: "ct.raw")
            s.expiresAt = expiresAt
            try client.createSession(s)
            _ = try client.getSession(s.tokenHash, now: t)
            return s
        }
        let s1 = try session()
        try client.deleteSession(s1.tokenHash)
        try expectStatus("session_get after session_delete through this instance", PROTEUS_E_NOT_FOUND) { _ = try client.getSession(s1.tokenHash, now: t) }
        let s2 = try session()
        _ = try client.deleteSessions(user: u.id, ns: "ct.raw")
        try expectStatus("session_get after session_delete_user through this instance", PROTEUS_E_NOT_FOUND) { _ = try client.getSession(s2.tokenHash, now: t) }
        // Read once while live: a later `now` past expires_at is still NOT_FOUND.
        let s3 = try session(expiresAt: t + 60_000)
        _ = try client.getSession(s3.tokenHash, now: t + 59_999)
        try expectStatus("session_get at expires_at after a read while live", PROTEUS_E_NOT_FOUND) { _ = try client.getSession(s3.tokenHash, now: t + 60_000) }
        let s4 = try session()
        try client.deleteUser(u.id)
        try expectStatus("session_get after user_delete through this instance", PROTEUS_E_NOT_FOUND) { _ = try client.getSession(s4.tokenHash, now: t) }
    }
}
