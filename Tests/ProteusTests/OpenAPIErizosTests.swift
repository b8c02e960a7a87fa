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
    /// ErizosTests signs in). No route ends the caller's session or rights:
    /// a new password keeps the session in use, and the last ADMIN can be
    /// neither deleted nor demoted (409), so one run covers every route.
    func testSchemathesisFindsNoServerErrorAndNoNonConformingAnswerInErizos() throws {
        try OpenAPITests.requireTools()
        let erizos = try ErizosServer(label: "schemathesis-erizos")
        defer { erizos.stop() }
        let session = try XCTUnwrap(erizos.admin.session)
        let path = try OpenAPITests.document("erizos", config: erizos.server.configPath, directory: erizos.directory)
        try assertSchemathesisPasses(path, base: "http://127.0.0.1:\(erizos.port)", label: "erizos",
                                     ["-H", "Authorization: Bearer \(session)"])
    }
}
