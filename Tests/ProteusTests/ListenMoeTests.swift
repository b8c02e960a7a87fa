// The LISTEN.moe dialect against the real binary over real HTTP (listenmoe
// at /api): registration and its refusals, sign-in, the user shape, bio and
// roles with their permission rules, every 400/401/403/404 message, token
// forgeries, 8 concurrent registrations of one name, tokens across a
// restart. ListenMoePostgresTests runs the same on PostgreSQL.
import Foundation
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest
@testable import Host

class ListenMoeTests: XCTestCase {
    var lm: LMServer!

    override func setUpWithError() throws {
        lm = try LMServer()
    }

    override func tearDown() {
        lm?.stop()
    }

    // MARK: registration

    func testRegisterAndItsRefusals() throws {
        assertLM(try lm.register("alice", email: "alice@example.com"), 200, "You have successfully created a new account.")
        let exists = "An account with that email address and/or username already exists."
        assertLM(try lm.register("alice", email: "other@example.com"), 400, exists)
        assertLM(try lm.register("alice2", email: "ALICE@example.com"), 400, exists)
        for bad in ["", String(repeating: "a", count: 33), "a b", "al!ce", "ålice", "a/b"] {
            assertLM(try lm.register(bad, email: "x@example.com"), 400, "Invalid username provided.")
        }
        assertLM(try lm.register(String(repeating: "b", count: 32), email: "b@example.com"), 200)
        assertLM(try lm.register("a.b_c-d9", email: "abcd@example.com"), 200)
        let long = String(repeating: "e", count: 59) + "@example.com"   // 71 characters
        XCTAssertEqual(long.count, 71)
        for bad in [long, "nope", "@example.com", "a@b", "a b@example.com", "a@@example.com", "a@example."] {
            assertLM(try lm.register("carol", email: bad), 400, "Invalid e-mail address provided.")
        }
        assertLM(try lm.register("carol", email: String(repeating: "e", count: 58) + "@example.com"), 200)
        assertLM(try lm.register("dave", email: "dave@example.com", password: ""), 400, "Invalid password provided.")
        assertLM(try lm.call("POST", "/register", json: ["username": "dave", "password": "pw"]), 400, "Invalid body provided.")
        assertLM(try lm.call("POST", "/register", json: ["email": "d@example.com", "username": "dave", "password": 5]), 400, "Invalid body provided.")
        assertLM(try lm.call("POST", "/register", json: ["email": "d@example.com", "password": "pw"]), 400, "Invalid body provided.")
        assertLM(try lm.call("POST", "/register"), 400, "No body provided.")
        assertLM(try lm.call("POST", "/register", body: Array("{not json".utf8)), 400, "Invalid body provided.")
        assertLM(try lm.call("POST", "/register", json: ["a", "b"]), 400, "Invalid body provided.")
        // New accounts hold the default role.
        let alice = try lm.call("GET", "/users/alice")
        XCTAssertEqual(alice.json?["user"]?["roles"], [["id": 5, "name": "user", "slug": "user", "color": nil, "songRequests": 0]])
    }

    func testEightConcurrentRegistrationsMakeOneAccount() throws {
        let port = lm.port
        let lock = NSLock()
        nonisolated(unsafe) var lines: [String] = []
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            let client = APIClient(port: port)
            let r = try? client.request("POST", "/api/register", headers: [LM.accept],
                                        json: ["email": .string("race\(i)@example.com"), "username": "racer", "password": .string("pw-\(i)")])
            let line = "\(r?.status ?? -1) \(r?.json?["message"]?.stringValue ?? r?.text ?? "no answer")"
            lock.lock(); lines.append(line); lock.unlock()
        }
        XCTAssertEqual(lines.filter { $0 == "200 You have successfully created a new account." }.count, 1, "\(lines)")
        XCTAssertEqual(lines.filter { $0 == "400 An account with that email address and/or username already exists." }.count, 7, "\(lines)")
        let (store, binding) = try lm.store()
        defer { withExtendedLifetime(binding) {} }
        var query = UserQuery()
        query.usernameContains = "racer"
        XCTAssertEqual(try store.search(query).total, 1)
        // The one account is the one whose password works.
        let winners = (0..<8).filter { (try? lm.login("racer", "pw-\($0)").status) == 200 }
        XCTAssertEqual(winners.count, 1)
    }

    // MARK: login and the user shape

    func testFailedLoginsAreLimitedPerAccountName() throws {
        lm.stop()
        var options = LM.options
        options["loginRateLimit"] = ["failures": 3, "windowSeconds": 2]
        lm = try LMServer(label: "lm-limit", options: options)
        assertLM(try lm.register("quinn", email: "Quinn@example.com"), 200)
        for _ in 0..<3 { assertLM(try lm.login("quinn", "wrong"), 401, "Invalid username/email or password.") }
        let limited = try lm.login("quinn")
        assertLM(limited, 429, "Too many failed login attempts, please try again later.")
        XCTAssertNotNil(limited.header("Retry-After").flatMap(Int.init))
        // Other names are not affected; unknown names are limited alike.
        XCTAssertEqual(try lm.login("QUINN@example.com").status, 200)
        for _ in 0..<3 { assertLM(try lm.login("ghost", "wrong"), 401) }
        assertLM(try lm.login("ghost", "wrong"), 429, "Too many failed login attempts, please try again later.")
        // E-mails are counted case-insensitively.
        for _ in 0..<3 { assertLM(try lm.login("quinn@EXAMPLE.com", "wrong"), 401) }
        assertLM(try lm.login("Quinn@example.com"), 429)
        // The window ends: the owner signs in again.
        Thread.sleep(forTimeInterval: 2.2)
        assertLM(try lm.login("quinn"), 200, "Successfully logged in.")
    }

    func testLoginByNameOrEmailAndOneFailureMessage() throws {
        assertLM(try lm.register("erin", email: "Erin@Example.com"), 200)
        let byName = try lm.login("erin")
        assertLM(byName, 200, "Successfully logged in.")
        XCTAssertEqual(byName.json?.objectValue?.keys, ["message", "token"])
        let token = try XCTUnwrap(byName.json?["token"]?.stringValue)
        let (header, payload) = try XCTUnwrap(LM.decode(token))
        XCTAssertEqual(header, ["alg": "HS256", "typ": "JWT"])
        XCTAssertNotNil(payload["exp"]?.intValue)
        assertLM(try lm.login("erin@example.com"), 200, "Successfully logged in.")
        let failed = "Invalid username/email or password."
        assertLM(try lm.login("erin", "wrong"), 401, failed)
        assertLM(try lm.login("nobody", "wrong"), 401, failed)
        assertLM(try lm.login("nobody@example.com", "wrong"), 401, failed)
        assertLM(try lm.call("POST", "/login", json: ["username": "erin"]), 400, "Invalid body provided.")
        assertLM(try lm.call("POST", "/login"), 400, "No body provided.")
        // A banned user gets the same answer as a wrong password.
        let (store, binding) = try lm.store()
        defer { withExtendedLifetime(binding) {} }
        let erin = try store.getUser(username: "erin")
        var ban = UserRecord(id: erin.id)
        ban.flags = PROTEUS_USER_DISABLED
        _ = try store.updateUser(ban, fields: PROTEUS_FIELD_FLAGS)
        assertLM(try lm.login("erin"), 401, failed)
        assertLM(try lm.call("GET", "/users/erin", token: token), 401, "Invalid authorization.")
    }

    func testFreshUserShapeAndEmailOnlyForThemself() throws {
        let token = try lm.account("fran")
        let other = try lm.account("gabe")
        let mine = try lm.call("GET", "/users/fran", token: token)
        assertLM(mine, 200, "Successfully retrieved user.")
        XCTAssertEqual(mine.json?.objectValue?.keys, ["message", "user"])
        let user = try XCTUnwrap(mine.json?["user"]?.objectValue)
        XCTAssertEqual(user.keys, ["uuid", "email", "username", "displayName", "avatarImage", "bannerImage", "bio", "roles", "settings",
                                   "userSettings", "requestsRemaining", "additionalRequests", "uploadLimit", "favorites", "uploads"])
        let uuid = try XCTUnwrap(user["uuid"]?.stringValue)
        XCTAssertNotNil(uuid.range(of: "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", options: .regularExpression), uuid)
        let (store, binding) = try lm.store()
        defer { withExtendedLifetime(binding) {} }
        XCTAssertEqual(proteus_id(byteArray: try store.getUser(username: "fran").id).dashedUUID, uuid)
        XCTAssertEqual(user["email"], "fran@example.com")
        XCTAssertEqual(user["username"], "fran")
        XCTAssertEqual(user["displayName"], "fran")
        for key in ["avatarImage", "bannerImage", "bio"] { XCTAssertEqual(user[key], .null, key) }
        XCTAssertEqual(user["roles"], [["id": 5, "name": "user", "slug": "user", "color": nil, "songRequests": 0]])
        XCTAssertEqual(user["settings"], ["mfa": false])
        XCTAssertEqual(user["userSettings"], .object([:]))
        for key in ["favorites", "uploads", "additionalRequests", "requestsRemaining"] { XCTAssertEqual(user[key], 0, key) }
        XCTAssertEqual(user["uploadLimit"], 30)
        // Anyone else (anonymous or another user) sees no e-mail.
        for caller in [nil, other] {
            let seen = try lm.call("GET", "/users/fran", token: caller)
            assertLM(seen, 200, "Successfully retrieved user.")
            var expected = user
            _ = expected.removeValue(forKey: "email")
            XCTAssertEqual(seen.json?["user"]?.objectValue, expected)
        }
        assertLM(try lm.call("GET", "/users/nobody"), 404, "No user found.")
        assertLM(try lm.call("GET", "/users/" + String(repeating: "x", count: 300)), 400, "Invalid params provided.")
        assertLM(try lm.call("GET", "/users/a%01b"), 400, "Invalid params provided.")
        let head = try lm.call("HEAD", "/users/fran")
        XCTAssertEqual(head.status, 200)
        XCTAssertTrue(head.header("Content-Type")?.hasPrefix("application/json") ?? false)
    }

    // MARK: bio and roles

    func testPatchBioByThemselfOrStaffOnly() throws {
        let hana = try lm.account("hana")
        let ivan = try lm.account("ivan")
        let staff = try lm.account("staff")
        let (store, binding) = try lm.store()
        defer { withExtendedLifetime(binding) {} }
        var promote = UserRecord(id: try store.getUser(username: "staff").id)
        promote.roles = ["admin", "user"]
        _ = try store.updateUser(promote, fields: PROTEUS_FIELD_ROLES)

        let done = try lm.call("PATCH", "/users/hana", token: hana, json: ["bio": "Some info stuff."])
        XCTAssertEqual(done.status, 204, done.text)
        XCTAssertTrue(done.body.isEmpty)
        XCTAssertEqual(try lm.call("GET", "/users/hana").json?["user"]?["bio"], "Some info stuff.")
        assertLM(try lm.call("PATCH", "/users/hana", token: ivan, json: ["bio": "hacked"]), 403, "Not authorized.")
        assertLM(try lm.call("PATCH", "/users/hana", json: ["bio": "anonymous"]), 401, "Invalid authorization.")
        XCTAssertEqual(try lm.call("PATCH", "/users/hana", token: staff, json: ["bio": nil]).status, 204)
        XCTAssertEqual(try lm.call("GET", "/users/hana").json?["user"]?["bio"], .null)
        XCTAssertEqual(try lm.call("GET", "/users/staff").json?["user"]?["roles"]?.arrayValue?.count, 2)
        XCTAssertEqual(try lm.call("GET", "/users/staff").json?["user"]?["requestsRemaining"], 10)

        assertLM(try lm.call("PATCH", "/users/hana", token: hana), 400, "No body provided.")
        for bad: JSONValue in [["bio": 5], ["other": "x"], ["bio": "x", "other": "y"], [:], ["bio"], ["bio": .string(String(repeating: "b", count: 2001))]] {
            assertLM(try lm.call("PATCH", "/users/hana", token: hana, json: bad), 400, "Invalid body provided.")
        }
        assertLM(try lm.call("PATCH", "/users/hana", token: hana, body: Array("nope".utf8)), 400, "Invalid body provided.")
        assertLM(try lm.call("PATCH", "/users/nobody", token: staff, json: ["bio": "x"]), 404, "No user found.")
        assertLM(try lm.call("PATCH", "/users/" + String(repeating: "x", count: 300), token: hana, json: ["bio": "x"]), 400, "Invalid params provided.")
        // Another dialect's document and the shared fields are untouched.
        XCTAssertEqual(try store.getUser(username: "hana").email, "hana@example.com")
    }

    func testRolesOfThemselfOrForStaff() throws {
        let jade = try lm.account("jade")
        let kai = try lm.account("kai")
        let staff = try lm.account("boss")
        let (store, binding) = try lm.store()
        defer { withExtendedLifetime(binding) {} }
        let jadeID = proteus_id(byteArray: try store.getUser(username: "jade").id).dashedUUID
        var promote = UserRecord(id: try store.getUser(username: "boss").id)
        promote.roles = ["admin", "user"]
        _ = try store.updateUser(promote, fields: PROTEUS_FIELD_ROLES)

        let expected: JSONValue = [["id": 5, "name": "user", "slug": "user", "color": nil, "songRequests": 0, "enabled": true,
                                    "userRole": ["userId": .string(jadeID), "roleId": 5]]]
        for caller in [jade, staff] {
            let r = try lm.call("GET", "/users/jade/roles", token: caller)
            assertLM(r, 200, "Successfully retrieved roles.")
            XCTAssertEqual(r.json?["roles"], expected)
        }
        let boss = try lm.call("GET", "/users/boss/roles", token: staff)
        XCTAssertEqual(boss.json?["roles"]?[0]?["slug"], "admin")
        XCTAssertEqual(boss.json?["roles"]?[0]?["color"], "#ff0000")
        assertLM(try lm.call("GET", "/users/jade/roles", token: kai), 403, "Not authorized.")
        assertLM(try lm.call("GET", "/users/jade/roles"), 401, "Invalid authorization.")
        assertLM(try lm.call("GET", "/users/nobody/roles", token: staff), 404, "No user found.")
        assertLM(try lm.call("GET", "/users/" + String(repeating: "x", count: 300) + "/roles", token: staff), 400, "Invalid params provided.")
        // The rows are the store's roles too, LISTEN.moe's fields namespaced in the attributes.
        let roles = try store.listRoles()
        let admin = try XCTUnwrap(roles.first { $0.slug == "admin" })
        XCTAssertEqual(admin.name, "admin")
        let attributes = try XCTUnwrap(admin.attributesJSON.flatMap { try? JSONParser.parse($0) })
        XCTAssertEqual(attributes["listenmoe"], ["id": 1, "color": "#ff0000", "songRequests": 10])
    }

    // MARK: tokens

    func testEveryTokenThatDoesNotVerifyIs401() throws {
        let token = try lm.account("lena")
        _ = try lm.account("milo")
        let key = try LM.serverKey(lm.server)
        let (_, payload) = try XCTUnwrap(LM.decode(token))
        let parts = token.split(separator: ".").map(String.init)
        // Sanity: a token made here with the server key and the real payload verifies.
        XCTAssertEqual(try lm.call("GET", "/users/lena", token: LM.sign(payload: payload, key: key)).json?["user"]?["email"], "lena@example.com")

        let (store, binding) = try lm.store()
        defer { withExtendedLifetime(binding) {} }
        let milo = proteus_id(byteArray: try store.getUser(username: "milo").id).dashedUUID
        var otherSubject = payload; otherSubject["sub"] = .string(milo)
        var expired = payload; expired["exp"] = JSONValue(Int(Date().timeIntervalSince1970) - 1)
        var longer = payload; longer["exp"] = JSONValue(Int(Date().timeIntervalSince1970) + 10 * 365 * 86_400)
        var nextVersion = payload; nextVersion["ver"] = 1
        var otherCredential = payload; otherCredential["cred"] = "AAAAAAAAAAAAAAAA"
        var noExpiry = payload; _ = noExpiry.removeValue(forKey: "exp")
        let flipped = parts[2].first == "A" ? "B" + parts[2].dropFirst() : "A" + parts[2].dropFirst()
        let wrongKey = [UInt8](repeating: 7, count: 32)
        let forged: [(String, String)] = [
            ("garbage", "garbage"),
            ("two parts", parts[0] + "." + parts[1]),
            ("edited payload, old signature", parts[0] + "." + LM.b64(.object(otherSubject)) + "." + parts[2]),
            ("extended expiry, old signature", parts[0] + "." + LM.b64(.object(longer)) + "." + parts[2]),
            ("alg none", LM.b64(["alg": "none", "typ": "JWT"]) + "." + parts[1] + "."),
            ("alg none with the old signature", LM.b64(["alg": "none", "typ": "JWT"]) + "." + parts[1] + "." + parts[2]),
            ("HS512 header", LM.sign(header: ["alg": "HS512", "typ": "JWT"], payload: payload, key: key)),
            ("extra header field", LM.sign(header: ["alg": "HS256", "typ": "JWT", "kid": "x"], payload: payload, key: key)),
            ("bad signature", parts[0] + "." + parts[1] + "." + flipped),
            ("padded signature", token + "="),
            ("another key", LM.sign(payload: payload, key: wrongKey)),
            ("expired, right key", LM.sign(payload: expired, key: key)),
            ("no expiry, right key", LM.sign(payload: noExpiry, key: key)),
            ("other version, right key", LM.sign(payload: nextVersion, key: key)),
            ("other credential, right key", LM.sign(payload: otherCredential, key: key)),
        ]
        for (what, bad) in forged {
            for (method, path, body) in [("GET", "/users/lena", nil), ("GET", "/users/lena/roles", nil),
                                         ("PATCH", "/users/lena", ["bio": "x"] as JSONValue?)] {
                assertLM(try lm.call(method, path, token: bad, json: body), 401, "Invalid authorization.")
                _ = what
            }
        }
        for header in ["Basic bGVuYTpodW50ZXIy", "Bearer", "Bearer  ", "Token " + token, token, "Bearer " + token + " x", ""] {
            assertLM(try lm.call("GET", "/users/lena", headers: [("Authorization", header)]), 401, "Invalid authorization.")
        }
        // Signed by another plugin's key (same server key, other plugin name): refused.
        let input = parts[0] + "." + parts[1]
        let foreign = Array(input.utf8).withUnsafeBytes { m in
            Array("listenmoe.jwt".utf8).withUnsafeBytes { p in KeyedMAC(serverKey: key).mac(plugin: "mcsmanager", purpose: p, message: m)! }
        }
        assertLM(try lm.call("GET", "/users/lena", token: input + "." + LM.b64(foreign)), 401, "Invalid authorization.")
        // The real token still works, and a deleted user's does not.
        XCTAssertEqual(try lm.call("GET", "/users/lena", token: token).status, 200)
        try store.deleteUser(try store.getUser(username: "lena").id)
        assertLM(try lm.call("GET", "/users/milo", token: token), 401, "Invalid authorization.")
    }

    func testTokenExpiresAfterItsLifetime() throws {
        lm.stop()
        var options = LM.options
        options["tokenLifetimeSeconds"] = 1
        lm = try LMServer(label: "lm-expiry", options: options)
        let token = try lm.account("nora")
        XCTAssertEqual(try lm.call("GET", "/users/nora", token: token).status, 200)
        Thread.sleep(forTimeInterval: 2.1)
        assertLM(try lm.call("GET", "/users/nora", token: token), 401, "Invalid authorization.")
    }

    func testTokensSurviveARestart() throws {
        let token = try lm.account("otto")
        try lm.restart()
        let r = try lm.call("GET", "/users/otto", token: token)
        assertLM(r, 200, "Successfully retrieved user.")
        XCTAssertEqual(r.json?["user"]?["email"], "otto@example.com")
        XCTAssertEqual(try lm.call("PATCH", "/users/otto", token: token, json: ["bio": "back"]).status, 204)
    }

    // MARK: envelope of everything else

    func testHostDecidedAnswersAndMFARoutesAreEnveloped() throws {
        let token = try lm.account("pia")
        assertLM(try lm.call("GET", "/nothing"), 404, "Not found.")
        assertLM(try lm.call("GET", "/users"), 404, "Not found.")
        assertLM(try lm.call("DELETE", "/login"), 405, "Method not allowed.")
        assertLM(try lm.call("PUT", "/users/pia", token: token), 405, "Method not allowed.")
        // The MFA routes answer in the envelope too (ListenMoeMFATests has the rest).
        for (method, path) in [("GET", "/users/pia/mfa"), ("POST", "/users/pia/mfa"), ("DELETE", "/users/pia/mfa?token=123456"), ("POST", "/login/mfa")] {
            assertLM(try lm.call(method, path), 401, "Invalid authorization.")
        }
        assertLM(try lm.call("DELETE", "/users/pia/mfa?token=123456", token: token), 400, "No MFA activated.")
        XCTAssertEqual(try lm.call("HEAD", "/users/pia/mfa", token: token).status, 405, "a HEAD must not make a secret")
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 2 * 1024 * 1024)
        let tooLarge = try lm.call("POST", "/register", headers: [("Content-Type", "application/json")], body: big)
        assertLM(tooLarge, 413, "Payload too large.")
    }

    func testOptionsAreCheckedStrictly() throws {
        let dir = TemporaryDirectory.make("lm-options")
        func refused(_ options: [String: Any], _ mention: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let path = dir + "/c.json"
            try JSONSerialization.data(withJSONObject: LM.config(directory: dir, options: options)).write(to: URL(fileURLWithPath: path))
            let (status, output) = try ProteusProcess.run(["check-config", "--config", path])
            XCTAssertNotEqual(status, 0, output, file: file, line: line)
            XCTAssertTrue(output.contains(mention), "\(mention) not in: \(output)", file: file, line: line)
        }
        var row: [String: Any] = ["id": 5, "name": "user", "slug": "user", "color": NSNull(), "songRequests": 0]
        try refused(["rolez": []], "unknown option \"rolez\"")
        try refused(["roles": "user"], "option \"roles\" must be an array")
        try refused(["roles": []], "option \"roles\" must list at least one role")
        try refused(["roles": [row], "defaultRole": "member"], "option \"defaultRole\"")
        try refused(["roles": [row], "defaultRole": 5], "option \"defaultRole\" must be a string")
        row["color"] = 5
        try refused(["roles": [row]], "option \"roles[0].color\" must be a string or null")
        row["color"] = NSNull(); row["extra"] = true
        try refused(["roles": [row]], "unknown option \"roles[0].extra\"")
        row["extra"] = nil; row["songRequests"] = "many"
        try refused(["roles": [row]], "option \"roles[0].songRequests\"")
        row["songRequests"] = 0; row["id"] = nil
        try refused(["roles": [row]], "option \"roles[0].id\" is required")
        row["id"] = 5; row["slug"] = "has space"
        try refused(["roles": [row]], "option \"roles[0].slug\"")
        row["slug"] = "user"
        try refused(["roles": [row, row]], "option \"roles[1].id\": id 5 is used twice")
        try refused(["roles": [row], "tokenLifetimeSeconds": 0], "option \"tokenLifetimeSeconds\"")
        try refused(["loginRateLimit": true], "option \"loginRateLimit\" must be false or an object")
        try refused(["loginRateLimit": ["failures": 0]], "option \"loginRateLimit.failures\"")
        try refused(["loginRateLimit": ["perIP": 1]], "unknown option \"loginRateLimit.perIP\"")
        try refused(["mfaRateLimit": 3], "option \"mfaRateLimit\" must be false or an object")
        try refused(["mfaRateLimit": ["windowSeconds": 0]], "option \"mfaRateLimit.windowSeconds\"")
        try refused(["mfaIssuer": ""], "option \"mfaIssuer\" must be 1 to 64 characters")
        try refused(["mfaIssuer": 7], "option \"mfaIssuer\" must be a string")
    }
}
