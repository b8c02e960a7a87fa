// The Cortex Hub dialect against the real binary: local sign-in and its
// opaque user_id (forgeries refused), sign-out, status, profile, password,
// preferences and the provider catalogue. MCSManager at "/" makes the first
// administrator, as a deployment sharing the directory would.
import Foundation
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest
@testable import Host

class CortexHubTests: XCTestCase {
    var hub: HubServer!

    override func setUpWithError() throws {
        hub = try HubServer(options: ["providers": [
            "llm": ["openai": ["models": ["gpt-4o", "gpt-4o-mini"], "url": "https://api.openai.com/v1"],
                    "ollama": ["models": ["llama3"], "url": "http://127.0.0.1:11434"]],
            "tts": ["elevenlabs": ["models": ["eleven_v2"]]],
        ]])
    }

    override func tearDown() {
        hub?.stop()
        hub = nil
    }

    // MARK: identity

    func testLoginIssuesANewOpaqueIDEachTime() throws {
        try hub.createUser("alice")
        let first = try hub.signedIn("alice")
        let second = try hub.signedIn("alice")
        let a = try XCTUnwrap(first.userID), b = try XCTUnwrap(second.userID)
        XCTAssertGreaterThanOrEqual(a.count, 22)
        XCTAssertNotEqual(a, b)
        let me = try first.call("GET", "/users/me")
        XCTAssertEqual(me.status, 200, me.text)
        XCTAssertEqual(me.json?["logged_in"], true)
        XCTAssertEqual(me.json?["username"]?.stringValue, "alice")
        XCTAssertEqual(me.json?["role"]?.stringValue, "user")
        XCTAssertNotEqual(me.json?["id"]?.stringValue, a, "the profile id is never the login id")
        // The same id as a bearer token.
        let bearer = try HubClient(port: hub.port).call("GET", "/users/me", headers: [("Authorization", "Bearer " + b)])
        XCTAssertEqual(bearer.json?["username"]?.stringValue, "alice", bearer.text)
        XCTAssertEqual(try second.call("GET", "/users/me").status, 200)
    }

    func testForgedAndForeignIDsAreRefused() throws {
        let uuid = try hub.createUser("bob")
        let bob = try hub.signedIn("bob")
        let id = try XCTUnwrap(bob.userID)
        var edited = Array(id)
        edited[edited.count - 1] = edited.last == "A" ? "B" : "A"
        let guessed = String(repeating: "x", count: id.count)
        // MCSManager's own credentials for bob: its session cookie value, its token, an API key.
        let panelBob = PanelClient(port: hub.port)
        XCTAssertEqual(try panelBob.login("bob", "Passw0rdUser").status, 200)
        let cookieValue = try XCTUnwrap(panelBob.cookie?.split(separator: "=", maxSplits: 1).last.map(String.init))
        let key = try panelBob.call("PUT", "/api/auth/api", json: ["enable": true]).json?["data"]?.stringValue ?? ""
        XCTAssertFalse(key.isEmpty)
        let forged = [String(edited), guessed, uuid, MCSM.dashed(uuid), cookieValue, panelBob.token ?? "", key, "", "Bearer"]
        for candidate in forged {
            assertDetail(try HubClient(port: hub.port, userID: candidate).call("GET", "/users/me"), 401)
            assertDetail(try HubClient(port: hub.port).call("GET", "/users/me/profile", headers: [("Authorization", "Bearer " + candidate)]), 401)
        }
        assertDetail(try HubClient(port: hub.port).call("GET", "/users/me"), 401)
        assertDetail(try HubClient(port: hub.port).call("GET", "/users/me/config"), 401)
        // The genuine id still works.
        XCTAssertEqual(try bob.call("GET", "/users/me").status, 200)
    }

    func testWrongPasswordAndUnknownUserGetTheSame401() throws {
        try hub.createUser("carol")
        let wrong = try HubClient(port: hub.port).login("carol", "Wr0ngPassword")
        let unknown = try HubClient(port: hub.port).login("nobody", "Wr0ngPassword")
        assertDetail(wrong, 401)
        XCTAssertEqual(wrong.text, unknown.text)
        XCTAssertEqual(wrong.status, unknown.status)
    }

    func testLogoutRevokesOnlyThePresentedID() throws {
        try hub.createUser("dan")
        let one = try hub.signedIn("dan"), two = try hub.signedIn("dan")
        let out = try one.call("POST", "/users/logout")
        XCTAssertEqual(out.status, 200, out.text)
        assertDetail(try one.call("GET", "/users/me"), 401)
        assertDetail(try one.call("POST", "/users/logout"), 401)
        XCTAssertEqual(try two.call("GET", "/users/me").status, 200)
    }

    func testIDsSurviveARestart() throws {
        try hub.createUser("erin")
        let erin = try hub.signedIn("erin")
        let directory = hub.server.directory
        hub.stop()
        hub = try HubServer(options: [:], directory: directory)
        let again = HubClient(port: hub.port, userID: erin.userID)
        XCTAssertEqual(try again.call("GET", "/users/me").json?["username"]?.stringValue, "erin")
    }

    func testRoleChangesApplyAtOnceAndBannedOrDeletedUsersAreOut() throws {
        let uuid = try hub.createUser("fay")
        let fay = try hub.signedIn("fay")
        assertDetail(try fay.call("GET", "/users/admin/users"), 403)
        XCTAssertEqual(try hub.admin.call("PUT", "/users/admin/users/\(uuid)/role", json: ["role": "admin"]).status, 200)
        XCTAssertEqual(try fay.call("GET", "/users/admin/users").status, 200)
        XCTAssertEqual(try fay.call("GET", "/users/me").json?["role"]?.stringValue, "admin")
        XCTAssertEqual(try hub.admin.call("PUT", "/users/admin/users/\(uuid)/role", json: ["role": "user"]).status, 200)
        assertDetail(try fay.call("GET", "/users/admin/users"), 403)
        // Banned through MCSManager (permission -1): the id stops working, sign-in is refused.
        try hub.setPermission(uuid, -1)
        assertDetail(try fay.call("GET", "/users/me"), 401)
        assertDetail(try HubClient(port: hub.port).login("fay", "Passw0rdUser"), 401)
        try hub.setPermission(uuid, 1)
        let back = try hub.signedIn("fay")
        try hub.deleteUser(uuid)
        assertDetail(try back.call("GET", "/users/me"), 401)
        assertDetail(try HubClient(port: hub.port).login("fay", "Passw0rdUser"), 401)
    }

    func testMCSManagerUsersSignInWithTheirPasswordAndAdminsAreAdmin() throws {
        try hub.createUser("gil", password: "G1lPassword99")
        let gil = try HubClient(port: hub.port).login("gil", "G1lPassword99")
        XCTAssertEqual(gil.status, 200, gil.text)
        XCTAssertEqual(gil.json?["role"]?.stringValue, "user")
        try hub.createUser("hana", password: "H4naPassword", permission: 10)
        let hana = try hub.signedIn("hana", "H4naPassword")
        XCTAssertEqual(try hana.call("GET", "/users/me").json?["role"]?.stringValue, "admin")
        XCTAssertEqual(try hana.call("GET", "/users/admin/users").status, 200)
        // The installer of MCSManager is admin here too.
        XCTAssertEqual(try hub.admin.call("GET", "/users/me").json?["role"]?.stringValue, "admin")
    }

    func testPasswordLoginCanBeSwitchedOff() throws {
        hub.stop()
        hub = nil
        let dir = TemporaryDirectory.make("ch-nopw")
        let server = try ProteusProcess(config: CH.config(directory: dir, options: ["allowPasswordLogin": false]), directory: dir)
        defer { server.stop() }
        assertDetail(try HubClient(port: server.port).login("anyone", "whatever"), 403)
    }

    func testBootstrapAdminsArePromotedAtTheirFirstSignInOnly() throws {
        hub.stop()
        hub = try HubServer(options: ["bootstrapAdmins": ["ivy", "boss@example.com", "nobody@example.com"]], label: "ch-boot")
        let ivyID = try hub.createUser("ivy")
        let ivy = try hub.signedIn("ivy")
        XCTAssertEqual(try ivy.call("GET", "/users/me").json?["role"]?.stringValue, "admin")
        XCTAssertEqual(try hub.admin.call("PUT", "/users/admin/users/\(ivyID)/role", json: ["role": "user"]).status, 200)
        let again = try hub.signedIn("ivy")
        XCTAssertEqual(try again.call("GET", "/users/me").json?["role"]?.stringValue, "user", "a demotion sticks")
        // By email: a user whose listed email was set before their first sign-in here.
        let lenaID = try hub.createUser("lena")
        do {
            let (store, binding) = try MCSM.store(hub.server)
            defer { binding.instance.destroy() }
            var changes = UserRecord(id: MCSM.id(lenaID))
            changes.email = "Boss@Example.com"
            _ = try store.updateUser(changes, fields: PROTEUS_FIELD_EMAIL)
        }
        XCTAssertEqual(try hub.signedIn("boss@example.com").call("GET", "/users/me").json?["role"]?.stringValue, "admin")
        // Someone signed in here before gets nothing from an email added later.
        try hub.createUser("kim")
        let kim = try hub.signedIn("kim")
        XCTAssertEqual(try kim.call("PUT", "/users/me/profile", json: ["email": "nobody@example.com"]).status, 200)
        XCTAssertEqual(try hub.signedIn("nobody@example.com").call("GET", "/users/me").json?["role"]?.stringValue, "user")
    }

    func testLoginRateLimitDefaultLetsFortySignInsThroughAndIsConfigurable() throws {
        try hub.createUser("lea")
        for i in 0..<40 {
            let r = try HubClient(port: hub.port).login("lea", "Passw0rdUser")
            XCTAssertEqual(r.status, 200, "sign-in \(i): \(r.text)")
        }
        hub.stop()
        StepClock.awayFromWindowEnd(period: 86_400)   // the host's windows start at multiples of their length
        hub = try HubServer(options: ["loginRateLimit": ["perAccount": ["failures": 2, "windowSeconds": 86_400]]], label: "ch-tight")
        let statuses = try (0..<3).map { _ in try HubClient(port: hub.port).login("someone", "Wr0ngPassword").status }
        XCTAssertEqual(statuses, [401, 401, 429])
        let limited = try HubClient(port: hub.port).login("someone", "Wr0ngPassword")
        assertDetail(limited, 429)
        XCTAssertNotNil(limited.header("Retry-After"))
    }

    // MARK: profile and password

    func testProfileReadAndUpdate() throws {
        let uuid = try hub.createUser("max")
        let max = try hub.signedIn("max")
        let profile = try max.call("GET", "/users/me/profile")
        XCTAssertEqual(profile.status, 200, profile.text)
        XCTAssertEqual(profile.json?["id"]?.stringValue, uuid)
        XCTAssertEqual(profile.json?["username"]?.stringValue, "max")
        XCTAssertEqual(profile.json?["email"], .null)
        XCTAssertEqual(profile.json?["display_name"], .null)
        XCTAssertFalse(profile.text.contains("argon2") || profile.text.contains("password"), profile.text)

        let named = try max.call("PUT", "/users/me/profile", json: ["display_name": "Max M", "role": "admin", "group_id": "00000000000000000000000000000000"])
        XCTAssertEqual(named.status, 200, named.text)
        XCTAssertEqual(named.json?["display_name"]?.stringValue, "Max M")
        XCTAssertEqual(named.json?["role"]?.stringValue, "user", "PUT never changes the role")
        XCTAssertEqual(named.json?["group_id"], .null, "PUT never changes the group")
        let mailed = try max.call("PUT", "/users/me/profile", json: ["email": "max@example.com"])
        XCTAssertEqual(mailed.json?["display_name"]?.stringValue, "Max M", "omitted fields stay")
        XCTAssertEqual(mailed.json?["email"]?.stringValue, "max@example.com")
        // The new email signs in.
        let byMail = try HubClient(port: hub.port).login("max@example.com", "Passw0rdUser")
        XCTAssertEqual(byMail.status, 200, byMail.text)
        XCTAssertEqual(byMail.json?["username"]?.stringValue, "max")

        assertValidation(try max.call("PUT", "/users/me/profile", json: ["email": "not-an-email"]), loc: ["body", "email"])
        assertValidation(try max.call("PUT", "/users/me/profile", json: ["display_name": 5]), loc: ["body", "display_name"], type: "string_type")
        try hub.createUser("ned")
        let ned = try hub.signedIn("ned")
        assertDetail(try ned.call("PUT", "/users/me/profile", json: ["email": "MAX@example.com"]), 409)
        XCTAssertEqual(try max.call("GET", "/users/me/profile").json?["email"]?.stringValue, "max@example.com")
    }

    func testPasswordChange() throws {
        try hub.createUser("ola")
        let ola = try hub.signedIn("ola")
        let wrong = try ola.call("PUT", "/users/password", json: ["old_password": "Wr0ngPassword", "new_password": "N3wPassword!"])
        XCTAssertTrue([400, 401, 403].contains(wrong.status), wrong.text)
        assertDetail(wrong, wrong.status)
        XCTAssertEqual(try HubClient(port: hub.port).login("ola", "Passw0rdUser").status, 200, "nothing changed")
        assertValidation(try ola.call("PUT", "/users/password", json: ["old_password": "Passw0rdUser"]), loc: ["body", "new_password"], type: "missing")
        let ok = try ola.call("PUT", "/users/password", json: ["old_password": "Passw0rdUser", "new_password": "N3wPassword!"])
        XCTAssertEqual(ok.status, 200, ok.text)
        assertDetail(try HubClient(port: hub.port).login("ola", "Passw0rdUser"), 401)
        XCTAssertEqual(try HubClient(port: hub.port).login("ola", "N3wPassword!").status, 200)
    }

    // MARK: preferences and catalogue

    func testPreferencesAreKeptAsGivenPerUser() throws {
        try hub.createUser("pia")
        let pia = try hub.signedIn("pia")
        let empty = try pia.call("GET", "/users/me/config")
        XCTAssertEqual(empty.json, ["llm": [:], "tts": [:], "stt": [:]], empty.text)
        let llm: JSONValue = ["active_provider": "openai", "providers": ["openai": ["api_key": "sk-1", "model": "gpt-4o", "temperature": 0.5, "extra": [1, nil, true]]]]
        let put = try pia.call("PUT", "/users/me/config", json: ["llm": llm])
        XCTAssertEqual(put.status, 200, put.text)
        XCTAssertEqual(put.json?["llm"], llm)
        XCTAssertEqual(try pia.call("GET", "/users/me/config").json?["llm"], llm)
        // A non-object section: 422 and nothing changes.
        for bad: JSONValue in [["tts": "loud"], ["llm": [1, 2]], ["stt": ["x": 1], "tts": 3]] {
            assertValidation(try pia.call("PUT", "/users/me/config", json: bad), loc: ["body", bad["llm"] != nil ? "llm" : "tts"], type: "dict_type")
        }
        let after = try pia.call("GET", "/users/me/config")
        XCTAssertEqual(after.json, ["llm": llm, "tts": [:], "stt": [:]], after.text)
        // Sections not given stay.
        XCTAssertEqual(try pia.call("PUT", "/users/me/config", json: ["stt": ["engine": "whisper"]]).json?["llm"], llm)
        // Another user's preferences are their own.
        XCTAssertEqual(try hub.admin.call("GET", "/users/me/config").json, ["llm": [:], "tts": [:], "stt": [:]])
    }

    func testProviderCatalogue() throws {
        try hub.createUser("quinn")
        let quinn = try hub.signedIn("quinn")
        let all = try quinn.call("GET", "/users/me/config/providers")
        XCTAssertEqual(all.json, ["llm": ["ollama", "openai"], "tts": ["elevenlabs"], "stt": []], all.text)
        XCTAssertEqual(try quinn.call("GET", "/users/me/config/providers?section=llm").json, ["ollama", "openai"], "in the order configured (the test config file sorts keys)")
        assertDetail(try quinn.call("GET", "/users/me/config/providers?section=video"), 404)
        XCTAssertEqual(try quinn.call("GET", "/users/me/config/providers?section=llm&configured_only=true").json, [])
        _ = try quinn.call("PUT", "/users/me/config", json: ["llm": ["active_provider": "ollama"]])
        XCTAssertEqual(try quinn.call("GET", "/users/me/config/providers?section=llm&configured_only=true").json, ["ollama"])
        assertValidation(try quinn.call("GET", "/users/me/config/providers?configured_only=maybe"), loc: ["query", "configured_only"], type: "bool_parsing")
        assertDetail(try HubClient(port: hub.port).call("GET", "/users/me/config/providers"), 401)

        XCTAssertEqual(try quinn.call("GET", "/users/me/config/models?provider_name=openai").json, ["gpt-4o", "gpt-4o-mini"])
        XCTAssertEqual(try quinn.call("GET", "/users/me/config/models?provider_name=elevenlabs&section=tts").json, ["eleven_v2"])
        assertDetail(try quinn.call("GET", "/users/me/config/models?provider_name=elevenlabs"), 404)
        assertDetail(try quinn.call("GET", "/users/me/config/models?provider_name=openai&section=video"), 404)
        assertValidation(try quinn.call("GET", "/users/me/config/models"), loc: ["query", "provider_name"], type: "missing")
    }

    func testNoCatalogueWithoutProviders() throws {
        hub.stop()
        hub = try HubServer(label: "ch-nocat")
        XCTAssertEqual(try hub.admin.call("GET", "/users/me/config/providers").json, ["llm": [], "tts": [], "stt": []])
        assertDetail(try hub.admin.call("GET", "/users/me/config/models?provider_name=openai"), 404)
    }
}
