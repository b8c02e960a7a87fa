// The AIOStreams dialect's OpenAPI document ("openapi.v1"): valid, carrying
// its mount, and what the running dialect answers as schemathesis finds it.
import Foundation
import ProteusJSON
import XCTest

final class OpenAPIAIOStreamsTests: XCTestCase {
    /// Printed for a mount other than "/", to see the mount in the servers URL.
    func testTheAIOStreamsDocumentIsValidAndCarriesTheMount() throws {
        try OpenAPITests.requireTools()
        let directory = TemporaryDirectory.make("openapi-aio")
        var config = ProteusProcess.defaultConfig(directory: directory)
        config["dialects"] = [["plugin": "aiostreams", "mount": "/aio"]]
        let configPath = directory + "/config.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        let path = try OpenAPITests.document("aiostreams", config: configPath, directory: directory)
        try assertValidDocument(path, mount: "/aio")
    }

    /// The rate limit off (as AIOStreamsTests runs) so the routes are
    /// reached rather than refused. First without Basic credentials: the
    /// seed's uuid and password in the query or body, which the document's
    /// links take from the users the run creates. Then with a user's Basic
    /// credentials (uuid:password). A password change and a delete destroy
    /// the credentials they come with, so each runs on its own with a user
    /// of its own, the delete last.
    func testSchemathesisFindsNoServerErrorAndNoNonConformingAnswerInAIOStreams() throws {
        try OpenAPITests.requireTools()
        let directory = TemporaryDirectory.make("schemathesis-aio")
        let server = try ProteusProcess(config: AIOStreamsTests.config(directory: directory), directory: directory)
        defer { server.stop() }
        let client = APIClient(port: server.port)
        func createUser() throws -> String {
            let r = try client.request("POST", "/api/v1/user", json: ["config": ["theme": "dark"], "password": "hunter22"])
            XCTAssertEqual(r.status, 201, r.text)
            return try XCTUnwrap(r.json?["data"]?["uuid"]?.stringValue)
        }
        let reader = try createUser(), changer = try createUser(), deleter = try createUser()
        let path = try OpenAPITests.document("aiostreams", config: server.configPath, directory: directory)
        let base = "http://127.0.0.1:\(server.port)"
        let destroying = ["changePassword", "deleteUser"]
        try assertSchemathesisPasses(path, base: base, label: "aiostreams without Basic", [])
        try assertSchemathesisPasses(path, base: base, label: "aiostreams",
                                     ["-a", "\(reader):hunter22"] + destroying.flatMap { ["--exclude-operation-id", $0] })
        // One operation alone has no links to follow: no stateful phase.
        let alone = ["--phases", "examples,coverage,fuzzing"]
        try assertSchemathesisPasses(path, base: base, label: "aiostreams changePassword",
                                     ["-a", "\(changer):hunter22", "--include-operation-id", "changePassword"] + alone)
        try assertSchemathesisPasses(path, base: base, label: "aiostreams deleteUser",
                                     ["-a", "\(deleter):hunter22", "--include-operation-id", "deleteUser"] + alone)
    }
}
