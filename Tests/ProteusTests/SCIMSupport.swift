// Helpers for the SCIM dialect tests: a server with SCIM at /scim/v2 and
// MCSManager and AIOStreams at "/" over one directory, a bearer token made
// by `proteus scim token create`, and a client that sends it.
import Foundation
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest

enum SCIM {
    /// The store section when not SQLite: set by the PostgreSQL subclasses.
    nonisolated(unsafe) static var storeOverride: ((String) -> [String: Any])?

    static func usePostgres() {
        PostgresTestStore.prepare()
        storeOverride = { PostgresTestStore.config(directory: $0, prefix: "scim_") }
    }

    static func useSQLite() { storeOverride = nil }

    static let mount = "/scim/v2"
    static let userSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
    static let groupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"
    static let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    static let patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    static let errorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"
    static let listSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse"

    /// `defaultHashing`: the password plugin at its default argon2id cost
    /// (what ./scripts/run serves), not the tests' fast one.
    static func config(directory: String, options: [String: Any] = [:], defaultHashing: Bool = false) -> [String: Any] {
        var c = ProteusProcess.defaultConfig(directory: directory)
        if let storeOverride { c["store"] = storeOverride(directory) }
        c["auth"] = [defaultHashing ? ["plugin": "password"] : ProteusProcess.fastPassword, ["plugin": "totp"]]
        c["dialects"] = [
            ["plugin": "scim", "mount": mount, "options": options],
            ["plugin": "mcsmanager", "mount": "/", "options": ["loginRateLimit": false]],
            ["plugin": "aiostreams", "mount": "/", "options": ["rateLimit": false]],
        ]
        return c
    }

    /// `proteus scim ARGS --config FILE`, stdout and stderr apart.
    static func command(_ arguments: [String], config: String) throws -> (status: Int32, stdout: String, stderr: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        return try runToolSeparately(BuildProducts.proteus, ["scim"] + arguments + ["--config", config], environment: environment)
    }

    static func patch(_ operations: [JSONValue]) -> JSONValue {
        ["schemas": [.string(patchOp)], "Operations": .array(operations)]
    }
}

/// A running server with a SCIM token and MCSManager's administrator.
final class SCIMServer {
    let server: ProteusProcess
    let panel: PanelServer
    let token: String
    let client: SCIMClient
    var port: UInt16 { server.port }
    var base: String { "http://127.0.0.1:\(port)\(SCIM.mount)" }

    init(label: String = "scim", options: [String: Any] = [:], defaultHashing: Bool = false) throws {
        let dir = TemporaryDirectory.make(label)
        server = try ProteusProcess(config: SCIM.config(directory: dir, options: options, defaultHashing: defaultHashing), directory: dir)
        panel = try PanelServer(server: server)
        token = try Self.createToken(server.configPath, label: "test")
        client = SCIMClient(port: server.port, token: token)
    }

    static func createToken(_ config: String, label: String) throws -> String {
        let r = try SCIM.command(["token", "create", "--label", label], config: config)
        guard r.status == 0, let first = r.stdout.split(separator: "\n").first else {
            throw TestFailure("scim token create failed (\(r.status)): \(r.stdout) \(r.stderr)")
        }
        return String(first)
    }

    func stop() { server.stop() }

    /// Creates a user through SCIM; returns the resource.
    @discardableResult
    func createUser(_ userName: String, password: String? = "Passw0rd!", extra: [String: JSONValue] = [:]) throws -> JSONValue {
        var body: JSONObject = ["schemas": [.string(SCIM.userSchema)], "userName": .string(userName)]
        if let password { body["password"] = .string(password) }
        for (k, v) in extra { body[k] = v }
        let r = try client.call("POST", "/Users", json: .object(body))
        guard r.status == 201, let json = r.json else { throw TestFailure("create \(userName) failed: \(r.status) \(r.text)") }
        return json
    }

    /// Signs in through MCSManager; true when accepted.
    func panelSignIn(_ name: String, _ password: String) throws -> Bool {
        try PanelClient(port: port).login(name, password).status == 200
    }

    /// Signs in through AIOStreams (Basic with the dashed uuid); true when accepted.
    func aioSignIn(_ scimID: String, _ password: String) throws -> Bool {
        let dashed = proteus_id(compactHex: scimID)!.dashedUUID
        return try APIClient(port: port).request("GET", "/api/v1/user", headers: [APIClient.basic(dashed, password)]).status == 200
    }
}

/// Sends `Authorization: Bearer <token>` (unless told otherwise) and
/// application/scim+json bodies.
final class SCIMClient {
    let http: APIClient
    var token: String?

    init(port: UInt16, token: String?) {
        http = APIClient(port: port)
        self.token = token
    }

    func call(_ method: String, _ path: String, json: JSONValue? = nil, headers: [(String, String)] = [],
              contentType: String = "application/scim+json") throws -> APIResponse {
        var all = headers
        if let token { all.append(("Authorization", "Bearer \(token)")) }
        var body: [UInt8]?
        if let json {
            body = Array(json.serialized().utf8)
            all.append(("Content-Type", contentType))
        }
        return try http.request(method, SCIM.mount + path, headers: all, body: body)
    }
}

/// Asserts a SCIM Error response: status, scimType, the Error schema.
func assertSCIMError(_ r: APIResponse, _ status: Int, _ scimType: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(r.status, status, r.text, file: file, line: line)
    XCTAssertEqual(r.json?["schemas"], [.string(SCIM.errorSchema)], r.text, file: file, line: line)
    XCTAssertEqual(r.json?["status"]?.stringValue, String(status), r.text, file: file, line: line)
    XCTAssertEqual(r.json?["scimType"]?.stringValue, scimType, r.text, file: file, line: line)
    XCTAssertFalse((r.json?["detail"]?.stringValue ?? "").isEmpty, r.text, file: file, line: line)
    XCTAssertTrue(r.header("Content-Type")?.hasPrefix("application/scim+json") ?? false, file: file, line: line)
}
