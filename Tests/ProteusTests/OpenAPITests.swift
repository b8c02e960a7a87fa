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
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        XCTAssertEqual(json?["openapi"] as? String, "3.1.0")
        XCTAssertEqual((json?["servers"] as? [[String: Any]])?.first?["url"] as? String, SCIM.mount, "the servers URL is the mount")
        let validated = try runTool(Self.tools + "/openapi-spec-validator", [path])
        XCTAssertEqual(validated.status, 0, validated.output)
    }

    func testADialectWithoutADocumentOrUnknownIsRefused() throws {
        let scim = try SCIMServer(label: "openapi-refused")
        defer { scim.stop() }
        let none = try Self.openapi(["mcsmanager"], config: scim.server.configPath)
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("\"mcsmanager\" describes no routes"), none.stderr)
        XCTAssertEqual(none.stdout, "")
        let unknown = try Self.openapi(["nope"], config: scim.server.configPath)
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
        var environment = ProcessInfo.processInfo.environment
        environment["NO_PROXY"] = "127.0.0.1,localhost"
        let r = try runTool(Self.tools + "/st", ["run", path, "--url", scim.base, "-H", "Authorization: Bearer \(scim.token)",
                                                 "--checks", "not_a_server_error,response_schema_conformance",
                                                 "--max-examples", "25", "--seed", "11", "--no-color"],
                            directory: scim.server.directory, environment: environment)   // its cache stays in the temp dir
        XCTAssertEqual(r.status, 0, "schemathesis:\n\(r.output)")
        print("schemathesis (scim): \(r.output.split(separator: "\n").filter { $0.contains("generated") || $0.contains("passed") }.suffix(2).joined(separator: " / "))")
    }
}
