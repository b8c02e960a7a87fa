// The sqlite store plugin, loaded the way the host loads it: the whole store
// conformance suite, then SQLite-specific behaviour (refusing files that
// are not ours, options, pragmas, reopening, locking).
import Glibc
import PluginAPI
import PluginKit
import XCTest
@testable import Host

/// Loading the plugin and making instances on temporary databases.
enum SQLiteStoreFixture {
    static let pluginPath: String = {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let exe = n > 0 ? String(cString: buffer) : "."
        var dir = String(exe[..<(exe.lastIndex(of: "/") ?? exe.endIndex)])
        // The xctest bundle may be a directory on some layouts: walk up.
        while !dir.isEmpty && access(dir + "/libproteus-sqlite.so", F_OK) != 0 {
            guard let slash = dir.lastIndex(of: "/") else { break }
            dir = String(dir[..<slash])
        }
        return dir + "/libproteus-sqlite.so"
    }()

    static let runtime: HostRuntime = {
        HostRuntime(dataDirectory: makeTempDirectory("data"), secretKey: [UInt8](repeating: 7, count: 32),
                    rateLimiter: try! RateLimiter(), changeCounter: try! ChangeCounter())
    }()

    /// Directories made by makeTempDirectory, removed by cleanUp().
    nonisolated(unsafe) static var created: [String] = []

    /// Under the tests' one temporary root (removed at exit even when a
    /// filtered run never reaches cleanUp()).
    static func makeTempDirectory(_ hint: String) -> String {
        let path = TemporaryDirectory.make("sqlite-\(hint)")
        created.append(path)
        return path
    }

    /// Removes every temporary directory made so far (their stores must be closed).
    static func cleanUp() {
        for dir in created { removeTree(dir) }
        created.removeAll()
        removeTree(runtime.dataDirectory)   // stores opened with default options live here
    }

    static func removeTree(_ path: String) {
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if name == "." || name == ".." { continue }
                let child = path + "/" + name
                var st = stat()
                if lstat(child, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { removeTree(child) } else { unlink(child) }
            }
            closedir(dir)
        }
        rmdir(path)
    }

    static func optionsJSON(path: String, extra: String = "") -> String {
        "{\"path\":\"\(path)\"\(extra.isEmpty ? "" : "," + extra)}"
    }

    static func open(path: String, extra: String = "", runtime: HostRuntime = runtime) throws -> StoreBinding {
        try open(options: optionsJSON(path: path, extra: extra), runtime: runtime)
    }

    /// `runtime`: the host the instance belongs to (its workers share one).
    static func open(options: String, runtime: HostRuntime = runtime) throws -> StoreBinding {
        let plugin = try PluginLoader.load(path: pluginPath)
        let instance = try PluginInstance.create(plugin, optionsJSON: options, runtime: runtime, dialect: nil)
        return try StoreBinding(instance)
    }

    /// The message of a refused create.
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
              let raw = getExtension(store.raw, "sqlite.diagnostics.v1") else { return nil }
        let fn = unsafeBitCast(raw, to: Diagnostic.self)
        var buffer = [CChar](repeating: 0, count: 8192)
        guard fn(store.raw, name, &buffer, buffer.count) == PROTEUS_OK else { return nil }
        return String(cString: buffer)
    }

    static func bytes(of path: String) -> [UInt8]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n <= 0 { break }
            out += chunk[0..<n]
        }
        return out
    }

    static func write(_ bytes: [UInt8], to path: String) {
        let f = fopen(path, "wb")!
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        fclose(f)
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}

/// Just enough of libsqlite3, through dlopen (the test target links no
/// plugin code), to make foreign databases and hold locks.
final class RawSQLite {
    private typealias OpenFn = @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    private typealias ExecFn = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, OpaquePointer?, OpaquePointer?, OpaquePointer?) -> Int32
    private typealias CloseFn = @convention(c) (OpaquePointer?) -> Int32
    nonisolated(unsafe) private static let library = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_LOCAL)
    private let db: OpaquePointer?

    init(_ path: String) {
        let open = unsafeBitCast(dlsym(Self.library, "sqlite3_open"), to: OpenFn.self)
        var handle: OpaquePointer?
        precondition(open(path, &handle) == 0, "sqlite3_open failed")
        db = handle
    }

    @discardableResult
    func exec(_ sql: String) -> Int32 {
        let exec = unsafeBitCast(dlsym(Self.library, "sqlite3_exec"), to: ExecFn.self)
        return exec(db, sql, nil, nil, nil)
    }

    func close() {
        let close = unsafeBitCast(dlsym(Self.library, "sqlite3_close"), to: CloseFn.self)
        _ = close(db)
    }
}

// MARK: - the conformance suite

final class StoreSQLiteConformanceTests: XCTestCase {
    /// One database for every group of cases, so later cases run against a
    /// non-empty store as they would in `proteus check-store`.
    nonisolated(unsafe) static var shared: StoreBinding?
    nonisolated(unsafe) static var sharedPath = ""

    static func store() throws -> StoreBinding {
        if let shared { return shared }
        sharedPath = SQLiteStoreFixture.makeTempDirectory("conformance") + "/store.sqlite"
        let s = try SQLiteStoreFixture.open(path: sharedPath)
        shared = s
        return s
    }

    override class func tearDown() {
        shared?.instance.destroy()
        shared = nil
        SQLiteStoreFixture.cleanUp()
        super.tearDown()
    }

    static let groups = ["users.", "unicode.", "guard.", "documents.", "groups.", "roles.", "stats.", "sessions.",
                         "apikeys.", "identities.", "errors.", "search.", "transfer.", "concurrency.", "counters.", "entries.",
                         "audit.", "persistence."]

    func runSuite(_ filter: String) throws {
        let store = try Self.store()
        let path = Self.sharedPath
        let suite = StoreConformanceSuite(store: store, host: UnsafePointer(store.instance.hostTable),
                                          reopen: { try SQLiteStoreFixture.open(path: path) })
        var ran = 0
        suite.run(filter: filter) { result in
            ran += 1
            let mark = result.passed ? (result.skipped ? "SKIP" : "PASS") : "FAIL"
            print("[\(mark)] \(result.name) (\(String(format: "%.3f", result.duration)) s)\(result.passed && !result.skipped ? "" : ": " + result.message)")
            if !result.passed { XCTFail("\(result.name): \(result.message)") }
            XCTAssertFalse(result.skipped, "\(result.name) was skipped: \(result.message)")
        }
        XCTAssertGreaterThan(ran, 0, "no case matches \(filter)")
        // The username trigram index still matches the users table exactly.
        XCTAssertEqual(SQLiteStoreFixture.diagnostic(store, "check.username_index"), "ok", "after the \(filter) cases")
    }

    func testEveryCaseBelongsToAGroup() {
        for name in StoreConformanceSuite.caseNames {
            XCTAssertTrue(Self.groups.contains { name.hasPrefix($0) }, "case \(name) is run by no test")
        }
        XCTAssertEqual(Set(StoreConformanceSuite.caseNames).count, StoreConformanceSuite.caseNames.count, "duplicate case names")
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

// MARK: - SQLite specifics

final class StoreSQLiteFileTests: XCTestCase {
    typealias F = SQLiteStoreFixture

    override class func tearDown() {
        SQLiteStoreFixture.cleanUp()
        super.tearDown()
    }

    func testPluginDescriptor() throws {
        let plugin = try PluginLoader.load(path: F.pluginPath)
        XCTAssertEqual(plugin.name, "sqlite")
        XCTAssertEqual(plugin.version, "1.0.0")
        XCTAssertEqual(plugin.kindName, "store")
    }

    func testForeignTextFileIsRefusedAndUntouched() throws {
        let path = F.makeTempDirectory("foreign") + "/notes.sqlite"
        let text = Array(String(repeating: "These are my notes, not a database.\n", count: 200).utf8)
        F.write(text, to: path)
        let message = try XCTUnwrap(F.refusal(options: F.optionsJSON(path: path)), "a text file was opened as a store")
        XCTAssertTrue(message.contains(path), message)
        XCTAssertTrue(message.contains("not a SQLite database"), message)
        XCTAssertEqual(F.bytes(of: path), text, "the foreign file changed")
        XCTAssertFalse(F.exists(path + "-wal"))
        XCTAssertFalse(F.exists(path + "-shm"))
        // A short file with some bytes is not a database either.
        F.write(Array("SQLite".utf8), to: path)
        XCTAssertNotNil(F.refusal(options: F.optionsJSON(path: path)))
        XCTAssertEqual(F.bytes(of: path), Array("SQLite".utf8))
    }

    func testForeignSQLiteDatabaseIsRefusedAndUntouched() throws {
        let path = F.makeTempDirectory("other-app") + "/app.db"
        let raw = RawSQLite(path)
        XCTAssertEqual(raw.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me');"), 0)
        raw.close()
        let before = try XCTUnwrap(F.bytes(of: path))
        let message = try XCTUnwrap(F.refusal(options: F.optionsJSON(path: path)), "another application's database was opened")
        XCTAssertTrue(message.contains(path), message)
        XCTAssertTrue(message.contains("not a Proteus store"), message)
        XCTAssertEqual(F.bytes(of: path), before, "the foreign database changed")

        // Another application that set its own application_id.
        let tagged = F.makeTempDirectory("tagged") + "/app.db"
        let raw2 = RawSQLite(tagged)
        XCTAssertEqual(raw2.exec("PRAGMA application_id = 1234; CREATE TABLE t (x);"), 0)
        raw2.close()
        let taggedBefore = try XCTUnwrap(F.bytes(of: tagged))
        let message2 = try XCTUnwrap(F.refusal(options: F.optionsJSON(path: tagged)))
        XCTAssertTrue(message2.contains("another application"), message2)
        XCTAssertEqual(F.bytes(of: tagged), taggedBefore)
    }

    /// A Proteus store with some users, closed (WAL checkpointed into the file).
    func makeStoreFile(_ hint: String, users: Int = 300) throws -> String {
        let path = F.makeTempDirectory(hint) + "/store.sqlite"
        let store = try F.open(path: path)
        let client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        var batch: [UserRecord] = []
        for i in 0..<users {
            var u = UserRecord(id: proteus_id(randomBytes: (0..<16).map { _ in UInt8.random(in: 0...255) }).byteArray)
            u.username = "user-\(i)-\(String(repeating: "x", count: 40))"
            u.version = 1
            u.documents = [DocumentRecord(namespace: "ns", json: "{\"pad\":\"\(String(repeating: "p", count: 200))\"}")]
            batch.append(u)
        }
        try client.importUsers(batch, mode: PROTEUS_IMPORT_INSERT)
        store.instance.destroy()
        XCTAssertFalse(F.exists(path + "-wal") && (F.bytes(of: path + "-wal")?.count ?? 0) > 0, "the WAL was not checkpointed on destroy")
        return path
    }

    func testNewerSchemaIsRefused() throws {
        let path = try makeStoreFile("newer", users: 1)
        var bytes = try XCTUnwrap(F.bytes(of: path))
        bytes[60] = 0; bytes[61] = 0; bytes[62] = 0; bytes[63] = 99   // user_version (big-endian) = 99
        F.write(bytes, to: path)
        let message = try XCTUnwrap(F.refusal(options: F.optionsJSON(path: path)))
        XCTAssertTrue(message.contains("newer"), message)
        XCTAssertEqual(F.bytes(of: path), bytes)
    }

    func testCorruptDatabaseIsRefusedAndUntouched() throws {
        let path = try makeStoreFile("corrupt")
        var bytes = try XCTUnwrap(F.bytes(of: path))
        XCTAssertGreaterThan(bytes.count, 16 * 4096)
        // Scribble over the middle of the file (b-tree pages), keep the header.
        var g = SystemRandomNumberGenerator()
        for i in (bytes.count / 3)..<(bytes.count / 3 + 3 * 4096) { bytes[i] = UInt8.random(in: 0...255, using: &g) }
        F.write(bytes, to: path)
        let message = try XCTUnwrap(F.refusal(options: F.optionsJSON(path: path)), "a corrupt database was opened")
        XCTAssertTrue(message.contains(path), message)
        XCTAssertTrue(message.contains("corrupt"), message)
        XCTAssertEqual(F.bytes(of: path), bytes, "the corrupt file changed")
    }

    func testTruncatedDatabaseIsRefused() throws {
        let path = try makeStoreFile("truncated")
        let bytes = try XCTUnwrap(F.bytes(of: path))
        let half = Array(bytes.prefix(bytes.count / 2))
        F.write(half, to: path)
        let message = try XCTUnwrap(F.refusal(options: F.optionsJSON(path: path)), "a truncated database was opened")
        XCTAssertTrue(message.contains("corrupt"), message)
        XCTAssertEqual(F.bytes(of: path), half)
    }

    func testOptionsAreChecked() throws {
        let path = F.makeTempDirectory("options") + "/db.sqlite"
        let cases: [(String, String)] = [
            ("{\"pth\":\"x\"}", "unknown option \"pth\" (known: authCacheMs, busyTimeoutMs, path, readConnections, synchronous)"),
            (F.optionsJSON(path: path, extra: "\"busyTimeoutMs\":\"5\""), "option \"busyTimeoutMs\" must be an integer"),
            (F.optionsJSON(path: path, extra: "\"busyTimeoutMs\":1.5"), "option \"busyTimeoutMs\" must be an integer"),
            (F.optionsJSON(path: path, extra: "\"readConnections\":0"), "option \"readConnections\" must be between 1 and 64"),
            (F.optionsJSON(path: path, extra: "\"readConnections\":65"), "option \"readConnections\" must be between 1 and 64"),
            (F.optionsJSON(path: path, extra: "\"synchronous\":\"off\""), "option \"synchronous\" must be \"full\" or \"normal\""),
            ("{\"path\":5}", "option \"path\" must be a string"),
            ("[]", "options must be a JSON object"),
            ("{\"path\":", "not valid JSON"),
        ]
        for (options, expected) in cases {
            let message = try XCTUnwrap(F.refusal(options: options), "options \(options) were accepted")
            XCTAssertTrue(message.contains(expected), "\(options): \(message)")
        }
        XCTAssertFalse(F.exists(path), "refused options still created the database")
    }

    func testPragmasAndDefaults() throws {
        let path = F.makeTempDirectory("pragmas") + "/nested/dirs/db.sqlite"
        let store = try F.open(path: path, extra: "\"busyTimeoutMs\":1234,\"readConnections\":2")
        defer { store.instance.destroy() }
        XCTAssertTrue(F.exists(path), "the database (and its parent directories) were not created")
        XCTAssertEqual(F.diagnostic(store, "writer.journal_mode"), "wal")
        XCTAssertEqual(F.diagnostic(store, "writer.synchronous"), "2", "synchronous should be FULL (2) by default")
        XCTAssertEqual(F.diagnostic(store, "writer.foreign_keys"), "1")
        XCTAssertEqual(F.diagnostic(store, "writer.busy_timeout"), "1234")
        XCTAssertEqual(F.diagnostic(store, "writer.application_id"), String(0x5052_5453))
        XCTAssertEqual(F.diagnostic(store, "writer.user_version"), String(SchemaRollback.sqliteLatest))
        XCTAssertEqual(F.diagnostic(store, "reader.journal_mode"), "wal")
        XCTAssertEqual(F.diagnostic(store, "reader.foreign_keys"), "1")
        XCTAssertEqual(F.diagnostic(store, "reader.query_only"), "1")
        XCTAssertEqual(F.diagnostic(store, "reader.busy_timeout"), "1234")
        XCTAssertNil(F.diagnostic(store, "writer.cache_size"), "only listed pragmas are answered")
        let normal = try F.open(path: F.makeTempDirectory("normal") + "/db.sqlite", extra: "\"synchronous\":\"normal\"")
        defer { normal.instance.destroy() }
        XCTAssertEqual(F.diagnostic(normal, "writer.synchronous"), "1")
        XCTAssertEqual(F.diagnostic(normal, "reader.synchronous"), "1")
    }

    func testDefaultPathIsInTheDataDirectory() throws {
        let store = try F.open(options: "{}")
        defer { store.instance.destroy() }
        XCTAssertTrue(F.exists(F.runtime.dataDirectory + "/proteus.sqlite"))
    }

    func testSubstringSearchUsesTheTrigramIndex() throws {
        let store = try F.open(path: F.makeTempDirectory("plan") + "/db.sqlite")
        defer { store.instance.destroy() }
        let plan = try XCTUnwrap(F.diagnostic(store, "plan.username_contains"))
        print("query plan of a substring search:\n\(plan)")
        XCTAssertTrue(plan.contains("VIRTUAL TABLE INDEX") && plan.contains("users_fts"), plan)
        XCTAssertFalse(plan.contains("SCAN u\n") || plan.hasSuffix("SCAN u"), "the users table is scanned: \(plan)")
        // With a role filter too, the trigram index still drives and the two
        // IN lists are never probed as pairs (id=? AND rowid=?).
        let combined = try XCTUnwrap(F.diagnostic(store, "plan.username_contains+has_role"))
        print("query plan of a substring search with a role filter:\n\(combined)")
        XCTAssertTrue(combined.contains("users_fts"), combined)
        XCTAssertFalse(combined.contains("id=? AND rowid=?"), combined)
        XCTAssertFalse(combined.contains("SCAN u\n") || combined.hasSuffix("SCAN u"), combined)
    }

    /// A folded username (2.3), whole or prefix, is found through the
    /// NOCASE index, for the page and for the count; a contained one (2.4)
    /// of four characters through username_grams.
    func testFoldedUsernameSearchUsesItsIndex() throws {
        let store = try F.open(path: F.makeTempDirectory("plan-folded") + "/db.sqlite")
        defer { store.instance.destroy() }
        for name in ["plan.username_folded", "plan.username_folded_prefix"] {
            let plan = try XCTUnwrap(F.diagnostic(store, name))
            print("query plan of \(name):\n\(plan)")
            let lines = plan.split(separator: "\n").map(String.init)
            XCTAssertTrue(lines.contains { !$0.hasPrefix("count:") && $0.contains("users_username_nocase") }, "\(name), page: \(plan)")
            XCTAssertTrue(lines.contains { $0.hasPrefix("count:") && $0.contains("users_username_nocase") }, "\(name), count: \(plan)")
            XCTAssertFalse(lines.contains { $0.hasSuffix("SCAN u") || $0.hasSuffix("SCAN users") }, "the users table is scanned: \(plan)")
        }
        // Contained (2.4) and four characters long: a range of
        // username_grams (schema 9; longer texts: the folded trigram index).
        let plan = try XCTUnwrap(F.diagnostic(store, "plan.username_folded_contains"))
        print("query plan of plan.username_folded_contains:\n\(plan)")
        XCTAssertTrue(plan.contains("SEARCH username_grams USING PRIMARY KEY (gram>? AND gram<?)"), plan)
        XCTAssertFalse(plan.split(separator: "\n").contains { $0.hasSuffix("SCAN u") }, plan)
    }

    func testReopenAfterDestroyKeepsData() throws {
        let path = F.makeTempDirectory("reopen") + "/db.sqlite"
        var store = try F.open(path: path)
        var client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        var u = UserRecord(id: proteus_id(randomBytes: (0..<16).map { _ in UInt8.random(in: 0...255) }).byteArray)
        u.username = "persistent"
        u.documents = [DocumentRecord(namespace: "ns", json: "{\"kept\":true}")]
        try client.putRole(RoleRecord(slug: "admin"))
        u.roles = ["admin"]
        try client.createUser(u)
        store.instance.destroy()
        store = try F.open(path: path)
        defer { store.instance.destroy() }
        client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        let got = try client.getUser(username: "persistent", docs: "*")
        XCTAssertEqual(got.id, u.id)
        XCTAssertEqual(got.roles, ["admin"])
        XCTAssertEqual(got.document("ns"), "{\"kept\":true}")
        XCTAssertEqual(try client.stats().schema_version, UInt32(SchemaRollback.sqliteLatest))
    }

    func testEmptyFileIsInitialised() throws {
        let path = F.makeTempDirectory("empty") + "/db.sqlite"
        F.write([], to: path)
        let store = try F.open(path: path)
        defer { store.instance.destroy() }
        XCTAssertEqual(F.diagnostic(store, "writer.user_version"), String(SchemaRollback.sqliteLatest))
    }

    /// Several "processes" (instances) opening the same new file at once:
    /// all succeed and the schema is created once.
    func testConcurrentFirstOpenMigratesOnce() throws {
        for round in 0..<5 {
            let path = F.makeTempDirectory("race") + "/db.sqlite"
            let opened = Shared<[StoreBinding]>([])
            let failures = Shared<[String]>([])
            runConcurrently(6) { _ in
                do {
                    let s = try F.open(path: path)
                    opened.update { $0.append(s) }
                } catch {
                    failures.update { $0.append("\(error)") }
                }
            }
            XCTAssertEqual(failures.current, [], "round \(round)")
            for s in opened.current {
                XCTAssertEqual(F.diagnostic(s, "writer.user_version"), String(SchemaRollback.sqliteLatest))
                XCTAssertEqual(F.diagnostic(s, "writer.journal_mode"), "wal")
                s.instance.destroy()
            }
        }
    }

    /// Dense matches take the other page plan (walking the ORDER BY index
    /// and testing each user); the pages must be the same as from the index.
    func testDenseSearchPagesAreExact() throws {
        let store = try F.open(path: F.makeTempDirectory("dense") + "/db.sqlite")
        defer { store.instance.destroy() }
        let client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        try client.putRole(RoleRecord(slug: "dense-role"))
        var all: [UserRecord] = []
        for i in 0..<140 {
            var u = UserRecord(id: proteus_id(randomBytes: (0..<16).map { _ in UInt8.random(in: 0...255) }).byteArray)
            u.username = i < 110 ? "x\(i % 7)-Dense-\(1000 - i)" : "other-\(i)"
            u.createdAt = Int64((i * 7919) % 1000) + 1
            u.roles = i % 3 == 0 ? ["dense-role"] : []
            if i == 5 { u.username = nil; u.roles = ["dense-role"] }
            try client.createUser(u)
            all.append(u)
        }
        func sorted(_ users: [UserRecord], _ order: Int32) -> [UserRecord] {
            users.sorted { a, b in
                switch order {
                case PROTEUS_ORDER_CREATED: return a.createdAt != b.createdAt ? a.createdAt < b.createdAt : a.id.lexicographicallyPrecedes(b.id)
                case PROTEUS_ORDER_USERNAME:
                    switch (a.username, b.username) {
                    case (nil, nil): return a.id.lexicographicallyPrecedes(b.id)
                    case (nil, _): return true
                    case (_, nil): return false
                    case let (x?, y?): return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
                    }
                default: return a.id.lexicographicallyPrecedes(b.id)
                }
            }
        }
        let filters: [(String, (inout UserQuery) -> Void, (UserRecord) -> Bool)] = [
            ("substring", { $0.usernameContains = "Dense" }, { $0.username?.contains("Dense") ?? false }),
            ("role", { $0.hasRole = "dense-role" }, { $0.roles == ["dense-role"] }),
            ("substring and role", { $0.usernameContains = "Dense"; $0.hasRole = "dense-role" },
             { ($0.username?.contains("Dense") ?? false) && $0.roles == ["dense-role"] }),
        ]
        for (label, configure, matches) in filters {
            for order in [PROTEUS_ORDER_CREATED, PROTEUS_ORDER_USERNAME, PROTEUS_ORDER_ID] {
                let expected = sorted(all.filter(matches), order)
                for (offset, limit) in [(0, 1), (0, 5), (5, 5), (30, 7), (expected.count - 3, 10), (0, 200)] {
                    var q = UserQuery()
                    configure(&q)
                    q.order = order
                    q.offset = UInt64(offset)
                    q.limit = UInt32(limit)
                    let page = try client.search(q)
                    XCTAssertEqual(page.total, UInt64(expected.count), "\(label) order \(order)")
                    let want = expected.dropFirst(offset).prefix(limit).map { Hex.encode($0.id) }
                    XCTAssertEqual(page.users.map { Hex.encode($0.id) }, Array(want), "\(label), order \(order), offset \(offset), limit \(limit)")
                }
            }
        }
    }

    /// A substring whose matches lie together far along the username order
    /// (after SearchPage.substringWalkWindow names without it) has its page
    /// read from the index instead of a walk (SearchPlan.pageAfterWindow):
    /// pages, cursors and offsets must be exactly the walk's, also when the
    /// window ends among the matches.
    func testClusteredSubstringPagesAreExact() throws {
        let store = try F.open(path: F.makeTempDirectory("clustered") + "/db.sqlite")
        defer { store.instance.destroy() }
        let client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        // StoreCore's SearchPage.substringWalkWindow and substringIndexTotal.
        let window = 50_000, indexTotal = 50_000
        // Names before the matches, 10 matches in the window, then more than
        // SearchPage.substringIndexTotal matches (so the page is walked), the
        // window's last 10 names among them.
        let before = (0..<(window - 20)).map { String(format: "aaa-%07d", $0) }
        let early = (0..<10).map { String(format: "bbb-Hit-%02d", $0) }
        let late = (0..<(indexTotal + 500)).map { String(format: "zzz-Hit-%07d", $0) }
        let names = before + early + late
        var matchIDs: [[UInt8]] = []
        for start in stride(from: 0, to: names.count, by: 10_000) {
            let batch = names[start..<min(start + 10_000, names.count)].map { name -> UserRecord in
                var u = UserRecord(id: proteus_id(randomBytes: (0..<16).map { _ in UInt8.random(in: 0...255) }).byteArray)
                if name.contains("-Hit") { matchIDs.append(u.id) }
                u.username = name
                u.version = 1
                u.createdAt = 1
                u.updatedAt = 1
                return u
            }
            try client.importUsers(batch, mode: PROTEUS_IMPORT_INSERT)
        }
        let matches = early + late
        for (text, folded) in [("Hit", false), ("hIT", true)] {
            for (cursor, offset, limit) in [(nil, 0, 25), (nil, 5, 25), (nil, 20, 25), (nil, 30, 3), ("bbb-Hit-04", 0, 25), ("bbb-Hit-04", 5, 10),
                                            ("aaa-0000100", 0, 25), ("zzz-Hit-0000005", 0, 25)] as [(String?, Int, Int)] {
                var q = UserQuery()
                if folded {
                    q.usernameFolded = text
                    q.usernameFoldedMatch = PROTEUS_MATCH_CONTAINS
                } else {
                    q.usernameContains = text
                }
                q.order = PROTEUS_ORDER_USERNAME
                q.afterUsername = cursor
                q.offset = UInt64(offset)
                q.limit = UInt32(limit)
                q.totalCap = 1_000
                let page = try client.search(q)
                let from = cursor.map { c in matches.filter { Array($0.utf8).lexicographicallyPrecedes(Array(c.utf8)) == false && $0 != c } } ?? matches
                XCTAssertEqual(page.users.map { $0.username ?? "" }, Array(from.dropFirst(offset).prefix(limit)),
                               "\(text) after \(cursor ?? "-"), offset \(offset), limit \(limit)")
                XCTAssertEqual(page.total, 1_000)
                XCTAssertTrue(page.totalIsLowerBound)
            }
        }
        // In created order (created_at, then id), a page across the capped
        // count's end (50,001 for a substring) is full: the count is a lower
        // bound, not where the matches end.
        let byID = matchIDs.sorted { $0.lexicographicallyPrecedes($1) }
        for (offset, limit) in [(49_990, 25), (50_000, 25), (50_500, 25)] {
            var q = UserQuery()
            q.usernameContains = "-Hit"
            q.order = PROTEUS_ORDER_CREATED
            q.offset = UInt64(offset)
            q.limit = UInt32(limit)
            q.totalCap = 1_000
            let page = try client.search(q)
            XCTAssertEqual(page.users.map(\.id), Array(byID.dropFirst(offset).prefix(limit)), "created order, offset \(offset), limit \(limit)")
            XCTAssertTrue(page.totalIsLowerBound)
        }
    }

    /// Every case on a fresh database, checking after each that the username
    /// trigram index matches the users table exactly.
    func testUsernameIndexStaysExactAfterEveryCase() throws {
        let store = try F.open(path: F.makeTempDirectory("index") + "/db.sqlite")
        defer { store.instance.destroy() }
        let suite = StoreConformanceSuite(store: store, host: UnsafePointer(store.instance.hostTable))
        for name in StoreConformanceSuite.caseNames where name != "persistence.reopen" {
            suite.run(filter: name) { result in XCTAssertTrue(result.passed, "\(result.name) on a fresh database: \(result.message)") }
            XCTAssertEqual(F.diagnostic(store, "check.username_index"), "ok", "the username index after \(name)")
        }
    }

    func testBusyDatabaseIsUnavailable() throws {
        let path = F.makeTempDirectory("busy") + "/db.sqlite"
        let store = try F.open(path: path, extra: "\"busyTimeoutMs\":100")
        defer { store.instance.destroy() }
        let client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        // Another "process" holds the write lock.
        let other = RawSQLite(path)
        XCTAssertEqual(other.exec("BEGIN IMMEDIATE"), 0)
        var u = UserRecord(id: proteus_id(randomBytes: (0..<16).map { _ in UInt8.random(in: 0...255) }).byteArray)
        u.username = "blocked"
        let start = Clock.monotonicNanos()
        XCTAssertEqual(StoreClient.status { try client.createUser(u) }, PROTEUS_E_UNAVAILABLE)
        XCTAssertLessThan(Double(Clock.monotonicNanos() - start) / 1e9, 3, "the busy timeout was not honoured")
        // Reads still work while the lock is held (WAL).
        XCTAssertEqual(StoreClient.status { _ = try client.getUser(username: "blocked") }, PROTEUS_E_NOT_FOUND)
        other.exec("ROLLBACK")
        other.close()
        try client.createUser(u)
    }
}
