// The admin listener serves every mounted dialect's OpenAPI document at
// /openapi/<plugin>.json and an index at /openapi/ (the public port does
// not: several dialects share "/"), the same documents `proteus openapi`
// prints; a dialect built without openapi.v1 is listed without one. With
// workers (the master asks a child) and without (`workers: 0`), and after
// a reload that moves a mount.
import Foundation
import ProteusJSON
import XCTest

final class AdminOpenAPITests: XCTestCase {
    /// SCIM at /scim/v2, MCSManager and AIOStreams at "/", the C example
    /// (no document) at /c, the admin listener on an ephemeral port.
    static func config(directory: String, workers: Int, scimMount: String = SCIM.mount, library: String? = nil) throws -> [String: Any] {
        var c = SCIM.config(directory: directory)
        var dialects = c["dialects"] as? [[String: Any]] ?? []
        dialects[0]["mount"] = scimMount
        // The same library again on reload (rewriting a loaded .so would crash its process).
        dialects.append(["plugin": try library ?? CPluginBuilder.build(into: directory), "mount": "/c"])
        c["dialects"] = dialects
        c["workers"] = workers
        c["admin"] = ["listen": "127.0.0.1:0"]
        return c
    }

    /// /openapi/'s entries as (mount, plugin, document path or nil).
    static func index(_ admin: APIClient, path: String = "/openapi/", file: StaticString = #filePath, line: UInt = #line) throws -> [(mount: String, plugin: String, document: String?)] {
        let r = try admin.request("GET", path)
        XCTAssertEqual(r.status, 200, r.text, file: file, line: line)
        XCTAssertEqual(r.header("Content-Type"), "application/json", file: file, line: line)
        return (r.json?["documents"]?.arrayValue ?? []).map {
            ($0["mount"]?.stringValue ?? "", $0["plugin"]?.stringValue ?? "", $0["document"]?.stringValue)
        }
    }

    func assertServesEveryDocument(_ server: ProteusProcess, scimMount: String = SCIM.mount, file: StaticString = #filePath, line: UInt = #line) throws {
        let admin = APIClient(port: try AdminListenerTests.adminPort(server))
        let entries = try Self.index(admin, file: file, line: line)
        XCTAssertEqual(entries.map(\.mount), [scimMount, "/", "/", "/c"], file: file, line: line)
        XCTAssertEqual(entries.map(\.plugin), ["scim", "mcsmanager", "aiostreams", "hello-c"], file: file, line: line)
        XCTAssertEqual(entries.first?.document, "/openapi/scim.json", file: file, line: line)
        XCTAssertEqual(entries[1].document, "/openapi/mcsmanager.json", file: file, line: line)
        XCTAssertNil(entries.last?.document, "the C example offers no document", file: file, line: line)
        XCTAssertEqual(try Self.index(admin, path: "/openapi", file: file, line: line).map(\.plugin), entries.map(\.plugin), file: file, line: line)

        // Each listed document is the one `proteus openapi` prints.
        for entry in entries {
            guard let path = entry.document else { continue }
            let served = try admin.request("GET", path)
            XCTAssertEqual(served.status, 200, served.text, file: file, line: line)
            XCTAssertEqual(served.header("Content-Type"), "application/json", file: file, line: line)
            let printed = try OpenAPITests.openapi([entry.plugin], config: server.configPath)
            XCTAssertEqual(printed.status, 0, printed.stderr, file: file, line: line)
            XCTAssertEqual(served.json, try JSONParser.parse(Array(printed.stdout.utf8)), "\(path) differs from proteus openapi \(entry.plugin)", file: file, line: line)
            XCTAssertEqual(served.json?["servers"]?.arrayValue?.first?["url"]?.stringValue, entry.mount, file: file, line: line)
        }

        let none = try admin.request("GET", "/openapi/hello-c.json")
        XCTAssertEqual(none.status, 404)
        XCTAssertTrue(none.text.contains("\"hello-c\" at /c describes no routes"), none.text)
        let unknown = try admin.request("GET", "/openapi/nope.json")
        XCTAssertEqual(unknown.status, 404)
        XCTAssertTrue(unknown.text.contains("scim.json"), unknown.text)
        XCTAssertEqual(try admin.request("POST", "/openapi/", body: []).status, 405)
        // Never on the public port.
        for path in ["/openapi/", "/openapi/scim.json"] {
            let publicAnswer = try APIClient(port: server.port).request("GET", path)
            XCTAssertEqual(publicAnswer.status, 404, "\(path) on the public port: \(publicAnswer.text)")
            XCTAssertNil(publicAnswer.json?["openapi"], "the public port served a document at \(path)")
            XCTAssertNil(publicAnswer.json?["documents"], "the public port served the index at \(path)")
        }
    }

    func testWorkersTheMasterServesEveryDocumentAndFollowsAReload() throws {
        let dir = TemporaryDirectory.make("admin-openapi")
        let server = try ProteusProcess(config: try Self.config(directory: dir, workers: 2), directory: dir)
        defer { server.stop() }
        try assertServesEveryDocument(server)

        // The next generation moves SCIM: the index follows once it serves.
        let library = dir + "/libproteus-hello-c.so"
        XCTAssertTrue(FileManager.default.fileExists(atPath: library))
        let moved = try Self.config(directory: dir, workers: 2, scimMount: "/identity/scim", library: library)
        try JSONSerialization.data(withJSONObject: moved).write(to: URL(fileURLWithPath: server.configPath))
        server.signal(SIGHUP)
        server.waitForOutput(timeout: 30, "the reload") { $0.contains("configuration reloaded") }
        try assertServesEveryDocument(server, scimMount: "/identity/scim")
    }

    func testOneProcessServesEveryDocument() throws {
        let dir = TemporaryDirectory.make("admin-openapi-single")
        let server = try ProteusProcess(config: try Self.config(directory: dir, workers: 0), directory: dir)
        defer { server.stop() }
        try assertServesEveryDocument(server)
    }

    func testOpenAPIAllListsEveryMountedDialect() throws {
        let dir = TemporaryDirectory.make("openapi-all")
        let path = dir + "/config.json"
        try JSONSerialization.data(withJSONObject: try Self.config(directory: dir, workers: 1)).write(to: URL(fileURLWithPath: path))
        let r = try runToolSeparately(BuildProducts.proteus, ["openapi", "--all", "--config", path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let listed = try JSONParser.parse(Array(r.stdout.utf8))["documents"]?.arrayValue ?? []
        XCTAssertEqual(listed.compactMap { $0["plugin"]?.stringValue }, ["scim", "mcsmanager", "aiostreams", "hello-c"])
        XCTAssertEqual(listed.first?["document"]?["servers"]?.arrayValue?.first?["url"]?.stringValue, SCIM.mount)
        XCTAssertEqual(listed.last?["document"], .null)
        XCTAssertEqual(try runToolSeparately(BuildProducts.proteus, ["openapi", "--all", "scim", "--config", path]).status, 2)
    }
}
