// Performance sanity for the postgres store: reports, never asserts timings.
// Runs small by default (a smoke run inside scripts/test); for the real
// numbers build the plugin in release and give it 100k users:
//   swift build -c release && cp .build/release/libproteus-postgres.so /tmp/
//   PROTEUS_PG_BENCH_USERS=100000 PROTEUS_PG_BENCH_PLUGIN=/tmp/libproteus-postgres.so \
//     swift test --skip-build --filter StorePostgresBenchmark   (with the PROTEUS_TEST_POSTGRES_* variables)
import Foundation
import Glibc
import PluginAPI
import PluginKit
import XCTest
@testable import Host

final class StorePostgresBenchmark: XCTestCase {
    func testBenchmark() throws {
        let env = ProcessInfo.processInfo.environment
        let pluginPath = env["PROTEUS_PG_BENCH_PLUGIN"] ?? PostgresStoreFixture.pluginPath
        let userCount = env["PROTEUS_PG_BENCH_USERS"].flatMap(Int.init) ?? 2_000
        let calls = max(userCount / 10, 1_000)
        let schema = PostgresServer.freshSchema("bench")
        let plugin = try PluginLoader.load(path: pluginPath)
        let instance = try PluginInstance.create(plugin, optionsJSON: PostgresServer.options(url: try PostgresServer.testDatabaseURL(), schema: schema),
                                                 runtime: PostgresStoreFixture.runtime, dialect: nil)
        let store = try StoreBinding(instance)
        defer { instance.destroy() }
        let host = UnsafePointer(instance.hostTable)
        let api = store.api
        let raw = store.raw
        let client = PostgresStoreFixture.client(store)
        print("benchmark: plugin \(pluginPath), schema \(schema), \(userCount) users")

        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let start = Clock.monotonicNanos()
            try body()
            return Double(Clock.monotonicNanos() - start) / 1e9
        }
        var g = SystemRandomNumberGenerator()
        let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
                     "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"]
        try client.putRole(RoleRecord(slug: "admin"))

        // users_import: batches of 1000, C records built before timing.
        var ids: [[UInt8]] = []
        ids.reserveCapacity(userCount)
        var importSeconds = 0.0
        let batchSize = 1000
        for batchStart in stride(from: 0, to: userCount, by: batchSize) {
            try client.withArena { w, _ in
                let n = min(batchSize, userCount - batchStart)
                let records = try w.allocate(proteus_user.self, count: n)
                for j in 0..<n {
                    let i = batchStart + j
                    var u = UserRecord(id: proteus_id(randomBytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }).byteArray)
                    u.username = "\(words[i % words.count])\(words[(i / 20) % words.count])_\(i)"
                    u.email = "user\(i)@example.org"
                    u.displayName = "User \(i)"
                    u.passwordHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA"
                    u.version = 1
                    u.createdAt = 1_700_000_000_000 + Int64(i)
                    u.updatedAt = u.createdAt
                    u.roles = i % 10 == 0 ? ["admin"] : []
                    u.documents = [DocumentRecord(namespace: "aiostreams", json: "{\"services\":[{\"id\":\"x\",\"enabled\":true}],\"n\":\(i)}")]
                    records[j] = try w.user(u)
                    ids.append(u.id)
                }
                importSeconds += try seconds {
                    var err = proteus_error()
                    let status = api.users_import!(raw, records, n, PROTEUS_IMPORT_INSERT, &err)
                    guard status == PROTEUS_OK else { throw PluginError(status: status, from: err) }
                }
            }
        }
        print(String(format: "users_import: %d users in batches of %d: %.2f s (%.1f µs/user, %.1f ms/batch)",
                     userCount, batchSize, importSeconds, importSeconds * 1e6 / Double(userCount),
                     importSeconds * 1e3 / Double((userCount + batchSize - 1) / batchSize)))
        XCTAssertEqual(PostgresStoreFixture.diagnostic(store, "analyze"), "ok")

        // get by id: one thread, then two.
        func getByID(_ count: Int) -> Double {
            var rng = SystemRandomNumberGenerator()
            return seconds {
                for _ in 0..<count {
                    var key = proteus_user_key()
                    key.by = PROTEUS_LOOKUP_ID
                    key.id = proteus_id(byteArray: ids[Int.random(in: 0..<ids.count, using: &rng)])
                    let arena = host.pointee.arena_create(host.pointee.ctx)
                    var out: UnsafeMutablePointer<proteus_user>?
                    var err = proteus_error()
                    let status = api.user_get!(raw, &key, .absent, arena, &out, &err)
                    precondition(status == PROTEUS_OK, PluginError(status: status, from: err).message)
                    host.pointee.arena_destroy(arena)
                }
            }
        }
        _ = getByID(calls / 2)   // warm caches and prepared statements
        let t1 = getByID(calls)
        print(String(format: "user_get by id, 1 thread: %.1f µs/call (%.0f calls/s)", t1 * 1e6 / Double(calls), Double(calls) / t1))
        let twoStart = Clock.monotonicNanos()
        runConcurrently(2) { _ in _ = getByID(calls) }
        let t2 = Double(Clock.monotonicNanos() - twoStart) / 1e9
        print(String(format: "user_get by id, 2 threads: %.1f µs/call wall (%.0f calls/s total)", t2 * 1e6 / Double(2 * calls), Double(2 * calls) / t2))

        // create: one committed transaction each (synchronous_commit on).
        let creates = max(calls / 10, 200)
        var createSeconds = 0.0
        for i in 0..<creates {
            var u = UserRecord(id: proteus_id(randomBytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }).byteArray)
            u.username = "created_\(i)"
            u.email = "c\(i)@example.org"
            u.documents = [DocumentRecord(namespace: "aiostreams", json: "{}")]
            try client.withArena { w, _ in
                var c = try w.user(u)
                createSeconds += try seconds {
                    var err = proteus_error()
                    let status = api.user_create!(raw, &c, &err)
                    guard status == PROTEUS_OK else { throw PluginError(status: status, from: err) }
                }
            }
        }
        print(String(format: "user_create (one committed transaction each): %.1f µs/call", createSeconds * 1e6 / Double(creates)))

        // Substring search with total.
        for needle in ["lph", "ovem", "_123", "zz", "ta"] {
            var q = UserQuery()
            q.usernameContains = needle
            q.limit = 20
            q.order = PROTEUS_ORDER_USERNAME
            var page = try client.search(q)
            var best = Double.infinity
            for _ in 0..<5 { best = min(best, try seconds { page = try client.search(q) }) }
            print(String(format: "user_search username_contains \"%@\" (%d chars) limit 20, order username, with total: total %llu, %.2f ms",
                         needle, needle.count, page.total, best * 1e3))
        }
        for (label, configure) in [
            ("\"lph\" + has_role admin, order created", { (q: inout UserQuery) in q.usernameContains = "lph"; q.hasRole = "admin"; q.order = PROTEUS_ORDER_CREATED }),
            ("has_role admin, offset 5000, order username", { (q: inout UserQuery) in q.hasRole = "admin"; q.offset = 5000; q.order = PROTEUS_ORDER_USERNAME }),
            ("no filter, order username", { (q: inout UserQuery) in q.order = PROTEUS_ORDER_USERNAME }),
            ("email", { (q: inout UserQuery) in q.email = "USER777@example.org" }),
        ] as [(String, (inout UserQuery) -> Void)] {
            var q = UserQuery()
            q.limit = 20
            configure(&q)
            var page = try client.search(q)
            var best = Double.infinity
            for _ in 0..<3 { best = min(best, try seconds { page = try client.search(q) }) }
            print(String(format: "user_search %@: total %llu, %.2f ms", label, page.total, best * 1e3))
        }
        let emailStart = Clock.monotonicNanos()
        for i in 0..<1000 { _ = try client.getUser(email: "USER\(i * 7 % userCount)@Example.org") }
        print(String(format: "user_get by email (ASCII case-insensitive): %.1f µs/call", Double(Clock.monotonicNanos() - emailStart) / 1e3 / 1000))
        let stats = try client.stats()
        XCTAssertEqual(stats.users, UInt64(userCount + creates))
        print("stats: \(stats.users) users, \(stats.documents) documents")
    }
}
