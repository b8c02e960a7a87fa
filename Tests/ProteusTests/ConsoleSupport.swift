// Helpers for the console dialect's tests: a server with the console at
// /console and MCSManager at / (whose installed "Admin" holds the admin
// role), and a console client that keeps the session cookie and CSRF token
// as the page does.
import Foundation
import ProteusJSON
import XCTest

enum ConsoleTest {
    static let mount = "/console"
    static let csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    /// The console at /console, MCSManager at / (no login limits: tests
    /// sign in often), password + totp, SQLite in `directory`; `workers`
    /// as the config's key (nil: the default, one per core); with
    /// `aiostreams`, AIOStreams at / too (its users have no username).
    static func config(directory: String, trustedProxies: [String]? = nil, options: [String: Any] = [:], workers: Int? = nil,
                       aiostreams: Bool = false) -> [String: Any] {
        var c = MCSM.config(directory: directory, aiostreams: false)
        c["dialects"] = [["plugin": "console", "mount": mount, "options": options.merging(["loginRateLimit": false]) { a, _ in a }],
                         ["plugin": "mcsmanager", "mount": "/", "options": ["loginRateLimit": false]]]
            + (aiostreams ? [["plugin": "aiostreams", "mount": "/", "options": ["rateLimit": false]]] : [])
        if let trustedProxies { c["trustedProxies"] = trustedProxies }
        if let workers { c["workers"] = workers }
        return c
    }

    /// Asserts the security headers every console answer carries.
    static func assertSecurityHeaders(_ r: APIResponse, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.header("Content-Security-Policy"), csp, "\(what): CSP", file: file, line: line)
        let policy = r.header("Content-Security-Policy") ?? ""
        XCTAssertFalse(policy.contains("unsafe-inline") || policy.contains("unsafe-eval") || policy.contains("*"), "\(what): \(policy)", file: file, line: line)
        XCTAssertEqual(r.header("X-Content-Type-Options"), "nosniff", what, file: file, line: line)
        XCTAssertEqual(r.header("Referrer-Policy"), "no-referrer", what, file: file, line: line)
        XCTAssertEqual(r.header("X-Frame-Options"), "DENY", what, file: file, line: line)
    }

    /// The error envelope: {"error": {"status", "code", "message"}}.
    static func assertError(_ r: APIResponse, _ status: Int, _ code: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, status, r.text, file: file, line: line)
        XCTAssertEqual(r.json?["error"]?["status"]?.intValue, status, r.text, file: file, line: line)
        XCTAssertEqual(r.json?["error"]?["code"]?.stringValue, code, r.text, file: file, line: line)
        XCTAssertFalse((r.json?["error"]?["message"]?.stringValue ?? "").isEmpty, r.text, file: file, line: line)
        XCTAssertTrue(r.header("Content-Type")?.hasPrefix("application/json") ?? false, file: file, line: line)
        assertSecurityHeaders(r, "error \(status)", file: file, line: line)
    }
}

/// A running server with the console and MCSManager's installed admin.
final class ConsoleServer {
    let panel: PanelServer
    var port: UInt16 { panel.port }
    var server: ProteusProcess { panel.server }

    init(label: String = "console", trustedProxies: [String]? = nil, options: [String: Any] = [:], workers: Int? = nil,
         aiostreams: Bool = false) throws {
        let dir = TemporaryDirectory.make(label)
        panel = try PanelServer(server: ProteusProcess(config: ConsoleTest.config(directory: dir, trustedProxies: trustedProxies, options: options,
                                                                                  workers: workers, aiostreams: aiostreams),
                                                       directory: dir))
    }

    /// A console client signed in as MCSManager's installed administrator.
    func admin() throws -> ConsoleClient {
        let c = ConsoleClient(port: port)
        let r = try c.signIn(MCSM.adminName, MCSM.adminPassword)
        guard r.status == 200, c.csrf != nil else { throw TestFailure("console sign-in failed: \(r.text)") }
        return c
    }

    /// `proteus user …` on the server's config (another process, as an operator would).
    @discardableResult
    func cli(_ arguments: [String], input: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try runToolSeparately(BuildProducts.proteus, ["user"] + arguments + ["--config", server.configPath], input: input)
    }

    func stop() { panel.stop() }
}

final class ConsoleClient {
    let http: APIClient
    var cookie: String?
    var csrf: String?
    private(set) var lastSetCookie: String?

    init(port: UInt16) { http = APIClient(port: port) }

    /// A request to the console; `path` is under /console (e.g. "/api/users").
    func call(_ method: String, _ path: String, json: JSONValue? = nil, body: [UInt8]? = nil, headers: [(String, String)] = [],
              sendCSRF: Bool = true) throws -> APIResponse {
        var all = headers
        if let cookie { all.append(("Cookie", cookie)) }
        if sendCSRF, let csrf, method != "GET", method != "HEAD" { all.append(("X-CSRF-Token", csrf)) }
        let r = try http.request(method, ConsoleTest.mount + path, headers: all, body: body, json: json)
        for (name, value) in r.headers where name.lowercased() == "set-cookie" {
            lastSetCookie = value
            let pair = String(value.split(separator: ";")[0])
            cookie = value.contains("Max-Age=0") ? nil : pair
        }
        return r
    }

    @discardableResult
    func signIn(_ username: String, _ password: String, code: String? = nil, headers: [(String, String)] = []) throws -> APIResponse {
        var fields: [(String, JSONValue)] = [("username", .string(username)), ("password", .string(password))]
        if let code { fields.append(("code", .string(code))) }
        let r = try call("POST", "/api/session", json: .object(JSONObject(fields)), headers: headers)
        if r.status == 200 { csrf = r.json?["csrfToken"]?.stringValue }
        return r
    }
}
