// The AIOStreams dialect against the real binary over real HTTP: every
// method and error case of seed 000, Basic auth, aliases, rate limiting,
// encryptedPassword, bad input, concurrency and durability.
import Foundation
import ProteusJSON
import XCTest

class AIOStreamsTests: XCTestCase {
    private var server: ProteusProcess!
    private var client: APIClient!

    /// The store section of the config (SQLite in the test's directory);
    /// AIOStreamsPostgresTests runs every test here on PostgreSQL instead.
    class func storeConfig(directory: String) -> [String: Any] {
        ["plugin": "sqlite", "options": ["path": directory + "/data/proteus.sqlite"]]
    }

    static func config(directory: String, aiostreamsOptions: [String: Any] = ["rateLimit": false]) -> [String: Any] {
        var c = ProteusProcess.defaultConfig(directory: directory, store: storeConfig(directory: directory))
        c["dialects"] = [["plugin": "aiostreams", "mount": "/", "options": aiostreamsOptions]]
        return c
    }

    override func setUpWithError() throws {
        let dir = TemporaryDirectory.make("aio")
        server = try ProteusProcess(config: Self.config(directory: dir), directory: dir)
        client = APIClient(port: server.port)
    }

    override func tearDown() {
        server?.stop()
    }

    // MARK: helpers

    private func create(config: JSONValue = ["theme": "dark", "addons": [1, 2, 3]], password: String = "hunter22") throws -> (uuid: String, token: String) {
        let r = try client.request("POST", "/api/v1/user", json: ["config": config, "password": .string(password)])
        XCTAssertEqual(r.status, 201, r.text)
        let data = try XCTUnwrap(r.json?["data"])
        return (try XCTUnwrap(data["uuid"]?.stringValue), try XCTUnwrap(data["encryptedPassword"]?.stringValue))
    }

    private func assertError(_ r: APIResponse, _ status: Int, _ code: String, message: String? = nil,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, status, r.text, file: file, line: line)
        XCTAssertEqual(r.json?["success"], false, file: file, line: line)
        XCTAssertEqual(r.json?["error"]?["code"]?.stringValue, code, r.text, file: file, line: line)
        XCTAssertEqual(r.json?["data"], .null, file: file, line: line)
        XCTAssertEqual(r.json?["detail"], .null, file: file, line: line)
        if let message { XCTAssertEqual(r.json?["error"]?["message"]?.stringValue, message, file: file, line: line) }
        XCTAssertTrue(r.header("Content-Type")?.hasPrefix("application/json") ?? false, file: file, line: line)
    }

    // MARK: create

    func testCreateReturns201WithUUIDAndToken() throws {
        let r = try client.request("POST", "/api/v1/user", json: ["config": ["a": 1], "password": "secret1"])
        XCTAssertEqual(r.status, 201)
        let json = try XCTUnwrap(r.json)
        XCTAssertEqual(json["success"], true)
        XCTAssertEqual(json["detail"], "User was successfully created")
        XCTAssertEqual(json["error"], .null)
        XCTAssertEqual(json.objectValue?.keys, ["success", "detail", "error", "data"])
        let uuid = try XCTUnwrap(json["data"]?["uuid"]?.stringValue)
        XCTAssertNotNil(UUID(uuidString: uuid))
        XCTAssertEqual(uuid, uuid.lowercased())
        XCTAssertEqual(Array(uuid)[14], "4", "a version-4 UUID")
        let token = try XCTUnwrap(json["data"]?["encryptedPassword"]?.stringValue)
        XCTAssertTrue(token.hasPrefix("eyJpIjoi"), token)
    }

    func testCreateMissingFields() throws {
        assertError(try client.request("POST", "/api/v1/user", json: ["password": "secret1"]), 400, "MISSING_REQUIRED_FIELDS", message: "config and password are required")
        assertError(try client.request("POST", "/api/v1/user", json: ["config": [:]]), 400, "MISSING_REQUIRED_FIELDS")
        assertError(try client.request("POST", "/api/v1/user", json: ["config": [:], "password": ""]), 400, "MISSING_REQUIRED_FIELDS")
        assertError(try client.request("POST", "/api/v1/user", json: ["config": .null, "password": "secret1"]), 400, "MISSING_REQUIRED_FIELDS")
        assertError(try client.request("POST", "/api/v1/user"), 400, "MISSING_REQUIRED_FIELDS")
    }

    func testCreateShortPassword() throws {
        assertError(try client.request("POST", "/api/v1/user", json: ["config": [:], "password": "12345"]), 400, "USER_NEW_PASSWORD_TOO_SHORT", message: "New password is too short")
        // Lengths as JavaScript counts them (UTF-16 code units): three
        // emoji are six, as are three "e" + combining accents; "ab😀c" is five.
        XCTAssertEqual(try client.request("POST", "/api/v1/user", json: ["config": [:], "password": "\u{1F600}\u{1F600}\u{1F600}"]).status, 201)
        XCTAssertEqual(try client.request("POST", "/api/v1/user", json: ["config": [:], "password": "e\u{301}e\u{301}e\u{301}"]).status, 201)
        assertError(try client.request("POST", "/api/v1/user", json: ["config": [:], "password": "ab\u{1F600}c"]), 400, "USER_NEW_PASSWORD_TOO_SHORT")
    }

    func testCreateInvalidConfig() throws {
        for bad: JSONValue in ["a string", 42, true, [1, 2]] {
            assertError(try client.request("POST", "/api/v1/user", json: ["config": bad, "password": "secret1"]), 400, "USER_INVALID_CONFIG", message: "The config for this user is invalid")
        }
    }

    func testWrongTypes() throws {
        assertError(try client.request("POST", "/api/v1/user", json: ["config": [:], "password": 1234567]), 400, "MISSING_REQUIRED_FIELDS")
        let (uuid, _) = try create()
        assertError(try client.request("PUT", "/api/v1/user", json: ["uuid": .string(uuid), "password": 123456, "config": [:]]), 400, "MISSING_REQUIRED_FIELDS")
        assertError(try client.request("DELETE", "/api/v1/user", json: ["uuid": ["x"], "password": "hunter22"]), 400, "MISSING_REQUIRED_FIELDS")
        // Nothing changed.
        XCTAssertEqual(try client.request("GET", "/api/v1/user?uuid=\(uuid)&password=hunter22").status, 200)
    }

    func testMalformedJSONIsA400AndChangesNothing() throws {
        let before = try server.userCount()
        for body in ["{", "{\"config\": {}, \"password\": \"abcdef\",}", "[1,2", "nul", "\"just a string\"", "{\"a\":\"\u{1}\"}"] {
            let r = try client.request("POST", "/api/v1/user", headers: [("Content-Type", "application/json")], body: Array(body.utf8))
            assertError(r, 400, "BAD_REQUEST")
        }
        XCTAssertEqual(try server.userCount(), before)
    }

    func testOversizedBodyIs413InEnvelope() throws {
        let big = String(repeating: "x", count: 1_100_000)
        let r = try client.request("POST", "/api/v1/user", json: ["config": ["blob": .string(big)], "password": "secret1"])
        XCTAssertEqual(r.status, 413)
        XCTAssertEqual(r.json?["success"], false)
        XCTAssertNotNil(r.json?["error"]?["code"]?.stringValue)
        XCTAssertEqual(try APIClient(port: server.port).request("GET", "/api/v1/user?uuid=x&password=y").status, 400, "server still serving")
    }

    func testLargeConfigJustUnderTheLimitRoundTrips() throws {
        let big = String(repeating: "y", count: 900_000)
        let (uuid, _) = try create(config: ["blob": .string(big)])
        let r = try client.request("GET", "/api/v1/user?uuid=\(uuid)&password=hunter22")
        XCTAssertEqual(r.json?["data"]?["userData"]?["blob"]?.stringValue?.count, 900_000)
    }

    // MARK: HEAD

    func testHeadExistingUser() throws {
        let (uuid, _) = try create()
        let r = try client.request("HEAD", "/api/v1/user?uuid=\(uuid)")
        XCTAssertEqual(r.status, 200)
        XCTAssertTrue(r.body.isEmpty)
        XCTAssertGreaterThan(Int(r.header("Content-Length") ?? "0") ?? 0, 0)
        // The same resource with GET semantics (body) through the HEAD handler is {uuid}.
    }

    func testHeadUnknownUserAndMissingUUID() throws {
        XCTAssertEqual(try client.request("HEAD", "/api/v1/user?uuid=\(UUID().uuidString.lowercased())").status, 400)
        XCTAssertEqual(try client.request("HEAD", "/api/v1/user?uuid=not-a-uuid").status, 400)
        XCTAssertEqual(try client.request("HEAD", "/api/v1/user").status, 400)
    }

    // MARK: GET

    func testGetReturnsConfigWithUUIDAndFreshToken() throws {
        let (uuid, token) = try create(config: ["theme": "dark", "n": .number(JSONNumber("1.50")!)])
        let r = try client.request("GET", "/api/v1/user?uuid=\(uuid)&password=hunter22")
        XCTAssertEqual(r.status, 200)
        let json = try XCTUnwrap(r.json)
        XCTAssertEqual(json["success"], true)
        XCTAssertEqual(json["detail"], "User details retrieved successfully")
        XCTAssertEqual(json["data"]?["userData"]?["theme"], "dark")
        XCTAssertEqual(json["data"]?["userData"]?["uuid"]?.stringValue, uuid)
        XCTAssertTrue(r.text.contains("\"n\":1.50"), "numbers are kept verbatim: \(r.text)")
        let fresh = try XCTUnwrap(json["data"]?["encryptedPassword"]?.stringValue)
        XCTAssertNotEqual(fresh, token, "random nonce per call")
    }

    func testGetErrors() throws {
        let (uuid, _) = try create()
        assertError(try client.request("GET", "/api/v1/user?uuid=\(uuid)&password=wrong-password"), 400, "USER_INVALID_DETAILS", message: "Invalid UUID or password")
        assertError(try client.request("GET", "/api/v1/user?uuid=\(UUID().uuidString.lowercased())&password=hunter22"), 400, "USER_INVALID_DETAILS", message: "Invalid UUID or password")
        assertError(try client.request("GET", "/api/v1/user?uuid=\(uuid)"), 400, "MISSING_REQUIRED_FIELDS")
        assertError(try client.request("GET", "/api/v1/user?password=hunter22"), 400, "MISSING_REQUIRED_FIELDS")
        assertError(try client.request("GET", "/api/v1/user?uuid=garbage&password=hunter22"), 400, "USER_INVALID_DETAILS")
    }

    func testEncryptedPasswordWorksWhereThePasswordDoes() throws {
        let (uuid, token) = try create()
        XCTAssertEqual(try client.request("GET", "/api/v1/user?uuid=\(uuid)&password=\(q(token))").status, 200)
        XCTAssertEqual(try client.request("GET", "/api/v1/user", headers: [APIClient.basic(uuid, token)]).status, 200)
        XCTAssertEqual(try client.request("PUT", "/api/v1/user", json: ["uuid": .string(uuid), "password": .string(token), "config": ["v": 2]]).status, 200)
        // A token is bound to its user: another user's token is refused like a wrong password.
        let (other, _) = try create()
        assertError(try client.request("GET", "/api/v1/user?uuid=\(other)&password=\(q(token))"), 400, "USER_INVALID_DETAILS")
        // A tampered token gets the same uniform answer.
        var bytes = Array(token)
        bytes[bytes.count - 3] = bytes[bytes.count - 3] == "A" ? "B" : "A"
        assertError(try client.request("GET", "/api/v1/user?uuid=\(uuid)&password=\(q(String(bytes)))"), 400, "USER_INVALID_DETAILS")
        XCTAssertEqual(try client.request("DELETE", "/api/v1/user", json: ["uuid": .string(uuid), "password": .string(token)]).status, 200)
    }

    func testEncryptedPasswordSurvivesRestart() throws {
        let (uuid, token) = try create()
        server.stop()
        server = try ProteusProcess(config: Self.config(directory: server.directory), directory: server.directory)
        client = APIClient(port: server.port)
        let r = try client.request("GET", "/api/v1/user?uuid=\(uuid)&password=\(q(token))")
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r.json?["data"]?["userData"]?["theme"], "dark")
    }

    // MARK: PUT

    func testPutReplacesWholeConfig() throws {
        let (uuid, _) = try create(config: ["keep": false, "old": 1])
        let r = try client.request("PUT", "/api/v1/user", json: ["uuid": .string(uuid), "password": "hunter22", "config": ["new": "yes"]])
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r.json?["detail"], "User updated successfully")
        XCTAssertEqual(r.json?["data"]?["uuid"]?.stringValue, uuid)
        XCTAssertEqual(r.json?["data"]?["userData"]?["new"], "yes")
        let g = try client.request("GET", "/api/v1/user?uuid=\(uuid)&password=hunter22")
        XCTAssertNil(g.json?["data"]?["userData"]?["old"], "partial updates are not merged")
        XCTAssertEqual(g.json?["data"]?["userData"]?["new"], "yes")
    }

    func testPutErrors() throws {
        let (uuid, _) = try create()
        assertError(try client.request("PUT", "/api/v1/user", json: ["uuid": .string(uuid), "password": "hunter22"]), 400, "MISSING_REQUIRED_FIELDS", message: "uuid, password and config are required")
        assertError(try client.request("PUT", "/api/v1/user", json: ["uuid": .string(uuid), "password": "nope-nope", "config": [:]]), 400, "USER_INVALID_DETAILS")
        assertError(try client.request("PUT", "/api/v1/user", json: ["uuid": .string(uuid), "password": "hunter22", "config": "text"]), 400, "USER_INVALID_CONFIG")
        assertError(try client.request("PUT", "/api/v1/user", json: ["uuid": "00000000-0000-4000-8000-000000000000", "password": "hunter22", "config": [:]]), 400, "USER_INVALID_DETAILS")
    }

    // MARK: DELETE

    func testDelete() throws {
        let (uuid, _) = try create()
        assertError(try client.request("DELETE", "/api/v1/user", json: ["uuid": .string(uuid), "password": "wrong-one"]), 400, "USER_INVALID_DETAILS")
        assertError(try client.request("DELETE", "/api/v1/user", json: ["uuid": .string(uuid)]), 400, "MISSING_REQUIRED_FIELDS", message: "Required fields are missing")
        let r = try client.request("DELETE", "/api/v1/user", json: ["uuid": .string(uuid), "password": "hunter22"])
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.json, ["success": true, "detail": "User deleted successfully", "error": .null, "data": .null])
        XCTAssertEqual(try client.request("HEAD", "/api/v1/user?uuid=\(uuid)").status, 400)
        assertError(try client.request("DELETE", "/api/v1/user", json: ["uuid": .string(uuid), "password": "hunter22"]), 400, "USER_INVALID_DETAILS")
    }

    // MARK: Basic auth and password change

    func testBasicAuth() throws {
        let (uuid, _) = try create()
        XCTAssertEqual(try client.request("GET", "/api/v1/user", headers: [APIClient.basic(uuid, "hunter22")]).status, 200)
        assertError(try client.request("GET", "/api/v1/user", headers: [APIClient.basic(uuid, "wrong-pw")]), 400, "USER_INVALID_DETAILS")
        assertError(try client.request("GET", "/api/v1/user", headers: [("Authorization", "Bearer abc")]), 400, "BAD_REQUEST")
        assertError(try client.request("GET", "/api/v1/user", headers: [("Authorization", "Basic %%%")]), 400, "BAD_REQUEST")
        assertError(try client.request("GET", "/api/v1/user", headers: [("Authorization", "Basic " + Data("nocolon".utf8).base64EncodedString())]), 400, "BAD_REQUEST")
        let put = try client.request("PUT", "/api/v1/user", headers: [APIClient.basic(uuid, "hunter22")], json: ["config": ["b": true]])
        XCTAssertEqual(put.status, 200, put.text)
        assertError(try client.request("PUT", "/api/v1/user", headers: [APIClient.basic(uuid, "hunter22")], json: [:]), 400, "MISSING_REQUIRED_FIELDS", message: "config is required")
        XCTAssertEqual(try client.request("HEAD", "/api/v1/user", headers: [APIClient.basic(uuid, "x")]).status, 200)
        XCTAssertEqual(try client.request("DELETE", "/api/v1/user", headers: [APIClient.basic(uuid, "hunter22")]).status, 200)
    }

    func testChangePassword() throws {
        let (uuid, _) = try create()
        assertError(try client.request("POST", "/api/v1/user/password", json: ["newPassword": "another1"]), 400, "MISSING_REQUIRED_FIELDS")
        assertError(try client.request("POST", "/api/v1/user/password", headers: [APIClient.basic(uuid, "hunter22")], json: [:]), 400, "MISSING_REQUIRED_FIELDS", message: "newPassword is required")
        assertError(try client.request("POST", "/api/v1/user/password", headers: [APIClient.basic(uuid, "hunter22")], json: ["newPassword": "abc"]), 400, "USER_NEW_PASSWORD_TOO_SHORT")
        assertError(try client.request("POST", "/api/v1/user/password", headers: [APIClient.basic(uuid, "hunter22")], json: ["newPassword": "hunter22"]), 400, "USER_NEW_PASSWORD_TOO_SIMPLE")
        assertError(try client.request("POST", "/api/v1/user/password", headers: [APIClient.basic(uuid, "bad-pass")], json: ["newPassword": "another1"]), 400, "USER_INVALID_DETAILS")
        let r = try client.request("POST", "/api/v1/user/password", headers: [APIClient.basic(uuid, "hunter22")], json: ["newPassword": "another1"])
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r.json?["detail"], "Password changed successfully")
        let token = try XCTUnwrap(r.json?["data"]?["encryptedPassword"]?.stringValue)
        XCTAssertEqual(try client.request("GET", "/api/v1/user?uuid=\(uuid)&password=another1").status, 200)
        XCTAssertEqual(try client.request("GET", "/api/v1/user?uuid=\(uuid)&password=\(q(token))").status, 200)
        XCTAssertEqual(try client.request("GET", "/api/v1/user?uuid=\(uuid)&password=hunter22").status, 400)
    }

    // MARK: routing

    func testUnknownRoutesAndMethodsAre404Envelopes() throws {
        for (method, path) in [("GET", "/api/v1/nothing"), ("PATCH", "/api/v1/user"), ("GET", "/"), ("GET", "/api/v1/user/password")] {
            let r = try client.request(method, path)
            XCTAssertEqual(r.status, 404, "\(method) \(path)")
            XCTAssertEqual(r.json, ["success": false, "detail": "Not Found", "error": .null, "data": .null], "\(method) \(path)")
        }
    }

    // MARK: concurrency and durability

    func testFiftyConcurrentCreates() throws {
        let port = server.port
        let results = ConcurrentResults()
        DispatchQueue.concurrentPerform(iterations: 50) { i in
            do {
                let r = try APIClient(port: port).request("POST", "/api/v1/user", json: ["config": ["i": .number(JSONNumber(i))], "password": .string("parallel\(i)")])
                results.add(r.status, r.json?["data"]?["uuid"]?.stringValue)
            } catch {
                results.add(-1, "\(error)")
            }
        }
        XCTAssertEqual(results.statuses, Array(repeating: 201, count: 50))
        XCTAssertEqual(Set(results.values).count, 50)
        XCTAssertEqual(try server.userCount(), 50)
    }

    func testUserSurvivesKill9RightAfter201() throws {
        let (uuid, _) = try create(config: ["durable": true])
        server.kill9()
        server = try ProteusProcess(config: Self.config(directory: server.directory), directory: server.directory)
        client = APIClient(port: server.port)
        let r = try client.request("GET", "/api/v1/user?uuid=\(uuid)&password=hunter22")
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r.json?["data"]?["userData"]?["durable"], true)
    }
}

/// Options-dependent behaviour: aliases and rate limiting.
final class AIOStreamsOptionsTests: XCTestCase {
    func testAliasesResolveEverywhereAUUIDIsAccepted() throws {
        let dir = TemporaryDirectory.make("aio-alias")
        var server = try ProteusProcess(config: AIOStreamsTests.config(directory: dir), directory: dir)
        let created = try APIClient(port: server.port).request("POST", "/api/v1/user", json: ["config": ["x": 1], "password": "hunter22"])
        let uuid = try XCTUnwrap(created.json?["data"]?["uuid"]?.stringValue)
        server.stop()
        server = try ProteusProcess(config: AIOStreamsTests.config(directory: dir, aiostreamsOptions: ["rateLimit": false, "aliases": ["my-config": uuid]]), directory: dir)
        defer { server.stop() }
        let client = APIClient(port: server.port)
        let head = try client.request("HEAD", "/api/v1/user?uuid=my-config")
        XCTAssertEqual(head.status, 200)
        let get = try client.request("GET", "/api/v1/user?uuid=my-config&password=hunter22")
        XCTAssertEqual(get.status, 200)
        XCTAssertEqual(get.json?["data"]?["userData"]?["uuid"]?.stringValue, uuid)
        XCTAssertEqual(try client.request("GET", "/api/v1/user", headers: [APIClient.basic("my-config", "hunter22")]).status, 200)
        XCTAssertEqual(try client.request("PUT", "/api/v1/user", json: ["uuid": "my-config", "password": "hunter22", "config": ["y": 2]]).status, 200)
        XCTAssertEqual(try client.request("HEAD", "/api/v1/user?uuid=other-alias").status, 400)
    }

    func testBadAliasOptionsRefuseToStart() throws {
        for aliases: [String: Any] in [["A": "00000000-0000-4000-8000-000000000000"], ["ok-alias": "not-a-uuid"], ["00000000-0000-4000-8000-000000000000": "00000000-0000-4000-8000-000000000000"]] {
            let dir = TemporaryDirectory.make("aio-badalias")
            let config = AIOStreamsTests.config(directory: dir, aiostreamsOptions: ["aliases": aliases])
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/c.json"))
            let (status, output) = try ProteusProcess.run(["check-config", "--config", dir + "/c.json"])
            XCTAssertEqual(status, 1, output)
            XCTAssertTrue(output.contains("aliases"), output)
        }
    }

    func testRateLimitDefaultsToFivePerFiveSeconds() throws {
        let dir = TemporaryDirectory.make("aio-rate")
        var config = ProteusProcess.defaultConfig(directory: dir)
        config["dialects"] = [["plugin": "aiostreams", "mount": "/"]]
        let server = try ProteusProcess(config: config, directory: dir)
        defer { server.stop() }
        let client = APIClient(port: server.port)
        var statuses: [Int] = []
        var last: APIResponse?
        for _ in 0..<7 {
            let r = try client.request("HEAD", "/api/v1/user?uuid=00000000-0000-4000-8000-000000000000")
            statuses.append(r.status)
            last = r
            XCTAssertEqual(r.header("RateLimit-Policy"), "5;w=5")
            XCTAssertEqual(r.header("RateLimit-Limit"), "5")
            XCTAssertNotNil(r.header("RateLimit-Remaining"))
            XCTAssertNotNil(r.header("RateLimit-Reset"))
        }
        // The window may roll over once during the burst; at least one 429 must appear.
        XCTAssertTrue(statuses.contains(429), "\(statuses)")
        XCTAssertEqual(statuses.filter { $0 == 400 }.count <= 10, true)
        let limited = try client.request("GET", "/api/v1/user?uuid=x&password=y")
        if limited.status == 429 {
            XCTAssertEqual(limited.json?["error"]?["code"], "RATE_LIMIT_EXCEEDED")
            XCTAssertEqual(limited.json?["error"]?["message"], "Too many requests from this IP, please try again later.")
            XCTAssertNotNil(limited.header("Retry-After"))
            XCTAssertEqual(limited.header("RateLimit-Remaining"), "0")
        }
        _ = last
    }

    func testRateLimitConfigurableAndDisabled() throws {
        let dir = TemporaryDirectory.make("aio-rate2")
        StepClock.awayFromWindowEnd(period: 86_400)   // the host's windows start at multiples of their length
        let server = try ProteusProcess(config: AIOStreamsTests.config(directory: dir, aiostreamsOptions: ["rateLimit": ["requests": 2, "windowSeconds": 86_400]]), directory: dir)
        defer { server.stop() }
        let client = APIClient(port: server.port)
        let statuses = try (0..<3).map { _ in try client.request("HEAD", "/api/v1/user?uuid=x").status }
        XCTAssertEqual(statuses, [400, 400, 429])
        XCTAssertEqual(try client.request("HEAD", "/api/v1/user?uuid=x").header("RateLimit-Policy"), "2;w=86400")
    }
}

final class ConcurrentResults: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var statuses: [Int] = []
    private(set) var values: [String] = []
    func add(_ status: Int, _ value: String?) {
        lock.lock(); defer { lock.unlock() }
        statuses.append(status)
        if let value { values.append(value) }
    }
}

extension ProteusProcess {
    /// Users in the store, from `proteus stats` run as a second process on
    /// the same config (the store supports concurrent processes).
    func userCount() throws -> Int {
        let (status, output) = try ProteusProcess.run(["stats", "--config", configPath])
        guard status == 0, let line = output.split(separator: "\n").first(where: { $0.hasPrefix("users ") }),
              let n = Int(line.dropFirst("users ".count).trimmingCharacters(in: .whitespaces)) else {
            throw TestFailure("proteus stats failed: \(output)")
        }
        return n
    }
}
