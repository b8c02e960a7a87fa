// Helpers for the Erizos dialect tests: a server with Erizos, MCSManager
// (whose /api/auth/install makes the first administrator: Erizos has no
// default account) and AIOStreams all at "/", and a client that signs in
// through /api/login and sends the session as a Bearer token.
import Foundation
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest
@testable import Host

enum Erizos {
    /// The store section when not SQLite: set by the PostgreSQL subclasses.
    nonisolated(unsafe) static var storeOverride: ((String) -> [String: Any])?

    static func usePostgres() {
        PostgresTestStore.prepare()
        storeOverride = { PostgresTestStore.config(directory: $0, prefix: "erz_") }
    }

    static func useSQLite() { storeOverride = nil }

    /// Erizos first (its envelope answers paths nobody serves), then
    /// MCSManager and AIOStreams, all at "/".
    static func config(directory: String, options: [String: Any] = [:]) -> [String: Any] {
        var c = ProteusProcess.defaultConfig(directory: directory)
        if let storeOverride { c["store"] = storeOverride(directory) }
        c["auth"] = [ProteusProcess.fastPassword, ["plugin": "totp"]]
        c["dialects"] = [
            ["plugin": "erizos", "mount": "/", "options": options],
            ["plugin": "mcsmanager", "mount": "/", "options": ["loginRateLimit": false]],
            ["plugin": "aiostreams", "mount": "/", "options": ["rateLimit": false]],
        ]
        return c
    }

    static let adminName = MCSM.adminName
    static let adminPassword = MCSM.adminPassword
    static let userKeys = ["_id", "username", "name", "type", "roles", "settings", "createdAt", "updatedAt"]
    static let defaultSettings: JSONValue = ["studio": [:], "browse": [:]]

    static func isObjectID(_ v: JSONValue?) -> Bool {
        guard let s = v?.stringValue else { return false }
        return s.count == 24 && s.allSatisfy { "0123456789abcdef".contains($0) }
    }

    static func isTimestamp(_ v: JSONValue?) -> Bool {
        guard let s = v?.stringValue else { return false }
        return s.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"#, options: .regularExpression) != nil
    }
}

/// A running server with an installed administrator signed in to Erizos.
final class ErizosServer {
    private(set) var server: ProteusProcess
    let directory: String
    let admin: ErizosClient
    var port: UInt16 { server.port }

    private let options: [String: Any]

    init(label: String = "erizos", options: [String: Any] = [:]) throws {
        directory = TemporaryDirectory.make(label)
        self.options = options
        server = try ProteusProcess(config: Erizos.config(directory: directory, options: options), directory: directory)
        let install = try APIClient(port: server.port).request("POST", "/api/auth/install",
                                                              json: ["username": .string(Erizos.adminName), "password": .string(Erizos.adminPassword)])
        guard install.status == 200 else { throw TestFailure("install failed: \(install.text)") }
        admin = ErizosClient(port: server.port)
        try admin.login(Erizos.adminName, Erizos.adminPassword)
    }

    /// Stops and starts the server on the same directory and store.
    func restart() throws {
        server.stop()
        server = try ProteusProcess(config: Erizos.config(directory: directory, options: options), directory: directory)
        admin.http = APIClient(port: server.port)
    }

    /// Creates a user as the administrator; returns the user object.
    @discardableResult
    func createUser(_ username: String, password: String = "secret pw", name: String = "", roles: [String] = []) throws -> JSONValue {
        let r = try admin.call("POST", "/api/users", json: ["username": .string(username), "password": .string(password),
                                                           "name": .string(name), "roles": .array(roles.map { .string($0) })])
        guard r.status == 200, let user = r.json else { throw TestFailure("create \(username) failed: \(r.text)") }
        return user
    }

    /// A client signed in as `username`.
    func signedIn(_ username: String, _ password: String = "secret pw") throws -> ErizosClient {
        let c = ErizosClient(port: port)
        try c.login(username, password)
        return c
    }

    /// A second connection to the server's store.
    func store() throws -> (StoreClient, StoreBinding) { try MCSM.store(server) }

    func stop() { server.stop() }
}

/// A client holding an Erizos session, sent as `Authorization: Bearer`.
final class ErizosClient: @unchecked Sendable {
    var http: APIClient
    var session: String?

    init(port: UInt16) { http = APIClient(port: port) }

    @discardableResult
    func login(_ username: String, _ password: String) throws -> APIResponse {
        let r = try http.request("POST", "/api/login", json: ["username": .string(username), "password": .string(password)])
        guard r.status == 200, let s = r.json?["session"]?.stringValue else { throw TestFailure("login \(username) failed: \(r.text)") }
        session = s
        return r
    }

    func call(_ method: String, _ path: String, json: JSONValue? = nil, body: [UInt8]? = nil, headers: [(String, String)] = []) throws -> APIResponse {
        var all = headers
        if let session { all.append(("Authorization", "Bearer \(session)")) }
        if let body { all.append(("Content-Type", "application/json")) }
        return try http.request(method, path, headers: all, body: body, json: json)
    }
}

extension XCTestCase {
    /// Asserts {"error": message} (any message when nil) with `status`.
    func assertErizosError(_ r: APIResponse, _ status: Int, _ message: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, status, r.text, file: file, line: line)
        XCTAssertEqual(r.json?.objectValue?.keys, ["error"], r.text, file: file, line: line)
        if let message { XCTAssertEqual(r.json?["error"]?.stringValue, message, file: file, line: line) }
        XCTAssertTrue(r.header("Content-Type")?.hasPrefix("application/json") ?? false, file: file, line: line)
    }

    /// Asserts the Erizos user object: exactly the seed's keys, well-formed.
    func assertUserObject(_ v: JSONValue?, username: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        guard let o = v?.objectValue else { return XCTFail("not an object: \(String(describing: v))", file: file, line: line) }
        XCTAssertEqual(o.keys, Erizos.userKeys, file: file, line: line)
        XCTAssertTrue(Erizos.isObjectID(o["_id"]), "\(String(describing: o["_id"]))", file: file, line: line)
        XCTAssertTrue(Erizos.isTimestamp(o["createdAt"]), file: file, line: line)
        XCTAssertTrue(Erizos.isTimestamp(o["updatedAt"]), file: file, line: line)
        XCTAssertNotNil(o["roles"]?.arrayValue, file: file, line: line)
        XCTAssertNotNil(o["settings"]?.objectValue, file: file, line: line)
        if let username { XCTAssertEqual(o["username"]?.stringValue, username, file: file, line: line) }
    }
}
