// Store counters (ABI 1.3) beyond the conformance suite: both stores'
// migrations from schema 1, the bounded clean-up of expired counters, and a
// store built for ABI 1.2 (its table ends before the counter functions):
// the host never reads past its struct_size and answers UNSUPPORTED.
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
        XCTAssertEqual(raw.exec("DROP TABLE counters; PRAGMA user_version = 1;"), 0)
        raw.close()
        let store = try F.open(path: path)
        defer { store.instance.destroy() }
        XCTAssertEqual(F.diagnostic(store, "writer.user_version"), "2")
        let now = client(store).now
        XCTAssertEqual(try client(store).hitCounter(Array("k".utf8), weight: 2, windowSeconds: 5, now: now),
                       CounterHit(count: 2, windowEndsMillis: now + 5_000))
    }

    func testPostgresSchema1IsMigratedToCounters() throws {
        let url = try PostgresServer.testDatabaseURL()
        let schema = PostgresServer.freshSchema("counters_migrate")
        try PostgresStoreFixture.open(schema: schema).instance.destroy()
        try PostgresServer.psql(url, "DROP TABLE \(schema).counters; UPDATE \(schema).proteus_meta SET value = '1' WHERE key = 'schema_version'")
        let store = try PostgresStoreFixture.open(schema: schema)
        defer { store.instance.destroy() }
        XCTAssertEqual(PostgresStoreFixture.diagnostic(store, "schema_version"), "2")
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

    func testStoreBuiltForABI12HasNoCountersAndTheHostAnswersUnsupported() throws {
        let plugin = try PluginLoader.load(path: F.pluginPath)
        // The table as a 1.2 store declares it; the bytes after it are garbage
        // that must never be read as function pointers.
        let oldSize = MemoryLayout<proteus_store_api>.offset(of: \proteus_store_api.counter_hit)!
        let fullSize = MemoryLayout<proteus_store_api>.size
        let table = UnsafeMutableRawPointer.allocate(byteCount: fullSize, alignment: 16)
        memset(table, 0xAB, fullSize)
        table.copyMemory(from: plugin.descriptor.pointee.vtable, byteCount: oldSize)
        table.storeBytes(of: UInt32(oldSize), as: UInt32.self)
        var descriptor = plugin.descriptor.pointee
        descriptor.abi_minor = 2
        descriptor.vtable = UnsafeRawPointer(table)
        let descriptorCopy = UnsafeMutablePointer<proteus_plugin_descriptor>.allocate(capacity: 1)
        descriptorCopy.initialize(to: descriptor)
        // Both live as long as the process, as a library's static tables do.
        let old = LoadedPlugin(path: plugin.path, descriptor: UnsafePointer(descriptorCopy))
        let path = F.makeTempDirectory("counters-abi12") + "/db.sqlite"
        let instance = try PluginInstance.create(old, optionsJSON: F.optionsJSON(path: path), runtime: F.runtime, dialect: nil)
        let binding = try StoreBinding(instance)
        defer { binding.instance.destroy() }
        XCTAssertNil(binding.api.counter_hit)
        XCTAssertNil(binding.api.counter_clear)
        XCTAssertEqual(Int(binding.api.struct_size), oldSize)

        // Called directly (conformance suite, migrate): StoreClient refuses.
        let direct = client(binding)
        XCTAssertFalse(direct.hasCounters)
        XCTAssertEqual(StoreClient.status { _ = try direct.hitCounter([1], weight: 1, windowSeconds: 1, now: 0) }, PROTEUS_E_UNSUPPORTED)
        // Through the host's routed table (what dialects get): UNSUPPORTED with a message.
        let routed = StoreRouting.table.pointee
        let ctx = Unmanaged.passUnretained(binding).toOpaque()
        var err = proteus_error()
        var count: UInt64 = 99
        var ends: Int64 = 99
        let key: [UInt8] = [1, 2, 3]
        let status = key.withUnsafeBufferPointer {
            routed.counter_hit!(ctx, proteus_bytes(ptr: $0.baseAddress, len: $0.count), 1, 60, 0, &count, &ends, &err)
        }
        XCTAssertEqual(status, PROTEUS_E_UNSUPPORTED)
        XCTAssertEqual(err.code, PROTEUS_E_UNSUPPORTED)
        XCTAssertTrue(PluginError(status: status, from: err).message.contains("1.3"))
        XCTAssertEqual(count, 99, "outputs untouched")
        let clearStatus = key.withUnsafeBufferPointer {
            routed.counter_clear!(ctx, proteus_bytes(ptr: $0.baseAddress, len: $0.count), nil)
        }
        XCTAssertEqual(clearStatus, PROTEUS_E_UNSUPPORTED)
        // Everything of 1.2 still works.
        XCTAssertEqual(try direct.stats().schema_version, 2)
    }
}
