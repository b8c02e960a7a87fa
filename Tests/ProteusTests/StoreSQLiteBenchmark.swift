// Performance sanity for the sqlite store (reports, never asserts timings).
// Skipped unless PROTEUS_SQLITE_BENCH=1. For meaningful numbers build the
// plugin in release and point PROTEUS_SQLITE_PLUGIN at it, e.g.
//   swift build -c release && cp .build/release/libproteus-sqlite.so /tmp/
//   swift build -c release -Xswiftc -enable-testing --build-tests
//   PROTEUS_SQLITE_BENCH=1 PROTEUS_SQLITE_PLUGIN=/tmp/libproteus-sqlite.so \
//     .build/release/ProteusPackageTests.xctest StoreSQLiteBenchmark
import Glibc
import PluginAPI
import PluginKit
import XCTest
@testable import Host

/// A cheap PRNG for picking keys (SystemRandomNumberGenerator costs a
/// getrandom syscall per call, which would dominate a 10 µs lookup).
struct XorShift: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
    mutating func next() -> UInt64 {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return state
    }
}

final class StoreSQLiteBenchmark: XCTestCase {
    func testBenchmark() throws {
        guard getenv("PROTEUS_SQLITE_BENCH") != nil else { throw XCTSkip("set PROTEUS_SQLITE_BENCH=1 to run") }
        let pluginPath = getenv("PROTEUS_SQLITE_PLUGIN").map { String(cString: $0) } ?? SQLiteStoreFixture.pluginPath
        let userCount = getenv("PROTEUS_SQLITE_BENCH_USERS").flatMap { Int(String(cString: $0)) } ?? 100_000
        let path = SQLiteStoreFixture.makeTempDirectory("bench") + "/bench.sqlite"
        let plugin = try PluginLoader.load(path: pluginPath)
        let instance = try PluginInstance.create(plugin, optionsJSON: "{\"path\":\"\(path)\"}", runtime: SQLiteStoreFixture.runtime, forDialect: false)
        let store = try StoreBinding(instance)
        defer {
            instance.destroy()
            // Opening an existing database runs quick_check first.
            let start = Clock.monotonicNanos()
            if let again = try? PluginInstance.create(plugin, optionsJSON: "{\"path\":\"\(path)\"}", runtime: SQLiteStoreFixture.runtime, forDialect: false) {
                print(String(format: "create (open + quick_check) of the existing database: %.0f ms", Double(Clock.monotonicNanos() - start) / 1e6))
                again.destroy()
            }
            if getenv("PROTEUS_SQLITE_BENCH_KEEP") == nil { SQLiteStoreFixture.cleanUp() }
        }
        let host = UnsafePointer(instance.hostTable)
        let api = store.api
        let raw = store.raw
        let client = StoreClient(store, host: host)
        print("benchmark: plugin \(pluginPath), database \(path)")

        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let start = Clock.monotonicNanos()
            try body()
            return Double(Clock.monotonicNanos() - start) / 1e9
        }
        var g = XorShift(seed: 42)
        let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
                     "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"]
        try client.putRole(RoleRecord(slug: "admin"))

        // users_import: 100 batches of 1000, C records built before timing.
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
                    try client.check { api.users_import!(raw, records, n, PROTEUS_IMPORT_INSERT, $0) }
                }
            }
        }
        print(String(format: "users_import: %d users in batches of %d: %.2f s (%.1f µs/user, %.1f ms/batch)",
                     userCount, batchSize, importSeconds, importSeconds * 1e6 / Double(userCount), importSeconds * 1e3 / Double(userCount / batchSize)))

        // get by id: one thread, then two.
        func getByID(_ count: Int, seed: Int) -> Double {
            var rng = XorShift(seed: UInt64(seed + 1))
            return seconds {
                for _ in 0..<count {
                    var key = proteus_user_key()
                    key.by = PROTEUS_LOOKUP_ID
                    key.id = proteus_id(byteArray: ids[Int.random(in: 0..<ids.count, using: &rng)])
                    let arena = host.pointee.arena_create(host.pointee.ctx)
                    var out: UnsafeMutablePointer<proteus_user>?
                    var err = proteus_error()
                    let status = api.user_get!(raw, &key, .absent, arena, &out, &err)
                    precondition(status == PROTEUS_OK)
                    host.pointee.arena_destroy(arena)
                }
            }
        }
        _ = getByID(10_000, seed: 0)   // warm the page cache
        let n1 = 100_000
        let t1 = getByID(n1, seed: 1)
        print(String(format: "user_get by id, 1 thread: %.2f µs/call (%.0f calls/s)", t1 * 1e6 / Double(n1), Double(n1) / t1))
        let perThread = 100_000
        let twoStart = Clock.monotonicNanos()
        runConcurrently(2) { i in _ = getByID(perThread, seed: i) }
        let t2 = Double(Clock.monotonicNanos() - twoStart) / 1e9
        print(String(format: "user_get by id, 2 threads: %.2f µs/call wall (%.0f calls/s total)", t2 * 1e6 / Double(2 * perThread), Double(2 * perThread) / t2))

        // Same with all documents.
        let docStart = Clock.monotonicNanos()
        for _ in 0..<20_000 { _ = try client.getUser(id: ids[Int.random(in: 0..<ids.count, using: &g)], docs: "*") }
        print(String(format: "user_get by id with docs \"*\" (via Swift client, incl. record conversion): %.2f µs/call",
                     Double(Clock.monotonicNanos() - docStart) / 1e3 / 20_000))

        // create: one durable transaction each.
        let creates = 2_000
        var createSeconds = 0.0
        for i in 0..<creates {
            var u = UserRecord(id: proteus_id(randomBytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }).byteArray)
            u.username = "created_\(i)"
            u.email = "c\(i)@example.org"
            u.documents = [DocumentRecord(namespace: "aiostreams", json: "{}")]
            try client.withArena { w, _ in
                var c = try w.user(u)
                createSeconds += try seconds { try client.check { api.user_create!(raw, &c, $0) } }
            }
        }
        print(String(format: "user_create (synchronous=FULL, one fsync'd commit each): %.1f µs/call", createSeconds * 1e6 / Double(creates)))

        // Substring search with total.
        for (needle, limit) in [("lph", UInt32(20)), ("ovember", 20), ("_123", 20), ("e_99", 20), ("zz", 20), ("ta", 20)] {
            var q = UserQuery()
            q.usernameContains = needle
            q.limit = limit
            q.order = PROTEUS_ORDER_USERNAME
            var page = try client.search(q)
            var best = Double.infinity
            for _ in 0..<5 { best = min(best, try seconds { page = try client.search(q) }) }
            print(String(format: "user_search username_contains \"%@\" (%d chars) limit %d, order username: total %llu, %.2f ms",
                         needle, needle.count, limit, page.total, best * 1e3))
        }
        for (label, configure) in [
            ("\"lph\" + has_role admin, order created", { (q: inout UserQuery) in q.usernameContains = "lph"; q.hasRole = "admin"; q.order = PROTEUS_ORDER_CREATED }),
            ("has_role admin, order created", { (q: inout UserQuery) in q.hasRole = "admin"; q.order = PROTEUS_ORDER_CREATED }),
            ("has_role admin, offset 5000, order username", { (q: inout UserQuery) in q.hasRole = "admin"; q.offset = 5000; q.order = PROTEUS_ORDER_USERNAME }),
            ("lacks_roles admin, order created", { (q: inout UserQuery) in q.lacksRoles = ["admin"]; q.order = PROTEUS_ORDER_CREATED }),
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
        for i in 0..<10_000 { _ = try client.getUser(email: "USER\(i * 7)@Example.org") }
        print(String(format: "user_get by email (case-insensitive): %.2f µs/call", Double(Clock.monotonicNanos() - emailStart) / 1e3 / 10_000))
        let stats = try client.stats()
        var st = stat()
        stat(path, &st)
        print("stats: \(stats.users) users, \(stats.documents) documents; database file \(st.st_size / 1_048_576) MB")
    }
}
