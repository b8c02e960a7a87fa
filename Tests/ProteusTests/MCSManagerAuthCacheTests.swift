// MCSManager with the store's auth cache on (the other dialect suites run
// with it off): over two workers, an API key removed and a key holder
// banned through one connection are refused on every connection once
// authCacheMs has passed — a fresh connection may reach the other worker,
// which may answer from memory until then.
import Foundation
import Glibc
import ProteusJSON
import XCTest

final class MCSManagerAuthCacheTests: XCTestCase {
    private let bound = 300

    private func startPanel() throws -> PanelServer {
        let dir = TemporaryDirectory.make("mcsm-authcache")
        var config = MCSM.config(directory: dir)
        config["store"] = ["plugin": "sqlite", "options": ["path": dir + "/data/proteus.sqlite", "authCacheMs": bound]]
        config["workers"] = 2
        return try PanelServer(server: ProteusProcess(config: config, directory: dir))
    }

    private static func monotonicMillis() -> Int64 { Int64(AuthCacheClock.nanos() / 1_000_000) }

    /// Statuses of `count` requests with `key`, each on a fresh connection.
    private func statuses(_ port: UInt16, key: String, count: Int = 8) throws -> [Int] {
        try (0..<count).map { _ in try APIClient(port: port).request("GET", "/api/auth/?apikey=\(key)").status }
    }

    /// Polls until every fresh connection is refused or the bound and a
    /// margin have passed since `changedAt`; then every one must be.
    private func assertRefusedEverywhereAfterTheBound(_ port: UInt16, key: String, since changedAt: Int64,
                                                      file: StaticString = #filePath, line: UInt = #line) throws {
        let deadline = changedAt + Int64(bound) + 200
        while Self.monotonicMillis() < deadline, try statuses(port, key: key, count: 4).contains(200) { usleep(20_000) }
        while Self.monotonicMillis() < deadline { usleep(10_000) }
        XCTAssertEqual(try statuses(port, key: key), Array(repeating: 403, count: 8),
                       "a revoked key still worked \(bound) ms (+ margin) after the change", file: file, line: line)
    }

    func testRemovedKeyIsRefusedEverywhereWithinTheBound() throws {
        let panel = try startPanel()
        defer { panel.stop() }
        try panel.createUser("kim", permission: 10)
        let kim = try panel.signedIn("kim")
        let key = try XCTUnwrap(try kim.call("PUT", "/api/auth/api", json: ["enable": true]).json?["data"]?.stringValue)
        // Used on fresh connections, so both workers are likely to hold it.
        XCTAssertEqual(try statuses(panel.port, key: key), Array(repeating: 200, count: 8))
        XCTAssertEqual(try kim.call("PUT", "/api/auth/api", json: ["enable": false]).status, 200)
        let removedAt = Self.monotonicMillis()
        try assertRefusedEverywhereAfterTheBound(panel.port, key: key, since: removedAt)
    }

    func testBannedKeyHolderIsRefusedEverywhereWithinTheBound() throws {
        let panel = try startPanel()
        defer { panel.stop() }
        let uuid = try panel.createUser("lee")
        let lee = try panel.signedIn("lee")
        let key = try XCTUnwrap(try lee.call("PUT", "/api/auth/api", json: ["enable": true]).json?["data"]?.stringValue)
        XCTAssertEqual(try statuses(panel.port, key: key), Array(repeating: 200, count: 8))
        let ban = try panel.keyClient().call("PUT", "/api/auth", json: ["uuid": .string(uuid), "config": ["permission": -1]], ajax: false)
        XCTAssertEqual(ban.status, 200, ban.text)
        let bannedAt = Self.monotonicMillis()
        try assertRefusedEverywhereAfterTheBound(panel.port, key: key, since: bannedAt)
    }
}
