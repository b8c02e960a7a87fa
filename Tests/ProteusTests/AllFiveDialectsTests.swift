// All five dialects mounted together over one directory (issue 16):
// aiostreams, mcsmanager and erizos at "/", cortexhub at /api/v1 and
// listenmoe at /lm. One username, one password and one id across them;
// password changes, role changes, bans and deletions made through one
// dialect apply in all of them (old tokens and sessions included); each
// dialect's own document is left alone by the others; a nameless AIOStreams
// account breaks no listing; two-factor sign-in turned on elsewhere is
// enforced where the dialect has no second step.
import Foundation
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest

enum AllFive {
    /// The store section when not SQLite (set by the PostgreSQL subclass).
    nonisolated(unsafe) static var storeOverride: ((String) -> [String: Any])?

    static func usePostgres() {
        PostgresTestStore.prepare()
        storeOverride = { PostgresTestStore.config(directory: $0, prefix: "all5_") }
    }

    static func useSQLite() { storeOverride = nil }

    static let lmMount = "/lm"

    /// What each dialect without a second-factor step answers a user who has one on.
    static let erizosSecondFactor = "This account requires two-factor authentication, which Erizos sign-in does not offer"
    static let hubSecondFactor = "This account requires two-factor authentication, which Cortex Hub password sign-in does not offer; sign in with your identity provider"
    static let aioSecondFactor = "This account requires two-factor authentication, which AIOStreams sign-in does not offer"

    /// The all-five layout. Sign-in limits are off: these tests sign in and
    /// fail on purpose many times over (the limits have their own tests).
    static func config(directory: String) -> [String: Any] {
        var c = ProteusProcess.defaultConfig(directory: directory)
        if let storeOverride { c["store"] = storeOverride(directory) }
        c["auth"] = [ProteusProcess.fastPassword, ["plugin": "totp"]]
        var lm = LM.options
        lm["loginRateLimit"] = false
        c["dialects"] = [
            ["plugin": "aiostreams", "mount": "/", "options": ["rateLimit": false]],
            ["plugin": "mcsmanager", "mount": "/", "options": ["loginRateLimit": false]],
            ["plugin": "erizos", "mount": "/", "options": ["loginRateLimit": false]],
            ["plugin": "cortexhub", "mount": CH.mount, "options": ["loginRateLimit": false]],
            ["plugin": "listenmoe", "mount": lmMount, "options": lm],
        ]
        return c
    }
}

class AllFiveDialectsTests: XCTestCase {
    var server: ProteusProcess!
    /// MCSManager's installed administrator ("Admin") and its API key.
    var panel: PanelServer!
    /// LISTEN.moe at /lm on the same server.
    var lm: LMServer!
    var port: UInt16 { server.port }

    override func setUpWithError() throws {
        let dir = TemporaryDirectory.make("all5")
        let config = AllFive.config(directory: dir)
        server = try ProteusProcess(config: config, directory: dir)
        panel = try PanelServer(server: server)
        lm = LMServer(server: server, config: config, mount: AllFive.lmMount)
    }

    override func tearDown() {
        server?.stop()
        server = nil
        panel = nil
        lm = nil
    }

    // MARK: helpers

    /// PUT /api/auth as the administrator (API key): the user's panel config.
    func panelPut(_ uuid: String, _ config: JSONValue, file: StaticString = #filePath, line: UInt = #line) throws {
        assertEnvelope(try panel.keyClient().call("PUT", "/api/auth", json: ["uuid": .string(uuid), "config": config], ajax: false), 200, true, file: file, line: line)
    }

    /// The administrator signed in through Erizos.
    func erizosAdmin() throws -> ErizosClient {
        let c = ErizosClient(port: port)
        try c.login(MCSM.adminName, MCSM.adminPassword)
        return c
    }

    /// The administrator signed in through Cortex Hub.
    func hubAdmin() throws -> HubClient {
        let c = HubClient(port: port)
        XCTAssertEqual(try c.login(MCSM.adminName, MCSM.adminPassword).status, 200)
        return c
    }

    /// The MCSManager search row of `name`.
    func panelRow(_ name: String) throws -> JSONValue {
        let rows = try XCTUnwrap(try panel.search("page=1&page_size=50&userName=\(q(name))").json?["data"]?["data"]?.arrayValue)
        return try XCTUnwrap(rows.first { $0["userName"]?.stringValue == name }, "\(name) not in \(rows)")
    }

    func aioGet(_ dashed: String, _ password: String) throws -> APIResponse {
        try APIClient(port: port).request("GET", "/api/v1/user?uuid=\(dashed)&password=\(q(password))")
    }

    func aioBasic(_ dashed: String, _ password: String) throws -> APIResponse {
        try APIClient(port: port).request("GET", "/api/v1/user", headers: [APIClient.basic(dashed, password)])
    }

    /// The names of the LISTEN.moe role rows a user holds, by slug.
    func lmRoleSlugs(_ name: String, token: String) throws -> [String] {
        let r = try lm.call("GET", "/users/\(name)/roles", token: token)
        XCTAssertEqual(r.status, 200, r.text)
        return (r.json?["roles"]?.arrayValue ?? []).compactMap { $0["slug"]?.stringValue }
    }

    /// The user's Erizos roles as the administrator sees them.
    func erizosRoles(_ name: String) throws -> JSONValue? {
        try erizosAdmin().call("GET", "/api/users/\(name)").json?["roles"]
    }

    /// Whether `password` signs `name` in through each of the five dialects
    /// (`dashed` is the uuid AIOStreams knows): every one must agree.
    func assertSignIn(_ name: String, _ dashed: String, _ password: String, accepted: Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        let panelLogin = try PanelClient(port: port).login(name, password)
        let erizos = try APIClient(port: port).request("POST", "/api/login", json: ["username": .string(name), "password": .string(password)])
        let hub = try HubClient(port: port).login(name, password)
        let listen = try lm.login(name, password)
        let aioQuery = try aioGet(dashed, password)
        let aioBasic = try aioBasic(dashed, password)
        let expected: [(String, APIResponse, Int)] = [
            ("mcsmanager", panelLogin, accepted ? 200 : 401), ("erizos", erizos, accepted ? 200 : 401),
            ("cortexhub", hub, accepted ? 200 : 401), ("listenmoe", listen, accepted ? 200 : 401),
            ("aiostreams query", aioQuery, accepted ? 200 : 400), ("aiostreams basic", aioBasic, accepted ? 200 : 400),
        ]
        for (dialect, r, status) in expected {
            XCTAssertEqual(r.status, status, "\(dialect), \(accepted ? "accepted" : "refused") expected: \(r.text)", file: file, line: line)
        }
    }

    // MARK: one name, one password, one id

    func testOneUsernamePasswordAndIdAcrossAllFive() throws {
        let uuid = try panel.createUser("alice", password: "Alice0Password")
        XCTAssertEqual(uuid.count, 32)
        let dashed = MCSM.dashed(uuid)

        // Erizos: signs in with the panel's password; the _id is stable.
        let erizos = ErizosClient(port: port)
        let login = try erizos.login("alice", "Alice0Password")
        var user = try XCTUnwrap(login.json?.objectValue)
        XCTAssertNotNil(user.removeValue(forKey: "session"))
        assertUserObject(.object(user), username: "alice")
        let objectID = try XCTUnwrap(login.json?["_id"]?.stringValue)
        XCTAssertEqual(try erizos.call("GET", "/api/users/alice").json?["_id"]?.stringValue, objectID)
        XCTAssertEqual(try erizos.call("GET", "/api/users/\(objectID)").json?["username"], "alice")
        XCTAssertEqual(try ErizosClient(port: port).login("alice", "Alice0Password").json?["_id"]?.stringValue, objectID)

        // Cortex Hub: the profile's id is the directory id (the panel's uuid).
        let hub = HubClient(port: port)
        let hubLogin = try hub.login("alice", "Alice0Password")
        XCTAssertEqual(hubLogin.status, 200, hubLogin.text)
        XCTAssertEqual(hubLogin.json?["username"], "alice")
        XCTAssertEqual(hubLogin.json?["role"], "user")
        let me = try hub.call("GET", "/users/me")
        XCTAssertEqual(me.status, 200, me.text)
        XCTAssertEqual(me.json?["id"]?.stringValue, uuid)
        XCTAssertEqual(me.json?["username"], "alice")
        XCTAssertEqual(try hub.call("GET", "/users/me/profile").json?["id"]?.stringValue, uuid)

        // LISTEN.moe: its uuid is the panel's, dashed.
        let token = try lm.token("alice", "Alice0Password")
        let shown = try lm.call("GET", "/users/alice", token: token)
        assertLM(shown, 200, "Successfully retrieved user.")
        XCTAssertEqual(shown.json?["user"]?["uuid"]?.stringValue, dashed)

        // AIOStreams: the same dashed uuid, with the query or Basic.
        for r in [try aioGet(dashed, "Alice0Password"), try aioBasic(dashed, "Alice0Password")] {
            XCTAssertEqual(r.status, 200, r.text)
            XCTAssertEqual(r.json?["data"]?["userData"]?["uuid"]?.stringValue, dashed)
        }

        // MCSManager itself: the user's own record.
        let session = try panel.signedIn("alice", "Alice0Password")
        XCTAssertEqual(try session.call("GET", "/api/auth/").json?["data"]?["uuid"]?.stringValue, uuid)

        // The _id has not moved after the other dialects' sign-ins, also in the admin's list.
        let listed = try XCTUnwrap(try erizosAdmin().call("GET", "/api/users").json?.arrayValue)
        XCTAssertEqual(listed.first { $0["username"] == "alice" }?["_id"]?.stringValue, objectID)

        // A user registered through LISTEN.moe is the panel's and Erizos' too.
        assertLM(try lm.register("bob", password: "Bob0Password"), 200)
        let bobToken = try lm.token("bob", "Bob0Password")
        let bobDashed = try XCTUnwrap(try lm.call("GET", "/users/bob", token: bobToken).json?["user"]?["uuid"]?.stringValue)
        let row = try panelRow("bob")
        XCTAssertEqual(row["uuid"]?.stringValue, bobDashed.replacingOccurrences(of: "-", with: ""))
        XCTAssertEqual(row["permission"], 1)
        let bobErizos = try ErizosClient(port: port).login("bob", "Bob0Password")
        XCTAssertEqual(bobErizos.json?["username"], "bob")
        XCTAssertEqual(bobErizos.json?["roles"], [], "LISTEN.moe's user role is not an Erizos role")
        assertEnvelope(try PanelClient(port: port).login("bob", "Bob0Password"), 200)
        let bobHub = HubClient(port: port)
        XCTAssertEqual(try bobHub.login("bob", "Bob0Password").status, 200)
        XCTAssertEqual(try bobHub.call("GET", "/users/me").json?["id"]?.stringValue, bobDashed.replacingOccurrences(of: "-", with: ""))
        XCTAssertEqual(try aioGet(bobDashed, "Bob0Password").json?["data"]?["userData"]?["uuid"]?.stringValue, bobDashed)
        // And its name is taken in every dialect.
        assertEnvelope(try panel.keyClient().call("POST", "/api/auth", json: ["username": "bob", "password": "Bob0Password", "permission": 1], ajax: false), 409)
        assertErizosError(try erizosAdmin().call("POST", "/api/users", json: ["username": "bob", "password": "x"]), 409)

        // After a restart on the same directory and store: the same _id, and
        // the LISTEN.moe token, the Cortex Hub id and the Erizos session still work.
        try lm.restart()
        server = lm.server
        XCTAssertEqual(try ErizosClient(port: port).login("alice", "Alice0Password").json?["_id"]?.stringValue, objectID)
        erizos.http = APIClient(port: port)
        XCTAssertEqual(try erizos.call("GET", "/api/users/alice").json?["_id"]?.stringValue, objectID)
        assertLM(try lm.call("GET", "/users/alice", token: token), 200)
        XCTAssertEqual(try HubClient(port: port, userID: hub.userID).call("GET", "/users/me").json?["id"]?.stringValue, uuid)
        XCTAssertEqual(try aioGet(dashed, "Alice0Password").json?["data"]?["userData"]?["uuid"]?.stringValue, dashed)
    }

    // MARK: passwords

    func testPasswordChangeThroughAnyDialectWorksEverywhere() throws {
        let uuid = try panel.createUser("alice", password: "First0Password")
        let dashed = MCSM.dashed(uuid)
        try assertSignIn("alice", dashed, "First0Password", accepted: true)

        /// After a change from `old` to `new`: old refused and new accepted
        /// everywhere, and the LISTEN.moe token issued before is 401.
        func check(_ old: String, _ new: String, tokenBefore: String, line: UInt = #line) throws {
            try assertSignIn("alice", dashed, old, accepted: false, line: line)
            try assertSignIn("alice", dashed, new, accepted: true, line: line)
            for path in ["/users/alice", "/users/alice/roles"] {
                assertLM(try lm.call("GET", path, token: tokenBefore), 401, "Invalid authorization.", line: line)
            }
            XCTAssertEqual(try lm.call("GET", "/users/alice/roles", token: try lm.token("alice", new)).status, 200, line: line)
        }

        // 1. MCSManager (the administrator sets it).
        var token = try lm.token("alice", "First0Password")
        try panelPut(uuid, ["passWord": "Second0Password"])
        try check("First0Password", "Second0Password", tokenBefore: token)

        // 2. Erizos: the user's own PUT with `password`.
        token = try lm.token("alice", "Second0Password")
        let erizos = ErizosClient(port: port)
        try erizos.login("alice", "Second0Password")
        let put = try erizos.call("PUT", "/api/users/alice", json: ["password": "Third0Password"])
        XCTAssertEqual(put.status, 200, put.text)
        XCTAssertNil(put.json?["password"])
        try check("Second0Password", "Third0Password", tokenBefore: token)

        // 3. Cortex Hub: PUT /users/password.
        token = try lm.token("alice", "Third0Password")
        let hub = HubClient(port: port)
        XCTAssertEqual(try hub.login("alice", "Third0Password").status, 200)
        let change = try hub.call("PUT", "/users/password", json: ["old_password": "Third0Password", "new_password": "Fourth0Password"])
        XCTAssertEqual(change.status, 200, change.text)
        try check("Third0Password", "Fourth0Password", tokenBefore: token)

        // 4. AIOStreams: POST /api/v1/user/password with Basic.
        token = try lm.token("alice", "Fourth0Password")
        let aio = try APIClient(port: port).request("POST", "/api/v1/user/password", headers: [APIClient.basic(dashed, "Fourth0Password")],
                                                  json: ["newPassword": "Fifth0Password"])
        XCTAssertEqual(aio.status, 200, aio.text)
        try check("Fourth0Password", "Fifth0Password", tokenBefore: token)
    }

    // MARK: roles

    func testRolesMapBothWays() throws {
        let uuid = try panel.createUser("alice", password: "Alice0Password")
        let token = try lm.token("alice", "Alice0Password")
        let erizosAdmin = try erizosAdmin()
        let hubAdmin = try hubAdmin()

        /// Every dialect's view of alice: administrator or not.
        func assertAdmin(_ isAdmin: Bool, erizosRoles: JSONValue, line: UInt = #line) throws {
            XCTAssertEqual(try panelRow("alice")["permission"]?.intValue, isAdmin ? 10 : 1, line: line)
            XCTAssertEqual(try erizosAdmin.call("GET", "/api/users/alice").json?["roles"], erizosRoles, line: line)
            let hub = HubClient(port: port)
            XCTAssertEqual(try hub.login("alice", "Alice0Password").json?["role"]?.stringValue, isAdmin ? "admin" : "user", line: line)
            XCTAssertEqual(try hub.call("GET", "/users/me").json?["role"]?.stringValue, isAdmin ? "admin" : "user", line: line)
            let listed = try XCTUnwrap(try hubAdmin.call("GET", "/users/admin/users").json?.arrayValue, line: line)
            XCTAssertEqual(listed.first { $0["id"]?.stringValue == uuid }?["role"]?.stringValue, isAdmin ? "admin" : "user", line: line)
            let slugs = try lmRoleSlugs("alice", token: token)
            XCTAssertEqual(slugs.contains("admin"), isAdmin, "\(slugs)", line: line)
            let shown = try lm.call("GET", "/users/alice", token: token).json?["user"]?["roles"]?.arrayValue ?? []
            XCTAssertEqual(shown.contains { $0["slug"] == "admin" }, isAdmin, "\(shown)", line: line)
        }
        try assertAdmin(false, erizosRoles: [])

        // Granted through MCSManager (permission 10) …
        try panelPut(uuid, ["permission": 10])
        try assertAdmin(true, erizosRoles: ["ADMIN"])
        // … taken back there; granted through Erizos (ADMIN) …
        try panelPut(uuid, ["permission": 1])
        try assertAdmin(false, erizosRoles: [])
        XCTAssertEqual(try erizosAdmin.call("PUT", "/api/users/alice", json: ["roles": ["ADMIN", "DESIGNER"]]).status, 200)
        try assertAdmin(true, erizosRoles: ["ADMIN", "DESIGNER"])
        // … demoted through Cortex Hub; DESIGNER stays.
        let demote = try hubAdmin.call("PUT", "/users/admin/users/\(uuid)/role", json: ["role": "user"])
        XCTAssertEqual(demote.status, 200, demote.text)
        try assertAdmin(false, erizosRoles: ["DESIGNER"])
        // Granted through Cortex Hub too.
        XCTAssertEqual(try hubAdmin.call("PUT", "/users/admin/users/\(uuid)/role", json: ["role": "admin"]).status, 200)
        try assertAdmin(true, erizosRoles: ["ADMIN", "DESIGNER"])

        // Erizos' own roles survive MCSManager's permission changes, guest included.
        try panelPut(uuid, ["permission": 0])
        XCTAssertEqual(try panelRow("alice")["permission"], 0)
        XCTAssertEqual(try erizosAdmin.call("GET", "/api/users/alice").json?["roles"], ["DESIGNER"])
        try panelPut(uuid, ["permission": 1])
        XCTAssertEqual(try erizosAdmin.call("GET", "/api/users/alice").json?["roles"], ["DESIGNER"])
        // … and a role change in Erizos keeps MCSManager's guest.
        try panelPut(uuid, ["permission": 0])
        XCTAssertEqual(try erizosAdmin.call("PUT", "/api/users/alice", json: ["roles": ["EDITOR"]]).status, 200)
        XCTAssertEqual(try panelRow("alice")["permission"], 0)

        // LISTEN.moe's `user` role never shows in Erizos, and survives Erizos' changes.
        let bobToken = try lm.account("bob", password: "Bob0Password")
        XCTAssertEqual(try lmRoleSlugs("bob", token: bobToken), ["user"])
        XCTAssertEqual(try erizosRoles("bob"), [])
        XCTAssertEqual(try erizosAdmin.call("PUT", "/api/users/bob", json: ["roles": ["ADMIN", "OPERATOR"]]).status, 200)
        XCTAssertEqual(try erizosRoles("bob"), ["ADMIN", "OPERATOR"])
        XCTAssertEqual(Set(try lmRoleSlugs("bob", token: bobToken)), ["admin", "user"])
        XCTAssertEqual(try panelRow("bob")["permission"], 10)
        XCTAssertEqual(try erizosAdmin.call("PUT", "/api/users/bob", json: ["roles": ["OPERATOR"]]).status, 200)
        XCTAssertEqual(try lmRoleSlugs("bob", token: bobToken), ["user"])
        XCTAssertEqual(try panelRow("bob")["permission"], 1)
    }

    // MARK: bans and deletions

    /// Credentials of every kind for one user, taken before a ban or delete.
    struct Held {
        var erizos: ErizosClient
        var hub: HubClient
        var lmToken: String
        var panel: PanelClient
    }

    func hold(_ name: String, _ password: String) throws -> Held {
        let erizos = ErizosClient(port: port)
        try erizos.login(name, password)
        XCTAssertEqual(try erizos.call("GET", "/api/users/\(name)").status, 200)
        let hub = HubClient(port: port)
        XCTAssertEqual(try hub.login(name, password).status, 200)
        XCTAssertEqual(try hub.call("GET", "/users/me").status, 200)
        let token = try lm.token(name, password)
        XCTAssertEqual(try lm.call("GET", "/users/\(name)/roles", token: token).status, 200)
        let session = try panel.signedIn(name, password)
        XCTAssertEqual(try session.call("GET", "/api/auth/").status, 200)
        return Held(erizos: erizos, hub: hub, lmToken: token, panel: session)
    }

    /// Nothing held works any more, and no new sign-in either.
    func assertLockedOut(_ name: String, _ dashed: String, _ password: String, _ held: Held, line: UInt = #line) throws {
        assertErizosError(try held.erizos.call("GET", "/api/users/\(name)"), 401, line: line)
        assertDetail(try held.hub.call("GET", "/users/me"), 401, line: line)
        assertLM(try lm.call("GET", "/users/\(name)", token: held.lmToken), 401, "Invalid authorization.", line: line)
        XCTAssertNotEqual(try held.panel.call("GET", "/api/auth/").status, 200, line: line)
        try assertSignIn(name, dashed, password, accepted: false, line: line)
    }

    func testBanAndDeleteTakeEffectEverywhere() throws {
        let uuid = try panel.createUser("alice", password: "Alice0Password")
        let dashed = MCSM.dashed(uuid)
        let held = try hold("alice", "Alice0Password")
        XCTAssertEqual(try aioBasic(dashed, "Alice0Password").status, 200)

        // Banned through MCSManager: everything ends at once.
        try panelPut(uuid, ["permission": -1])
        try assertLockedOut("alice", dashed, "Alice0Password", held)
        XCTAssertEqual(try panelRow("alice")["permission"], -1)
        // Unbanned: fresh sign-ins work again everywhere.
        try panelPut(uuid, ["permission": 1])
        try assertSignIn("alice", dashed, "Alice0Password", accepted: true)

        // Deleted through MCSManager: everything ends.
        let again = try hold("alice", "Alice0Password")
        assertEnvelope(try panel.keyClient().call("DELETE", "/api/auth", json: [.string(uuid)], ajax: false), 200, true)
        try assertLockedOut("alice", dashed, "Alice0Password", again)
        XCTAssertEqual(try APIClient(port: port).request("HEAD", "/api/v1/user?uuid=\(dashed)").status, 400)
        assertErizosError(try erizosAdmin().call("GET", "/api/users/alice"), 404)

        // Deleted through Erizos: the same.
        let bobUUID = try panel.createUser("bob", password: "Bob0Password")
        let bobHeld = try hold("bob", "Bob0Password")
        XCTAssertEqual(try erizosAdmin().call("DELETE", "/api/users/bob").status, 200)
        try assertLockedOut("bob", MCSM.dashed(bobUUID), "Bob0Password", bobHeld)
        XCTAssertTrue(try panel.search("page=1&page_size=50&userName=bob").json?["data"]?["data"]?.arrayValue?.isEmpty ?? false)

        // Deleted through AIOStreams: the same.
        let carolUUID = try panel.createUser("carol", password: "Carol0Password")
        let carolHeld = try hold("carol", "Carol0Password")
        let delete = try APIClient(port: port).request("DELETE", "/api/v1/user", json: ["uuid": .string(MCSM.dashed(carolUUID)), "password": "Carol0Password"])
        XCTAssertEqual(delete.status, 200, delete.text)
        try assertLockedOut("carol", MCSM.dashed(carolUUID), "Carol0Password", carolHeld)
    }

    // MARK: documents

    func testPerDialectDocumentsNeverClobberEachOther() throws {
        // An AIOStreams account (no username), named by the administrator.
        let created = try APIClient(port: port).request("POST", "/api/v1/user", json: ["config": ["theme": "dark"], "password": "Stream0Password"])
        XCTAssertEqual(created.status, 201, created.text)
        let dashed = try XCTUnwrap(created.json?["data"]?["uuid"]?.stringValue)
        let uuid = dashed.replacingOccurrences(of: "-", with: "")
        try panelPut(uuid, ["userName": "streamer", "instances": [["instanceUuid": "i1", "daemonId": "d1"]]])

        let erizosAdmin = try erizosAdmin()
        let hub = HubClient(port: port)
        XCTAssertEqual(try hub.login("streamer", "Stream0Password").status, 200)
        let token = try lm.token("streamer", "Stream0Password")

        func snapshot() throws -> [String: JSONValue] {
            [
                "aiostreams": try aioGet(dashed, "Stream0Password").json?["data"]?["userData"]?["theme"] ?? .null,
                "mcsmanager": try panelRow("streamer")["instances"] ?? .null,
                "erizos": try erizosAdmin.call("GET", "/api/users/streamer").json?["settings"] ?? .null,
                "cortexhub": try hub.call("GET", "/users/me/config").json?["llm"] ?? .null,
                "listenmoe": try lm.call("GET", "/users/streamer", token: token).json?["user"]?["bio"] ?? .null,
            ]
        }
        var expected: [String: JSONValue] = [
            "aiostreams": "dark", "mcsmanager": [["instanceUuid": "i1", "daemonId": "d1"]],
            "erizos": Erizos.defaultSettings, "cortexhub": [:], "listenmoe": .null,
        ]
        XCTAssertEqual(try snapshot(), expected)

        /// Each write, then every dialect's document as expected.
        func write(_ dialect: String, _ value: JSONValue, line: UInt = #line, _ body: () throws -> APIResponse) throws {
            let r = try body()
            XCTAssertTrue((200...204).contains(r.status), "\(dialect): \(r.text)", line: line)
            expected[dialect] = value
            XCTAssertEqual(try snapshot(), expected, "after a write through \(dialect)", line: line)
        }
        let erizosSettings: JSONValue = ["studio": ["layout": "wide"], "browse": ["sort": "name"]]
        try write("erizos", erizosSettings) { try erizosAdmin.call("PUT", "/api/users/streamer", json: ["settings": erizosSettings]) }
        try write("cortexhub", ["active_provider": "openai", "model": "gpt-4o"]) {
            try hub.call("PUT", "/users/me/config", json: ["llm": ["active_provider": "openai", "model": "gpt-4o"]])
        }
        try write("listenmoe", "hi there") { try lm.call("PATCH", "/users/streamer", token: token, json: ["bio": "hi there"]) }
        try write("aiostreams", "light") {
            try APIClient(port: port).request("PUT", "/api/v1/user", json: ["uuid": .string(dashed), "password": "Stream0Password", "config": ["theme": "light"]])
        }
        try write("mcsmanager", [["instanceUuid": "i2", "daemonId": "d2"]]) {
            try panel.keyClient().call("PUT", "/api/auth", json: ["uuid": .string(uuid), "config": ["instances": [["instanceUuid": "i2", "daemonId": "d2"]]]], ajax: false)
        }
        // And once more in another order, with resets.
        try write("erizos", Erizos.defaultSettings) { try erizosAdmin.call("DELETE", "/api/users/streamer/settings") }
        try write("listenmoe", .null) { try lm.call("PATCH", "/users/streamer", token: token, json: ["bio": .null]) }
        try write("cortexhub", ["model": "other"]) { try hub.call("PUT", "/users/me/config", json: ["llm": ["model": "other"]]) }
        // Role and password changes elsewhere leave every document alone too.
        try write("mcsmanager", [["instanceUuid": "i2", "daemonId": "d2"]]) {
            try panel.keyClient().call("PUT", "/api/auth", json: ["uuid": .string(uuid), "config": ["permission": 10]], ajax: false)
        }
        let hubRead = try hub.call("GET", "/users/me/config")
        XCTAssertEqual(hubRead.json?["tts"], [:])
        XCTAssertEqual(hubRead.json?["stt"], [:])
    }

    // MARK: nameless accounts

    func testAccountWithoutUsernameBreaksNoListing() throws {
        try panel.createUser("alice", password: "Alice0Password")
        let created = try APIClient(port: port).request("POST", "/api/v1/user", json: ["config": ["theme": "dark"], "password": "Stream0Password"])
        XCTAssertEqual(created.status, 201, created.text)
        let dashed = try XCTUnwrap(created.json?["data"]?["uuid"]?.stringValue)
        let uuid = dashed.replacingOccurrences(of: "-", with: "")

        // Erizos: listed with "username": "", reachable by _id.
        let list = try erizosAdmin().call("GET", "/api/users")
        XCTAssertEqual(list.status, 200, list.text)
        let users = try XCTUnwrap(list.json?.arrayValue)
        XCTAssertEqual(users.count, 3)
        let nameless = try XCTUnwrap(users.first { $0["username"] == "" })
        assertUserObject(nameless)

        // MCSManager: listed with "userName": "", and name filters still work.
        let all = try XCTUnwrap(try panel.search("page=1&page_size=50").json?["data"])
        XCTAssertEqual(all["total"], 3)
        XCTAssertEqual(all["data"]?.arrayValue?.first { $0["uuid"]?.stringValue == uuid }?["userName"], "")
        XCTAssertEqual(try panel.search("page=1&page_size=50&userName=ali").json?["data"]?["total"], 1)

        // Cortex Hub: listed with "username": null.
        let hubList = try hubAdmin().call("GET", "/users/admin/users")
        XCTAssertEqual(hubList.status, 200, hubList.text)
        let hubUsers = try XCTUnwrap(hubList.json?.arrayValue)
        XCTAssertEqual(hubUsers.count, 3)
        let hubNameless = try XCTUnwrap(hubUsers.first { $0["id"]?.stringValue == uuid })
        XCTAssertEqual(hubNameless["username"], .null)
        XCTAssertEqual(hubNameless["role"], "user")
    }

    // MARK: two-factor sign-in

    func testTwoFactorTurnedOnElsewhereIsEnforced() throws {
        let uuid = try panel.createUser("alice", password: "Alice0Password")
        let dashed = MCSM.dashed(uuid)
        let token = try lm.token("alice", "Alice0Password")
        // Turned on through MCSManager here (ListenMoeMFATests turns it on
        // through LISTEN.moe and checks every dialect the same way).
        let erizos = ErizosClient(port: port)
        try erizos.login("alice", "Alice0Password")
        let hub = HubClient(port: port)
        XCTAssertEqual(try hub.login("alice", "Alice0Password").status, 200)
        XCTAssertEqual(try hub.call("GET", "/users/me").status, 200)

        let secret = "JBSWY3DPEHPK3PXPJBSWY3DP"
        try panelPut(uuid, ["secret": .string(secret), "open2FA": true])

        // MCSManager asks for the code, and takes it.
        assertEnvelope(try PanelClient(port: port).login("alice", "Alice0Password"), 200, "NEED_2FA")
        assertEnvelope(try PanelClient(port: port).login("alice", "Alice0Password", code: MCSM.totp(secret)), 200)
        // Erizos (no second step): refused after the right password, and the open session ends.
        assertErizosError(try APIClient(port: port).request("POST", "/api/login", json: ["username": "alice", "password": "Alice0Password"]), 403,
                          AllFive.erizosSecondFactor)
        assertErizosError(try erizos.call("GET", "/api/users/alice"), 403, AllFive.erizosSecondFactor)
        assertErizosError(try erizos.call("GET", "/api/users/alice"), 401, "Invalid or expired session")
        assertErizosError(try APIClient(port: port).request("GET", "/api/users/alice", headers: [APIClient.basic("alice", "Alice0Password")]), 403)
        // Cortex Hub (no second step): the local login is refused, and the
        // id a password login handed out before ends.
        assertDetail(try HubClient(port: port).login("alice", "Alice0Password"), 403, AllFive.hubSecondFactor)
        assertDetail(try hub.call("GET", "/users/me"), 403, AllFive.hubSecondFactor)
        assertDetail(try hub.call("GET", "/users/me"), 401)
        // AIOStreams (a password on every request): refused, both ways of sending it.
        for r in [try aioGet(dashed, "Alice0Password"), try aioBasic(dashed, "Alice0Password")] {
            XCTAssertEqual(r.status, 401, r.text)
            XCTAssertEqual(r.json?["success"], false, r.text)
            XCTAssertEqual(r.json?["error"]?["code"], "UNAUTHORIZED", r.text)
            XCTAssertEqual(r.json?["error"]?["message"]?.stringValue, AllFive.aioSecondFactor, r.text)
        }
        // LISTEN.moe asks for its second step: a pending token only (refused
        // outside /login/mfa), and older tokens end.
        let pending = try lm.login("alice", "Alice0Password")
        XCTAssertEqual(pending.status, 200, pending.text)
        XCTAssertEqual(pending.json?["mfa"]?.boolValue, true, pending.text)
        let pendingToken = try XCTUnwrap(pending.json?["token"]?.stringValue)
        assertLM(try lm.call("GET", "/users/alice", token: pendingToken), 401, "Invalid authorization.")
        assertLM(try lm.call("GET", "/users/alice", token: token), 401, "Invalid authorization.")
        // Wrong passwords stay the ordinary failures everywhere (the rule
        // says nothing to whoever lacks the password).
        try assertSignIn("alice", dashed, "Wrong0Password", accepted: false)

        // Turned off again (a password reset through MCSManager): every dialect signs in.
        try panelPut(uuid, ["passWord": "Reset0Password"])
        try assertSignIn("alice", dashed, "Reset0Password", accepted: true)
    }

    /// Turned on through LISTEN.moe (QR code read by zbarimg, codes from
    /// oathtool): MCSManager asks for the code, the dialects without a
    /// second step refuse the password alone.
    func testTwoFactorTurnedOnThroughListenMoeIsEnforcedEverywhere() throws {
        let uuid = try panel.createUser("alice", password: "Alice0Password")
        let dashed = MCSM.dashed(uuid)
        let token = try lm.token("alice", "Alice0Password")
        let enrolment = try lm.call("GET", "/users/alice/mfa", token: token)
        assertLM(enrolment, 200, "Successfully generated MFA QR code.")
        let account = try ScannedAccount(otpauthURL: try XCTUnwrap(enrolment.json?["otpauthURL"]?.stringValue))
        // Codes are drawn relative to now (from one step back): a step
        // change between drawing and checking would push one out of the window.
        StepClock.awayFromStepEnd()
        let codes = CodeSequence(account.secret, from: -1)
        let enabled = try lm.call("POST", "/users/alice/mfa", token: token, json: ["token": .string(try codes.next())])
        assertLM(enabled, 200, "Successfully enabled mfa. You will now be logged out.")
        let recovery = try XCTUnwrap(enabled.json?["recoveryCodes"]?.arrayValue).compactMap(\.stringValue)

        assertEnvelope(try PanelClient(port: port).login("alice", "Alice0Password"), 200, "NEED_2FA")
        XCTAssertEqual(try PanelClient(port: port).login("alice", "Alice0Password", code: try codes.next()).status, 200)
        XCTAssertEqual(try PanelClient(port: port).login("alice", "Alice0Password", code: recovery[0]).status, 200)
        assertErizosError(try APIClient(port: port).request("POST", "/api/login", json: ["username": "alice", "password": "Alice0Password"]), 403,
                          AllFive.erizosSecondFactor)
        assertErizosError(try APIClient(port: port).request("GET", "/api/users/alice", headers: [APIClient.basic("alice", "Alice0Password")]), 403,
                          AllFive.erizosSecondFactor)
        assertDetail(try HubClient(port: port).login("alice", "Alice0Password"), 403, AllFive.hubSecondFactor)
        XCTAssertEqual(try aioGet(dashed, "Alice0Password").json?["error"]?["message"]?.stringValue, AllFive.aioSecondFactor)
        XCTAssertEqual(try aioBasic(dashed, "Alice0Password").status, 401)
    }

    /// An operator may exempt a dialect (`allowPasswordOnlyForMfaUsers`,
    /// read by the host): there the password alone signs in a user with a
    /// second factor on; dialects not exempted keep asking for it.
    func testOperatorMayExemptADialectFromTheSecondFactor() throws {
        server.stop()
        let dir = TemporaryDirectory.make("all5-exempt")
        var config = AllFive.config(directory: dir)
        let exempted: Set<String> = ["aiostreams", "erizos", "cortexhub"]
        config["dialects"] = (config["dialects"] as? [[String: Any]] ?? []).map { dialect in
            guard let name = dialect["plugin"] as? String, exempted.contains(name) else { return dialect }
            var d = dialect
            var options = d["options"] as? [String: Any] ?? [:]
            options["allowPasswordOnlyForMfaUsers"] = true
            d["options"] = options
            return d
        }
        server = try ProteusProcess(config: config, directory: dir)
        panel = try PanelServer(server: server)
        lm = LMServer(server: server, config: config, mount: AllFive.lmMount)

        let uuid = try panel.createUser("alice", password: "Alice0Password")
        let dashed = MCSM.dashed(uuid)
        let erizos = ErizosClient(port: port)
        try erizos.login("alice", "Alice0Password")
        try panelPut(uuid, ["secret": "JBSWY3DPEHPK3PXPJBSWY3DP", "open2FA": true])

        XCTAssertEqual(try erizos.call("GET", "/api/users/alice").status, 200, "an exempted dialect's session goes on")
        XCTAssertEqual(try ErizosClient(port: port).login("alice", "Alice0Password").status, 200)
        let hub = HubClient(port: port)
        XCTAssertEqual(try hub.login("alice", "Alice0Password").status, 200)
        XCTAssertEqual(try hub.call("GET", "/users/me").status, 200)
        XCTAssertEqual(try aioGet(dashed, "Alice0Password").status, 200)
        XCTAssertEqual(try aioBasic(dashed, "Alice0Password").status, 200)
        // Not exempted: still the second step.
        assertEnvelope(try PanelClient(port: port).login("alice", "Alice0Password"), 200, "NEED_2FA")
        XCTAssertEqual(try lm.login("alice", "Alice0Password").json?["mfa"]?.boolValue, true)
        // Wrong passwords are still wrong.
        XCTAssertEqual(try aioGet(dashed, "Wrong0Password").status, 400)
        // The weakening is said at startup, per exempted mount.
        _ = server.stop()
        for name in exempted {
            XCTAssertTrue(server.outputText.contains("(\(name) at ") && server.outputText.contains("allowPasswordOnlyForMfaUsers is on"),
                          "\(name): \(server.outputText)")
        }
    }
}
