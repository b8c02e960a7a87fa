// The Cortex Hub dialect's conventions: 422 shapes, host-decided statuses in
// {"detail": ...}, the routes of later increments, options errors at start,
// and /openapi.json validated by openapi-spec-validator (PyPI; scripts/test
// installs it — this test fails, never skips, without it).
import Foundation
import ProteusJSON
import XCTest

class CortexHubAPITests: XCTestCase {
    var hub: HubServer!

    override func setUpWithError() throws { hub = try HubServer(label: "ch-api") }

    override func tearDown() {
        hub?.stop()
        hub = nil
    }

    func testValidationErrorsHaveFastAPIShape() throws {
        let c = HubClient(port: hub.port)
        let json = [("Content-Type", "application/json")]
        assertValidation(try c.call("POST", "/users/login/local"), loc: ["body"], type: "missing")
        assertValidation(try c.call("POST", "/users/login/local", body: Array("{nope".utf8), headers: json), loc: ["body", 0], type: "json_invalid")
        assertValidation(try c.call("POST", "/users/login/local", json: [1, 2]), loc: ["body"], type: "model_attributes_type")
        assertValidation(try c.call("POST", "/users/login/local", json: ["password": "x"]), loc: ["body", "username"], type: "missing")
        assertValidation(try c.call("POST", "/users/login/local", json: ["username": 5, "password": "x"]), loc: ["body", "username"], type: "string_type")
        // Every problem at once, as pydantic reports them.
        let both = try c.call("POST", "/users/login/local", json: ["username": nil])
        assertValidation(both, loc: ["body", "username"], type: "string_type")
        XCTAssertEqual(both.json?["detail"]?[1]?["loc"], ["body", "password"], both.text)
        XCTAssertEqual(both.json?["detail"]?[1]?["type"]?.stringValue, "missing")
        assertValidation(try hub.admin.call("PUT", "/users/me/config", json: "text"), loc: ["body"], type: "model_attributes_type")
    }

    func testHostDecidedStatusesAreInTheDetailEnvelope() throws {
        let c = HubClient(port: hub.port)
        assertDetail(try c.call("GET", "/users/nothing"), 404, "Not Found")
        assertDetail(try c.call("DELETE", "/users/me"), 405, "Method Not Allowed")
        assertDetail(try c.call("GET", "/users/login/local"), 405)
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: CH.maxBodyBytes + 1)
        assertDetail(try c.call("POST", "/users/login/local", body: big, headers: [("Content-Type", "application/json")]), 413)
    }

    func testOIDCRoutesWithoutOIDCOptionsAreNotConfigured() throws {
        assertDetail(try hub.admin.call("GET", "/users/login?frontend_callback_uri=http://x/"), 404, "OIDC sign-in is not configured")
        assertDetail(try hub.admin.call("GET", "/users/login/callback?code=a&state=b"), 404, "OIDC sign-in is not configured")
    }

    /// An issuer the host may not reach (a private address without
    /// outbound.allowPrivateNetworks) is a provider failure: 502. A foreign
    /// frontend URI is refused before the provider is asked.
    func testOIDCWithAnIssuerTheHostRefusesIs502() throws {
        hub.stop()
        hub = try HubServer(options: ["oidc": ["issuer": "https://127.0.0.1:9", "clientId": "hub", "clientSecret": "s",
                                               "redirectUri": "http://127.0.0.1/api/v1/users/login/callback", "scopes": ["openid", "email"]],
                                      "allowedRedirects": ["http://127.0.0.1:3000/"]], label: "ch-oidc")
        assertDetail(try hub.admin.call("GET", "/users/login?frontend_callback_uri=http://127.0.0.1:3000/"), 502)
        assertDetail(try hub.admin.call("GET", "/users/login?frontend_callback_uri=http://127.0.0.1:3001/"), 400)
        assertDetail(try hub.admin.call("GET", "/users/login/callback?code=a&state=b"), 400)
    }

    func testOptionErrorsStopTheStartNamingTheKey() throws {
        let cases: [([String: Any], String)] = [
            (["colour": "blue"], "colour"),
            (["allowPasswordLogin": "yes"], "allowPasswordLogin"),
            (["bootstrapAdmins": "root"], "bootstrapAdmins"),
            (["bootstrapAdmins": [1]], "bootstrapAdmins"),
            (["allowedRedirects": ["not a url"]], "allowedRedirects"),
            (["providers": ["video": [:]]], "providers.video"),
            (["providers": ["llm": ["openai": ["models": "gpt"]]]], "providers.llm.openai"),
            (["providers": ["llm": ["openai": ["modles": []]]]], "modles"),
            (["providers": ["llm": 3]], "providers.llm"),
            (["oidc": ["issuer": "https://id.example.com"]], "clientId"),
            (["oidc": ["issuer": "https://x", "clientId": "a", "redirectUri": "https://y/cb", "scope": "openid"]], "scope"),
            (["oidc": "https://id.example.com"], "oidc"),
            (["oidc": ["issuer": "http://id.example.com", "clientId": "a", "redirectUri": "https://y/cb"]], "issuer"),
            (["loginRateLimit": "lots"], "loginRateLimit"),
            (["loginRateLimit": ["perIP": ["requests": 3]]], "requests"),
            (["sessionTTLSeconds": 5], "sessionTTLSeconds"),
        ]
        for (options, key) in cases {
            let (status, output) = try CH.checkConfig(options: options)
            XCTAssertEqual(status, 1, "\(options): \(output)")
            XCTAssertTrue(output.contains(key), "\(options) should name \(key): \(output)")
        }
        let (status, output) = try CH.checkConfig(options: [
            "allowPasswordLogin": true, "bootstrapAdmins": ["a", "b@example.com"], "allowedRedirects": ["https://app.example.com/cb"],
            "providers": ["llm": ["openai": ["models": ["m"], "url": "https://api.openai.com/v1"]], "stt": [:]],
            "oidc": ["issuer": "https://id.example.com", "clientId": "c", "redirectUri": "https://hub.example.com/api/v1/users/login/callback"],
            "loginRateLimit": ["perAccount": ["failures": 5, "windowSeconds": 30], "perIP": false], "sessionTTLSeconds": 3600,
        ])
        XCTAssertEqual(status, 0, output)
    }

    func testOpenAPIDocumentDescribesExactlyTheServedRoutesAndValidates() throws {
        let r = try HubClient(port: hub.port).call("GET", "/openapi.json")
        XCTAssertEqual(r.status, 200, r.text)
        let doc = try XCTUnwrap(r.json)
        XCTAssertTrue(doc["openapi"]?.stringValue?.hasPrefix("3.") ?? false)
        // Paths are relative to the mount, the servers URL (FastAPI's root_path style).
        XCTAssertEqual(doc["servers"]?[0]?["url"]?.stringValue, CH.mount)
        let paths = try XCTUnwrap(doc["paths"]?.objectValue)
        var operations: Set<String> = []
        for (path, item) in paths {
            XCTAssertTrue(path.hasPrefix("/users/"), path)
            for method in item.objectValue?.keys ?? [] { operations.insert("\(method.uppercased()) \(path)") }
        }
        let expected: Set<String> = [
            "GET /users/login", "GET /users/login/callback", "GET /users/me",
            "POST /users/login/local", "PUT /users/password", "GET /users/me/profile",
            "PUT /users/me/profile", "GET /users/me/config", "PUT /users/me/config",
            "GET /users/me/config/models", "GET /users/me/config/providers",
            "POST /users/me/config/verify_llm", "POST /users/me/config/verify_tts",
            "POST /users/me/config/verify_stt", "POST /users/logout",
            "GET /users/me/config/export", "POST /users/me/config/import",
            "GET /users/admin/users", "PUT /users/admin/users/{uid}/role",
            "PUT /users/admin/users/{uid}/group", "GET /users/admin/groups",
            "POST /users/admin/groups", "PUT /users/admin/groups/{gid}",
            "DELETE /users/admin/groups/{gid}",
        ]
        XCTAssertEqual(operations, expected)
        // The OIDC steps answer with redirects, not 200 JSON.
        for path in ["/users/login", "/users/login/callback"] {
            let responses = paths[path]?["get"]?["responses"]?.objectValue
            XCTAssertNotNil(responses?["302"]?["headers"]?["Location"], path)
            XCTAssertNil(responses?["200"], path)
            XCTAssertEqual(responses?["502"]?["content"]?["application/json"]?["schema"]?["$ref"], "#/components/schemas/HTTPError", path)
        }
        // Every documented operation is served: none answers the host's 404/405.
        for operation in expected {
            let parts = operation.split(separator: " ")
            let path = String(parts[1]).replacingOccurrences(of: "{uid}", with: "0123456789abcdef0123456789abcdef")
                .replacingOccurrences(of: "{gid}", with: "0123456789abcdef0123456789abcdef")
            let status = try hub.admin.call(String(parts[0]), String(path)).status
            XCTAssertFalse([405].contains(status), "\(operation): \(status)")
            if status == 404 { XCTAssertFalse(try hub.admin.call(String(parts[0]), String(path)).text.contains("\"Not Found\""), operation) }
        }

        let validator = try Self.validatorPath()
        let file = TemporaryDirectory.make("ch-openapi") + "/openapi.json"
        try Data(r.body).write(to: URL(fileURLWithPath: file))
        let (status, output) = try runTool(validator, [file])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("OK"), output)
    }

    /// openapi-spec-validator from scripts/lib/python-tools.sh's venv (or
    /// $PROTEUS_OPENAPI_VALIDATOR). Missing is a failure, not a skip.
    static func validatorPath() throws -> String {
        if let path = ProcessInfo.processInfo.environment["PROTEUS_OPENAPI_VALIDATOR"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent(".build/tools/python/bin/openapi-spec-validator").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestFailure("openapi-spec-validator is missing at \(path): run scripts/test (or source scripts/lib/python-tools.sh; ensure_python_tools)")
        }
        return path
    }
}
