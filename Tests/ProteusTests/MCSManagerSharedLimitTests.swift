// The per-account sign-in limit is shared by every host on one store: its
// counter lives in the store (counter_hit), so wrong passwords for
// one account sent alternately to two `proteus` hosts reach the first 429
// after as many failures as on one host (10 by default), not twice as many.
// Real binaries: two hosts on one PostgreSQL database, and two hosts on one
// SQLite file (each host with its two worker processes).
import COpenSSL
import Foundation
import PluginKit
import XCTest
@testable import Host

final class MCSManagerSharedLimitTests: XCTestCase {
    override func tearDown() {
        super.tearDown()
        MCSM.useSQLite()
    }

    func testTwoHostsOnOnePostgresShareTheAccountLimit() throws {
        MCSM.usePostgres()
        try assertTwoHostsShareTheAccountLimit(label: "mcsm-shared-pg")
    }

    func testTwoHostsOnOneSQLiteFileShareTheAccountLimit() throws {
        try assertTwoHostsShareTheAccountLimit(label: "mcsm-shared-sqlite")
    }

    /// Host 1 is a panel with an administrator; host 2 runs the same config
    /// (same store) with a data directory of its own.
    private func twoHosts(label: String, options: [String: Any]) throws -> (PanelServer, ProteusProcess) {
        let first = try PanelServer(options: options, label: label)
        let text = try Data(contentsOf: URL(fileURLWithPath: first.server.configPath))
        guard var config = try JSONSerialization.jsonObject(with: text) as? [String: Any] else {
            throw TestFailure("host 1's config is not a JSON object")
        }
        let dir = TemporaryDirectory.make(label + "-2")
        config["dataDirectory"] = dir + "/data"
        do {
            return (first, try ProteusProcess(config: config, directory: dir))
        } catch {
            first.stop()
            throw error
        }
    }

    private func assertTwoHostsShareTheAccountLimit(label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let (one, two) = try twoHosts(label: label, options: [:])
        defer { one.stop(); two.stop() }
        try one.createUser("carol")
        let ports = [one.port, two.port]
        var statuses: [Int] = []
        var limited: APIResponse?
        for attempt in 0..<24 {
            let r = try PanelClient(port: ports[attempt % 2]).login("carol", "Wr0ngPassword")
            statuses.append(r.status)
            if r.status == 429 { limited = r; break }
        }
        XCTAssertEqual(statuses, Array(repeating: 401, count: 10) + [429], "10 failures over both hosts, then 429", file: file, line: line)
        if let limited {
            assertEnvelope(limited, 429, "Too many failed attempts! Your IP address, as a result, has been banned for 10 minutes.", file: file, line: line)
            let retryAfter = Int(limited.header("Retry-After") ?? "") ?? -1
            XCTAssertTrue((1...60).contains(retryAfter), "Retry-After \(retryAfter)", file: file, line: line)
        }
        // The owner, too, waits for the window: on either host.
        XCTAssertEqual(try PanelClient(port: two.port).login("carol", "Passw0rdUser").status, 429, file: file, line: line)
        XCTAssertEqual(try PanelClient(port: one.port).login("carol", "Passw0rdUser").status, 429, file: file, line: line)
        // Other accounts keep their own budget.
        XCTAssertEqual(try PanelClient(port: two.port).login(MCSM.adminName, MCSM.adminPassword).status, 200, file: file, line: line)

        // The counter is in the store: 10 failures (5 each) + 3 refused attempts (1 each).
        let (client, binding) = try MCSM.store(one.server)
        defer { binding.instance.destroy() }
        let key = Array("mcsm-login-user:".utf8) + sha256(Array("carol".utf8))
        let counter = try client.hitCounter(key, weight: 0, windowSeconds: 60, now: client.now)
        XCTAssertEqual(counter.count, 53, file: file, line: line)
    }

    /// A locked-out owner is never locked out for good: 429 with Retry-After
    /// until the window ends, then a normal sign-in (on the other host).
    func testLockedOutOwnerSignsInOnceTheWindowEnds() throws {
        let (one, two) = try twoHosts(label: "mcsm-shared-window", options: ["loginRateLimit": ["perAccount": ["failures": 2, "windowSeconds": 2]]])
        defer { one.stop(); two.stop() }
        try one.createUser("erin")
        XCTAssertEqual(try PanelClient(port: one.port).login("erin", "Wr0ngPassword").status, 401)
        XCTAssertEqual(try PanelClient(port: two.port).login("erin", "Wr0ngPassword").status, 401)
        let limited = try PanelClient(port: one.port).login("erin", "Passw0rdUser")
        XCTAssertEqual(limited.status, 429, limited.text)
        let retryAfter = Int(limited.header("Retry-After") ?? "") ?? -1
        XCTAssertTrue((1...2).contains(retryAfter), "Retry-After \(retryAfter)")
        Thread.sleep(forTimeInterval: Double(max(retryAfter, 1)) + 0.2)
        XCTAssertEqual(try PanelClient(port: two.port).login("erin", "Passw0rdUser").status, 200)
    }

    /// An attempt the store cannot count is not let through uncounted: 503
    /// (here another process holds SQLite's write lock past the busy timeout).
    func testSignInIs503WhenTheStoreCannotCountTheAttempt() throws {
        let dir = TemporaryDirectory.make("mcsm-count-busy")
        var config = MCSM.config(directory: dir)
        config["store"] = ["plugin": "sqlite", "options": ["path": dir + "/data/proteus.sqlite", "busyTimeoutMs": 100]]
        let server = try ProteusProcess(config: config, directory: dir)
        defer { server.stop() }
        assertEnvelope(try PanelClient(port: server.port).call("POST", "/api/auth/install", json: ["username": "Root", "password": "Passw0rdRoot"]), 200, true)
        let lock = RawSQLite(dir + "/data/proteus.sqlite")
        XCTAssertEqual(lock.exec("BEGIN IMMEDIATE"), 0)
        assertEnvelope(try PanelClient(port: server.port).login("Root", "Wr0ngPassword"), 503, "Service temporarily unavailable, please try again later")
        assertEnvelope(try PanelClient(port: server.port).login("Root", "Passw0rdRoot"), 503, "Service temporarily unavailable, please try again later")
        XCTAssertEqual(lock.exec("ROLLBACK"), 0)
        lock.close()
        XCTAssertEqual(try PanelClient(port: server.port).login("Root", "Passw0rdRoot").status, 200)
    }

    private func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = bytes.withUnsafeBufferPointer { EVP_Digest($0.baseAddress, $0.count, &digest, &length, EVP_sha256(), nil) }
        return digest
    }
}
