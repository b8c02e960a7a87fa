// Helpers for the MCSManager dialect tests: configs, a panel client that
// keeps the session cookie, form bodies, TOTP codes, direct store reads.
import COpenSSL
import Foundation
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest
@testable import Host

enum MCSM {
    /// The store section for a test directory when not SQLite there: a
    /// subclass running the suite on another store sets it in setUp (tests
    /// run one at a time) and clears it in tearDown.
    nonisolated(unsafe) static var storeOverride: ((String) -> [String: Any])?

    /// The suites' PostgreSQL variant: the test cluster, one schema per test directory.
    static func usePostgres() {
        PostgresTestStore.prepare()
        storeOverride = { PostgresTestStore.config(directory: $0, prefix: "mcsm_") }
    }

    static func useSQLite() { storeOverride = nil }

    /// SQLite in `directory` (or the override), fast password hashing and
    /// totp, MCSManager and AIOStreams both at "/".
    static func config(directory: String, options: [String: Any] = [:], aiostreams: Bool = true) -> [String: Any] {
        var c = ProteusProcess.defaultConfig(directory: directory)
        if let storeOverride { c["store"] = storeOverride(directory) }
        c["auth"] = [ProteusProcess.fastPassword, ["plugin": "totp"]]
        var dialects: [[String: Any]] = [["plugin": "mcsmanager", "mount": "/", "options": options]]
        if aiostreams { dialects.append(["plugin": "aiostreams", "mount": "/", "options": ["rateLimit": false]]) }
        c["dialects"] = dialects
        return c
    }

    static let adminName = "Admin"
    static let adminPassword = "Adm1nPassword"

    static func form(_ pairs: [(String, String)]) -> [UInt8] {
        Array(pairs.map { "\(q($0.0))=\(q($0.1))" }.joined(separator: "&").utf8)
    }

    static let formType = ("Content-Type", "application/x-www-form-urlencoded")
    static let ajax = ("X-Requested-With", "XMLHttpRequest")

    /// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of a base32 secret at `time`.
    static func totp(_ base32: String, at time: Date = Date()) -> String {
        let key = base32Decode(base32)
        var counter = UInt64(time.timeIntervalSince1970 / 30).bigEndian
        var mac = [UInt8](repeating: 0, count: 20)
        var length: UInt32 = 0
        _ = withUnsafeBytes(of: &counter) { c in
            key.withUnsafeBytes { k in
                HMAC(EVP_sha1(), k.baseAddress, Int32(k.count), c.baseAddress!.assumingMemoryBound(to: UInt8.self), c.count, &mac, &length)
            }
        }
        let offset = Int(mac[19] & 0x0F)
        let value = (UInt32(mac[offset] & 0x7F) << 24 | UInt32(mac[offset + 1]) << 16 | UInt32(mac[offset + 2]) << 8 | UInt32(mac[offset + 3])) % 1_000_000
        let text = String(value)
        return String(repeating: "0", count: 6 - text.count) + text
    }

    static func base32Decode(_ text: String) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits: UInt64 = 0, count = 0
        var out: [UInt8] = []
        for c in text.uppercased() where c != "=" {
            guard let v = alphabet.firstIndex(of: c) else { continue }
            bits = bits << 5 | UInt64(v)
            count += 5
            if count >= 8 { count -= 8; out.append(UInt8(truncatingIfNeeded: bits >> UInt64(count))) }
        }
        return out
    }

    static func md5Hex(_ text: String) -> String {
        var digest = [UInt8](repeating: 0, count: 16)
        var length: UInt32 = 0
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBufferPointer { EVP_Digest($0.baseAddress, $0.count, &digest, &length, EVP_md5(), nil) }
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    /// A store binding on the same database as a running server (SQLite
    /// supports a second process; here it is a second connection).
    static func store(_ server: ProteusProcess) throws -> (StoreClient, StoreBinding) {
        let configuration = try ConfigurationLoader.load(path: server.configPath)
        let binding = try HostAssembly.storeOnly(configuration)
        return (StoreClient(binding, host: UnsafePointer(binding.instance.hostTable)), binding)
    }

    static func id(_ compactHex: String) -> [UInt8] { proteus_id(compactHex: compactHex)!.byteArray }
    static func dashed(_ compactHex: String) -> String { proteus_id(compactHex: compactHex)!.dashedUUID }
}

/// A client of the panel API that keeps its session cookie and token, the
/// way a browser (or Python's requests.Session) does.
final class PanelClient: @unchecked Sendable {
    let http: APIClient
    var cookie: String?
    var token: String?
    var apiKey: String?

    init(port: UInt16) { http = APIClient(port: port) }

    /// A request with whatever this client holds: ?token=, the cookie, the
    /// Ajax header; or ?apikey= when it holds a key.
    func call(_ method: String, _ path: String, query: [(String, String)] = [], json: JSONValue? = nil, form: [(String, String)]? = nil,
              body: [UInt8]? = nil, headers: [(String, String)] = [], ajax: Bool = true, sendToken: Bool = true,
              sendCookie: Bool = true) throws -> APIResponse {
        var items = query
        if let apiKey { items.append(("apikey", apiKey)) }
        if sendToken, let token { items.append(("token", token)) }
        var target = path
        if !items.isEmpty { target += "?" + items.map { "\(q($0.0))=\(q($0.1))" }.joined(separator: "&") }
        var all = headers
        if ajax { all.append(MCSM.ajax) }
        if sendCookie, let cookie { all.append(("Cookie", cookie)) }
        var payload = body
        if let form { payload = MCSM.form(form); all.append(MCSM.formType) }
        let r = try http.request(method, target, headers: all, body: payload, json: json)
        absorbCookie(r)
        return r
    }

    func absorbCookie(_ r: APIResponse) {
        for (name, value) in r.headers where name.lowercased() == "set-cookie" {
            let pair = value.split(separator: ";")[0]
            if value.contains("Max-Age=0") { cookie = nil } else { cookie = String(pair) }
        }
    }

    /// POST /api/auth/login; keeps the token.
    @discardableResult
    func login(_ username: String, _ password: String, code: String? = nil, useForm: Bool = false) throws -> APIResponse {
        var fields = [("username", username), ("password", password)]
        if let code { fields.append(("code", code)) }
        let r = useForm ? try call("POST", "/api/auth/login", form: fields, sendToken: false)
                        : try call("POST", "/api/auth/login", json: .object(JSONObject(fields.map { ($0.0, JSONValue.string($0.1)) })), sendToken: false)
        if r.status == 200, let t = r.json?["data"]?.stringValue, t != "NEED_2FA", t != "Logined" { token = t }
        return r
    }
}

extension XCTestCase {
    /// Asserts the panel envelope: HTTP status = status, the message in data, time ≈ now.
    func assertEnvelope(_ r: APIResponse, _ status: Int, _ data: JSONValue? = nil, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, status, r.text, file: file, line: line)
        guard let json = r.json else { return XCTFail("not JSON: \(r.text)", file: file, line: line) }
        XCTAssertEqual(json.objectValue?.keys, ["status", "data", "time"], r.text, file: file, line: line)
        XCTAssertEqual(json["status"]?.intValue, status, file: file, line: line)
        if let data { XCTAssertEqual(json["data"], data, r.text, file: file, line: line) }
        let time = Double(json["time"]?.numberValue?.text ?? "0") ?? 0
        XCTAssertLessThan(abs(time - Date().timeIntervalSince1970 * 1000), 60_000, "time is epoch ms", file: file, line: line)
        XCTAssertTrue(r.header("Content-Type")?.hasPrefix("application/json") ?? false, file: file, line: line)
    }
}

/// A running server with an installed administrator and the admin's API key.
final class PanelServer {
    let server: ProteusProcess
    let admin: PanelClient
    let adminKey: String
    var port: UInt16 { server.port }

    convenience init(options: [String: Any] = [:], label: String = "mcsm", aiostreams: Bool = true) throws {
        let dir = TemporaryDirectory.make(label)
        try self.init(server: ProteusProcess(config: MCSM.config(directory: dir, options: options, aiostreams: aiostreams), directory: dir))
    }

    /// Installs the administrator on a running server whose config mounts
    /// MCSManager at "/" (among other dialects) and keeps its API key.
    init(server: ProteusProcess) throws {
        self.server = server
        let installer = PanelClient(port: server.port)
        let r = try installer.call("POST", "/api/auth/install", json: ["username": .string(MCSM.adminName), "password": .string(MCSM.adminPassword)])
        guard r.status == 200 else { throw TestFailure("install failed: \(r.text)") }
        admin = PanelClient(port: server.port)
        let login = try admin.login(MCSM.adminName, MCSM.adminPassword)
        guard login.status == 200, admin.token != nil else { throw TestFailure("login failed: \(login.text)") }
        let key = try admin.call("PUT", "/api/auth/api", json: ["enable": true])
        guard let k = key.json?["data"]?.stringValue, !k.isEmpty else { throw TestFailure("no API key: \(key.text)") }
        adminKey = k
    }

    /// A client that authenticates with the admin's API key.
    func keyClient() -> PanelClient {
        let c = PanelClient(port: port)
        c.apiKey = adminKey
        return c
    }

    /// Creates a user through the API; returns its uuid.
    @discardableResult
    func createUser(_ name: String, password: String = "Passw0rdUser", permission: Int = 1) throws -> String {
        let r = try keyClient().call("POST", "/api/auth", json: ["username": .string(name), "password": .string(password), "permission": .number(JSONNumber(permission))], ajax: false)
        guard r.status == 200, let uuid = r.json?["data"]?["uuid"]?.stringValue else { throw TestFailure("create \(name) failed: \(r.text)") }
        return uuid
    }

    /// A signed-in client of `name`.
    func signedIn(_ name: String, _ password: String = "Passw0rdUser") throws -> PanelClient {
        let c = PanelClient(port: port)
        let r = try c.login(name, password)
        guard r.status == 200, c.token != nil else { throw TestFailure("login \(name) failed: \(r.text)") }
        return c
    }

    func search(_ query: String) throws -> APIResponse {
        try APIClient(port: port).request("GET", "/api/auth/search?" + query, headers: [("X-Request-API-Key", adminKey)])
    }

    func stop() { server.stop() }
}
