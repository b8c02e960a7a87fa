// Helpers for the LISTEN.moe dialect tests: configs (listenmoe at /api, or at
// /lm beside MCSManager at /), a client that sends the v4 Accept header,
// envelope assertions, and tokens forged with the server's own key (read
// from data/secret.key, signed as host->mac does) for the forgery cases.
import Foundation
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest
@testable import Host

enum LM {
    /// The store section when not SQLite (see MCSM.storeOverride).
    nonisolated(unsafe) static var storeOverride: ((String) -> [String: Any])?

    static func usePostgres() {
        PostgresTestStore.prepare()
        storeOverride = { PostgresTestStore.config(directory: $0, prefix: "lm_") }
    }

    static func useSQLite() { storeOverride = nil }

    static var roles: [[String: Any]] { [
        ["id": 1, "name": "admin", "slug": "admin", "color": "#ff0000", "songRequests": 10],
        ["id": 5, "name": "user", "slug": "user", "color": NSNull(), "songRequests": 0],
    ] }

    static var options: [String: Any] { ["roles": roles, "defaultRole": "user"] }

    /// listenmoe at /api; with `panel`, MCSManager at / and listenmoe at /lm.
    /// `totp`: the totp plugin's options (skewSteps for the MFA tests).
    static func config(directory: String, options: [String: Any] = LM.options, panel: Bool = false,
                       totp: [String: Any] = [:]) -> [String: Any] {
        var c = ProteusProcess.defaultConfig(directory: directory)
        if let storeOverride { c["store"] = storeOverride(directory) }
        c["auth"] = [ProteusProcess.fastPassword, ["plugin": "totp", "options": totp]]
        var dialects: [[String: Any]] = [["plugin": "listenmoe", "mount": panel ? "/lm" : "/api", "options": options]]
        if panel { dialects.append(["plugin": "mcsmanager", "mount": "/", "options": ["loginRateLimit": false]]) }
        c["dialects"] = dialects
        return c
    }

    static let accept = ("Accept", "application/vnd.listen.v4+json")
    static func bearer(_ token: String) -> (String, String) { ("Authorization", "Bearer " + token) }

    /// The parts of a compact JWS: header and payload decoded.
    static func decode(_ token: String) -> (header: JSONValue, payload: JSONObject)? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let h = Base64.decode(parts[0], urlSafe: true), let p = Base64.decode(parts[1], urlSafe: true),
              let header = try? JSONParser.parse(h), let payload = (try? JSONParser.parse(p))?.objectValue else { return nil }
        return (header, payload)
    }

    static func b64(_ bytes: [UInt8]) -> String { Base64.encode(bytes, urlSafe: true, padding: false) }
    static func b64(_ json: JSONValue) -> String { b64(Array(json.serialized().utf8)) }

    /// A token signed the way the dialect signs (host->mac, plugin
    /// "listenmoe", purpose "listenmoe.jwt") with `key`.
    static func sign(header: JSONValue = ["alg": "HS256", "typ": "JWT"], payload: JSONObject, key: [UInt8]) -> String {
        let input = b64(header) + "." + b64(.object(payload))
        let mac = Array(input.utf8).withUnsafeBytes { message in
            Array("listenmoe.jwt".utf8).withUnsafeBytes { purpose in
                KeyedMAC(serverKey: key).mac(plugin: "listenmoe", purpose: purpose, message: message)!
            }
        }
        return input + "." + b64(mac)
    }

    /// The running server's secret key.
    static func serverKey(_ server: ProteusProcess) throws -> [UInt8] {
        try SecretKeyFile.loadOrCreate(dataDirectory: server.directory + "/data")
    }
}

/// A running server with listenmoe mounted, and a client for it.
final class LMServer {
    private(set) var server: ProteusProcess
    let directory: String
    let config: [String: Any]
    let mount: String
    private(set) var http: APIClient

    init(label: String = "lm", options: [String: Any] = LM.options, panel: Bool = false, totp: [String: Any] = [:]) throws {
        directory = TemporaryDirectory.make(label)
        config = LM.config(directory: directory, options: options, panel: panel, totp: totp)
        mount = panel ? "/lm" : "/api"
        server = try ProteusProcess(config: config, directory: directory)
        http = APIClient(port: server.port)
    }

    /// A client of a server already running with `config`, whose dialects
    /// mount listenmoe at `mount` (among others).
    init(server: ProteusProcess, config: [String: Any], mount: String) {
        self.server = server
        directory = server.directory
        self.config = config
        self.mount = mount
        http = APIClient(port: server.port)
    }

    var port: UInt16 { server.port }

    /// Stops the server and starts it again on the same data.
    func restart() throws {
        server.stop()
        server = try ProteusProcess(config: config, directory: directory)
        http = APIClient(port: server.port)
    }

    func stop() { server.stop() }

    /// A request under the mount with the v4 Accept header.
    func call(_ method: String, _ path: String, token: String? = nil, headers: [(String, String)] = [],
              json: JSONValue? = nil, body: [UInt8]? = nil) throws -> APIResponse {
        var all = [LM.accept] + headers
        if let token { all.append(LM.bearer(token)) }
        return try http.request(method, mount + path, headers: all, body: body, json: json)
    }

    @discardableResult
    func register(_ username: String, email: String? = nil, password: String = "hunter2hunter2") throws -> APIResponse {
        try call("POST", "/register", json: ["email": .string(email ?? "\(username)@example.com"), "username": .string(username), "password": .string(password)])
    }

    func login(_ username: String, _ password: String = "hunter2hunter2") throws -> APIResponse {
        try call("POST", "/login", json: ["username": .string(username), "password": .string(password)])
    }

    /// Registers and signs in; returns the token.
    func account(_ username: String, password: String = "hunter2hunter2") throws -> String {
        let r = try register(username, password: password)
        guard r.status == 200 else { throw TestFailure("register \(username): \(r.text)") }
        return try token(username, password)
    }

    func token(_ username: String, _ password: String = "hunter2hunter2") throws -> String {
        let r = try login(username, password)
        guard r.status == 200, let token = r.json?["token"]?.stringValue else { throw TestFailure("login \(username): \(r.text)") }
        return token
    }

    /// A store client on the server's database (for setting roles the API
    /// cannot set, and counting users).
    func store() throws -> (StoreClient, StoreBinding) { try MCSM.store(server) }
}

extension XCTestCase {
    /// The envelope: status, JSON content type, "message" first and one
    /// sentence ending with a period (and equal to `message` when given).
    func assertLM(_ r: APIResponse, _ status: Int, _ message: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, status, r.text, file: file, line: line)
        XCTAssertTrue(r.header("Content-Type")?.hasPrefix("application/json") ?? false, "content type of \(r.text)", file: file, line: line)
        guard let object = r.json?.objectValue else { return XCTFail("not a JSON object: \(r.text)", file: file, line: line) }
        XCTAssertEqual(object.keys.first, "message", r.text, file: file, line: line)
        let text = object["message"]?.stringValue ?? ""
        XCTAssertTrue(text.hasSuffix("."), "message ends with a period: \(text)", file: file, line: line)
        if let message { XCTAssertEqual(text, message, file: file, line: line) }
    }
}
