// Store counters beyond the conformance suite: both stores' migrations from
// schema 1, the bounded clean-up of expired counters; and store tables the
// host must refuse (too short, a NULL function), since dialects call them.
import Glibc
import PluginAPI
import PluginKit
import XCTest
@testable import Host

final class StoreCounterTests: XCTestCase {
    typealias F = SQLiteStoreFixture

    override class func tearDown() {
        SQLiteStoreFixture.cleanUp()
        super.tearDown()
    }

    private func client(_ store: StoreBinding) -> StoreClient {
        StoreClient(store, host: UnsafePointer(store.instance.hostTable))
    }

    func testSQLiteSchema1IsMigratedToCounters() throws {
        let path = F.makeTempDirectory("counters-migrate") + "/db.sqlite"
        try F.open(path: path).instance.destroy()
        // Back to what a 1.2 plugin left behind: schema 1, no counters table.
        let raw = RawSQLite(path)
        XCTAssertEqual(raw.exec(SchemaRollback.sqlite(downTo: 1)), 0)
        raw.close()
        let store = try F.open(path: path)
        defer { store.instance.destroy() }
        XCTAssertEqual(F.diagnostic(store, "writer.user_version"), String(SchemaRollback.sqliteLatest))
        let now = client(store).now
        XCTAssertEqual(try client(store).hitCounter(Array("k".utf8), weight: 2, windowSeconds: 5, now: now),
                       CounterHit(count: 2, windowEndsMillis: now + 5_000))
    }

    func testPostgresSchema1IsMigratedToCounters() throws {
        let url = try PostgresServer.testDatabaseURL()
        let schema = PostgresServer.freshSchema("counters_migrate")
        try PostgresStoreFixture.open(schema: schema).instance.destroy()
        try PostgresServer.psql(url, SchemaRollback.postgres(schema, downTo: 1))
        let store = try PostgresStoreFixture.open(schema: schema)
        defer { store.instance.destroy() }
        XCTAssertEqual(PostgresStoreFixture.diagnostic(store, "schema_version"), String(SchemaRollback.postgresLatest))
        let now = client(store).now
        XCTAssertEqual(try client(store).hitCounter(Array("k".utf8), weight: 2, windowSeconds: 5, now: now),
                       CounterHit(count: 2, windowEndsMillis: now + 5_000))
    }

    func testSQLiteDeletesExpiredCountersInBoundedBatches() throws {
        let store = try F.open(path: F.makeTempDirectory("counters-purge") + "/db.sqlite")
        defer { store.instance.destroy() }
        try assertExpiredCountersAreDeleted(client(store)) { F.diagnostic(store, "counters.rows") }
    }

    func testPostgresDeletesExpiredCountersInBoundedBatches() throws {
        let store = try PostgresStoreFixture.open(schema: PostgresServer.freshSchema("counters_purge"))
        defer { store.instance.destroy() }
        try assertExpiredCountersAreDeleted(client(store)) { PostgresStoreFixture.diagnostic(store, "counters.rows") }
    }

    /// 100 counters of a 1 s window; once they have ended, every hit that
    /// starts a window deletes up to 32 of them, a hit inside a live window none.
    private func assertExpiredCountersAreDeleted(_ client: StoreClient, rows: () -> String?,
                                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let t = client.now
        for i in 0..<100 { _ = try client.hitCounter(Array("old-\(i)".utf8), weight: 1, windowSeconds: 1, now: t) }
        XCTAssertEqual(rows(), "100", file: file, line: line)
        let later = t + 1_000
        _ = try client.hitCounter(Array("new-0".utf8), weight: 1, windowSeconds: 60, now: later)
        XCTAssertEqual(rows(), String(100 - 32 + 1), "a hit starting a window deletes 32 ended counters", file: file, line: line)
        _ = try client.hitCounter(Array("new-0".utf8), weight: 1, windowSeconds: 60, now: later + 1)
        XCTAssertEqual(rows(), "69", "a hit inside a live window deletes nothing", file: file, line: line)
        for i in 1...3 { _ = try client.hitCounter(Array("new-\(i)".utf8), weight: 1, windowSeconds: 60, now: later) }
        XCTAssertEqual(rows(), "4", "only the live counters are left", file: file, line: line)
    }

    /// A store table shorter than ABI 2.0's, or with a NULL function, is
    /// refused when the store is bound, naming what is wrong: dialects get
    /// the store's own table, so it must be complete.
    func testIncompleteStoreTablesAreRefusedNamingTheFunction() throws {
        let plugin = try PluginLoader.load(path: F.pluginPath)
        func bind(_ edit: (UnsafeMutableRawPointer) -> Void) throws -> StoreBinding {
            let size = MemoryLayout<proteus_store_api>.size
            let table = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
            table.copyMemory(from: try XCTUnwrap(plugin.descriptor.pointee.vtable), byteCount: size)
            edit(table)
            var descriptor = plugin.descriptor.pointee
            descriptor.vtable = UnsafeRawPointer(table)
            let copy = UnsafeMutablePointer<proteus_plugin_descriptor>.allocate(capacity: 1)
            copy.initialize(to: descriptor)
            // Both live as long as the process, as a library's static tables do.
            let loaded = LoadedPlugin(path: plugin.path, descriptor: UnsafePointer(copy))
            let path = F.makeTempDirectory("store-table") + "/db.sqlite"
            let instance = try PluginInstance.create(loaded, optionsJSON: F.optionsJSON(path: path), runtime: F.runtime, dialect: nil)
            do { return try StoreBinding(instance) } catch { instance.destroy(); throw error }
        }
        let short = MemoryLayout<proteus_store_api>.offset(of: \proteus_store_api.counter_hit) ?? 0
        XCTAssertThrowsError(try bind { $0.storeBytes(of: UInt32(short), as: UInt32.self) }) { error in
            XCTAssertTrue("\(error)".contains("shorter than ABI 2.0 requires"), "\(error)")
        }
        let offset = MemoryLayout<proteus_store_api>.offset(of: \proteus_store_api.counter_clear) ?? 0
        XCTAssertThrowsError(try bind { ($0 + offset).storeBytes(of: nil as UnsafeRawPointer?, as: UnsafeRawPointer?.self) }) { error in
            XCTAssertTrue("\(error)".contains("store function table has no counter_clear"), "\(error)")
        }
        let complete = try bind { _ in }
        complete.instance.destroy()
    }

    /// StoreClient.invoke calls any function of the table by its field (how
    /// a conformance case reaches an operation no convenience method wraps
    /// yet), and answers UNSUPPORTED, never crashing, for a table that is
    /// too short or holds NULL there.
    func testInvokeCallsAnyFunctionAndRefusesWhatTheTableLacks() throws {
        let store = try F.open(path: F.makeTempDirectory("store-invoke") + "/db.sqlite")
        defer { store.instance.destroy() }
        let c = client(store)
        var removed: UInt64 = 99
        try c.invoke(\.purge_expired) { $0(c.store, c.now, &removed, $1) }
        XCTAssertEqual(removed, 0)

        var short = store.api
        short.struct_size = UInt32(MemoryLayout<proteus_store_api>.offset(of: \proteus_store_api.counter_hit) ?? 0)
        let old = StoreClient(api: short, store: store.raw, host: c.host)
        XCTAssertEqual(StoreClient.status { try old.invoke(\.counter_clear) { $0(old.store, proteus_bytes(), $1) } }, PROTEUS_E_UNSUPPORTED)
        var holed = store.api
        holed.purge_expired = nil
        let partial = StoreClient(api: holed, store: store.raw, host: c.host)
        XCTAssertEqual(StoreClient.status { try partial.invoke(\.purge_expired) { $0(partial.store, 0, nil, $1) } }, PROTEUS_E_UNSUPPORTED)
        XCTAssertEqual(StoreClient.status { try partial.stats() }, PROTEUS_OK, "the rest of the table still works")
    }
}
