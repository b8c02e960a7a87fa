// Search over 10,000 users (bulk-created through `proteus import` of a
// .jsonl file, which writes with the store's users_import): every paging
// edge, the filters, and totals.
import Foundation
import ProteusJSON
import XCTest

class MCSManagerSearchTests: XCTestCase {
    nonisolated(unsafe) static var shared: PanelServer?

    /// One server with 10,000 imported users for the whole class.
    static func panel() throws -> PanelServer {
        if let shared { return shared }
        let panel = try PanelServer(label: "mcsm-10k")
        var lines: [String] = []
        lines.reserveCapacity(10_000)
        for i in 0..<10_000 {
            let uuid = String(format: "%08x%024x", 0xA000_0000 + i, i)
            let permission = i % 100 == 0 ? 10 : i % 100 == 1 ? -1 : i % 100 == 2 ? 0 : 1
            lines.append(#"{"uuid":"\#(uuid)","userName":"user\#(String(format: "%05d", i))","passWord":"\#(MCSM.md5Hex("Passw0rd\(i)"))","passWordType":0,"permission":\#(permission),"registerTime":"1/2/2024, 3:04:05 PM","instances":[]}"#)
        }
        let file = panel.server.directory + "/users.jsonl"
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let (status, output) = try ProteusProcess.run(["import", "mcsmanager", "--from", file, "--config", panel.server.configPath])
        guard status == 0, output.contains("imported 10000, updated 0, unchanged 0, skipped 0") else { throw TestFailure("import failed (\(status)): \(output)") }
        shared = panel
        return panel
    }

    override class func tearDown() {
        shared?.stop()
        shared = nil
    }

    private func data(_ query: String, file: StaticString = #filePath, line: UInt = #line) throws -> JSONValue {
        let r = try Self.panel().search(query)
        XCTAssertEqual(r.status, 200, r.text, file: file, line: line)
        return try XCTUnwrap(r.json?["data"], file: file, line: line)
    }

    private func check(_ query: String, page: Int, pageSize: Int, total: Int, count: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let d = try data(query, file: file, line: line)
        XCTAssertEqual(d["page"]?.intValue, page, query, file: file, line: line)
        XCTAssertEqual(d["pageSize"]?.intValue, pageSize, query, file: file, line: line)
        XCTAssertEqual(d["total"]?.intValue, total, query, file: file, line: line)
        XCTAssertEqual(d["maxPage"]?.intValue, (total + pageSize - 1) / pageSize, query, file: file, line: line)
        XCTAssertEqual(d["data"]?.arrayValue?.count, count, query, file: file, line: line)
    }

    func testPagingEdges() throws {
        let all = 10_001   // the installer + 10,000 imported
        try check("page=1&page_size=20", page: 1, pageSize: 20, total: all, count: 20)
        try check("page=501&page_size=20", page: 501, pageSize: 20, total: all, count: 1)
        try check("page=502&page_size=20", page: 502, pageSize: 20, total: all, count: 0)
        try check("page=100000&page_size=50", page: 100_000, pageSize: 50, total: all, count: 0)
        // page 0 and negative pages are page 1 (the panel: Math.max(1, Number(page) || 1)).
        try check("page=0&page_size=20", page: 1, pageSize: 20, total: all, count: 20)
        try check("page=-3&page_size=20", page: 1, pageSize: 20, total: all, count: 20)
        try check("page=2.9&page_size=20", page: 2, pageSize: 20, total: all, count: 20)
        // page_size: 0 is the default 10 (Number(0) || 10), above 50 is 50, below 1 is 1.
        try check("page=1&page_size=0", page: 1, pageSize: 10, total: all, count: 10)
        try check("page=1&page_size=51", page: 1, pageSize: 50, total: all, count: 50)
        try check("page=1&page_size=1000000", page: 1, pageSize: 50, total: all, count: 50)
        try check("page=1&page_size=-5", page: 1, pageSize: 1, total: all, count: 1)
        try check("page=1&page_size=1", page: 1, pageSize: 1, total: all, count: 1)
        try check("page=1&page_size=%2050%20", page: 1, pageSize: 50, total: all, count: 50)
        // mcsmapi sends pageSize; page_size wins when both are given.
        try check("page=1&pageSize=7", page: 1, pageSize: 7, total: all, count: 7)
        try check("page=1&page_size=3&pageSize=7", page: 1, pageSize: 3, total: all, count: 3)
        let panel = try Self.panel()
        assertEnvelope(try panel.search("page=1&page_size=abc"), 400, "Validator failed: \"page_size\" is not a number")
        assertEnvelope(try panel.search("page=x&page_size=abc"), 400, "Validator failed: \"page\" is not a number")
        assertEnvelope(try panel.search("page_size=10"), 400, "Validator failed: \"page\" is required!")
    }

    func testPagesPartitionTheUsers() throws {
        var seen = Set<String>()
        var page = 1
        while true {
            let d = try data("page=\(page)&page_size=50")
            let rows = d["data"]?.arrayValue ?? []
            if rows.isEmpty { break }
            for row in rows { XCTAssertTrue(seen.insert(row["uuid"]?.stringValue ?? "").inserted, "duplicate on page \(page)") }
            page += 1
        }
        XCTAssertEqual(seen.count, 10_001)
        XCTAssertEqual(page - 1, 201)
    }

    func testFiltersAtScale() throws {
        try check("page=1&page_size=50&userName=user0001", page: 1, pageSize: 50, total: 10, count: 10)
        try check("page=1&page_size=50&userName=user000", page: 1, pageSize: 50, total: 100, count: 50)
        try check("page=1&page_size=50&userName=user00", page: 1, pageSize: 50, total: 1000, count: 50)
        try check("page=20&page_size=50&userName=user00", page: 20, pageSize: 50, total: 1000, count: 50)
        try check("page=21&page_size=50&userName=user00", page: 21, pageSize: 50, total: 1000, count: 0)
        try check("page=1&page_size=50&userName=99", page: 1, pageSize: 50, total: 280, count: 50)
        try check("page=6&page_size=50&userName=99", page: 6, pageSize: 50, total: 280, count: 30)
        try check("page=1&page_size=50&userName=USER", page: 1, pageSize: 50, total: 0, count: 0)
        try check("page=1&page_size=50&userName=er00123", page: 1, pageSize: 50, total: 1, count: 1)
        try check("page=1&page_size=50&userName=%22user", page: 1, pageSize: 50, total: 0, count: 0)
        try check("page=1&page_size=50&userName=undefined", page: 1, pageSize: 50, total: 10_001, count: 50)
        try check("page=1&page_size=50&role=10", page: 1, pageSize: 50, total: 101, count: 50)
        try check("page=1&page_size=50&role=-1", page: 1, pageSize: 50, total: 100, count: 50)
        try check("page=1&page_size=50&role=0", page: 1, pageSize: 50, total: 100, count: 50)
        try check("page=1&page_size=50&role=1", page: 1, pageSize: 50, total: 9_700, count: 50)
        try check("page=1&page_size=50&role=1&userName=user000", page: 1, pageSize: 50, total: 97, count: 50)
        try check("page=1&page_size=50&role=10&userName=user0", page: 1, pageSize: 50, total: 100, count: 50)
        try check("page=1&page_size=50&role=7", page: 1, pageSize: 50, total: 0, count: 0)
        let d = try data("page=1&page_size=5&userName=user00042")
        let user = try XCTUnwrap(d["data"]?[0])
        XCTAssertEqual(user["userName"], "user00042")
        XCTAssertEqual(user["passWordType"], 0, "an imported md5 user")
        XCTAssertEqual(user["registerTime"], "1/2/2024, 3:04:05 PM")
        XCTAssertEqual(user["loginTime"], "")
        XCTAssertEqual(user["permission"], 1)
    }
}
