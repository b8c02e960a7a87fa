// Schema 3 (the search counts), schema 4 (the folded username index,
// plugin entries) and SQLite's schema 5 (the folded trigram index) on a
// directory that already has users: the migrations
// fill users.role_set, every count and the index from the users, so that a
// store upgraded in place answers exactly what a scan says.
import PluginAPI
import PluginKit
import XCTest
@testable import Host

final class StoreSearchMigrationTests: XCTestCase {
    override class func tearDown() {
        SQLiteStoreFixture.cleanUp()
        super.tearDown()
    }

    /// Users with and without roles, names and flags, spread in time.
    private func fill(_ client: StoreClient) throws -> [UserRecord] {
        try client.putRole(RoleRecord(slug: "mig.a", name: nil, attributesJSON: nil))
        try client.putRole(RoleRecord(slug: "mig.b", name: nil, attributesJSON: nil))
        var users: [UserRecord] = []
        for i in 0..<60 {
            var u = UserRecord(id: (0..<16).map { _ in UInt8.random(in: 0...255) })
            // Some in capitals, for the folded counts (schema 7).
            u.username = i % 10 == 9 ? nil : i % 4 == 1 ? "MiG\(i)É\(i % 7)" : "mig\(i)é\(i % 7)"
            u.roles = [[], ["mig.a"], ["mig.b"], ["mig.a", "mig.b"]][i % 4]
            u.flags = i % 3 == 0 ? PROTEUS_USER_DISABLED : 0
            u.createdAt = Int64(i % 5) << 28 + Int64(i)
            users.append(u)
        }
        try client.importUsers(users, mode: PROTEUS_IMPORT_INSERT)
        return users
    }

    private func expectCounts(_ client: StoreClient, _ users: [UserRecord]) throws {
        func check(_ what: String, _ configure: (inout UserQuery) -> Void, _ keep: (UserRecord) -> Bool) throws {
            var q = UserQuery()
            q.limit = 7
            q.offset = 14
            configure(&q)
            let want = users.filter(keep).sorted { ($0.createdAt, Hex.encode($0.id)) < ($1.createdAt, Hex.encode($1.id)) }
            let page = try client.search(q)
            XCTAssertEqual(page.total, UInt64(want.count), "\(what): total")
            XCTAssertEqual(page.users.map { Hex.encode($0.id) }, want.dropFirst(14).prefix(7).map { Hex.encode($0.id) }, "\(what): page")
        }
        try check("role a", { $0.hasRole = "mig.a" }, { $0.roles.contains("mig.a") })
        try check("role b, not a", { $0.hasRole = "mig.b"; $0.lacksRoles = ["mig.a"] }, { $0.roles == ["mig.b"] })
        try check("no role a, enabled", { $0.lacksRoles = ["mig.a"]; $0.flagsMask = PROTEUS_USER_DISABLED; $0.hasRole = nil; $0.usernameContains = "mig" },
                  { !$0.roles.contains("mig.a") && !$0.isDisabled && $0.username != nil })
        try check("é3 in the name", { $0.usernameContains = "é3" }, { $0.username?.contains("é3") == true })
        try check("g1 with role b", { $0.usernameContains = "g1"; $0.hasRole = "mig.b" }, { $0.username?.contains("g1") == true && $0.roles.contains("mig.b") })
        // Folded texts of up to three characters are counted from gram_counts and folded_gram_corrections.
        for text in ["IG1", "g", "É", "é"] {
            try check("\(text) folded with role a", { $0.usernameFolded = text; $0.usernameFoldedMatch = PROTEUS_MATCH_CONTAINS; $0.hasRole = "mig.a" },
                      { $0.username.map { Self.fold($0).contains(Self.fold(text)) } == true && $0.roles.contains("mig.a") })
        }
    }

    /// A-Z to a-z, nothing else (FoldedUsername).
    static func fold(_ text: String) -> String {
        String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    /// Folded username searches (2.3) find the users a migration to schema
    /// 4 indexed, and plugin entries can be kept.
    private func expectFoldedSearchAndEntries(_ client: StoreClient, _ users: [UserRecord]) throws {
        func check(_ text: String, prefix: Bool, contains: Bool = false, _ keep: (String) -> Bool) throws {
            var q = UserQuery()
            q.usernameFolded = text
            q.usernameFoldedMatch = contains ? PROTEUS_MATCH_CONTAINS : prefix ? PROTEUS_MATCH_PREFIX : PROTEUS_MATCH_EQUALS
            q.limit = 100
            q.order = PROTEUS_ORDER_USERNAME
            let want = users.compactMap(\.username).filter { keep(Self.fold($0)) }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            let page = try client.search(q)
            XCTAssertEqual(page.total, UInt64(want.count), "\(text): total")
            XCTAssertEqual(page.users.compactMap(\.username), want, "\(text): users")
        }
        try check("MIG1", prefix: true) { $0.hasPrefix("mig1") }
        try check("MIG12é5", prefix: false) { $0 == "mig12é5" }
        try check("MIG12É5", prefix: false) { _ in false }   // É is not é
        // Contained (2.4): SQLite's folded trigram index (schema 5) is built by its migration.
        try check("G1", prefix: false, contains: true) { $0.contains("g1") }
        try check("G12é", prefix: false, contains: true) { $0.contains("g12é") }
        try check("G12É", prefix: false, contains: true) { _ in false }
        try client.putEntry(EntryRecord(namespace: "mig", key: "k", json: "{}"), replace: false)
        XCTAssertEqual(try client.getEntry(namespace: "mig", key: "k").json, "{}")
    }

    func testSQLiteSchema3IsMigratedToTheLatestWithItsUsers() throws {
        typealias F = SQLiteStoreFixture
        let path = F.makeTempDirectory("folded-migrate") + "/db.sqlite"
        var store = try F.open(path: path)
        let users = try fill(StoreClient(store, host: UnsafePointer(store.instance.hostTable)))
        store.instance.destroy()
        let raw = RawSQLite(path)
        XCTAssertEqual(raw.exec(SchemaRollback.sqlite(downTo: 3)), 0)
        raw.close()
        store = try F.open(path: path)
        defer { store.instance.destroy() }
        XCTAssertEqual(F.diagnostic(store, "writer.user_version"), String(SchemaRollback.sqliteLatest))
        XCTAssertEqual(F.diagnostic(store, "check.username_index"), "ok")
        let client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        try expectFoldedSearchAndEntries(client, users)
        try expectCounts(client, users)
    }

    func testPostgresSchema3IsMigratedToTheLatestWithItsUsers() throws {
        let url = try PostgresServer.testDatabaseURL()
        let schema = PostgresServer.freshSchema("folded_migrate")
        var store = try PostgresStoreFixture.open(schema: schema)
        let users = try fill(StoreClient(store, host: UnsafePointer(store.instance.hostTable)))
        store.instance.destroy()
        try PostgresServer.psql(url, SchemaRollback.postgres(schema, downTo: 3))
        store = try PostgresStoreFixture.open(schema: schema)
        defer { store.instance.destroy() }
        XCTAssertEqual(PostgresStoreFixture.diagnostic(store, "schema_version"), String(SchemaRollback.postgresLatest))
        let client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        try expectFoldedSearchAndEntries(client, users)
        try expectCounts(client, users)
    }

    /// The migrations that fill tables from every user run without the
    /// session's statement timeout (here 100 ms, which their statements
    /// take longer than over 10,000 users).
    func testPostgresMigrationOutlastsTheStatementTimeout() throws {
        let url = try PostgresServer.testDatabaseURL()
        let schema = PostgresServer.freshSchema("slow_migrate")
        var store = try PostgresStoreFixture.open(schema: schema)
        let client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        var users: [UserRecord] = []
        for i in 0..<10_000 {
            var u = UserRecord(id: (0..<16).map { _ in UInt8.random(in: 0...255) })
            u.username = "Slow\(i)User\(i % 97)"
            u.createdAt = Int64(i)
            u.version = 1
            users.append(u)
        }
        for start in stride(from: 0, to: users.count, by: 1000) {
            try client.importUsers(Array(users[start..<start + 1000]), mode: PROTEUS_IMPORT_INSERT)
        }
        store.instance.destroy()
        try PostgresServer.psql(url, SchemaRollback.postgres(schema, downTo: 2))
        store = try PostgresStoreFixture.open(schema: schema, extra: ["statementTimeoutMs": 100])
        defer { store.instance.destroy() }
        XCTAssertEqual(PostgresStoreFixture.diagnostic(store, "schema_version"), String(SchemaRollback.postgresLatest))
        var q = UserQuery()
        q.usernameFolded = "LOW1"
        q.usernameFoldedMatch = PROTEUS_MATCH_CONTAINS
        XCTAssertEqual(try StoreClient(store, host: UnsafePointer(store.instance.hostTable)).search(q).total,
                       UInt64(users.filter { $0.username!.lowercased().contains("low1") }.count))
    }

    func testSQLiteSchema2IsMigratedWithItsUsers() throws {
        typealias F = SQLiteStoreFixture
        let path = F.makeTempDirectory("search-migrate") + "/db.sqlite"
        var store = try F.open(path: path)
        let users = try fill(StoreClient(store, host: UnsafePointer(store.instance.hostTable)))
        store.instance.destroy()
        let raw = RawSQLite(path)
        XCTAssertEqual(raw.exec(SchemaRollback.sqlite(downTo: 2)), 0)
        raw.close()
        store = try F.open(path: path)
        defer { store.instance.destroy() }
        XCTAssertEqual(F.diagnostic(store, "writer.user_version"), String(SchemaRollback.sqliteLatest))
        try expectCounts(StoreClient(store, host: UnsafePointer(store.instance.hostTable)), users)
        try expectFoldedSearchAndEntries(StoreClient(store, host: UnsafePointer(store.instance.hostTable)), users)
    }

    func testPostgresSchema2IsMigratedWithItsUsers() throws {
        let url = try PostgresServer.testDatabaseURL()
        let schema = PostgresServer.freshSchema("search_migrate")
        var store = try PostgresStoreFixture.open(schema: schema)
        let users = try fill(StoreClient(store, host: UnsafePointer(store.instance.hostTable)))
        store.instance.destroy()
        try PostgresServer.psql(url, SchemaRollback.postgres(schema, downTo: 2))
        store = try PostgresStoreFixture.open(schema: schema)
        defer { store.instance.destroy() }
        XCTAssertEqual(PostgresStoreFixture.diagnostic(store, "schema_version"), String(SchemaRollback.postgresLatest))
        let client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        try expectCounts(client, users)
        try expectFoldedSearchAndEntries(client, users)
        // Totals past 10,000 (sum() is numeric in PostgreSQL, several base-10000 digits).
        try PostgresServer.psql(url, "UPDATE \(schema).user_facets SET n = n + 1234567 WHERE role_set = ',mig.a,' AND flags = 0")
        var q = UserQuery()
        q.hasRole = "mig.a"
        q.lacksRoles = ["mig.b"]
        XCTAssertEqual(try client.search(q).total, UInt64(users.filter { $0.roles == ["mig.a"] }.count) + 1_234_567)
    }
}
