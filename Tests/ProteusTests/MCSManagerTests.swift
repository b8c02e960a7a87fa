// The MCSManager dialect against the real binary over real HTTP: every
// endpoint, both auth styles and their error cases, the panel's envelope and
// messages, the do-better rules (hashed keys, one login message, 4xx, the
// last administrator), 2FA, and bad input that changes nothing.
import Foundation
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest
@testable import Host

class MCSManagerTests: XCTestCase {
    private var panel: PanelServer!

    override func setUpWithError() throws {
        panel = try PanelServer()
    }

    override func tearDown() {
        panel?.stop()
    }

    private var port: UInt16 { panel.port }

    // MARK: install

    func testInstallOnlyWhileThereAreNoUsers() throws {
        let again = PanelClient(port: port)
        assertEnvelope(try again.call("POST", "/api/auth/install", json: ["username": "Other", "password": "Passw0rdOther"]), 403,
                       "Admin account has already been created and cannot be recreated")
        // A fresh server: validator, password rule, then success with a session.
        let dir = TemporaryDirectory.make("mcsm-install")
        let server = try ProteusProcess(config: MCSM.config(directory: dir), directory: dir)
        defer { server.stop() }
        let c = PanelClient(port: server.port)
        let status = try c.call("GET", "/api/auth/status")
        XCTAssertEqual(status.json?["data"]?["isInstall"], false)
        assertEnvelope(try c.call("POST", "/api/auth/install", json: ["password": "Passw0rdOther"]), 400, "Validator failed: \"username\" is required!")
        assertEnvelope(try c.call("POST", "/api/auth/install", json: ["username": "Root", "password": ""]), 400, "Validator failed: \"password\" is required!")
        assertEnvelope(try c.call("POST", "/api/auth/install", json: ["username": "Root", "password": "weak"]), 400,
                       "Invalid password. It must contain uppercase and lowercase letters, numbers, and have a length between 9 and 36 characters")
        XCTAssertEqual(try server.userCount(), 0)
        let r = try c.call("POST", "/api/auth/install", form: [("username", "Root"), ("password", "Passw0rdRoot")])
        assertEnvelope(r, 200, true)
        XCTAssertNotNil(c.cookie, "install signs the administrator in")
        XCTAssertEqual(try c.call("GET", "/api/auth/status").json?["data"]?["isInstall"], true)
        // The session from install works for own-record reads.
        let me = try c.call("GET", "/api/auth/")
        assertEnvelope(me, 200)
        XCTAssertEqual(me.json?["data"]?["userName"], "Root")
        XCTAssertEqual(me.json?["data"]?["permission"], 10)
        assertEnvelope(try PanelClient(port: server.port).call("POST", "/api/auth/install", json: ["username": "Two", "password": "Passw0rdRoot"]), 403)
        XCTAssertEqual(try server.userCount(), 1)
    }

    // MARK: login, session, token, cookie, header

    func testSessionLoginNeedsTokenCookieAndAjaxHeader() throws {
        try panel.createUser("alice", permission: 10)
        let c = PanelClient(port: port)
        let r = try c.login("alice", "Passw0rdUser", useForm: true)
        assertEnvelope(r, 200)
        let token = try XCTUnwrap(c.token)
        XCTAssertTrue(token.range(of: "^[0-9a-f]{32}[0-9]{13}$", options: .regularExpression) != nil, token)
        let setCookie = try XCTUnwrap(r.header("Set-Cookie"))
        XCTAssertTrue(setCookie.contains("HttpOnly"), setCookie)
        XCTAssertTrue(setCookie.hasPrefix("MCSM_SESSION="), setCookie)

        let search = "/api/auth/search"
        let page = [("page", "1"), ("page_size", "10")]
        assertEnvelope(try c.call("GET", search, query: page), 200)
        assertEnvelope(try c.call("GET", search, query: page, ajax: false), 403, "Unable to find the request header: x-requested-with: xmlhttprequest")
        assertEnvelope(try c.call("GET", search, query: page, headers: [("X-Requested-With", "fetch")], ajax: false), 403,
                       "Unable to find the request header: x-requested-with: xmlhttprequest")
        assertEnvelope(try c.call("GET", search, query: page, headers: [("x-requested-with", "xmlhttprequest")], ajax: false), 200)
        assertEnvelope(try c.call("GET", search, query: page, sendToken: false), 403, "Token validation failed, access denied")
        let altered = (token.first == "0" ? "1" : "0") + token.dropFirst()
        assertEnvelope(try c.call("GET", search, query: page + [("token", altered)], sendToken: false), 403, "Token validation failed, access denied")
        assertEnvelope(try c.call("GET", search, query: page, sendCookie: false), 403, "Token validation failed, access denied")
        assertEnvelope(try c.call("GET", search, query: page, sendToken: false, sendCookie: false), 403, "Insufficient Permissions")
        assertEnvelope(try c.call("GET", search, query: page, headers: [("Cookie", "MCSM_SESSION=forged")], sendCookie: false), 403, "Token validation failed, access denied")
        // Another session's token does not fit this cookie.
        let other = try panel.signedIn("alice")
        assertEnvelope(try c.call("GET", search, query: page + [("token", other.token!)], sendToken: false), 403, "Token validation failed, access denied")

        // Logged in already (cookie present): the panel answers "Logined".
        assertEnvelope(try c.call("POST", "/api/auth/login", json: ["username": "alice", "password": "wrong"], sendToken: false), 200, "Logined")

        // Logout ends the session and clears the cookie.
        let cookie = try XCTUnwrap(c.cookie)
        assertEnvelope(try c.call("GET", "/api/auth/logout"), 200, true)
        XCTAssertNil(c.cookie)
        assertEnvelope(try c.call("GET", search, query: page, headers: [("Cookie", cookie)]), 403)
        assertEnvelope(try PanelClient(port: port).call("GET", "/api/auth/logout"), 200, true)
    }

    func testLoginFailuresShareOneMessage() throws {
        try panel.createUser("bob")
        let c = PanelClient(port: port)
        let wrong = try c.login("bob", "Wr0ngPassword")
        let unknown = try c.login("nobody", "Wr0ngPassword")
        assertEnvelope(wrong, 401, "Incorrect account or password")
        assertEnvelope(unknown, 401, "Incorrect account or password")
        XCTAssertNil(c.cookie)
        assertEnvelope(try c.call("POST", "/api/auth/login", json: ["password": "x"]), 400, "Validator failed: \"username\" is required!")
        assertEnvelope(try c.call("POST", "/api/auth/login", json: ["username": "bob"]), 400, "Validator failed: \"password\" is required!")
        // Usernames are case-sensitive.
        assertEnvelope(try c.login("BOB", "Passw0rdUser"), 401, "Incorrect account or password")
        assertEnvelope(try c.login("bob", "Passw0rdUser"), 200)
    }

    func testLoginAttemptsAreRateLimitedPerAccount() throws {
        try panel.createUser("carol")
        var statuses: [Int] = []
        for _ in 0..<12 { statuses.append(try PanelClient(port: port).login("carol", "Wr0ngPassword").status) }
        XCTAssertEqual(Array(statuses.prefix(10)), Array(repeating: 401, count: 10), "\(statuses)")
        XCTAssertEqual(statuses.last, 429, "\(statuses)")
        let limited = try PanelClient(port: port).login("carol", "Passw0rdUser")
        if limited.status == 429 {
            assertEnvelope(limited, 429, "Too many failed attempts! Your IP address, as a result, has been banned for 10 minutes.")
            XCTAssertNotNil(limited.header("Retry-After"))
        }
        // Other accounts are not affected by carol's counter.
        XCTAssertEqual(try PanelClient(port: port).login(MCSM.adminName, MCSM.adminPassword).status, 200)
        // Successful sign-ins cost a fifth of a failure: 20 in a row pass.
        try panel.createUser("dora")
        for _ in 0..<20 { XCTAssertEqual(try PanelClient(port: port).login("dora", "Passw0rdUser").status, 200) }
    }

    func testLoginFailuresAreRateLimitedPerAddress() throws {
        var statuses: [Int] = []
        for i in 0..<32 { statuses.append(try PanelClient(port: port).login("nobody\(i)", "Wr0ngPassword").status) }
        XCTAssertEqual(Array(statuses.prefix(30)), Array(repeating: 401, count: 30), "\(statuses)")
        XCTAssertEqual(Array(statuses.suffix(2)), [429, 429], "\(statuses)")
        assertEnvelope(try PanelClient(port: port).login(MCSM.adminName, MCSM.adminPassword), 429,
                       "Too many failed attempts! Your IP address, as a result, has been banned for 10 minutes.")
    }

    func testRateLimitOptions() throws {
        let off = try PanelServer(options: ["loginRateLimit": false], label: "mcsm-nolimit")
        defer { off.stop() }
        for _ in 0..<15 { XCTAssertEqual(try PanelClient(port: off.port).login("x", "Wr0ngPassword").status, 401) }
        let tight = try PanelServer(options: ["loginRateLimit": ["perAccount": ["failures": 2, "windowSeconds": 60]]], label: "mcsm-tight")
        defer { tight.stop() }
        let statuses = try (0..<3).map { _ in try PanelClient(port: tight.port).login("y", "Wr0ngPassword").status }
        XCTAssertEqual(statuses, [401, 401, 429])
        for bad: Any in ["yes", ["perAccount": ["requests": 5]], ["perIP": 3]] {
            let dir = TemporaryDirectory.make("mcsm-badopt")
            try JSONSerialization.data(withJSONObject: MCSM.config(directory: dir, options: ["loginRateLimit": bad])).write(to: URL(fileURLWithPath: dir + "/c.json"))
            let (status, output) = try ProteusProcess.run(["check-config", "--config", dir + "/c.json"])
            XCTAssertEqual(status, 1, output)
            XCTAssertTrue(output.contains("loginRateLimit"), output)
        }
    }

    // MARK: own record, token, API key

    func testOwnRecordThroughSessionAndKey() throws {
        let uuid = try panel.createUser("dave")
        let dave = try panel.signedIn("dave")
        let r = try dave.call("GET", "/api/auth/", sendToken: false)
        assertEnvelope(r, 200)
        let data = try XCTUnwrap(r.json?["data"])
        XCTAssertEqual(data.objectValue?.keys, ["uuid", "userName", "loginTime", "registerTime", "instances", "permission", "apiKey", "isInit", "open2FA", "token"])
        XCTAssertEqual(data["uuid"]?.stringValue, uuid)
        XCTAssertEqual(data["userName"], "dave")
        XCTAssertEqual(data["permission"], 1)
        XCTAssertEqual(data["token"]?.stringValue, dave.token)
        XCTAssertEqual(data["instances"], [])
        XCTAssertTrue(data["loginTime"]?.stringValue?.range(of: #"^\d{1,2}/\d{1,2}/\d{4}, \d{1,2}:\d{2}:\d{2} (AM|PM)$"#, options: .regularExpression) != nil, r.text)
        XCTAssertNil(data["passWord"])
        XCTAssertNil(data["secret"])
        assertEnvelope(try dave.call("GET", "/api/auth", ajax: false), 403, "Unable to find the request header: x-requested-with: xmlhttprequest")
        assertEnvelope(try dave.call("GET", "/api/auth/token"), 200, .string(dave.token!))
        assertEnvelope(try dave.call("GET", "/api/auth/token", ajax: false), 403, "The request is not an Ajax request.")
        assertEnvelope(try PanelClient(port: port).call("GET", "/api/auth/"), 403, "Insufficient Permissions")
        // A user cannot read others; an administrator can (?uuid=).
        XCTAssertEqual(try dave.call("GET", "/api/auth/", query: [("uuid", "00000000000040008000000000000000")]).json?["data"]?["userName"], "dave")
        let key = panel.keyClient()
        let viaKey = try key.call("GET", "/api/auth/", ajax: false)
        assertEnvelope(viaKey, 200)
        XCTAssertEqual(viaKey.json?["data"]?["userName"]?.stringValue, MCSM.adminName)
        XCTAssertEqual(viaKey.json?["data"]?["apiKey"], "__MCSM_SECRET_DATA__")
        XCTAssertEqual(viaKey.json?["data"]?["token"], "")
        XCTAssertEqual(try key.call("GET", "/api/auth/", query: [("uuid", uuid)]).json?["data"]?["userName"], "dave")
        assertEnvelope(try key.call("GET", "/api/auth/", query: [("uuid", "0123456789abcdef0123456789abcdef")]), 404, "The UID does not exist")
        // HEAD on a GET route.
        let head = try APIClient(port: port).request("HEAD", "/api/auth/?apikey=\(panel.adminKey)")
        XCTAssertEqual(head.status, 200)
        XCTAssertTrue(head.body.isEmpty)
    }

    func testAPIKeyCreateUseAndRemove() throws {
        try panel.createUser("erin", permission: 10)
        let erin = try panel.signedIn("erin")
        let created = try erin.call("PUT", "/api/auth/api", json: ["enable": true])
        assertEnvelope(created, 200)
        let key = try XCTUnwrap(created.json?["data"]?.stringValue)
        XCTAssertTrue(key.range(of: "^[0-9a-f]{32}$", options: .regularExpression) != nil, key)
        // By query and by header.
        assertEnvelope(try APIClient(port: port).request("GET", "/api/auth/search?page=1&page_size=5&apikey=\(key)"), 200)
        assertEnvelope(try APIClient(port: port).request("GET", "/api/auth/search?page=1&page_size=5", headers: [("X-Request-API-Key", key)]), 200)
        // The header wins over the query.
        assertEnvelope(try APIClient(port: port).request("GET", "/api/auth/search?page=1&page_size=5&apikey=\(key)", headers: [("X-Request-API-Key", "wrongkey")]), 403, "Incorrect key")
        // Only a hash is stored.
        let (store, binding) = try MCSM.store(panel.server)
        defer { binding.instance.destroy() }
        let erinID = try store.getUser(username: "erin").id
        let keys = try store.listKeys(user: erinID)
        XCTAssertEqual(keys.count, 1)
        XCTAssertEqual(keys[0].keyHash.count, 32)
        XCTAssertNotEqual(keys[0].keyHash, Array(key.utf8))
        // Shown masked in search.
        let listed = try panel.search("page=1&page_size=50&userName=erin")
        XCTAssertEqual(listed.json?["data"]?["data"]?[0]?["apiKey"], "__MCSM_SECRET_DATA__")
        // A new key replaces the old one.
        let second = try XCTUnwrap(try erin.call("PUT", "/api/auth/api", form: [("enable", "true")]).json?["data"]?.stringValue)
        XCTAssertNotEqual(second, key)
        assertEnvelope(try APIClient(port: port).request("GET", "/api/auth/search?page=1&page_size=5&apikey=\(key)"), 403, "Incorrect key")
        // Removal.
        assertEnvelope(try erin.call("PUT", "/api/auth/api", json: ["enable": false]), 200, "")
        assertEnvelope(try APIClient(port: port).request("GET", "/api/auth/search?page=1&page_size=5&apikey=\(second)"), 403, "Incorrect key")
        XCTAssertEqual(try panel.search("page=1&page_size=50&userName=erin").json?["data"]?["data"]?[0]?["apiKey"], "")
        // The route needs the session's token like any token route.
        assertEnvelope(try erin.call("PUT", "/api/auth/api", json: ["enable": true], sendToken: false), 403, "Token validation failed, access denied")
    }

    func testAPIKeyRefusals() throws {
        try panel.createUser("frank")
        let frank = try panel.signedIn("frank")
        let key = try XCTUnwrap(try frank.call("PUT", "/api/auth/api", json: ["enable": true]).json?["data"]?.stringValue)
        let plain = APIClient(port: port)
        // A user's key on an administrator route.
        assertEnvelope(try plain.request("GET", "/api/auth/search?page=1&page_size=5&apikey=\(key)"), 403, "Incorrect key")
        assertEnvelope(try plain.request("POST", "/api/auth?apikey=\(key)", json: ["username": "x1", "password": "Passw0rdUser", "permission": 10]), 403, "Incorrect key")
        // ... works where a user may go.
        assertEnvelope(try plain.request("GET", "/api/auth/?apikey=\(key)"), 200)
        // A user's session on an administrator route.
        assertEnvelope(try frank.call("GET", "/api/auth/search", query: [("page", "1"), ("page_size", "5")]), 403, "Insufficient Permissions")
        // Unknown and malformed keys.
        assertEnvelope(try plain.request("GET", "/api/auth/?apikey=0123456789abcdef0123456789abcdef"), 403, "Incorrect key")
        assertEnvelope(try plain.request("GET", "/api/auth/?apikey=bad%20key!"), 403, "Incorrect key")
        assertEnvelope(try plain.request("GET", "/api/auth/", headers: [("X-Request-API-Key", "../etc")]), 403, "Incorrect key")
        // A key given to an open route is still checked.
        assertEnvelope(try plain.request("GET", "/api/auth/logout?apikey=nope"), 403, "Incorrect key")
        XCTAssertEqual(try plain.request("GET", "/api/auth/search?page=1&page_size=1&APIKEY=\(panel.adminKey)").status, 403, "the parameter name is case-sensitive")
    }

    func testAPIKeysSwitchedOff() throws {
        let off = try PanelServer(options: ["enableApiKey": "ONLY_ADMIN"], label: "mcsm-keys")
        defer { off.stop() }
        try off.createUser("gina")
        let gina = try off.signedIn("gina")
        assertEnvelope(try gina.call("PUT", "/api/auth/api", json: ["enable": true]), 403, "API key creation feature is not enabled")
        assertEnvelope(try APIClient(port: off.port).request("GET", "/api/auth/search?page=1&page_size=1&apikey=\(off.adminKey)"), 200)
    }

    // MARK: create

    func testCreateUserJSONAndForm() throws {
        let key = panel.keyClient()
        let r = try key.call("POST", "/api/auth", json: ["username": "hank", "password": "Passw0rdHank", "permission": 1], ajax: false)
        assertEnvelope(r, 200)
        let data = try XCTUnwrap(r.json?["data"])
        XCTAssertEqual(data.objectValue?.keys, ["uuid", "userName", "permission"])
        XCTAssertTrue(data["uuid"]?.stringValue?.range(of: "^[0-9a-f]{32}$", options: .regularExpression) != nil)
        XCTAssertEqual(data["userName"], "hank")
        XCTAssertEqual(data["permission"], 1)
        // The Python client's form body, numbers as strings.
        let f = try key.call("POST", "/api/auth", form: [("username", "ivy"), ("password", "Passw0rdIvy"), ("permission", "10")], ajax: false)
        assertEnvelope(f, 200)
        XCTAssertEqual(f.json?["data"]?["permission"], 10)
        XCTAssertEqual(try PanelClient(port: port).login("ivy", "Passw0rdIvy").status, 200)
        let guest = try key.call("POST", "/api/auth", json: ["username": "guesty", "password": "Passw0rdG1", "permission": 0], ajax: false)
        XCTAssertEqual(guest.json?["data"]?["permission"], 0)
        let before = try panel.server.userCount()
        assertEnvelope(try key.call("POST", "/api/auth", json: ["username": "hank", "password": "Passw0rdHank", "permission": 1], ajax: false), 409, "Username is already in use")
        assertEnvelope(try key.call("POST", "/api/auth", json: ["username": "jill", "password": "password", "permission": 1], ajax: false), 400, "Invalid Password Format")
        assertEnvelope(try key.call("POST", "/api/auth", json: ["username": "jill", "password": "Sh0rt", "permission": 1], ajax: false), 400, "Invalid Password Format")
        assertEnvelope(try key.call("POST", "/api/auth", json: ["username": "jill", "password": .string(String(repeating: "Ab1", count: 13)), "permission": 1], ajax: false), 400, "Invalid Password Format")
        assertEnvelope(try key.call("POST", "/api/auth", json: ["password": "Passw0rdJill", "permission": 1], ajax: false), 400, "Validator failed: \"username\" is required!")
        assertEnvelope(try key.call("POST", "/api/auth", json: ["username": "jill", "permission": 1], ajax: false), 400, "Validator failed: \"password\" is required!")
        assertEnvelope(try key.call("POST", "/api/auth", json: ["username": "jill", "password": "Passw0rdJill"], ajax: false), 400, "Validator failed: \"permission\" is required!")
        assertEnvelope(try key.call("POST", "/api/auth", json: ["username": "jill", "password": "Passw0rdJill", "permission": "admin"], ajax: false), 400, "Validator failed: \"permission\" is not a number")
        assertEnvelope(try key.call("POST", "/api/auth", json: ["username": "jill", "password": "Passw0rdJill", "permission": 5], ajax: false), 400)
        assertEnvelope(try key.call("POST", "/api/auth", json: ["username": "bad\u{7}name", "password": "Passw0rdJill", "permission": 1], ajax: false), 400, "Invalid Username Format")
        XCTAssertEqual(try panel.server.userCount(), before)
        // 9 and 36 characters are the bounds.
        XCTAssertEqual(try key.call("POST", "/api/auth", json: ["username": "nine", "password": "Abcdefg12", "permission": 1], ajax: false).status, 200)
        XCTAssertEqual(try key.call("POST", "/api/auth", json: ["username": "thirtysix", "password": .string("Ab1" + String(repeating: "x", count: 33)), "permission": 1], ajax: false).status, 200)
    }

    // MARK: search basics (paging at scale: MCSManagerSearchTests)

    func testSearchMasksSecretsAndFilters() throws {
        try panel.createUser("Kate")
        try panel.createUser("kathy", permission: 10)
        try panel.createUser("banned-kat", permission: -1)
        try panel.createUser("guest-kat", permission: 0)
        let all = try panel.search("page=1&page_size=20")
        assertEnvelope(all, 200)
        let data = try XCTUnwrap(all.json?["data"])
        XCTAssertEqual(Set(data.objectValue?.keys ?? []), ["data", "maxPage", "page", "pageSize", "total"])
        XCTAssertEqual(data["total"], 5)
        XCTAssertEqual(data["page"], 1)
        XCTAssertEqual(data["pageSize"], 20)
        XCTAssertEqual(data["maxPage"], 1)
        let first = try XCTUnwrap(data["data"]?[0])
        XCTAssertEqual(first.objectValue?.keys, ["uuid", "userName", "passWord", "passWordType", "salt", "permission", "registerTime", "loginTime",
                                                 "instances", "apiKey", "isInit", "secret", "open2FA"])
        for user in data["data"]?.arrayValue ?? [] {
            XCTAssertEqual(user["passWord"], "")
            XCTAssertEqual(user["salt"], "")
            XCTAssertEqual(user["secret"], "")
            XCTAssertEqual(user["passWordType"], 1)
        }
        XCTAssertEqual(first["userName"]?.stringValue, MCSM.adminName, "creation order")
        XCTAssertEqual(first["apiKey"], "__MCSM_SECRET_DATA__")
        // Case-sensitive substring.
        let kat = try panel.search("page=1&page_size=20&userName=kat")
        XCTAssertEqual(Set(kat.json?["data"]?["data"]?.arrayValue?.compactMap { $0["userName"]?.stringValue } ?? []), ["kathy", "banned-kat", "guest-kat"])
        XCTAssertEqual(try panel.search("page=1&page_size=20&userName=Kat").json?["data"]?["total"], 1)
        XCTAssertEqual(try panel.search("page=1&page_size=20&userName=zzz").json?["data"]?["maxPage"], 0)
        // Role filter on permission.
        func names(_ role: String) throws -> Set<String> {
            Set(try panel.search("page=1&page_size=20&role=\(role)").json?["data"]?["data"]?.arrayValue?.compactMap { $0["userName"]?.stringValue } ?? [])
        }
        XCTAssertEqual(try names("10"), [MCSM.adminName, "kathy"])
        XCTAssertEqual(try names("1"), ["Kate"])
        XCTAssertEqual(try names("-1"), ["banned-kat"])
        XCTAssertEqual(try names("0"), ["guest-kat"])
        XCTAssertEqual(try names("5"), [])
        XCTAssertEqual(try names(""), [MCSM.adminName, "Kate", "kathy", "banned-kat", "guest-kat"])
        XCTAssertEqual(try panel.search("page=1&page_size=20&role=10&userName=kat").json?["data"]?["total"], 1)
        // Validator.
        assertEnvelope(try panel.search("page_size=20"), 400, "Validator failed: \"page\" is required!")
        assertEnvelope(try panel.search("page=1"), 400, "Validator failed: \"page_size\" is required!")
        assertEnvelope(try panel.search("page=&page_size=20"), 400, "Validator failed: \"page\" is required!")
        assertEnvelope(try panel.search("page=one&page_size=20"), 400, "Validator failed: \"page\" is not a number")
        assertEnvelope(try panel.search("page=1&page_size=ten"), 400, "Validator failed: \"page_size\" is not a number")
    }

    // MARK: update

    func testUpdateUserFields() throws {
        let uuid = try panel.createUser("liam")
        let key = panel.keyClient()
        func put(_ config: JSONValue) throws -> APIResponse {
            try key.call("PUT", "/api/auth", json: ["uuid": .string(uuid), "config": config], ajax: false)
        }
        func liam() throws -> JSONValue {
            let r = try key.call("GET", "/api/auth/", query: [("uuid", uuid)], ajax: false)
            return try XCTUnwrap(r.json?["data"])
        }
        assertEnvelope(try put(["userName": "liam2", "isInit": true, "instances": [["instanceUuid": "82e856fd33424e018fc2c007e1a3c4d3", "daemonId": "1fcdacc01eac44a7bf8fe83d34215d05"]]]), 200, true)
        var me = try liam()
        XCTAssertEqual(me["userName"], "liam2")
        XCTAssertEqual(me["isInit"], true)
        XCTAssertEqual(me["instances"], [["instanceUuid": "82e856fd33424e018fc2c007e1a3c4d3", "daemonId": "1fcdacc01eac44a7bf8fe83d34215d05"]])
        XCTAssertEqual(try PanelClient(port: port).login("liam2", "Passw0rdUser").status, 200)
        // Bad instances: the panel's message, nothing changed.
        for bad: JSONValue in ["text", ["x"], [["instanceUuid": "a"]], [["instanceUuid": "", "daemonId": "d"]], ["instanceUuid": "a", "daemonId": "b"]] {
            assertEnvelope(try put(["instances": bad, "userName": "changed"]), 400, "Type error, The instances of user must be IUserHaveInstance array.")
        }
        XCTAssertEqual(try liam()["userName"], "liam2")
        // Permission.
        assertEnvelope(try put(["permission": 10]), 200, true)
        XCTAssertEqual(try liam()["permission"], 10)
        assertEnvelope(try put(["permission": "1"]), 200, true)
        XCTAssertEqual(try liam()["permission"], 1)
        assertEnvelope(try put(["permission": 0]), 200, true)
        XCTAssertEqual(try liam()["permission"], 0)
        assertEnvelope(try put(["permission": 7]), 400)
        assertEnvelope(try put(["permission": "x"]), 400, "Validator failed: \"permission\" is not a number")
        // Rename onto an existing name is refused.
        try panel.createUser("mia")
        assertEnvelope(try put(["userName": "mia"]), 409, "Username is already in use")
        assertEnvelope(try put(["userName": .string(MCSM.adminName)]), 409, "Username is already in use")
        XCTAssertEqual(try liam()["userName"], "liam2")
        // Password reset: the panel's rule and message.
        assertEnvelope(try put(["passWord": "weakpass"]), 400, "Invalid password. It must contain uppercase and lowercase letters, numbers, and have a length between 9 and 36 characters")
        assertEnvelope(try put(["passWord": "N3wPassword"]), 200, true)
        assertEnvelope(try PanelClient(port: port).login("liam2", "Passw0rdUser"), 401)
        XCTAssertEqual(try PanelClient(port: port).login("liam2", "N3wPassword").status, 200)
        // loginTime/registerTime strings are kept as given.
        assertEnvelope(try put(["registerTime": "10/28/2023, 5:38:44 PM", "loginTime": "10/14/2023, 1:01:58 AM"]), 200, true)
        me = try liam()
        XCTAssertEqual(me["registerTime"], "10/28/2023, 5:38:44 PM")
        XCTAssertEqual(me["loginTime"], "10/14/2023, 1:01:58 AM")
        // Unknown uuid: true, nothing happens (the panel's answer).
        assertEnvelope(try key.call("PUT", "/api/auth", json: ["uuid": "0123456789abcdef0123456789abcdef", "config": ["userName": "ghost"]], ajax: false), 200, true)
        XCTAssertEqual(try panel.search("page=1&page_size=50&userName=ghost").json?["data"]?["total"], 0)
        // Shape errors.
        assertEnvelope(try key.call("PUT", "/api/auth", json: ["config": ["userName": "x"]], ajax: false), 400, "Validator failed: \"uuid\" is required!")
        assertEnvelope(try key.call("PUT", "/api/auth", json: ["uuid": .string(uuid)], ajax: false), 400, "Validator failed: \"config\" is required!")
        assertEnvelope(try key.call("PUT", "/api/auth", json: ["uuid": .string(uuid), "config": "text"], ajax: false), 400, "Validator failed: \"config\" is not a object")
        assertEnvelope(try put(["isInit": ["x"]]), 400)
    }

    func testUpdateWithNestedForm() throws {
        let uuid = try panel.createUser("nora")
        let r = try panel.keyClient().call("PUT", "/api/auth", form: [
            ("uuid", uuid), ("config[userName]", "nora2"), ("config[permission]", "10"), ("config[isInit]", "true"),
            ("config[instances][0][instanceUuid]", "i1"), ("config[instances][0][daemonId]", "d1"),
        ], ajax: false)
        assertEnvelope(r, 200, true)
        let me = try XCTUnwrap(try panel.keyClient().call("GET", "/api/auth/", query: [("uuid", uuid)], ajax: false).json?["data"])
        XCTAssertEqual(me["userName"], "nora2")
        XCTAssertEqual(me["permission"], 10)
        XCTAssertEqual(me["isInit"], true)
        XCTAssertEqual(me["instances"], [["instanceUuid": "i1", "daemonId": "d1"]])
    }

    func testUpdateAPIKeyFieldAndSecretMask() throws {
        let uuid = try panel.createUser("omar")
        let key = panel.keyClient()
        func put(_ config: JSONValue) throws -> APIResponse {
            try key.call("PUT", "/api/auth", json: ["uuid": .string(uuid), "config": config], ajax: false)
        }
        assertEnvelope(try put(["apiKey": "omar_own-Key1"]), 200, true)
        assertEnvelope(try APIClient(port: port).request("GET", "/api/auth/?apikey=omar_own-Key1"), 200)
        // Echoing a search result back leaves the key alone.
        let listed = try XCTUnwrap(try panel.search("page=1&page_size=5&userName=omar").json?["data"]?["data"]?[0])
        XCTAssertEqual(listed["apiKey"], "__MCSM_SECRET_DATA__")
        assertEnvelope(try put(listed), 200, true)
        assertEnvelope(try APIClient(port: port).request("GET", "/api/auth/?apikey=omar_own-Key1"), 200)
        assertEnvelope(try put(["apiKey": "bad key"]), 400, "Incorrect key")
        assertEnvelope(try put(["apiKey": .string(panel.adminKey)]), 409)
        assertEnvelope(try APIClient(port: port).request("GET", "/api/auth/?apikey=\(panel.adminKey)"), 200)
        assertEnvelope(try put(["apiKey": ""]), 200, true)
        assertEnvelope(try APIClient(port: port).request("GET", "/api/auth/?apikey=omar_own-Key1"), 403, "Incorrect key")
    }

    // MARK: delete

    func testDeleteUsers() throws {
        let a = try panel.createUser("pam")
        let b = try panel.createUser("quinn")
        let key = panel.keyClient()
        assertEnvelope(try key.call("DELETE", "/api/auth", json: ["0123456789abcdef0123456789abcdef", .string(a), 42, "garbage"], ajax: false), 200, true)
        XCTAssertEqual(try panel.search("page=1&page_size=50&userName=pam").json?["data"]?["total"], 0)
        for body in [JSONValue.object(["uuid": .string(b)]), .string(b)] {
            assertEnvelope(try key.call("DELETE", "/api/auth", body: Array(body.serialized().utf8), headers: [("Content-Type", "application/json")], ajax: false), 400, "Unable to delete user data")
        }
        assertEnvelope(try key.call("DELETE", "/api/auth", form: [("0", b)], ajax: false), 400, "Unable to delete user data")
        assertEnvelope(try key.call("DELETE", "/api/auth", ajax: false), 400, "Unable to delete user data")
        XCTAssertEqual(try panel.search("page=1&page_size=50&userName=quinn").json?["data"]?["total"], 1)
        assertEnvelope(try key.call("DELETE", "/api/auth", json: [], ajax: false), 200, true)
        // A deleted user's sessions and keys go with it.
        let quinn = try panel.signedIn("quinn")
        assertEnvelope(try key.call("DELETE", "/api/auth", json: [.string(b)], ajax: false), 200, true)
        assertEnvelope(try quinn.call("GET", "/api/auth/"), 403)
    }

    // MARK: the last administrator

    func testLastAdministratorCannotBeRemoved() throws {
        let key = panel.keyClient()
        let me = try XCTUnwrap(try key.call("GET", "/api/auth/", ajax: false).json?["data"]?["uuid"]?.stringValue)
        assertEnvelope(try key.call("DELETE", "/api/auth", json: [.string(me)], ajax: false), 409, "The last administrator cannot be removed or demoted")
        assertEnvelope(try key.call("PUT", "/api/auth", json: ["uuid": .string(me), "config": ["permission": 1]], ajax: false), 409, "The last administrator cannot be removed or demoted")
        assertEnvelope(try key.call("PUT", "/api/auth", json: ["uuid": .string(me), "config": ["permission": -1]], ajax: false), 409)
        XCTAssertEqual(try key.call("GET", "/api/auth/", ajax: false).json?["data"]?["permission"], 10)
        // With a second administrator, either may go.
        let other = try panel.createUser("rita", permission: 10)
        assertEnvelope(try key.call("DELETE", "/api/auth", json: [.string(other), .string(me)], ajax: false), 409)
        XCTAssertEqual(try panel.search("page=1&page_size=50&role=10").json?["data"]?["total"], 1, "one of the two remains")
    }

    func testTwoAdministratorsDemotingEachOtherAtOnce() throws {
        for round in 0..<4 {
            let panel = round == 0 ? self.panel! : try PanelServer(label: "mcsm-race")
            defer { if round > 0 { panel.stop() } }
            let a = try panel.createUser("adm-a", permission: 10)
            let b = try panel.createUser("adm-b", permission: 10)
            // The installer steps down so that a and b are the only administrators.
            let key = panel.keyClient()
            let installer = try XCTUnwrap(try key.call("GET", "/api/auth/", ajax: false).json?["data"]?["uuid"]?.stringValue)
            assertEnvelope(try key.call("PUT", "/api/auth", json: ["uuid": .string(installer), "config": ["permission": 1]], ajax: false), 200, true)
            let sa = try panel.signedIn("adm-a"), sb = try panel.signedIn("adm-b")
            let results = ConcurrentResults()
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                let (client, target) = i == 0 ? (sa, b) : (sb, a)
                do {
                    let r = try client.call("PUT", "/api/auth", json: ["uuid": .string(target), "config": ["permission": 1]])
                    results.add(r.status, r.json?["data"]?.description)
                } catch { results.add(-1, "\(error)") }
            }
            // The loser is refused by the guard (409), or — when the winner's
            // write landed before its permission check — is no longer an
            // administrator at all (403).
            XCTAssertEqual(results.statuses.filter { $0 == 200 }.count, 1, "round \(round): \(results.values)")
            XCTAssertTrue(results.statuses.contains(409) || results.statuses.contains(403), "round \(round): \(results.values)")
            let (store, binding) = try MCSM.store(panel.server)
            var q = UserQuery()
            q.hasRole = "admin"
            q.flagsMask = PROTEUS_USER_DISABLED
            q.limit = 10
            let admins = try store.search(q)
            binding.instance.destroy()
            XCTAssertEqual(admins.total, 1, "round \(round)")
            XCTAssertTrue(["adm-a", "adm-b"].contains(admins.users.first?.username ?? ""))
        }
    }

    // MARK: banned users

    func testBannedUserCanDoNothing() throws {
        let uuid = try panel.createUser("sam")
        let sam = try panel.signedIn("sam")
        let samKey = try XCTUnwrap(try sam.call("PUT", "/api/auth/api", json: ["enable": true]).json?["data"]?.stringValue)
        assertEnvelope(try panel.keyClient().call("PUT", "/api/auth", json: ["uuid": .string(uuid), "config": ["permission": -1]], ajax: false), 200, true)
        XCTAssertEqual(try panel.search("page=1&page_size=5&userName=sam").json?["data"]?["data"]?[0]?["permission"], -1)
        assertEnvelope(try sam.call("GET", "/api/auth/"), 403, "Insufficient Permissions")
        assertEnvelope(try sam.call("PUT", "/api/auth/api", json: ["enable": true]), 403)
        assertEnvelope(try APIClient(port: port).request("GET", "/api/auth/?apikey=\(samKey)"), 403, "Incorrect key")
        assertEnvelope(try APIClient(port: port).request("GET", "/api/auth/logout?apikey=\(samKey)"), 403, "Incorrect key")
        assertEnvelope(try PanelClient(port: port).login("sam", "Passw0rdUser"), 401, "Incorrect account or password")
        // Unbanned, the user signs in again.
        assertEnvelope(try panel.keyClient().call("PUT", "/api/auth", json: ["uuid": .string(uuid), "config": ["permission": 1]], ajax: false), 200, true)
        XCTAssertEqual(try PanelClient(port: port).login("sam", "Passw0rdUser").status, 200)
    }

    // MARK: 2FA

    func testTwoFactorLogin() throws {
        // Many sign-ins of one account: without the per-account limit.
        let panel = try PanelServer(options: ["loginRateLimit": false], label: "mcsm-2fa")
        defer { panel.stop() }
        let port = panel.port
        let uuid = try panel.createUser("tina")
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DP"
        let key = panel.keyClient()
        assertEnvelope(try key.call("PUT", "/api/auth", json: ["uuid": .string(uuid), "config": ["secret": .string(secret), "open2FA": true]], ajax: false), 200, true)
        let listed = try XCTUnwrap(try panel.search("page=1&page_size=5&userName=tina").json?["data"]?["data"]?[0])
        XCTAssertEqual(listed["open2FA"], true)
        XCTAssertEqual(listed["secret"], "", "the secret is never returned")
        let c = PanelClient(port: port)
        assertEnvelope(try c.login("tina", "Passw0rdUser"), 200, "NEED_2FA")
        XCTAssertNil(c.cookie)
        assertEnvelope(try c.login("tina", "Passw0rdUser", code: ""), 200, "NEED_2FA")
        // A wrong password never reveals that 2FA is on.
        assertEnvelope(try c.login("tina", "Wr0ngPassword"), 401, "Incorrect account or password")
        let code = MCSM.totp(secret)
        let wrong = String(code.map { $0 == "9" ? "0" : Character(String(($0.wholeNumberValue! + 1) % 10)) })
        assertEnvelope(try c.login("tina", "Passw0rdUser", code: wrong), 401, "Two-factor authentication code is incorrect")
        let ok = try c.login("tina", "Passw0rdUser", code: code)
        assertEnvelope(ok, 200)
        XCTAssertNotNil(c.token)
        // The same code cannot be used twice.
        assertEnvelope(try PanelClient(port: port).login("tina", "Passw0rdUser", code: code), 401, "Two-factor authentication code is incorrect")
        // Concurrent use of one fresh code (another user, unused secret): exactly one succeeds.
        let other = try panel.createUser("tom")
        let otherSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        assertEnvelope(try key.call("PUT", "/api/auth", json: ["uuid": .string(other), "config": ["secret": .string(otherSecret), "open2FA": true]], ajax: false), 200, true)
        let fresh = MCSM.totp(otherSecret)
        let results = ConcurrentResults()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let r = try? PanelClient(port: port).login("tom", "Passw0rdUser", code: fresh)
            results.add(r?.status ?? -1, nil)
        }
        XCTAssertEqual(results.statuses.filter { $0 == 200 }.count, 1, "\(results.statuses)")
        // The stored verifier is the totp plugin's, not the base32 secret.
        let (store, binding) = try MCSM.store(panel.server)
        defer { binding.instance.destroy() }
        let record = try store.getUser(id: MCSM.id(uuid))
        XCTAssertTrue(record.isMFAEnabled)
        XCTAssertFalse(String(decoding: record.mfaSecret ?? [], as: UTF8.self).contains(secret))
        // A password reset turns 2FA off.
        assertEnvelope(try key.call("PUT", "/api/auth", json: ["uuid": .string(uuid), "config": ["passWord": "Reset0Password"]], ajax: false), 200, true)
        XCTAssertEqual(try PanelClient(port: port).login("tina", "Reset0Password").status, 200)
        XCTAssertEqual(try panel.search("page=1&page_size=5&userName=tina").json?["data"]?["data"]?[0]?["open2FA"], false)
        // Bad secrets are refused.
        assertEnvelope(try key.call("PUT", "/api/auth", json: ["uuid": .string(uuid), "config": ["secret": "not base32 !!"]], ajax: false), 400, "Invalid 2FA secret")
    }

    // MARK: routing and bad input

    func testUnknownRoutesAndHostDecidedStatuses() throws {
        let plain = APIClient(port: port)
        for path in ["/api/nothing", "/api/auth/nothing", "/", "/api/auth/search/x"] {
            assertEnvelope(try plain.request("GET", path), 404, "[404] Not Found")
        }
        assertEnvelope(try plain.request("PATCH", "/api/auth"), 405, "[405] Method Not Allowed")
        assertEnvelope(try plain.request("GET", "/api/auth/login"), 405, "[405] Method Not Allowed")
        assertEnvelope(try plain.request("GET", "/api/auth/%ZZ"), 400, "[400] Bad Request")
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 1_100_000)
        assertEnvelope(try APIClient(port: port).request("POST", "/api/auth/login", headers: [MCSM.formType], body: big), 413, "[413] Payload Too Large")
        assertEnvelope(try APIClient(port: port).request("GET", "/api/auth/search?page=1&page_size=1&apikey=\(panel.adminKey)"), 200, nil)
        // Trailing slashes route like Koa's.
        assertEnvelope(try plain.request("GET", "/api/auth/search/?page=1&page_size=1&apikey=\(panel.adminKey)"), 200)
        assertEnvelope(try plain.request("POST", "/api/auth/login/", json: ["username": "x", "password": "y"]), 401)
    }

    func testMalformedBodiesChangeNothing() throws {
        let before = try panel.server.userCount()
        let key = panel.keyClient()
        for body in ["{", "{\"username\": \"x\",}", "[1,2", "nul", "\"just a string\"", "42"] {
            assertEnvelope(try key.call("POST", "/api/auth", body: Array(body.utf8), headers: [("Content-Type", "application/json")], ajax: false), 400, "Request body is not valid JSON")
            assertEnvelope(try key.call("PUT", "/api/auth", body: Array(body.utf8), headers: [("Content-Type", "application/json")], ajax: false), 400)
        }
        // Wrong types: an array body, nested objects where strings belong.
        assertEnvelope(try key.call("POST", "/api/auth", json: ["a", "b"], ajax: false), 400, "Validator failed: \"username\" is required!")
        assertEnvelope(try key.call("POST", "/api/auth", json: ["username": ["x": 1], "password": "Passw0rdUser", "permission": 1], ajax: false), 400, "Validator failed: \"username\" is not a string")
        assertEnvelope(try key.call("POST", "/api/auth", json: ["username": "u", "password": ["Passw0rdUser"], "permission": 1], ajax: false), 400, "Validator failed: \"password\" is not a string")
        assertEnvelope(try key.call("POST", "/api/auth", json: ["username": true, "password": "Passw0rdUser", "permission": 1], ajax: false), 400, "Validator failed: \"username\" is not a string")
        assertEnvelope(try key.call("POST", "/api/auth", body: Array("--x\r\n".utf8), headers: [("Content-Type", "multipart/form-data; boundary=x")], ajax: false), 415)
        assertEnvelope(try PanelClient(port: port).call("POST", "/api/auth/login", body: Array("{".utf8), headers: [("Content-Type", "application/json")]), 400)
        XCTAssertEqual(try panel.server.userCount(), before)
        // A body without Content-Type that looks like JSON is read as JSON.
        let r = try APIClient(port: port).request("POST", "/api/auth?apikey=\(panel.adminKey)", body: Array(#"{"username":"noct","password":"Passw0rdUser","permission":1}"#.utf8))
        assertEnvelope(r, 200)
    }

    func testStoreUnavailableIs503InTheEnvelope() throws {
        let dir = TemporaryDirectory.make("mcsm-busy")
        var config = MCSM.config(directory: dir)
        config["store"] = ["plugin": "sqlite", "options": ["path": dir + "/data/proteus.sqlite", "busyTimeoutMs": 100]]
        let server = try ProteusProcess(config: config, directory: dir)
        defer { server.stop() }
        let c = PanelClient(port: server.port)
        assertEnvelope(try c.call("POST", "/api/auth/install", json: ["username": "Root", "password": "Passw0rdRoot"]), 200, true)
        // The panel's frontend learns the session's token after install from /api/auth/token.
        c.token = try XCTUnwrap(try c.call("GET", "/api/auth/token").json?["data"]?.stringValue)
        let key = try XCTUnwrap(try c.call("PUT", "/api/auth/api", json: ["enable": true]).json?["data"]?.stringValue)
        // Another process holds the write lock longer than the busy timeout.
        let lock = RawSQLite(dir + "/data/proteus.sqlite")
        XCTAssertEqual(lock.exec("BEGIN IMMEDIATE"), 0)
        let r = try APIClient(port: server.port).request("POST", "/api/auth?apikey=\(key)", json: ["username": "late", "password": "Passw0rdLate", "permission": 1])
        assertEnvelope(r, 503, "Service temporarily unavailable, please try again later")
        XCTAssertEqual(lock.exec("ROLLBACK"), 0)
        lock.close()
        assertEnvelope(try APIClient(port: server.port).request("POST", "/api/auth?apikey=\(key)", json: ["username": "late", "password": "Passw0rdLate", "permission": 1]), 200)
    }

    // MARK: the caller's own password

    func testUpdateOwnPasswordSignsOut() throws {
        try panel.createUser("uma")
        let uma = try panel.signedIn("uma")
        let other = try panel.signedIn("uma")
        assertEnvelope(try uma.call("PUT", "/api/auth/update", json: ["passWord": "short"]), 400,
                       "Invalid password. It must contain uppercase and lowercase letters, numbers, and have a length between 9 and 36 characters")
        assertEnvelope(try uma.call("PUT", "/api/auth/update", json: ["passWord": "N3wPassword1", "isInit": true], sendToken: false), 403, "Token validation failed, access denied")
        assertEnvelope(try uma.call("PUT", "/api/auth/update", json: ["passWord": "N3wPassword1", "isInit": true]), 200, true)
        // Every session of the user ends; the new password works.
        assertEnvelope(try uma.call("GET", "/api/auth/"), 403)
        assertEnvelope(try other.call("GET", "/api/auth/"), 403)
        assertEnvelope(try PanelClient(port: port).login("uma", "Passw0rdUser"), 401)
        let again = try panel.signedIn("uma", "N3wPassword1")
        XCTAssertEqual(try again.call("GET", "/api/auth/").json?["data"]?["isInit"], true)
    }

    func testStatusTellsWhetherInstalled() throws {
        let r = try PanelClient(port: port).call("GET", "/api/auth/status")
        assertEnvelope(r, 200)
        XCTAssertEqual(r.json?["data"]?["isInstall"], true)
        XCTAssertNotNil(r.json?["data"]?["settings"]?["businessMode"])
        assertEnvelope(try APIClient(port: port).request("GET", "/api/auth/status?apikey=wrong"), 403, "Incorrect key")
    }
}
