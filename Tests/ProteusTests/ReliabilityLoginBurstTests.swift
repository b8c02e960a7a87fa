// A burst of logins (production argon2id cost) against the real binary
// must not starve requests that need no password check: hashing may take
// the KDF pool and some serving threads, never all of them; logins beyond
// what the pool can take are refused at once (503), not queued without end.
import Foundation
import XCTest

final class ReliabilityLoginBurstTests: XCTestCase {
    func testLoginBurstDoesNotStarveCheapRequests() throws {
        let dir = TemporaryDirectory.make("rel-login")
        var config = ProteusProcess.defaultConfig(directory: dir)
        config["auth"] = [["plugin": "password", "options": ["memoryKiB": 19456, "iterations": 2]]]
        config["dialects"] = [["plugin": "aiostreams", "mount": "/", "options": ["rateLimit": false]]]
        config["logRequests"] = false
        let server = try ProteusProcess(config: config, directory: dir)
        defer { server.stop() }
        let created = try APIClient(port: server.port).request("POST", "/api/v1/user", json: ["config": ["x": 1], "password": "correct horse"])
        XCTAssertEqual(created.status, 201, created.text)
        let uuid = try XCTUnwrap(created.json?["data"]?["uuid"]?.stringValue)
        let token = try XCTUnwrap(created.json?["data"]?["encryptedPassword"]?.stringValue)

        // 32 clients logging in back to back (Basic auth with the token:
        // AES-GCM open + argon2id verify each) for 3 seconds, backing off
        // 50 ms after a 503.
        let stop = ManagedAtomicFlag()
        let logins = ConcurrentResults()
        let group = DispatchGroup()
        for _ in 0..<32 {
            group.enter()
            Thread.detachNewThread { [port = server.port] in
                defer { group.leave() }
                let client = APIClient(port: port)
                while !stop.isSet {
                    let r = try? client.request("GET", "/api/v1/user", headers: [APIClient.basic(uuid, token)], timeout: 10)
                    logins.add(r?.status ?? -1, nil)
                    if r?.status == 503 { usleep(50_000) }   // a client backing off
                }
            }
        }
        // Meanwhile: cheap requests, one at a time, timed.
        let cheap = APIClient(port: server.port)
        var latencies: [Double] = []
        let started = now()
        while now() - started < 3 {
            let t = now()
            let r = try cheap.request("GET", "/api/v1/user", timeout: 5)
            latencies.append(now() - t)
            XCTAssertEqual(r.status, 400)
            XCTAssertEqual(r.json?["error"]?["code"]?.stringValue, "MISSING_REQUIRED_FIELDS")
            usleep(5_000)
        }
        stop.set()
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        latencies.sort()
        let median = latencies[latencies.count / 2]
        let p99 = latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
        let statuses = Dictionary(grouping: logins.statuses, by: { $0 }).mapValues(\.count)
        print("cheap requests during the login burst: \(latencies.count), median \(Int(median * 1000)) ms, p99 \(Int(p99 * 1000)) ms; logins \(statuses)")
        XCTAssertLessThan(median, 0.05, "cheap requests wait behind logins")
        XCTAssertLessThan(p99, 1.0)
        XCTAssertGreaterThan(statuses[200] ?? 0, 10, "logins succeed too")
        XCTAssertEqual(Set(statuses.keys).subtracting([200, 503]), [], "logins answer 200 or 503 (pool full), nothing else")
        XCTAssertTrue(server.process.isRunning)
    }
}
