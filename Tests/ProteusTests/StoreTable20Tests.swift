// A store built against ABI 2.0 (Tests/Fixtures/CPlugin/store_v2_0.c: the
// sqlite store's functions in a table cut at 2.0's size, declaring minor 0
// and ending at an unreadable page) is loaded by the host, and every caller
// of the 2.1 functions falls back to the 2.0 ones: StoreClient in process,
// and MCSManager's API keys and search through a running server. The same
// fixture cut at 2.2's size (before entry_put) loads too, and what 2.3
// added answers UNSUPPORTED through StoreClient, never a crash; cut at
// 2.4's size (before audit_append), the audit log answers UNSUPPORTED; cut at
// 2.5's (before session_count_user), keyset queries, capped totals and
// session counts answer UNSUPPORTED; cut at 2.6's (before
// user_get_with_key_presence), a user with its key presence is read with
// user_get and apikey_presence; cut at 2.7's (before user_get_cached), a
// user to show is read with user_get_with_key_presence (or user_get).
import Foundation
import PluginAPI
import PluginKit
import XCTest
@testable import Host

final class StoreTable20Tests: XCTestCase {
    override class func tearDown() {
        SQLiteStoreFixture.cleanUp()
        super.tearDown()
    }

    private func buildFixture() throws -> String {
        let dir = SQLiteStoreFixture.makeTempDirectory("store-v2-0")
        return try CPluginBuilder.compile("store_v2_0.c", into: dir + "/libproteus-store-v2-0.so",
                                          defines: ["INNER_STORE=\"\(SQLiteStoreFixture.pluginPath)\""])
    }

    /// The fixture as a store built against 2.`minor`: its table ends before
    /// `firstMissing`, the first function the next minor appended
    /// (2.2: entry_put; 2.4: audit_append; 2.5: session_count_user; 2.6:
    /// user_get_with_key_presence; 2.7: user_get_cached).
    private func buildFixture(minor: Int, firstMissing: String) throws -> String {
        let name = "store-v2-\(minor)"
        let dir = SQLiteStoreFixture.makeTempDirectory(name)
        return try CPluginBuilder.compile("store_v2_0.c", into: dir + "/libproteus-\(name).so",
                                          defines: ["INNER_STORE=\"\(SQLiteStoreFixture.pluginPath)\"", "OLDER_MINOR=\(minor)",
                                                    "FIRST_MISSING=\(firstMissing)", "STORE_NAME=\"\(name)\""])
    }

    /// The fixture built as a 2.`minor` store (buildFixture), loaded (its
    /// descriptor says that minor) and opened on a fresh SQLite file.
    private func openFixture(minor: Int, firstMissing: String) throws -> StoreBinding {
        let plugin = try PluginLoader.load(path: try buildFixture(minor: minor, firstMissing: firstMissing))
        XCTAssertEqual(plugin.descriptor.pointee.abi_minor, UInt16(minor))
        let path = SQLiteStoreFixture.makeTempDirectory("store-v2-\(minor)-db") + "/db.sqlite"
        let instance = try PluginInstance.create(plugin, optionsJSON: SQLiteStoreFixture.optionsJSON(path: path),
                                                 runtime: SQLiteStoreFixture.runtime, dialect: nil)
        return try StoreBinding(instance)
    }

    func testA26StoreIsLoadedAndAUserWithKeyPresenceFallsBack() throws {
        let store = try openFixture(minor: 6, firstMissing: "user_get_with_key_presence")
        defer { store.instance.destroy() }
        XCTAssertEqual(Int(store.api.struct_size), StoreTable.size2_6)
        XCTAssertNotNil(store.api.session_count_user, "2.6's functions are there")
        XCTAssertNil(store.api.user_get_with_key_presence)
        let client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        var holder = UserRecord(id: PostgresStoreFixture.randomID()), other = UserRecord(id: PostgresStoreFixture.randomID())
        // Created a second apart: the page below is in created order, and two
        // users made in the same millisecond would be in their ids' order.
        holder.createdAt = 1_750_000_000_000
        other.createdAt = holder.createdAt + 1000
        try client.createUser(holder)
        try client.createUser(other)
        try client.createKey(APIKeyRecord(keyHash: Array(repeating: 7, count: 32), userID: holder.id, namespace: "dialect"))
        func read(_ id: [UInt8], _ ns: String?) throws -> (UserRecord, Bool) {
            var key = proteus_user_key()
            key.by = PROTEUS_LOOKUP_ID
            key.id = proteus_id(byteArray: id)
            return try client.getUserWithKeyPresence(key, docs: nil, keyNS: ns)
        }
        XCTAssertEqual(try read(holder.id, "dialect").0.id, holder.id)
        XCTAssertTrue(try read(holder.id, "dialect").1)
        XCTAssertTrue(try read(holder.id, nil).1)
        XCTAssertFalse(try read(holder.id, "elsewhere").1)
        XCTAssertFalse(try read(other.id, nil).1)
        XCTAssertEqual(StoreClient.status { _ = try read(PostgresStoreFixture.randomID(), nil) }, PROTEUS_E_NOT_FOUND)
        // A user to show (2.8) falls back as far.
        XCTAssertTrue(try Self.shown(client, holder.id, "dialect").1)
        XCTAssertFalse(try Self.shown(client, other.id, "dialect").1)
        // A search's key presence is asked with apikey_presence.
        XCTAssertFalse(client.readsKeyPresence)
        var q = UserQuery()
        q.limit = 10
        q.keyPresence = true
        q.keyNamespace = "dialect"
        let page = try client.search(q)
        XCTAssertEqual(page.users.map(\.id), [holder.id, other.id])
        XCTAssertEqual(page.holdsKey, [true, false])
        q.keyPresence = false
        XCTAssertNil(try client.search(q).holdsKey)
        let suite = StoreConformanceSuite(store: store, host: UnsafePointer(store.instance.hostTable))
        var ran = 0
        for filter in ["users.get_with_key_presence", "search.key_presence"] {
            suite.run(filter: filter) { result in
                ran += 1
                XCTAssertTrue(result.passed && result.skipped, "\(result.name): \(result.message)")
            }
        }
        XCTAssertEqual(ran, 2)
    }

    /// StoreClient.getUserCached by id.
    private static func shown(_ client: StoreClient, _ id: [UInt8], _ ns: String?, presence: Bool = true) throws -> (UserRecord, Bool) {
        var key = proteus_user_key()
        key.by = PROTEUS_LOOKUP_ID
        key.id = proteus_id(byteArray: id)
        return try client.getUserCached(key, docs: nil, presence: presence, keyNS: ns)
    }

    func testA27StoreIsLoadedAndAUserToShowFallsBack() throws {
        let store = try openFixture(minor: 7, firstMissing: "user_get_cached")
        defer { store.instance.destroy() }
        XCTAssertEqual(Int(store.api.struct_size), StoreTable.size2_7)
        XCTAssertNotNil(store.api.user_get_with_key_presence, "2.7's functions are there")
        XCTAssertNil(store.api.user_get_cached)
        let client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        var holder = UserRecord(id: PostgresStoreFixture.randomID())
        holder.username = "holder"
        try client.createUser(holder)
        try client.createKey(APIKeyRecord(keyHash: Array(repeating: 9, count: 32), userID: holder.id, namespace: "dialect"))
        let found = try Self.shown(client, holder.id, "dialect")
        XCTAssertEqual(found.0.username, "holder")
        XCTAssertTrue(found.1)
        XCTAssertFalse(try Self.shown(client, holder.id, "elsewhere").1)
        XCTAssertEqual(try Self.shown(client, holder.id, nil, presence: false).0.username, "holder")
        XCTAssertFalse(try Self.shown(client, holder.id, nil, presence: false).1, "no presence asked: false")
        XCTAssertEqual(StoreClient.status { _ = try Self.shown(client, PostgresStoreFixture.randomID(), nil) }, PROTEUS_E_NOT_FOUND)
        let suite = StoreConformanceSuite(store: store, host: UnsafePointer(store.instance.hostTable))
        var ran = 0
        suite.run(filter: "users.get_cached") { result in
            ran += 1
            XCTAssertTrue(result.passed && result.skipped, "\(result.name): \(result.message)")
        }
        XCTAssertEqual(ran, 1)
    }

    func testA25StoreIsLoadedAndKeysetQueriesAndSessionCountsAreUnsupported() throws {
        let store = try openFixture(minor: 5, firstMissing: "session_count_user")
        defer { store.instance.destroy() }
        XCTAssertEqual(Int(store.api.struct_size), StoreTable.size2_5)
        XCTAssertNotNil(store.api.audit_list, "2.5's functions are there")
        XCTAssertNil(store.api.session_count_user)
        let client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        XCTAssertFalse(client.readsKeysetQueries)
        XCTAssertEqual(StoreClient.status { _ = try client.sessionCount(user: PostgresStoreFixture.randomID(), now: 1) }, PROTEUS_E_UNSUPPORTED)
        // A cursor or a cap is refused rather than answered from the start or counted in full.
        var named = UserRecord(id: PostgresStoreFixture.randomID())
        named.username = "Alice"
        try client.createUser(named)
        var q = UserQuery()
        q.order = PROTEUS_ORDER_USERNAME
        q.limit = 10
        XCTAssertEqual(try client.search(q).total, 1, "a 2.5 search still works")
        q.afterUsername = "A"
        XCTAssertEqual(StoreClient.status { _ = try client.search(q) }, PROTEUS_E_UNSUPPORTED)
        q.afterUsername = nil
        q.totalCap = 10
        XCTAssertEqual(StoreClient.status { _ = try client.search(q) }, PROTEUS_E_UNSUPPORTED)
        let suite = StoreConformanceSuite(store: store, host: UnsafePointer(store.instance.hostTable))
        for filter in ["search.keyset", "search.total_cap", "sessions.count_user"] {
            var ran = 0
            suite.run(filter: filter) { result in
                ran += 1
                XCTAssertTrue(result.passed && result.skipped, "\(result.name): \(result.message)")
            }
            XCTAssertGreaterThan(ran, 0, filter)
        }
    }

    /// A page written by a 2.5 store ends before flags: it is read, exact.
    func testAPageOfA25StoreIsReadWithoutFlags() throws {
        let old = UnsafeMutablePointer<proteus_user_page>.allocate(capacity: 1)
        defer { old.deallocate() }
        // Bytes past the 2.5 size are not the writer's: they must not be read.
        memset(old, 0xFF, MemoryLayout<proteus_user_page>.size)
        old.pointee.struct_size = UInt32(MemoryLayout<proteus_user_page>.offset(of: \proteus_user_page.flags) ?? 0)
        old.pointee.total = 7
        old.pointee.count = 0
        old.pointee.items = nil
        let page = try XCTUnwrap(UserPage(UnsafePointer(old)))
        XCTAssertEqual(page.total, 7)
        XCTAssertFalse(page.totalIsLowerBound)
        old.pointee.struct_size = UInt32(MemoryLayout<proteus_user_page>.offset(of: \proteus_user_page.items) ?? 0)
        XCTAssertNil(UserPage(UnsafePointer(old)), "a page too short to hold its items")
    }

    func testA24StoreIsLoadedAndTheAuditLogIsUnsupported() throws {
        let store = try openFixture(minor: 4, firstMissing: "audit_append")
        defer { store.instance.destroy() }
        XCTAssertEqual(Int(store.api.struct_size), StoreTable.size2_4)
        XCTAssertNotNil(store.api.entry_delete, "2.3's functions are there")
        XCTAssertNil(store.api.audit_append)
        XCTAssertNil(store.api.audit_list)
        let client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        XCTAssertTrue(client.has(\.entry_put))
        XCTAssertFalse(client.has(\.audit_append))
        XCTAssertFalse(client.has(\.audit_list))
        XCTAssertEqual(StoreClient.status { try client.appendAudit(AuditEventRecord(actorName: "cli:root", source: "cli", action: "user.delete")) },
                       PROTEUS_E_UNSUPPORTED)
        XCTAssertEqual(StoreClient.status { _ = try client.listAudit(AuditQuery()) }, PROTEUS_E_UNSUPPORTED)
        let suite = StoreConformanceSuite(store: store, host: UnsafePointer(store.instance.hostTable))
        var ran = 0
        suite.run(filter: "audit.") { result in
            ran += 1
            XCTAssertTrue(result.passed && result.skipped, "\(result.name): \(result.message)")
        }
        XCTAssertGreaterThan(ran, 0)
    }

    func testA22StoreIsLoadedAndEntriesAreUnsupported() throws {
        let store = try openFixture(minor: 2, firstMissing: "entry_put")
        defer { store.instance.destroy() }
        XCTAssertEqual(Int(store.api.struct_size), StoreTable.size2_2)
        XCTAssertNotNil(store.api.apikey_owner, "2.1's functions are there")
        XCTAssertNil(store.api.entry_put)
        let client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        XCTAssertTrue(client.has(\.apikey_presence))
        XCTAssertFalse(client.has(\.entry_put))
        XCTAssertFalse(client.has(\.entry_delete))
        XCTAssertFalse(client.readsFoldedUsernames)

        // Plugin entries: UNSUPPORTED (no 2.2 fallback), never a crash.
        XCTAssertEqual(StoreClient.status { try client.putEntry(EntryRecord(namespace: "scim.tokens", key: "k", json: "{}"), replace: false) },
                       PROTEUS_E_UNSUPPORTED)
        XCTAssertEqual(StoreClient.status { _ = try client.getEntry(namespace: "scim.tokens", key: "k") }, PROTEUS_E_UNSUPPORTED)
        XCTAssertEqual(StoreClient.status { _ = try client.listEntries(namespace: "scim.tokens") }, PROTEUS_E_UNSUPPORTED)
        XCTAssertEqual(StoreClient.status { try client.deleteEntry(namespace: "scim.tokens", key: "k") }, PROTEUS_E_UNSUPPORTED)
        XCTAssertEqual(StoreClient.status { try client.invoke(\.entry_list) { $0(client.store, .absent, nil, nil, $1) } },
                       PROTEUS_E_UNSUPPORTED)

        // A folded username search is refused rather than answered unfiltered.
        var named = UserRecord(id: PostgresStoreFixture.randomID())
        named.username = "Alice"
        try client.createUser(named)
        var q = UserQuery()
        q.limit = 10
        XCTAssertEqual(try client.search(q).total, 1, "a 2.2 search still works")
        q.usernameFolded = "bob"
        XCTAssertEqual(StoreClient.status { _ = try client.search(q) }, PROTEUS_E_UNSUPPORTED)

        // The conformance suite skips what the store lacks instead of failing.
        let suite = StoreConformanceSuite(store: store, host: UnsafePointer(store.instance.hostTable))
        for filter in ["entries.", "search.username_folded"] {
            var ran = 0
            suite.run(filter: filter) { result in
                ran += 1
                XCTAssertTrue(result.passed && result.skipped, "\(result.name): \(result.message)")
            }
            XCTAssertGreaterThan(ran, 0, filter)
        }
    }

    func testA20StoreIsLoadedAndStoreClientFallsBack() throws {
        let plugin = try PluginLoader.load(path: try buildFixture())
        XCTAssertEqual(plugin.descriptor.pointee.abi_minor, 0)
        let path = SQLiteStoreFixture.makeTempDirectory("store-v2-0-db") + "/db.sqlite"
        let instance = try PluginInstance.create(plugin, optionsJSON: SQLiteStoreFixture.optionsJSON(path: path),
                                                 runtime: SQLiteStoreFixture.runtime, dialect: nil)
        let store = try StoreBinding(instance)
        defer { store.instance.destroy() }
        XCTAssertEqual(Int(store.api.struct_size), StoreTable.size2_0)
        XCTAssertNil(store.api.apikey_owner)
        XCTAssertNil(store.api.apikey_presence)
        let client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        XCTAssertFalse(client.has(\.apikey_owner))
        XCTAssertFalse(client.has(\.apikey_presence))
        XCTAssertTrue(client.has(\.counter_clear))

        var owner = UserRecord(id: PostgresStoreFixture.randomID())
        owner.username = "owner"
        owner.roles = []
        owner.documents = [DocumentRecord(namespace: "t", json: "{\"t\":1}"), DocumentRecord(namespace: "u", json: "{}")]
        try client.createUser(owner)
        var other = UserRecord(id: PostgresStoreFixture.randomID())
        other.username = "other"
        try client.createUser(other)
        let hash = [UInt8](repeating: 9, count: 32)
        try client.createKey(APIKeyRecord(keyHash: hash, userID: owner.id, namespace: "t"))

        // apikey_owner: apikey_get, then user_get.
        let now = client.now
        let found = try client.getKeyOwner(hash, now: now, docs: "t")
        XCTAssertEqual(found.key.keyHash, hash)
        XCTAssertEqual(found.key.lastUsedAt, now)
        XCTAssertEqual(found.user.id, owner.id)
        XCTAssertEqual(found.user.documents, [DocumentRecord(namespace: "t", json: "{\"t\":1}")])
        XCTAssertEqual(StoreClient.status { _ = try client.getKeyOwner([UInt8](repeating: 8, count: 32), now: now, docs: nil) },
                       PROTEUS_E_NOT_FOUND)
        // apikey_presence: apikey_list per user.
        let unknown = PostgresStoreFixture.randomID()
        XCTAssertEqual(try client.keyPresence(users: [owner.id, other.id, unknown, owner.id], ns: "t"), [true, false, false, true])
        XCTAssertEqual(try client.keyPresence(users: [owner.id], ns: "x"), [false])
        XCTAssertEqual(try client.keyPresence(users: [owner.id], ns: nil), [true])
        XCTAssertEqual(try client.keyPresence(users: [], ns: nil), [])
        // Called directly: UNSUPPORTED, never a crash.
        XCTAssertEqual(StoreClient.status { try client.invoke(\.apikey_presence) { $0(client.store, nil, 0, .absent, nil, $1) } },
                       PROTEUS_E_UNSUPPORTED)
    }

    /// MCSManager over a 2.4 store: administrative changes are made; the
    /// audit log they cannot be recorded in (UNSUPPORTED) fails none.
    func testAdministrativeChangesOverA24StoreAreMadeUnrecorded() throws {
        let library = try buildFixture(minor: 4, firstMissing: "audit_append")
        MCSM.storeOverride = { ["plugin": library, "options": ["path": $0 + "/data/proteus.sqlite"]] }
        defer { MCSM.useSQLite() }
        let panel = try PanelServer(label: "mcsm-store-v2-4")
        defer { panel.stop() }
        let uuid = try panel.createUser("bob", password: "Bob0Password")
        let ban = try panel.keyClient().call("PUT", "/api/auth", json: ["uuid": .string(uuid), "config": ["permission": -1]], ajax: false)
        XCTAssertEqual(ban.status, 200, ban.text)
        XCTAssertEqual(try PanelClient(port: panel.port).login("bob", "Bob0Password").status == 200, false, "the ban stands")
        let delete = try panel.keyClient().call("DELETE", "/api/auth", json: [.string(uuid)], ajax: false)
        XCTAssertEqual(delete.status, 200, delete.text)
    }

    /// The console over a 2.5 store (no cursor, no cap, no session count):
    /// its users are paged by offset with exact totals; `after` is refused.
    func testTheConsoleOverA25StorePagesByOffset() throws {
        let library = try buildFixture(minor: 5, firstMissing: "session_count_user")
        MCSM.storeOverride = { ["plugin": library, "options": ["path": $0 + "/data/proteus.sqlite"]] }
        defer { MCSM.useSQLite() }
        let console = try ConsoleServer(label: "console-store-v2-5", options: ["searchTotalCap": 2])
        defer { console.stop() }
        for name in ["tina", "tom", "tuba"] { _ = try console.panel.createUser(name) }
        let admin = try console.admin()
        var seen: [String] = []
        var query = "limit=2"
        for _ in 0..<4 {
            let page = try admin.call("GET", "/api/users?" + query)
            XCTAssertEqual(page.status, 200, page.text)
            XCTAssertEqual(page.json?["total"]?.intValue, 4, "exact, past the cap: \(page.text)")
            XCTAssertEqual(page.json?["totalAtLeast"], false, page.text)
            XCTAssertEqual(page.json?["next"], .null, page.text)
            seen += page.json?["users"]?.arrayValue?.compactMap { $0["username"]?.stringValue } ?? []
            guard let offset = page.json?["nextOffset"]?.intValue else { break }
            query = "limit=2&offset=\(offset)"
        }
        XCTAssertEqual(seen, ["Admin", "tina", "tom", "tuba"])
        ConsoleTest.assertError(try admin.call("GET", "/api/users?after=tina"), 400, "bad_request")
    }

    /// MCSManager over the 2.0 store: keys authorise, search marks holders.
    func testMCSManagerWorksOverA20Store() throws {
        let library = try buildFixture()
        MCSM.storeOverride = { ["plugin": library, "options": ["path": $0 + "/data/proteus.sqlite"]] }
        defer { MCSM.useSQLite() }
        let panel = try PanelServer(label: "mcsm-store-v2-0")
        defer { panel.stop() }
        try panel.createUser("keyholder", permission: 10)
        try panel.createUser("keyless")
        let holder = try panel.signedIn("keyholder")
        let key = try XCTUnwrap(try holder.call("PUT", "/api/auth/api", json: ["enable": true]).json?["data"]?.stringValue)
        let byKey = try APIClient(port: panel.port).request("GET", "/api/auth/search?page=1&page_size=50&apikey=\(key)")
        XCTAssertEqual(byKey.status, 200, byKey.text)
        let rows = byKey.json?["data"]?["data"]?.arrayValue ?? []
        let marks = Dictionary(rows.compactMap { row -> (String, String)? in
            guard let name = row["userName"]?.stringValue, let mark = row["apiKey"]?.stringValue else { return nil }
            return (name, mark)
        }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(marks["keyholder"], "__MCSM_SECRET_DATA__")
        XCTAssertEqual(marks["keyless"], "")
        XCTAssertEqual(try APIClient(port: panel.port).request("GET", "/api/auth/search?page=1&page_size=5&apikey=0123456789abcdef0123456789abcdef").status, 403)
    }
}
