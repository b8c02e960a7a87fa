// The Erizos dialect's OpenAPI document ("openapi.v1"): valid, carrying its
// mount, and what the running dialect answers as schemathesis finds it.
import Foundation
import XCTest

final class OpenAPIErizosTests: XCTestCase {
    /// Printed for a mount other than "/" (nothing is served, so no
    /// administrator is needed), to see the mount in the servers URL.
    func testTheErizosDocumentIsValidAndCarriesTheMount() throws {
        try OpenAPITests.requireTools()
        let directory = TemporaryDirectory.make("openapi-erizos")
        var config = ProteusProcess.defaultConfig(directory: directory)
        config["dialects"] = [["plugin": "erizos", "mount": "/studio"]]
        let configPath = directory + "/config.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        let path = try OpenAPITests.document("erizos", config: configPath, directory: directory)
        try assertValidDocument(path, mount: "/studio")
    }

    /// With the installed administrator's session as a Bearer token (as
    /// ErizosTests signs in), and no sign-in limit, so that the document's
    /// link from a created user to POST /api/login signs in rather than
    /// meets the 429 the fuzzed sign-ins would have earned. A new password
    /// keeps the session in use, but DELETE /api/users/{id} reaches the
    /// caller too (the user list's _ids lead there) and, once there is
    /// another ADMIN, deletes it: so it runs last, with the operations
    /// that give it ids, as a second administrator.
    func testSchemathesisFindsNoServerErrorAndNoNonConformingAnswerInErizos() throws {
        try OpenAPITests.requireTools()
        let erizos = try ErizosServer(label: "schemathesis-erizos", options: ["loginRateLimit": false])
        defer { erizos.stop() }
        let session = try XCTUnwrap(erizos.admin.session)
        let path = try OpenAPITests.document("erizos", config: erizos.server.configPath, directory: erizos.directory)
        let base = "http://127.0.0.1:\(erizos.port)"
        try assertSchemathesisPasses(path, base: base, label: "erizos",
                                     ["-H", "Authorization: Bearer \(session)", "--exclude-operation-id", "deleteUser"])
        // Made only now: the first run starts with its caller as the only
        // ADMIN, whom a PUT cannot demote (409) until the run itself has
        // made another; a demotion would leave it 403s, all documented.
        try erizos.createUser("SecondAdmin", roles: ["ADMIN"])
        let second = try XCTUnwrap(try erizos.signedIn("SecondAdmin").session)
        try assertSchemathesisPasses(path, base: base, label: "erizos deleteUser",
                                     ["-H", "Authorization: Bearer \(second)"] +
                                     ["createUser", "listUsers", "deleteUser"].flatMap { ["--include-operation-id", $0] })
    }
}
