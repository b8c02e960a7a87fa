// Config `logFormat` and `logLevel` on the real binary: with "json" every
// line the master and its workers write parses as one JSON object with the
// documented members; a bad value is refused by check-config; the default
// text lines are today's.
import Foundation
import XCTest

final class LogFormatTests: XCTestCase {
    private static let levels: Set<String> = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// AIOStreams at /aio only, so /nowhere matches no dialect; two workers.
    private func config(_ dir: String, _ extra: [String: Any]) -> [String: Any] {
        var c = ProteusProcess.defaultConfig(directory: dir)
        c["dialects"] = [["plugin": "aiostreams", "mount": "/aio"]]
        c["workers"] = 2
        for (key, value) in extra { c[key] = value }
        return c
    }

    /// Starts proteus, makes the three requests, stops it; its output lines.
    private func serveThreeRequests(_ extra: [String: Any]) throws -> [String] {
        let dir = TemporaryDirectory.make("log-format")
        let server = try ProteusProcess(config: config(dir, extra), directory: dir)
        let client = APIClient(port: server.port)
        XCTAssertEqual(try client.request("GET", "/aio/api/v1/user?uuid=nobody&password=query-secret").status, 400)
        XCTAssertEqual(try client.request("GET", "/nowhere").status, 404)
        XCTAssertEqual(try client.request("GET", "/aio/no/such/route").status, 404)
        XCTAssertEqual(server.stop(), 0)
        let output = server.outputText
        XCTAssertFalse(output.contains("query-secret"), "the query string is never logged:\n\(output)")
        return output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    func testJSONLinesParseAndCarryTheRequiredMembers() throws {
        let lines = try serveThreeRequests(["logFormat": "json"])
        XCTAssertFalse(lines.isEmpty)
        let time = try NSRegularExpression(pattern: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"#)
        var objects: [[String: Any]] = []
        for line in lines {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                XCTFail("not a JSON object: \(line)")
                continue
            }
            objects.append(object)
            let t = object["time"] as? String ?? ""
            XCTAssertEqual(time.numberOfMatches(in: t, range: NSRange(t.startIndex..., in: t)), 1, "time not RFC 3339 UTC with ms: \(line)")
            XCTAssertTrue(Self.levels.contains(object["level"] as? String ?? ""), line)
            XCTAssertNotNil(object["msg"] as? String, line)
            XCTAssertTrue(object["worker"] is NSNull || object["worker"] is Int, line)
            XCTAssertTrue(object["pid"] is Int, line)
        }

        // The master's own lines: no worker.
        let listening = try XCTUnwrap(objects.first { ($0["msg"] as? String)?.hasPrefix("listening on http://127.0.0.1:") == true })
        XCTAssertEqual(listening["level"] as? String, "notice")
        XCTAssertTrue(listening["worker"] is NSNull)

        // A plugin's line: its level and name (the password plugin warns of the test's low cost).
        let pluginLine = try XCTUnwrap(objects.first { $0["plugin"] as? String == "password" })
        XCTAssertEqual(pluginLine["level"] as? String, "warning")
        XCTAssertTrue([1, 2].contains(pluginLine["worker"] as? Int), "\(pluginLine)")

        let access = objects.filter { $0["method"] != nil }
        XCTAssertEqual(access.count, 3, "\(access)")
        for entry in access {
            XCTAssertEqual(entry["level"] as? String, "info")
            XCTAssertEqual(entry["method"] as? String, "GET")
            XCTAssertTrue(entry["status"] is Int, "\(entry)")
            XCTAssertTrue(entry["duration_ms"] is NSNumber && !(entry["duration_ms"] is String), "\(entry)")
            XCTAssertTrue([1, 2].contains(entry["worker"] as? Int), "\(entry)")
        }
        func request(_ path: String) -> [String: Any]? { access.first { $0["path"] as? String == path } }
        let withQuery = try XCTUnwrap(request("/aio/api/v1/user"), "the path without its query: \(access)")
        XCTAssertEqual(withQuery["status"] as? Int, 400)
        XCTAssertEqual(withQuery["dialect"] as? String, "aiostreams")
        let msg = withQuery["msg"] as? String ?? ""
        XCTAssertTrue(msg.hasPrefix("GET /aio/api/v1/user 400 ") && msg.hasSuffix("ms"), "msg is the text line: \(msg)")
        let unmatched = try XCTUnwrap(request("/nowhere"))
        XCTAssertEqual(unmatched["status"] as? Int, 404)
        XCTAssertTrue(unmatched["dialect"] is NSNull, "no dialect matched: \(unmatched)")
        let inDialect = try XCTUnwrap(request("/aio/no/such/route"))
        XCTAssertEqual(inDialect["status"] as? Int, 404)
        XCTAssertEqual(inDialect["dialect"] as? String, "aiostreams")
    }

    func testDefaultTextFormatIsUnchanged() throws {
        let lines = try serveThreeRequests([:])
        let accessLine = try NSRegularExpression(pattern: #"^GET (/aio/api/v1/user 400|/nowhere 404|/aio/no/such/route 404) \d+\.\d{2}ms$"#)
        let access = lines.filter { accessLine.numberOfMatches(in: $0, range: NSRange($0.startIndex..., in: $0)) == 1 }
        XCTAssertEqual(access.count, 3, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("warning [password]: argon2id cost below") }, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("listening on http://127.0.0.1:") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("worker 1 (pid ") && $0.hasSuffix(") ready") })
        XCTAssertFalse(lines.contains { $0.hasPrefix("{") }, lines.joined(separator: "\n"))
    }

    func testLogLevelDropsLessSevereLines() throws {
        let lines = try serveThreeRequests(["logFormat": "json", "logLevel": "notice"])
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(objects.count, lines.count, lines.joined(separator: "\n"))
        let levels = Set(objects.compactMap { $0["level"] as? String })
        XCTAssertFalse(levels.contains("info"), "access and ready lines are info: \(lines)")
        XCTAssertTrue(levels.contains("notice") && levels.contains("warning"), "\(lines)")
    }

    func testBadValuesAreRefusedByCheckConfig() throws {
        let dir = TemporaryDirectory.make("log-format-bad")
        let path = dir + "/config.json"
        let cases: [([String: Any], [String])] = [
            (["logFormat": "yaml"], [#"key "logFormat": must be one of "text", "json", got "yaml""#]),
            (["logFormat": 1], [#"key "logFormat": must be a string"#]),
            (["logLevel": "verbose"], [#"key "logLevel": must be one of "trace", "debug", "info", "notice", "warning", "error", "critical", got "verbose""#]),
        ]
        for (extra, mentions) in cases {
            try JSONSerialization.data(withJSONObject: config(dir, extra)).write(to: URL(fileURLWithPath: path))
            let (status, output) = try ProteusProcess.run(["check-config", "--config", path], directory: dir)
            XCTAssertEqual(status, 1, output)
            for m in mentions { XCTAssertTrue(output.contains(m), "expected \(m) in: \(output)") }
        }
        try JSONSerialization.data(withJSONObject: config(dir, ["logFormat": "json", "logLevel": "debug"])).write(to: URL(fileURLWithPath: path))
        let (status, output) = try ProteusProcess.run(["check-config", "--config", path], directory: dir)
        XCTAssertEqual(status, 0, output)
    }
}
