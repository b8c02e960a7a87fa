// Helpers for the Cortex Hub dialect tests: a server with MCSManager at "/"
// (whose install makes the first administrator and whose API key creates,
// bans and deletes users) and cortexhub at /api/v1, and a client that sends
// a login's user_id back as X-User-ID.
import Foundation
import ProteusJSON
import XCTest

enum CH {
    /// The store section when not SQLite (set by the PostgreSQL subclasses
    /// in setUp, cleared in tearDown; tests run one at a time).
    nonisolated(unsafe) static var storeOverride: ((String) -> [String: Any])?

    static func usePostgres() {
        PostgresTestStore.prepare()
        storeOverride = { PostgresTestStore.config(directory: $0, prefix: "ch_") }
    }

    static func useSQLite() { storeOverride = nil }

    static let mount = "/api/v1"
    static let maxBodyBytes = 16_384

    /// `extra`: top-level config sections to add (e.g. "outbound").
    static func config(directory: String, options: [String: Any] = [:], extra: [String: Any] = [:]) -> [String: Any] {
        var c = ProteusProcess.defaultConfig(directory: directory)
        if let storeOverride { c["store"] = storeOverride(directory) }
        c["auth"] = [ProteusProcess.fastPassword, ["plugin": "totp"]]
        c["limits"] = ["maxBodyBytes": maxBodyBytes]
        c["dialects"] = [
            ["plugin": "mcsmanager", "mount": "/", "options": ["loginRateLimit": false]],
            ["plugin": "cortexhub", "mount": mount, "options": options],
        ]
        c.merge(extra) { _, new in new }
        return c
    }

    /// `proteus check-config` on a config with these cortexhub options.
    static func checkConfig(options: [String: Any]) throws -> (status: Int32, output: String) {
        let dir = TemporaryDirectory.make("ch-opts")
        try JSONSerialization.data(withJSONObject: config(directory: dir, options: options)).write(to: URL(fileURLWithPath: dir + "/c.json"))
        return try ProteusProcess.run(["check-config", "--config", dir + "/c.json"])
    }
}

/// A client of the Cortex Hub API holding (or not) a login's user_id.
final class HubClient: @unchecked Sendable {
    let http: APIClient
    var userID: String?

    init(port: UInt16, userID: String? = nil) {
        http = APIClient(port: port)
        self.userID = userID
    }

    /// A request under the mount, with X-User-ID when this client holds one.
    func call(_ method: String, _ path: String, json: JSONValue? = nil, body: [UInt8]? = nil,
              headers: [(String, String)] = [], sendID: Bool = true) throws -> APIResponse {
        var all = headers
        if sendID, let userID { all.append(("X-User-ID", userID)) }
        return try http.request(method, CH.mount + path, headers: all, body: body, json: json)
    }

    /// POST /users/login/local; keeps the user_id.
    @discardableResult
    func login(_ username: String, _ password: String) throws -> APIResponse {
        let r = try call("POST", "/users/login/local", json: ["username": .string(username), "password": .string(password)], sendID: false)
        if r.status == 200, let id = r.json?["user_id"]?.stringValue { userID = id }
        return r
    }
}

/// A running server with MCSManager's installed administrator ("Admin"),
/// signed in here as `admin`.
final class HubServer {
    let server: ProteusProcess
    let panel: PanelClient
    let adminKey: String
    let admin: HubClient
    var port: UInt16 { server.port }

    init(options: [String: Any] = [:], label: String = "ch", directory: String? = nil, extraConfig: [String: Any] = [:]) throws {
        let dir = directory ?? TemporaryDirectory.make(label)
        let fresh = directory == nil
        server = try ProteusProcess(config: CH.config(directory: dir, options: options, extra: extraConfig), directory: dir)
        if fresh {
            let r = try PanelClient(port: server.port).call("POST", "/api/auth/install", json: ["username": .string(MCSM.adminName), "password": .string(MCSM.adminPassword)])
            guard r.status == 200 else { throw TestFailure("install failed: \(r.text)") }
        }
        panel = PanelClient(port: server.port)
        let login = try panel.login(MCSM.adminName, MCSM.adminPassword)
        guard login.status == 200 else { throw TestFailure("panel login failed: \(login.text)") }
        let key = try panel.call("PUT", "/api/auth/api", json: ["enable": true])
        guard key.status == 200, let k = key.json?["data"]?.stringValue, !k.isEmpty else { throw TestFailure("no API key: \(key.text)") }
        adminKey = k
        admin = HubClient(port: server.port)
        let r = try admin.login(MCSM.adminName, MCSM.adminPassword)
        guard r.status == 200 else { throw TestFailure("cortexhub admin login failed: \(r.text)") }
    }

    private func panelCall(_ method: String, _ json: JSONValue) throws -> APIResponse {
        try APIClient(port: port).request(method, "/api/auth", headers: [("X-Request-API-Key", adminKey)], json: json)
    }

    /// Creates a user through MCSManager; returns its id (32 hex).
    @discardableResult
    func createUser(_ name: String, password: String = "Passw0rdUser", permission: Int = 1) throws -> String {
        let r = try panelCall("POST", ["username": .string(name), "password": .string(password), "permission": .number(JSONNumber(permission))])
        guard r.status == 200, let uuid = r.json?["data"]?["uuid"]?.stringValue else { throw TestFailure("create \(name) failed: \(r.text)") }
        return uuid
    }

    /// Sets a user's MCSManager permission (10 admin, 1 user, -1 banned).
    func setPermission(_ uuid: String, _ permission: Int) throws {
        let r = try panelCall("PUT", ["uuid": .string(uuid), "config": ["permission": .number(JSONNumber(permission))]])
        guard r.status == 200 else { throw TestFailure("permission change failed: \(r.text)") }
    }

    func deleteUser(_ uuid: String) throws {
        let r = try panelCall("DELETE", [.string(uuid)])
        guard r.status == 200 else { throw TestFailure("delete failed: \(r.text)") }
    }

    /// A new client signed in here as `name`.
    func signedIn(_ name: String, _ password: String = "Passw0rdUser") throws -> HubClient {
        let c = HubClient(port: port)
        let r = try c.login(name, password)
        guard r.status == 200 else { throw TestFailure("login \(name) failed: \(r.text)") }
        return c
    }

    func stop() { server.stop() }
}

extension XCTestCase {
    /// {"detail": "<message>"} with this status.
    func assertDetail(_ r: APIResponse, _ status: Int, _ message: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, status, r.text, file: file, line: line)
        XCTAssertEqual(r.json?.objectValue?.keys, ["detail"], r.text, file: file, line: line)
        XCTAssertNotNil(r.json?["detail"]?.stringValue, r.text, file: file, line: line)
        if let message { XCTAssertEqual(r.json?["detail"]?.stringValue, message, file: file, line: line) }
        XCTAssertTrue(r.header("Content-Type")?.hasPrefix("application/json") ?? false, file: file, line: line)
    }

    /// 422 {"detail": [{"loc": [...], "msg": "...", "type": "..."}]} whose first item is at `loc`.
    func assertValidation(_ r: APIResponse, loc: [JSONValue], type: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 422, r.text, file: file, line: line)
        guard let items = r.json?["detail"]?.arrayValue, let first = items.first else {
            return XCTFail("not a validation error: \(r.text)", file: file, line: line)
        }
        for item in items {
            XCTAssertEqual(item.objectValue?.keys, ["loc", "msg", "type"], r.text, file: file, line: line)
            XCTAssertNotNil(item["msg"]?.stringValue, file: file, line: line)
        }
        XCTAssertEqual(first["loc"], .array(loc), r.text, file: file, line: line)
        if let type { XCTAssertEqual(first["type"]?.stringValue, type, r.text, file: file, line: line) }
    }
}
