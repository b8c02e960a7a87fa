// The postgres store plugin, loaded the way the host loads it, against the
// test cluster scripts/test starts: the whole store conformance suite, then
// PostgreSQL specifics (refusals at create naming the cause without the
// password, options, urlEnv, reopening, two instances on one database,
// the trigram index).
import Foundation
import Glibc
import PluginAPI
import PluginKit
import XCTest
@testable import Host

/// Loading the plugin and making instances on the test database.
enum PostgresStoreFixture {
    static var pluginPath: String { BuildProducts.plugin("postgres") }

    static let runtime: HostRuntime = {
        HostRuntime(dataDirectory: SQLiteStoreFixture.makeTempDirectory("pgdata"), secretKey: [UInt8](repeating: 7, count: 32),
                    rateLimiter: try! RateLimiter(), changeCounter: try! ChangeCounter())
    }()

    /// `runtime`: the host the instance belongs to (its workers share one).
    static func open(options: String, runtime: HostRuntime = runtime) throws -> StoreBinding {
        let plugin = try PluginLoader.load(path: pluginPath)
        let instance = try PluginInstance.create(plugin, optionsJSON: options, runtime: runtime, dialect: nil)
        return try StoreBinding(instance)
    }

    /// A store on the test database in `schema`.
    static func open(schema: String, extra: [String: Any] = [:], runtime: HostRuntime = runtime) throws -> StoreBinding {
        try open(options: PostgresServer.options(url: try PostgresServer.testDatabaseURL(), schema: schema, extra: extra), runtime: runtime)
    }

    /// The message of a refused create (nil when it was accepted).
    static func refusal(options: String) -> String? {
        do {
            let store = try open(options: options)
            store.instance.destroy()
            return nil
        } catch {
            return "\(error)"
        }
    }

    static func diagnostic(_ store: StoreBinding, _ name: String) -> String? {
        typealias Diagnostic = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, UnsafeMutablePointer<CChar>?, Int) -> Int32
        guard let getExtension = store.instance.plugin.descriptor.pointee.get_extension,
              let raw = getExtension(store.raw, "postgres.diagnostics.v1") else { return nil }
        let fn = unsafeBitCast(raw, to: Diagnostic.self)
        var buffer = [CChar](repeating: 0, count: 16384)
        guard fn(store.raw, name, &buffer, buffer.count) == PROTEUS_OK else { return nil }
        return String(cString: buffer)
    }

    static func client(_ store: StoreBinding) -> StoreClient {
        StoreClient(store, host: UnsafePointer(store.instance.hostTable))
    }

    static func randomID() -> [UInt8] {
        proteus_id(randomBytes: (0..<16).map { _ in UInt8.random(in: 0...255) }).byteArray
    }
}

// MARK: - the conformance suite

final class StorePostgresConformanceTests: XCTestCase {
    /// One schema for every group of cases, so later cases run against a
    /// non-empty store as they would in `proteus check-store`.
    nonisolated(unsafe) static var shared: StoreBinding?
    nonisolated(unsafe) static var sharedSchema = ""

    static func store() throws -> StoreBinding {
        if let shared { return shared }
        sharedSchema = PostgresServer.freshSchema("conformance")
        let s = try PostgresStoreFixture.open(schema: sharedSchema)
        shared = s
        return s
    }

    override class func tearDown() {
        shared?.instance.destroy()
        shared = nil
        super.tearDown()
    }

    func runSuite(_ filter: String) throws {
        let store = try Self.store()
        let schema = Self.sharedSchema
        let suite = StoreConformanceSuite(store: store, host: UnsafePointer(store.instance.hostTable),
                                          reopen: { try PostgresStoreFixture.open(schema: schema) })
        var ran = 0
        suite.run(filter: filter) { result in
            ran += 1
            let mark = result.passed ? (result.skipped ? "SKIP" : "PASS") : "FAIL"
            print("[\(mark)] \(result.name) (\(String(format: "%.3f", result.duration)) s)\(result.passed && !result.skipped ? "" : ": " + result.message)")
            if !result.passed { XCTFail("\(result.name): \(result.message)") }
            XCTAssertFalse(result.skipped, "\(result.name) was skipped: \(result.message)")
        }
        XCTAssertGreaterThan(ran, 0, "no case matches \(filter)")
        // The trigrams and folded gram counts still match the users exactly.
        XCTAssertEqual(PostgresStoreFixture.diagnostic(store, "check.search_tables"), "ok", "after the \(filter) cases")
    }

    static let groups = ["users.", "unicode.", "guard.", "documents.", "groups.", "roles.", "stats.", "sessions.",
                         "apikeys.", "identities.", "errors.", "search.", "transfer.", "concurrency.", "counters.", "entries.",
                         "audit.", "persistence."]

    /// Cases of groups added to the suite later still run here.
    func testCasesOfOtherGroups() throws {
        let store = try Self.store()
        let schema = Self.sharedSchema
        let suite = StoreConformanceSuite(store: store, host: UnsafePointer(store.instance.hostTable),
                                          reopen: { try PostgresStoreFixture.open(schema: schema) })
        for name in StoreConformanceSuite.caseNames where !Self.groups.contains(where: { name.hasPrefix($0) }) {
            suite.run(filter: name) { result in
                print("[\(result.passed ? "PASS" : "FAIL")] \(result.name): \(result.message)")
                XCTAssertTrue(result.passed && !result.skipped, "\(result.name): \(result.message)")
            }
        }
    }

    func testUsers() throws { try runSuite("users.") }
    func testUnicode() throws { try runSuite("unicode.") }
    func testGuard() throws { try runSuite("guard.") }
    func testDocuments() throws { try runSuite("documents.") }
    func testGroups() throws { try runSuite("groups.") }
    func testRoles() throws { try runSuite("roles.") }
    func testStats() throws { try runSuite("stats.") }
    func testSessions() throws { try runSuite("sessions.") }
    func testAPIKeys() throws { try runSuite("apikeys.") }
    func testIdentities() throws { try runSuite("identities.") }
    func testErrors() throws { try runSuite("errors.") }
    func testSearch() throws { try runSuite("search.") }
    func testTransfer() throws { try runSuite("transfer.") }
    func testConcurrency() throws { try runSuite("concurrency.") }
    func testCounters() throws { try runSuite("counters.") }
    func testEntries() throws { try runSuite("entries.") }
    func testAudit() throws { try runSuite("audit.") }
    func testPersistence() throws { try runSuite("persistence.") }
}

// MARK: - PostgreSQL specifics

final class StorePostgresTests: XCTestCase {
    typealias F = PostgresStoreFixture

    /// The password of the test URL (for checking it never shows up).
    func password(of url: String) -> String {
        let authority = url.components(separatedBy: "://")[1].components(separatedBy: "@")[0]
        return authority.components(separatedBy: ":").dropFirst().joined(separator: ":")
    }

    func testPluginDescriptor() throws {
        let plugin = try PluginLoader.load(path: F.pluginPath)
        XCTAssertEqual(plugin.name, "postgres")
        XCTAssertEqual(plugin.kindName, "store")
    }

    func testWrongPasswordIsRefusedNamingTheCause() throws {
        let url = try PostgresServer.testDatabaseURL()
        let secret = "Wr0ng-Secret-\(UUID().uuidString.prefix(6))"
        let bad = url.replacingOccurrences(of: ":" + password(of: url) + "@", with: ":" + secret + "@")
        XCTAssertNotEqual(bad, url)
        let message = try XCTUnwrap(F.refusal(options: PostgresServer.options(url: bad, schema: "public")), "a wrong password was accepted")
        print("wrong password: \(message)")
        XCTAssertTrue(message.contains("cannot connect to PostgreSQL at 127.0.0.1:"), message)
        XCTAssertTrue(message.contains("as user \"proteus\""), message)
        XCTAssertTrue(message.contains("password authentication failed"), message)
        XCTAssertFalse(message.contains(secret), "the password leaked: \(message)")
        XCTAssertFalse(message.contains(password(of: url)), "the real password leaked: \(message)")
        // A wrong user too.
        let nobody = url.replacingOccurrences(of: "://proteus:", with: "://nobody:")
        let m2 = try XCTUnwrap(F.refusal(options: PostgresServer.options(url: nobody, schema: "public")))
        XCTAssertTrue(m2.contains("as user \"nobody\""), m2)
        XCTAssertFalse(m2.contains(password(of: url)), m2)
    }

    func testRefusalsAreInvalidOrUnavailable() throws {
        let url = try PostgresServer.testDatabaseURL()
        let plugin = try PluginLoader.load(path: F.pluginPath)
        func status(_ options: String) -> (proteus_status, String) {
            let table = HostServicesTable.make(pluginName: plugin.name, runtime: F.runtime, dialect: nil)
            var instance: UnsafeMutableRawPointer?
            var err = proteus_error()
            let s = options.withCString { plugin.descriptor.pointee.create(UnsafePointer(table), $0, options.utf8.count, &instance, &err) }
            if s == PROTEUS_OK { plugin.descriptor.pointee.destroy(instance) }
            return (s, PluginError(status: s, from: err).message)
        }
        let pw = password(of: url)
        let wrong = url.replacingOccurrences(of: ":" + pw + "@", with: ":nope@")
        XCTAssertEqual(status(PostgresServer.options(url: wrong, schema: "public")).0, PROTEUS_E_INVALID, "wrong password")
        let missing = PostgresServer.url(url, database: "no_such_database_\(getpid())")
        let (s2, m2) = status(PostgresServer.options(url: missing, schema: "public"))
        XCTAssertEqual(s2, PROTEUS_E_INVALID, m2)
        XCTAssertTrue(m2.contains("no_such_database_\(getpid())") && m2.contains("does not exist"), m2)
        XCTAssertFalse(m2.contains(pw), m2)
        // A port nothing listens on.
        var closedPort = 0
        for p in 20000..<20100 where !portIsOpen(p) { closedPort = p; break }
        let unreachable = url.replacingOccurrences(of: #"@127\.0\.0\.1:\d+/"#, with: "@127.0.0.1:\(closedPort)/", options: .regularExpression)
        let start = Date()
        let (s3, m3) = status(PostgresServer.options(url: unreachable, schema: "public", extra: ["connectTimeoutSeconds": 2]))
        XCTAssertEqual(s3, PROTEUS_E_UNAVAILABLE, m3)
        XCTAssertTrue(m3.contains("127.0.0.1:\(closedPort)") && m3.lowercased().contains("refused"), m3)
        XCTAssertFalse(m3.contains(pw), m3)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        // Not a URL at all, or a broken one.
        for bad in ["mysql://proteus:\(pw)@127.0.0.1/x", "postgresql://proteus:\(pw)@127.0.0.1:notaport/x", "host=127.0.0.1 password=\(pw)",
                    "postgresql://proteus:\(pw)@127.0.0.1/x?nosuchparameter=1"] {
            let (s, m) = status(PostgresServer.options(url: bad, schema: "public"))
            XCTAssertEqual(s, PROTEUS_E_INVALID, "\(m)")
            XCTAssertFalse(m.contains(pw), "the password leaked: \(m)")
        }
    }

    func portIsOpen(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
    }

    func testMissingDatabaseIsRefused() throws {
        let url = try PostgresServer.testDatabaseURL()
        let missing = PostgresServer.url(url, database: "nowhere_\(getpid())")
        let message = try XCTUnwrap(F.refusal(options: PostgresServer.options(url: missing, schema: "public")))
        XCTAssertTrue(message.contains("/nowhere_\(getpid()) as user \"proteus\""), message)
        XCTAssertTrue(message.contains("database \"nowhere_\(getpid())\" does not exist"), message)
        XCTAssertFalse(message.contains(password(of: url)), message)
    }

    func testOptionsAreChecked() throws {
        let url = try PostgresServer.testDatabaseURL()
        let cases: [(String, String)] = [
            (PostgresServer.json(["url": url, "pool": 3]), "unknown option \"pool\""),
            (PostgresServer.json([:]), "option \"url\""),
            (PostgresServer.json(["url": url, "urlEnv": "X"]), "exclude each other"),
            (PostgresServer.json(["url": 5]), "option \"url\" must be a string"),
            (PostgresServer.json(["url": url, "poolSize": 0]), "option \"poolSize\" must be between 1 and 256"),
            (PostgresServer.json(["url": url, "poolSize": 257]), "option \"poolSize\" must be between 1 and 256"),
            (PostgresServer.json(["url": url, "poolSize": "4"]), "option \"poolSize\" must be an integer"),
            (PostgresServer.json(["url": url, "statementTimeoutMs": 1.5]), "option \"statementTimeoutMs\" must be an integer"),
            (PostgresServer.json(["url": url, "connectTimeoutSeconds": 0]), "option \"connectTimeoutSeconds\" must be between"),
            (PostgresServer.json(["url": url, "schema": "bad name"]), "option \"schema\" must match"),
            (PostgresServer.json(["url": url, "schema": "x\"; DROP"]), "option \"schema\" must match"),
            (PostgresServer.json(["urlEnv": "PROTEUS_NO_SUCH_VARIABLE_\(getpid())"]), "PROTEUS_NO_SUCH_VARIABLE_\(getpid()) is not set"),
            (PostgresServer.json(["url": url, "dropSchemaOnClose": true]), "option \"dropSchemaOnClose\" needs a \"schema\" of its own"),
            (PostgresServer.json(["url": url, "dropSchemaOnClose": "yes"]), "option \"dropSchemaOnClose\" must be true or false"),
        ]
        for (options, expected) in cases {
            let message = try XCTUnwrap(F.refusal(options: options), "options \(options) were accepted")
            XCTAssertTrue(message.contains(expected), "\(options): \(message)")
            XCTAssertFalse(message.contains(password(of: url)), "the password leaked: \(message)")
        }
    }

    func testURLFromEnvironment() throws {
        let url = try PostgresServer.testDatabaseURL()
        let name = "PROTEUS_PG_TEST_URL_\(getpid())"
        setenv(name, url, 1)
        defer { unsetenv(name) }
        let schema = PostgresServer.freshSchema("env")
        let store = try F.open(options: PostgresServer.json(["urlEnv": name, "schema": schema, "poolSize": 2]))
        defer { store.instance.destroy() }
        let client = F.client(store)
        var u = UserRecord(id: F.randomID())
        u.username = "from-env"
        try client.createUser(u)
        XCTAssertEqual(try client.getUser(username: "from-env").id, u.id)
        XCTAssertEqual(F.diagnostic(store, "pool.size"), "2")
        XCTAssertEqual(F.diagnostic(store, "setting.search_path"), "\"\(schema)\"".replacingOccurrences(of: "\"", with: ""))
    }

    func testSessionSettings() throws {
        let store = try F.open(schema: PostgresServer.freshSchema("settings"), extra: ["statementTimeoutMs": 1234])
        defer { store.instance.destroy() }
        XCTAssertEqual(F.diagnostic(store, "setting.statement_timeout"), "1234ms")
        XCTAssertEqual(F.diagnostic(store, "setting.synchronous_commit"), "on")
        XCTAssertEqual(F.diagnostic(store, "setting.jit"), "off")
        XCTAssertEqual(F.diagnostic(store, "setting.max_parallel_workers_per_gather"), "0")
        XCTAssertEqual(F.diagnostic(store, "schema_version"), String(SchemaRollback.postgresLatest))
        XCTAssertEqual(F.diagnostic(store, "pool.size"), String(2 * ProcessInfo.processInfo.activeProcessorCount + 2))
    }

    func testReopenKeepsData() throws {
        let schema = PostgresServer.freshSchema("reopen")
        var store = try F.open(schema: schema)
        var client = F.client(store)
        var u = UserRecord(id: F.randomID())
        u.username = "persistent"
        u.documents = [DocumentRecord(namespace: "ns", json: "{\"kept\":true,\"b\":1,\"a\":2}")]
        try client.putRole(RoleRecord(slug: "admin"))
        u.roles = ["admin"]
        try client.createUser(u)
        store.instance.destroy()
        store = try F.open(schema: schema)
        defer { store.instance.destroy() }
        client = F.client(store)
        let got = try client.getUser(username: "persistent", docs: "*")
        XCTAssertEqual(got.id, u.id)
        XCTAssertEqual(got.roles, ["admin"])
        XCTAssertEqual(got.document("ns"), "{\"kept\":true,\"b\":1,\"a\":2}", "documents keep their exact text (key order too)")
        XCTAssertEqual(try client.stats().schema_version, UInt32(SchemaRollback.postgresLatest))
    }

    func testForeignSchemaIsRefusedAndUntouched() throws {
        let url = try PostgresServer.testDatabaseURL()
        let schema = PostgresServer.freshSchema("foreign")
        try PostgresServer.psql(url, "CREATE SCHEMA \(schema); CREATE TABLE \(schema).notes (id int PRIMARY KEY, body text); INSERT INTO \(schema).notes VALUES (1, 'keep me')")
        let message = try XCTUnwrap(F.refusal(options: PostgresServer.options(url: url, schema: schema)), "another application's schema was used")
        XCTAssertTrue(message.contains("not a Proteus store"), message)
        XCTAssertEqual(try PostgresServer.psql(url, "SELECT count(*) FROM pg_tables WHERE schemaname = '\(schema)'"), "1")
        // A newer Proteus schema is refused too.
        let newer = PostgresServer.freshSchema("newer")
        try F.open(schema: newer).instance.destroy()
        try PostgresServer.psql(url, "UPDATE \(newer).proteus_meta SET value = '99' WHERE key = 'schema_version'")
        let m2 = try XCTUnwrap(F.refusal(options: PostgresServer.options(url: url, schema: newer)))
        XCTAssertTrue(m2.contains("newer"), m2)
    }

    func testConcurrentFirstOpenMigratesOnce() throws {
        let schema = PostgresServer.freshSchema("race")
        let opened = Shared<[StoreBinding]>([])
        let failures = Shared<[String]>([])
        runConcurrently(4) { _ in
            do {
                let s = try F.open(schema: schema, extra: ["poolSize": 2])
                opened.update { $0.append(s) }
            } catch {
                failures.update { $0.append("\(error)") }
            }
        }
        XCTAssertEqual(failures.current, [])
        for s in opened.current {
            XCTAssertEqual(F.diagnostic(s, "schema_version"), String(SchemaRollback.postgresLatest))
            s.instance.destroy()
        }
    }

    /// A pool larger than the server lets it have (here a database's
    /// CONNECTION LIMIT of 3; the same refusal, SQLSTATE 53300, as
    /// max_connections): every call of 8 at once still succeeds on the
    /// connections the pool could open, none answers UNAVAILABLE.
    func testAPoolBeyondTheServersConnectionLimitWaitsForItsConnections() throws {
        let database = "proteus_limit_\(UInt32.random(in: 0...UInt32.max))"
        let base = try PostgresServer.clusterURL()
        try PostgresServer.psql(base, "CREATE DATABASE \(database) CONNECTION LIMIT 3")
        defer { _ = try? PostgresServer.psql(base, "DROP DATABASE \(database) WITH (FORCE)") }
        let store = try F.open(options: PostgresServer.options(url: PostgresServer.url(base, database: database), schema: "public",
                                                               extra: ["poolSize": 8]))
        defer { store.instance.destroy() }
        let client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        var user = UserRecord(id: F.randomID())
        user.username = "limited"
        try client.createUser(user)
        let failures = Shared<[String]>([])
        runConcurrently(8) { _ in
            for _ in 0..<20 {
                do {
                    // Each call holds its connection a moment, so that the 8 overlap.
                    _ = try client.search({ var q = UserQuery(); q.usernameContains = "limit"; q.limit = 5; return q }())
                    _ = try client.getUser(id: user.id)
                } catch {
                    failures.update { $0.append("\(error)") }
                }
            }
        }
        XCTAssertEqual(failures.current.count, 0, "calls failed at the server's connection limit, the first: \(failures.current.first ?? "")")
        let open = try PostgresServer.psql(base, "SELECT count(*) FROM pg_stat_activity WHERE datname = '\(database)'")
        XCTAssertLessThanOrEqual(Int(open) ?? 99, 3, "connections open")
    }

    /// Two store instances ("two hosts") on one database: each sees the
    /// other's writes; uniqueness and the guard hold across them.
    func testTwoInstancesShareOneDatabase() throws {
        let schema = PostgresServer.freshSchema("twohosts")
        let a = try F.open(schema: schema), b = try F.open(schema: schema)
        defer { a.instance.destroy(); b.instance.destroy() }
        let ca = F.client(a), cb = F.client(b)
        try ca.putRole(RoleRecord(slug: "admin"))
        var alice = UserRecord(id: F.randomID())
        alice.username = "alice"
        alice.roles = ["admin"]
        try ca.createUser(alice)
        XCTAssertEqual(try cb.getUser(username: "alice").roles, ["admin"], "b sees a's write")
        var clash = UserRecord(id: F.randomID())
        clash.username = "alice"
        XCTAssertEqual(StoreClient.status { try cb.createUser(clash) }, PROTEUS_E_CONFLICT, "the username is taken across instances")
        var bob = UserRecord(id: F.randomID())
        bob.username = "bob"
        bob.roles = ["admin"]
        try cb.createUser(bob)
        // Stale versions across instances.
        var change = try cb.getUser(id: alice.id)
        change.displayName = "by b"
        try cb.updateUser(change, fields: PROTEUS_FIELD_DISPLAY_NAME, expectedVersion: change.version)
        change.displayName = "by a, stale"
        XCTAssertEqual(StoreClient.status { try ca.updateUser(change, fields: PROTEUS_FIELD_DISPLAY_NAME, expectedVersion: change.version) }, PROTEUS_E_STALE)
        // Each instance demotes the other admin at once: exactly one wins.
        for round in 0..<6 {
            let role = "admin\(round)"
            try ca.putRole(RoleRecord(slug: role))
            var x = UserRecord(id: F.randomID()), y = UserRecord(id: F.randomID())
            x.roles = [role]
            y.roles = [role]
            try ca.createUser(x)
            try cb.createUser(y)
            let outcomes = Shared<[proteus_status]>([])
            runConcurrently(2) { i in
                var demote = i == 0 ? y : x
                demote.roles = []
                let client = i == 0 ? ca : cb
                let s = StoreClient.status { try client.updateUser(demote, fields: PROTEUS_FIELD_ROLES, guardRole: role) }
                outcomes.update { $0.append(s) }
            }
            XCTAssertEqual(outcomes.current.sorted(), [PROTEUS_OK, PROTEUS_E_GUARD], "round \(round)")
            let holders = try [x, y].filter { try ca.getUser(id: $0.id).roles == [role] }
            XCTAssertEqual(holders.count, 1, "round \(round)")
        }
        // Racing creates of one username from both instances: one wins.
        let outcomes = Shared<[proteus_status]>([])
        runConcurrently(8) { i in
            var u = UserRecord(id: F.randomID())
            u.username = "race"
            let client = i % 2 == 0 ? ca : cb
            let s = StoreClient.status { try client.createUser(u) }
            outcomes.update { $0.append(s) }
        }
        XCTAssertEqual(outcomes.current.filter { $0 == PROTEUS_OK }.count, 1, "\(outcomes.current)")
        XCTAssertEqual(outcomes.current.filter { $0 == PROTEUS_E_CONFLICT }.count, 7, "\(outcomes.current)")
    }

    /// A 3+ character substring search is answered from the trigram index.
    func testSubstringSearchUsesTheTrigramIndex() throws {
        let store = try F.open(schema: PostgresServer.freshSchema("plan"))
        defer { store.instance.destroy() }
        let client = F.client(store)
        try client.putRole(RoleRecord(slug: "admin"))
        let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
        var batch: [UserRecord] = []
        for i in 0..<20_000 {
            var u = UserRecord(id: F.randomID())
            u.username = "\(words[i % 10])\(words[(i / 10) % 10])_\(i)"
            u.version = 1
            u.roles = i % 50 == 0 ? ["admin"] : []
            batch.append(u)
            if batch.count == 1000 {
                try client.importUsers(batch, mode: PROTEUS_IMPORT_INSERT)
                batch.removeAll()
            }
        }
        XCTAssertEqual(F.diagnostic(store, "analyze"), "ok")
        let plan = try XCTUnwrap(F.diagnostic(store, "plan.username_contains"))
        print("query plan of a substring search:\n\(plan)")
        XCTAssertTrue(plan.contains("users_username_trgm"), plan)
        XCTAssertFalse(plan.contains("Seq Scan on users"), plan)
        let combined = try XCTUnwrap(F.diagnostic(store, "plan.username_contains+has_role"))
        print("query plan of a substring search with a role filter:\n\(combined)")
        XCTAssertFalse(combined.contains("Seq Scan on users"), combined)
        // A role listing's page under the generic plan searches by facet
        // run with: the facet's index range, then each key's row by the
        // primary key (a join's generic plan hashed every user).
        let rolePage = try XCTUnwrap(F.diagnostic(store, "plan.role_page"))
        print("generic plan of a role listing's page:\n\(rolePage)")
        XCTAssertTrue(rolePage.contains("users_facet_walk") && rolePage.contains("users_pkey"), rolePage)
        XCTAssertFalse(rolePage.contains("Seq Scan on users") || rolePage.contains("Hash"), rolePage)
        var q = UserQuery()
        q.usernameContains = "ovem"
        q.limit = 5
        XCTAssertEqual(try client.search(q).total, 0)
        q.usernameContains = "lta_1"
        q.order = PROTEUS_ORDER_USERNAME
        let page = try client.search(q)
        XCTAssertEqual(page.total, 10 + 100 + 1000, "i % 100 in 30..<40 (word2 = delta) and i written with a leading 1: 13x, 1x3x, 1xx3x")
        XCTAssertTrue(page.users.allSatisfy { $0.username!.contains("lta_1") })
    }

    /// A folded username (2.3), whole or prefix, is found through the
    /// expression index on proteus_fold(username), for the count and for a
    /// page in created order; answers match a scan.
    func testFoldedUsernameSearchUsesItsIndex() throws {
        let store = try F.open(schema: PostgresServer.freshSchema("plan_folded"))
        defer { store.instance.destroy() }
        let client = F.client(store)
        let words = ["Alpha", "bravo", "CHARLIE", "delta", "Echo", "foxtrot", "gOLF", "hotel", "India", "juliet"]
        var batch: [UserRecord] = []
        for i in 0..<20_000 {
            var u = UserRecord(id: F.randomID())
            u.username = "\(words[i % 10])\(words[(i / 10) % 10])_\(i)"
            u.version = 1
            u.createdAt = Int64(20_000 - i)
            batch.append(u)
            if batch.count == 1000 {
                try client.importUsers(batch, mode: PROTEUS_IMPORT_INSERT)
                batch.removeAll()
            }
        }
        XCTAssertEqual(F.diagnostic(store, "analyze"), "ok")
        for name in ["plan.username_folded", "plan.username_folded_prefix"] {
            let plan = try XCTUnwrap(F.diagnostic(store, name))
            print("query plan of \(name):\n\(plan)")
            let lines = plan.split(separator: "\n").map(String.init)
            XCTAssertTrue(lines.contains { !$0.hasPrefix("page:") && $0.contains("users_username_folded") }, "\(name), count: \(plan)")
            XCTAssertTrue(lines.contains { $0.hasPrefix("page:") && $0.contains("users_username_folded") }, "\(name), page: \(plan)")
            XCTAssertFalse(plan.contains("Seq Scan on users"), plan)
        }
        var q = UserQuery()
        q.usernameFolded = "ALPHABRAVO_"
        q.usernameFoldedMatch = PROTEUS_MATCH_PREFIX
        q.limit = 5
        q.offset = 10
        let page = try client.search(q)
        XCTAssertEqual(page.total, 200, "i % 10 == 0 and (i / 10) % 10 == 1")
        XCTAssertEqual(page.users.map(\.username), (0..<5).map { "Alphabravo_\(19_910 - 100 * (10 + $0))" }, "created order: the largest i first")
        q.usernameFolded = "echoIndia_18884"
        q.usernameFoldedMatch = PROTEUS_MATCH_EQUALS
        q.offset = 0
        XCTAssertEqual(try client.search(q).users.map(\.username), ["EchoIndia_18884"])
        // Contained (2.4): the trigram index, whose trigrams are folded.
        let plan = try XCTUnwrap(F.diagnostic(store, "plan.username_folded_contains"))
        print("query plan of plan.username_folded_contains:\n\(plan)")
        XCTAssertTrue(plan.contains("users_username_trgm"), plan)
        XCTAssertFalse(plan.contains("Seq Scan on users"), plan)
        // Four characters alone: the counted page reads the range of username_grams.
        let counted = plan.split(separator: "\n").filter { $0.hasPrefix("counted page:") }.joined(separator: "\n")
        XCTAssertTrue(counted.contains("username_grams_pkey"), plan)
        XCTAssertFalse(counted.contains("users_username_trgm"), plan)
        q.usernameFolded = "ALPHAb"
        q.usernameFoldedMatch = PROTEUS_MATCH_CONTAINS
        q.limit = 3
        let contained = try client.search(q)
        XCTAssertEqual(contained.total, 200, "Alpha then bravo: i % 10 == 0 and (i / 10) % 10 == 1")
        XCTAssertEqual(contained.users.count, 3)
        XCTAssertTrue(contained.users.allSatisfy { $0.username!.hasPrefix("Alphabravo_") })
    }

    /// A statement that waits longer than statementTimeoutMs (here: for a
    /// row another session holds locked) answers UNAVAILABLE in time.
    func testLockWaitsEndWithUnavailable() throws {
        let url = try PostgresServer.testDatabaseURL()
        let schema = PostgresServer.freshSchema("timeout")
        let store = try F.open(schema: schema, extra: ["statementTimeoutMs": 500])
        defer { store.instance.destroy() }
        let client = F.client(store)
        var u = UserRecord(id: F.randomID())
        u.username = "locked"
        try client.createUser(u)
        // Another session holds the row for two seconds.
        let holder = Thread {
            _ = try? PostgresServer.psql(url, "BEGIN; SELECT 1 FROM \(schema).users FOR UPDATE; SELECT pg_sleep(2); COMMIT")
        }
        holder.start()
        Thread.sleep(forTimeInterval: 0.5)
        let start = Date()
        var change = u
        change.displayName = "blocked"
        let status = StoreClient.status { try client.updateUser(change, fields: PROTEUS_FIELD_DISPLAY_NAME) }
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(status, PROTEUS_E_UNAVAILABLE)
        XCTAssertLessThan(elapsed, 1.5, "the statement timeout was not honoured")
        Thread.sleep(forTimeInterval: 2)
        try client.updateUser(change, fields: PROTEUS_FIELD_DISPLAY_NAME)
        XCTAssertEqual(try client.getUser(id: u.id).displayName, "blocked")
    }
}
