// The ABI is language-neutral: a dialect written in plain C, compiled here
// with cc, is loaded by the real host next to the Swift plugins.
import Foundation
import PluginAPI
import ProteusJSON
import XCTest

final class CPluginTests: XCTestCase {
    func testCDialectIsLoadedAndServes() throws {
        let dir = TemporaryDirectory.make("cplugin")
        let library = try CPluginBuilder.build(into: dir)
        var config = ProteusProcess.defaultConfig(directory: dir)
        config["dialects"] = [
            ["plugin": "aiostreams", "mount": "/", "options": ["rateLimit": false]],
            ["plugin": library, "mount": "/c"],
        ]
        let server = try ProteusProcess(config: config, directory: dir)
        defer { server.stop() }
        let client = APIClient(port: server.port)

        // A user created through AIOStreams is counted by the C plugin through host->store.
        XCTAssertEqual(try client.request("POST", "/api/v1/user", json: ["config": [:], "password": "secret1"]).status, 201)
        let hello = try client.request("GET", "/c/hello")
        XCTAssertEqual(hello.status, 200)
        XCTAssertEqual(hello.json, ["plugin": "hello-c", "users": 1, "greeting": "hello from C"])

        let echo = try client.request("POST", "/c/echo", body: Array("ping \u{1F600}".utf8))
        XCTAssertEqual(echo.status, 200)
        XCTAssertEqual(echo.text, "ping \u{1F600}")

        // Its own 404 envelope for unknown paths under its mount; AIOStreams keeps "/".
        XCTAssertEqual(try client.request("GET", "/c/nothing").json, ["error": "not found"])
        XCTAssertEqual(try client.request("GET", "/c").json, ["error": "not found"])
        XCTAssertEqual(try client.request("GET", "/nothing").json?["detail"], "Not Found")
        XCTAssertTrue(server.outputText.contains("[hello-c]: hello-c created"), server.outputText)
    }

    /// A C dialect calling host functions with a NULL ctx gets INVALID with a
    /// message (or, for functions without an error channel, nothing happens);
    /// the worker keeps serving.
    func testNullContextFromACDialectIsInvalidNotACrash() throws {
        let dir = TemporaryDirectory.make("cplugin-null-ctx")
        let library = try CPluginBuilder.compile("null_ctx_dialect.c", into: dir + "/libproteus-null-ctx-c.so")
        var config = ProteusProcess.defaultConfig(directory: dir)
        config["dialects"] = [["plugin": library, "mount": "/"]]
        let server = try ProteusProcess(config: config, directory: dir)
        defer { server.stop() }
        let client = APIClient(port: server.port)

        let invalid = 4  // PROTEUS_E_INVALID
        let expected: JSONValue = [
            // (host->store is the store's own table: the store answers.)
            "stats": .string("\(invalid): no store instance (NULL)"),
            "counter_hit": .string("\(invalid): no store instance (NULL)"),
            "seal": .string("\(invalid): seal: NULL ctx"),
            "open": .string("\(invalid): open: NULL ctx"),
            "mac": .string("\(invalid): mac: NULL ctx"),
            "rate_limit": .string("\(invalid): rate_limit: NULL ctx"),
            "auth_enroll": .string("\(invalid): auth_enroll: NULL ctx"),
            "auth_verify": .string("\(invalid): auth_verify: NULL ctx"),
            "http_request": .string("\(invalid): http_request: NULL ctx"),
            "metrics_text": .string("\(invalid): metrics_text: NULL ctx"),
            "metrics_text_own_ctx": .string("0: "),
        ]
        for _ in 0..<2 {
            let probe = try client.request("GET", "/probe")
            XCTAssertEqual(probe.status, 200, server.outputText)
            XCTAssertEqual(probe.json, expected)
            XCTAssertNil(probe.header("x-lost"))
        }
        XCTAssertFalse(server.outputText.contains("logged with a NULL ctx"), server.outputText)
    }

    func testPluginsCommandListsTheCPlugin() throws {
        let dir = TemporaryDirectory.make("cplugin-list")
        _ = try CPluginBuilder.build(into: dir)
        let (status, output) = try ProteusProcess.run(["plugins", "--plugin-dir", dir])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("dialect"), output)
        XCTAssertTrue(output.contains("hello-c"), output)
        XCTAssertTrue(output.contains("1.0.0"), output)
        XCTAssertTrue(output.contains("\(PROTEUS_ABI_MAJOR).\(PROTEUS_ABI_MINOR) "), output)
    }

    func testPluginsCommandListsTheBuiltPlugins() throws {
        let (status, output) = try ProteusProcess.run(["plugins"])
        XCTAssertEqual(status, 0, output)
        for expected in ["store   sqlite", "auth    password", "dialect aiostreams"] {
            XCTAssertTrue(output.contains(expected), "\(expected) missing in:\n\(output)")
        }
    }
}
