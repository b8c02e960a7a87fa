// Writers racing on one user through the real binary: every PUT succeeds
// (the version check retries without re-running the password KDF), the
// last write wins whole, and the user's password still works.
import Foundation
import ProteusJSON
import XCTest

final class ReliabilityContentionTests: XCTestCase {
    func testConcurrentPutsOnOneUserAllSucceed() throws {
        let dir = TemporaryDirectory.make("rel-contention")
        var config = ProteusProcess.defaultConfig(directory: dir)
        // A realistic verification cost keeps the race window realistic.
        config["auth"] = [["plugin": "password", "options": ["memoryKiB": 4096, "iterations": 1]]]
        config["dialects"] = [["plugin": "aiostreams", "mount": "/", "options": ["rateLimit": false]]]
        config["logRequests"] = false
        let server = try ProteusProcess(config: config, directory: dir)
        defer { server.stop() }
        let created = try APIClient(port: server.port).request("POST", "/api/v1/user", json: ["config": ["v": 0], "password": "correct horse"])
        let uuid = try XCTUnwrap(created.json?["data"]?["uuid"]?.stringValue)

        let results = ConcurrentResults()
        DispatchQueue.concurrentPerform(iterations: 4) { writer in
            let client = APIClient(port: server.port)
            for i in 0..<60 {
                let r = try? client.request("PUT", "/api/v1/user", json: [
                    "uuid": .string(uuid), "password": "correct horse",
                    "config": ["writer": .number(JSONNumber(writer)), "i": .number(JSONNumber(i))],
                ])
                results.add(r?.status ?? -1, r?.status == 200 ? nil : r?.text)
            }
        }
        let failures = results.statuses.filter { $0 != 200 }
        XCTAssertEqual(failures.count, 0, "\(failures.count) of \(results.statuses.count) PUTs failed: \(Set(failures)) \(results.values.prefix(2))")
        let r = try APIClient(port: server.port).request("GET", "/api/v1/user?uuid=\(uuid)&password=correct%20horse")
        XCTAssertEqual(r.status, 200)
        let data = try XCTUnwrap(r.json?["data"]?["userData"]?.objectValue)
        XCTAssertEqual(Set(data.keys), ["writer", "i", "uuid"], "one whole config, never a mix")
    }
}
