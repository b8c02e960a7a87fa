// A dialect's OpenAPI document ("openapi.v1"): `proteus openapi PLUGIN`
// prints it for the dialect's mount, openapi-spec-validator accepts it, and
// schemathesis (PyPI), run against the real server with the issue's checks
// `not_a_server_error` and `response_schema_conformance`, finds nothing the
// document and the dialect disagree on. Missing tools fail the test.
import Foundation
import XCTest

final class OpenAPITests: XCTestCase {
    static var tools: String { CPluginBuilder.repositoryRoot + "/.build/tools/python/bin" }

    static func requireTools() throws {
        for tool in ["openapi-spec-validator", "st"] where !FileManager.default.isExecutableFile(atPath: tools + "/" + tool) {
            throw TestFailure("\(tool) is missing in .build/tools/python: run scripts/test (or source scripts/lib/python-tools.sh; ensure_python_tools)")
        }
    }

    /// `proteus openapi PLUGIN --config FILE`, stdout and stderr apart.
    static func openapi(_ arguments: [String], config: String) throws -> (status: Int32, stdout: String, stderr: String) {
        try runToolSeparately(BuildProducts.proteus, ["openapi"] + arguments + ["--config", config])
    }

    /// The document as printed, written to a file in `directory`.
    static func document(_ plugin: String, config: String, directory: String) throws -> String {
        let r = try openapi([plugin], config: config)
        guard r.status == 0 else { throw TestFailure("proteus openapi \(plugin) failed (\(r.status)): \(r.stderr)") }
        let path = directory + "/\(plugin).openapi.json"
        try r.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testTheSCIMDocumentIsValidAndCarriesTheMount() throws {
        try Self.requireTools()
        let scim = try SCIMServer(label: "openapi")
        defer { scim.stop() }
        let path = try Self.document("scim", config: scim.server.configPath, directory: scim.server.directory)
        try assertValidDocument(path, mount: SCIM.mount)
    }

    /// A dialect built without "openapi.v1" (the C example, compiled
    /// against the header without it) and an unmounted name are refused.
    func testADialectWithoutADocumentOrUnknownIsRefused() throws {
        let dir = TemporaryDirectory.make("openapi-refused")
        var config = ProteusProcess.defaultConfig(directory: dir)
        config["dialects"] = [["plugin": try CPluginBuilder.build(into: dir), "mount": "/c"]]
        let path = dir + "/config.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        let none = try Self.openapi(["hello-c"], config: path)
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("\"hello-c\" describes no routes"), none.stderr)
        XCTAssertEqual(none.stdout, "")
        let unknown = try Self.openapi(["nope"], config: path)
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("no dialect \"nope\" in this config"), unknown.stderr)
        let usage = try runToolSeparately(BuildProducts.proteus, ["openapi"])
        XCTAssertEqual(usage.status, 2, usage.stderr)
    }

    /// schemathesis against the running SCIM dialect, with its token.
    func testSchemathesisFindsNoServerErrorAndNoNonConformingAnswerInSCIM() throws {
        try Self.requireTools()
        let scim = try SCIMServer(label: "schemathesis")
        defer { scim.stop() }
        let path = try Self.document("scim", config: scim.server.configPath, directory: scim.server.directory)
        try assertSchemathesisPasses(path, base: scim.base, label: "scim", ["-H", "Authorization: Bearer \(scim.token)"])
    }

    // MARK: MCSManager (mounted at "/")

    func testTheMCSManagerDocumentIsValidAndCarriesTheMount() throws {
        try Self.requireTools()
        let panel = try PanelServer(label: "openapi-mcsm")
        defer { panel.stop() }
        let path = try Self.document("mcsmanager", config: panel.server.configPath, directory: panel.server.directory)
        try assertValidDocument(path, mount: "/")
    }

    /// With an administrator's API key (and X-Requested-With, which
    /// /api/auth/token asks of everyone). PUT /api/auth/api replaces or
    /// removes the caller's own key, which would lock the rest of a run out,
    /// so it runs on its own, first, with a second administrator's key.
    func testSchemathesisFindsNoServerErrorAndNoNonConformingAnswerInMCSManager() throws {
        try Self.requireTools()
        let panel = try PanelServer(options: ["loginRateLimit": false], label: "schemathesis-mcsm")
        defer { panel.stop() }
        try panel.createUser("KeyHolder", permission: 10)
        let holder = try panel.signedIn("KeyHolder")
        let holderKey = try holder.call("PUT", "/api/auth/api", json: ["enable": true]).json?["data"]?.stringValue ?? ""
        XCTAssertEqual(holderKey.count, 32)
        let path = try Self.document("mcsmanager", config: panel.server.configPath, directory: panel.server.directory)
        let base = "http://127.0.0.1:\(panel.port)"
        let ajax = ["-H", "X-Requested-With: XMLHttpRequest"]
        try assertSchemathesisPasses(path, base: base, label: "mcsmanager /api/auth/api",
                                     ["-H", "X-Request-API-Key: \(holderKey)"] + ajax + ["--include-path", "/api/auth/api"])
        try assertSchemathesisPasses(path, base: base, label: "mcsmanager",
                                     ["-H", "X-Request-API-Key: \(panel.adminKey)"] + ajax + ["--exclude-path", "/api/auth/api"])
    }

    // MARK: Cortex Hub (mounted at /api/v1)

    /// `proteus openapi cortexhub` is the document the dialect serves at
    /// <mount>/openapi.json, byte for byte.
    func testTheCortexHubDocumentIsTheServedOneValidAndCarriesTheMount() throws {
        try Self.requireTools()
        let hub = try HubServer(label: "openapi-ch")
        defer { hub.stop() }
        let path = try Self.document("cortexhub", config: hub.server.configPath, directory: hub.server.directory)
        try assertValidDocument(path, mount: CH.mount)
        let served = try HubClient(port: hub.port).call("GET", "/openapi.json")
        XCTAssertEqual(served.status, 200, served.text)
        let printed = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .newlines)
        XCTAssertTrue(printed == served.text, "the printed document differs from the served one")
    }

    /// With the administrator's login id, a provider catalogue whose URL the
    /// host refuses (a loopback address without allowPrivateNetworks, so the
    /// verify routes answer success false at once). POST /users/logout
    /// revokes the id presented, so it runs last, on its own.
    func testSchemathesisFindsNoServerErrorAndNoNonConformingAnswerInCortexHub() throws {
        try Self.requireTools()
        let providers: [String: Any] = ["llm": ["openai": ["models": ["gpt-4o"], "url": "http://127.0.0.1:9/v1"]], "tts": [:], "stt": [:]]
        let hub = try HubServer(options: ["providers": providers, "loginRateLimit": false], label: "schemathesis-ch")
        defer { hub.stop() }
        let path = try Self.document("cortexhub", config: hub.server.configPath, directory: hub.server.directory)
        let base = "http://127.0.0.1:\(hub.port)\(CH.mount)"
        let id = ["-H", "X-User-ID: \(hub.admin.userID ?? "")"]
        try assertSchemathesisPasses(path, base: base, label: "cortexhub", id + ["--exclude-path", "/users/logout"])
        try assertSchemathesisPasses(path, base: base, label: "cortexhub /users/logout", id + ["--include-path", "/users/logout"])
    }
}

/// Shared by every dialect's OpenAPI tests.
extension XCTestCase {
    /// The document at `path` is OpenAPI 3.1 with `mount` as its servers
    /// URL, and openapi-spec-validator accepts it.
    func assertValidDocument(_ path: String, mount: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        XCTAssertEqual(json?["openapi"] as? String, "3.1.0", file: file, line: line)
        XCTAssertEqual((json?["servers"] as? [[String: Any]])?.first?["url"] as? String, mount, "the servers URL is the mount", file: file, line: line)
        let validated = try runTool(OpenAPITests.tools + "/openapi-spec-validator", [path])
        XCTAssertEqual(validated.status, 0, validated.output, file: file, line: line)
    }

    /// schemathesis with the issue's checks against `base` (the mount's
    /// URL); `arguments` add headers and filters. Asserts it exits 0 and
    /// prints its summary.
    func assertSchemathesisPasses(_ path: String, base: String, label: String, _ arguments: [String],
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        var environment = ProcessInfo.processInfo.environment
        environment["NO_PROXY"] = "127.0.0.1,localhost"
        let r = try runTool(OpenAPITests.tools + "/st", ["run", path, "--url", base] + arguments +
                                                ["--checks", "not_a_server_error,response_schema_conformance",
                                                 "--max-examples", "25", "--seed", "11", "--no-color"],
                            // Its cache (.schemathesis) stays in the document's temp directory.
                            directory: String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]), environment: environment)
        XCTAssertEqual(r.status, 0, "schemathesis (\(label)):\n\(r.output)", file: file, line: line)
        if ProcessInfo.processInfo.environment["PROTEUS_SCHEMATHESIS_OUTPUT"] != nil { print(r.output) }
        print("schemathesis (\(label)): \(r.output.split(separator: "\n").filter { $0.contains("generated") || $0.contains("passed") }.suffix(2).joined(separator: " / "))")
    }
}
