// kill -9 of the real binary (master and workers) in the middle of a write
// burst, ten rounds:
// concurrent creates through AIOStreams, SIGKILL at a random moment, check
// the database as the crash left it, restart. Every user whose 201 reached
// the client is there afterwards (GET with its password), and the database
// passes its integrity check after every crash.
import Foundation
import Glibc
import XCTest

final class ReliabilityCrashTests: XCTestCase {
    /// Users whose 201 reached a client, and what happened to the writers.
    final class Acknowledged: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var users: [(uuid: String, password: String)] = []
        private(set) var otherStatuses: [Int: Int] = [:]
        func add(_ uuid: String, _ password: String) { lock.lock(); users.append((uuid, password)); lock.unlock() }
        func other(_ status: Int) { lock.lock(); otherStatuses[status, default: 0] += 1; lock.unlock() }
        var count: Int { lock.lock(); defer { lock.unlock() }; return users.count }
        var snapshot: [(uuid: String, password: String)] { lock.lock(); defer { lock.unlock() }; return users }
    }

    static let rounds = 10
    static let writers = 6

    /// Runs the rounds on the store `config(dir)` describes; `check(dir)` is
    /// the store's integrity check of the crashed database ("ok" or why not).
    func crashRounds(label: String, config: (String) -> [String: Any], check: (String) -> String) throws {
        let dir = TemporaryDirectory.make("rel-crash-\(label)")
        var acknowledged: [(uuid: String, password: String)] = []
        var rng = SystemRandomNumberGenerator()
        for round in 1...Self.rounds {
            let server = try ProteusProcess(config: config(dir), directory: dir)
            // Everything acknowledged before the previous crash is there.
            try verify(acknowledged, port: server.port, label: "\(label) round \(round) (after \(round - 1) crashes)")

            let acks = Acknowledged()
            let stop = ManagedAtomicFlag()
            let group = DispatchGroup()
            for w in 0..<Self.writers {
                group.enter()
                Thread.detachNewThread { [port = server.port] in
                    defer { group.leave() }
                    let client = APIClient(port: port)
                    var n = 0
                    while !stop.isSet {
                        n += 1
                        let password = "crash-\(round)-\(w)-\(n)"
                        guard let r = try? client.request("POST", "/api/v1/user", json: ["config": ["round": .number(.init(round)), "writer": .number(.init(w)), "n": .number(.init(n))], "password": .string(password)], timeout: 10) else {
                            return   // the server is gone
                        }
                        if r.status == 201, let uuid = r.json?["data"]?["uuid"]?.stringValue {
                            acks.add(uuid, password)
                        } else {
                            acks.other(r.status)
                        }
                    }
                }
            }
            // Kill at a random moment once the burst is under way.
            XCTAssertTrue(ProcessProbe.waitUntil(timeout: 20) { acks.count >= 10 }, "\(label) round \(round): no creates")
            let delay = UInt32.random(in: 0...300_000, using: &rng)
            usleep(delay)
            let before = acks.count
            // SIGKILL to the master; its workers get SIGKILL too
            // (PR_SET_PDEATHSIG). Make sure of it, and wait until they are gone.
            let workers = ProcessProbe.children(server.process.processIdentifier)
            server.kill9()
            for w in workers { kill(w, SIGKILL) }
            XCTAssertTrue(ProcessProbe.waitUntil(timeout: 10) { workers.allSatisfy { kill($0, 0) != 0 } }, "workers outlived the kill")
            stop.set()
            XCTAssertEqual(group.wait(timeout: .now() + 30), .success, "writers did not stop")
            XCTAssertTrue(acks.otherStatuses.isEmpty, "\(label) round \(round): unexpected answers \(acks.otherStatuses)")
            print("\(label) round \(round): killed \(delay / 1000) ms into the burst, \(before) creates acknowledged before the kill, \(acks.count) in all")
            XCTAssertEqual(check(dir), "ok", "\(label) round \(round): integrity after kill -9")
            acknowledged += acks.snapshot
        }
        let server = try ProteusProcess(config: config(dir), directory: dir)
        defer { server.stop() }
        try verify(acknowledged, port: server.port, label: "\(label) after \(Self.rounds) crashes")
        XCTAssertGreaterThanOrEqual(try server.userCount(), acknowledged.count)
        XCTAssertGreaterThanOrEqual(acknowledged.count, Self.rounds * 10)
    }

    /// GET with each user's password, from a few clients at once.
    func verify(_ users: [(uuid: String, password: String)], port: UInt16, label: String) throws {
        guard !users.isEmpty else { return }
        let missing = ConcurrentResults()
        let lanes = 4
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            let client = APIClient(port: port)
            for i in stride(from: lane, to: users.count, by: lanes) {
                let u = users[i]
                let r = try? client.request("GET", "/api/v1/user?uuid=\(u.uuid)&password=\(q(u.password))")
                if r?.status != 200 { missing.add(r?.status ?? -1, u.uuid) }
            }
        }
        XCTAssertTrue(missing.values.isEmpty, "\(label): \(missing.values.count) of \(users.count) acknowledged users missing, e.g. \(missing.values.prefix(3)) (statuses \(Set(missing.statuses)))")
    }

    /// Every user the store holds was created whole: it has its AIOStreams
    /// document (a create is one transaction: user row + document).
    static let usersWithoutDocument = "SELECT count(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.user_id = u.id)"

    static func baseConfig(directory: String) -> [String: Any] {
        var c = ProteusProcess.defaultConfig(directory: directory)
        c["dialects"] = [["plugin": "aiostreams", "mount": "/", "options": ["rateLimit": false]]]
        c["logRequests"] = false
        return c
    }

    func testKill9DuringWriteBurstOnSQLite() throws {
        try crashRounds(label: "sqlite", config: Self.baseConfig, check: { dir in
            let path = dir + "/data/proteus.sqlite"
            let integrity = SQLiteIntegrity.check(path)
            guard integrity == "ok" else { return integrity }
            switch SQLiteIntegrity.query(path, Self.usersWithoutDocument) {
            case .success(["0"]): return "ok"
            case .success(let rows): return "users without their document: \(rows)"
            case .failure(let e): return e.description
            }
        })
    }

    /// The same on PostgreSQL (the test cluster of scripts/test). A kill -9
    /// of Proteus cannot corrupt PostgreSQL's files; what is checked is that
    /// no acknowledged create is lost, that no half-made user is visible, that
    /// the heap and the index agree on the users, and that the store opens
    /// again (each next round starts on it).
    func testKill9DuringWriteBurstOnPostgreSQL() throws {
        PostgresTestStore.prepare()
        let url = try PostgresServer.testDatabaseURL()
        func config(_ dir: String) -> [String: Any] {
            var c = Self.baseConfig(directory: dir)
            c["store"] = PostgresTestStore.config(directory: dir, prefix: "crash_")
            return c
        }
        try crashRounds(label: "postgres", config: config, check: { dir in
            let options = (PostgresTestStore.config(directory: dir, prefix: "crash_")["options"] as? [String: Any]) ?? [:]
            guard let schema = options["schema"] as? String else { return "no schema" }
            do {
                let orphans = try PostgresServer.psql(url, "SET search_path TO \(schema); \(Self.usersWithoutDocument)")
                guard orphans == "0" else { return "users without their document: \(orphans)" }
                let bySeqScan = try PostgresServer.psql(url, "SET search_path TO \(schema); SET enable_indexscan = off; SET enable_indexonlyscan = off; SET enable_bitmapscan = off; SELECT count(*) FROM users")
                let byIndex = try PostgresServer.psql(url, "SET search_path TO \(schema); SET enable_seqscan = off; SELECT count(*) FROM users WHERE created_at > -9223372036854775807")
                guard bySeqScan == byIndex else { return "heap and index disagree: \(bySeqScan) rows, \(byIndex) through users_created" }
                return "ok"
            } catch {
                return "\(error)"
            }
        })
    }
}

/// A flag set once, read from many threads.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
