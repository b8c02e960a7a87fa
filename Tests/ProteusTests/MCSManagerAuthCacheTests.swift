// MCSManager with the store's auth cache at its default (on, 1000 ms) over
// two workers: an API key removed and a key holder banned through one
// connection are refused on every fresh connection at once, whichever
// worker it reaches, and a user shown by GET /api/auth/?uuid= (answered
// from memory, user_get_cached) is shown changed at once: the workers share
// the host's change counter, so none answers from memory after the change.
import Foundation
import Glibc
import ProteusJSON
import XCTest

final class MCSManagerAuthCacheTests: XCTestCase {
    private func startPanel() throws -> PanelServer {
        let dir = TemporaryDirectory.make("mcsm-authcache")
        var config = MCSM.config(directory: dir)
        config["workers"] = 2
        return try PanelServer(server: ProteusProcess(config: config, directory: dir))
    }

    /// Statuses of `count` requests with `key`, each on a fresh connection.
    private func statuses(_ port: UInt16, key: String, count: Int = 8) throws -> [Int] {
        try (0..<count).map { _ in try APIClient(port: port).request("GET", "/api/auth/?apikey=\(key)").status }
    }

    func testRemovedKeyIsRefusedOnEveryWorkerAtOnce() throws {
        let panel = try startPanel()
        defer { panel.stop() }
        try panel.createUser("kim", permission: 10)
        let kim = try panel.signedIn("kim")
        let key = try XCTUnwrap(try kim.call("PUT", "/api/auth/api", json: ["enable": true]).json?["data"]?.stringValue)
        // Used on fresh connections, so both workers are likely to hold it.
        XCTAssertEqual(try statuses(panel.port, key: key), Array(repeating: 200, count: 8))
        XCTAssertEqual(try kim.call("PUT", "/api/auth/api", json: ["enable": false]).status, 200)
        XCTAssertEqual(try statuses(panel.port, key: key, count: 16), Array(repeating: 403, count: 16))
    }

    func testBannedKeyHolderIsRefusedOnEveryWorkerAtOnce() throws {
        let panel = try startPanel()
        defer { panel.stop() }
        let uuid = try panel.createUser("lee")
        let lee = try panel.signedIn("lee")
        let key = try XCTUnwrap(try lee.call("PUT", "/api/auth/api", json: ["enable": true]).json?["data"]?.stringValue)
        XCTAssertEqual(try statuses(panel.port, key: key), Array(repeating: 200, count: 8))
        let ban = try panel.keyClient().call("PUT", "/api/auth", json: ["uuid": .string(uuid), "config": ["permission": -1]], ajax: false)
        XCTAssertEqual(ban.status, 200, ban.text)
        XCTAssertEqual(try statuses(panel.port, key: key, count: 16), Array(repeating: 403, count: 16))
    }

    func testShownUserIsCurrentOnEveryWorkerAtOnce() throws {
        let panel = try startPanel()
        defer { panel.stop() }
        let uuid = try panel.createUser("max")
        /// max as the admin's key shows it, on `count` fresh connections.
        func shown(count: Int = 8) throws -> [String] {
            try (0..<count).map { _ in
                let r = try APIClient(port: panel.port).request("GET", "/api/auth/?uuid=\(uuid)", headers: [("X-Request-API-Key", panel.adminKey)])
                guard r.status == 200, let data = r.json?["data"] else { throw TestFailure("GET ?uuid=: \(r.text)") }
                return "\(data["userName"]?.stringValue ?? "?") \(data["permission"]?.intValue ?? 0) key:\(data["apiKey"]?.stringValue.map { !$0.isEmpty } ?? false)"
            }
        }
        XCTAssertEqual(try shown(), Array(repeating: "max 1 key:false", count: 8))
        // Renamed and made an administrator through one connection.
        let change = try panel.keyClient().call("PUT", "/api/auth", json: ["uuid": .string(uuid), "config": ["userName": "maxine", "permission": 10]], ajax: false)
        XCTAssertEqual(change.status, 200, change.text)
        XCTAssertEqual(try shown(count: 16), Array(repeating: "maxine 10 key:false", count: 16))
        // A key made by the user: every worker shows it held at once.
        let maxine = try panel.signedIn("maxine")
        XCTAssertEqual(try maxine.call("PUT", "/api/auth/api", json: ["enable": true]).status, 200)
        XCTAssertEqual(try shown(count: 16), Array(repeating: "maxine 10 key:true", count: 16))
        XCTAssertEqual(try maxine.call("PUT", "/api/auth/api", json: ["enable": false]).status, 200)
        XCTAssertEqual(try shown(count: 16), Array(repeating: "maxine 10 key:false", count: 16))
    }
}
