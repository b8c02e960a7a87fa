// The console's GET /api/health (the Health page's numbers, read through
// host->metrics_text from the same counters as /metrics) over HTTP on the
// real binary, with worker processes and in a single process: refused
// without an administrator's session, counts that follow the requests and
// sign-ins this test makes, sane workers and readiness.
import Foundation
import PluginAPI
import ProteusJSON
import XCTest
@testable import Host

extension ConsoleTests {
    func testHealthCountsWhatHappenedWithWorkers() throws {
        try checkHealth(workers: 2)
    }

    func testHealthCountsWhatHappenedInASingleProcess() throws {
        try checkHealth(workers: 0)
    }

    private func checkHealth(workers: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let console = try ConsoleServer(label: "console-health-\(workers)", workers: workers)
        defer { console.stop() }

        // Administrators only: no session, then an administrator demoted meanwhile.
        ConsoleTest.assertError(try ConsoleClient(port: console.port).call("GET", "/api/health"), 401, "unauthenticated", file: file, line: line)
        try console.panel.createUser("carol", permission: 10)
        let carol = ConsoleClient(port: console.port)
        XCTAssertEqual(try carol.signIn("carol", "Passw0rdUser").status, 200, file: file, line: line)
        XCTAssertEqual(try console.cli(["roles", "carol", "--set", ""]).status, 0, file: file, line: line)
        ConsoleTest.assertError(try carol.call("GET", "/api/health"), 403, "forbidden", file: file, line: line)

        let admin = try console.admin()
        let before = try health(admin, file: file, line: line)
        let wanted = max(workers, 1)
        XCTAssertEqual(before["workers"]?["wanted"]?.intValue, wanted, "\(before)", file: file, line: line)
        XCTAssertEqual(before["workers"]?["serving"]?.intValue, wanted, "\(before)", file: file, line: line)
        XCTAssertEqual(before["workers"]?["restarts"]?.intValue, 0, file: file, line: line)
        XCTAssertEqual(before["ready"]?.boolValue, true, "\(before)", file: file, line: line)
        XCTAssertEqual(before["state"]?.stringValue, "ready", file: file, line: line)
        XCTAssertEqual(before["reason"]?.isNull, true, file: file, line: line)
        XCTAssertEqual(before["kdf"]?["queued"]?.intValue, 0, file: file, line: line)
        XCTAssertEqual(before["kdf"]?["rejections"]?.intValue, 0, file: file, line: line)
        XCTAssertEqual(before["version"]?.stringValue, ProteusVersion.text, file: file, line: line)
        XCTAssertEqual(before["abi"]?.stringValue, "\(PROTEUS_ABI_MAJOR).\(PROTEUS_ABI_MINOR)", file: file, line: line)
        XCTAssertNotNil(before["time"]?.intValue, file: file, line: line)

        // A known set through MCSManager: 5 searches, 2 good sign-ins, 1 bad.
        for _ in 0..<5 { XCTAssertEqual(try console.panel.search("page=1&page_size=10").status, 200, file: file, line: line) }
        for _ in 0..<2 { XCTAssertEqual(try PanelClient(port: console.port).login(MCSM.adminName, MCSM.adminPassword).status, 200, file: file, line: line) }
        XCTAssertNotEqual(try PanelClient(port: console.port).login(MCSM.adminName, "not the password").status, 200, file: file, line: line)
        let after = try health(admin, file: file, line: line)

        func delta(_ path: String...) -> Int {
            func read(_ v: JSONValue) -> Int { path.reduce(Optional(v)) { $0?[$1] }?.intValue ?? -1 }
            return read(after) - read(before)
        }
        XCTAssertGreaterThanOrEqual(delta("requests", "total"), 8, file: file, line: line)
        XCTAssertGreaterThanOrEqual(delta("requests", "byDialect", "mcsmanager"), 8, file: file, line: line)
        XCTAssertGreaterThanOrEqual(delta("requests", "byClass", "2xx"), 7, file: file, line: line)
        // The console's own requests in between: this one's predecessor at most.
        XCTAssertLessThanOrEqual(delta("requests", "byDialect", "console"), 1, file: file, line: line)
        XCTAssertEqual(delta("logins", "success"), 2, file: file, line: line)
        XCTAssertEqual(delta("logins", "failure"), 1, file: file, line: line)
        XCTAssertEqual(delta("logins", "mfa_required"), 0, file: file, line: line)
        XCTAssertEqual(delta("logins", "refused"), 0, file: file, line: line)
        // Every sign-in reads its user from the store.
        XCTAssertGreaterThanOrEqual(delta("store", "calls"), 3, file: file, line: line)
        XCTAssertGreaterThan(after["store"]?["meanMs"]?.doubleValue ?? -1, 0, file: file, line: line)
        XCTAssertGreaterThanOrEqual(after["time"]?.intValue ?? 0, before["time"]?.intValue ?? 0, file: file, line: line)
        let total = after["requests"]?["total"]?.intValue ?? -1
        let classes = ["1xx", "2xx", "3xx", "4xx", "5xx"].compactMap { after["requests"]?["byClass"]?[$0]?.intValue }
        XCTAssertEqual(classes.reduce(0, +), total, "every status in one class", file: file, line: line)
        let dialects = after["requests"]?["byDialect"]?.objectValue.map { $0.map { $0.value.intValue ?? 0 } } ?? []
        XCTAssertEqual(dialects.reduce(0, +), total, "every request under one dialect", file: file, line: line)

        let head = try admin.call("HEAD", "/api/health")
        XCTAssertEqual(head.status, 200, file: file, line: line)
        XCTAssertTrue(head.body.isEmpty, file: file, line: line)
    }

    /// One answer of GET /api/health, as JSON.
    private func health(_ admin: ConsoleClient, file: StaticString, line: UInt) throws -> JSONValue {
        let r = try admin.call("GET", "/api/health")
        XCTAssertEqual(r.status, 200, r.text, file: file, line: line)
        XCTAssertEqual(r.header("Cache-Control"), "no-store", file: file, line: line)
        ConsoleTest.assertSecurityHeaders(r, "health", file: file, line: line)
        return try XCTUnwrap(r.json, r.text, file: file, line: line)
    }
}
