// The Erizos dialect against the real binary over real HTTP: sign-in three
// ways, every /api/users route with its rights and errors, roles over the
// shared directory, the last ADMIN, concurrency, a restart, and users made
// by MCSManager and AIOStreams (all three dialects at "/").
import COpenSSL
import Foundation
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest
@testable import Host

class ErizosTests: XCTestCase {
    var erizos: ErizosServer!

    override func setUpWithError() throws {
        erizos = try ErizosServer()
    }

    override func tearDown() {
        erizos?.stop()
    }

    private var port: UInt16 { erizos.port }
    private var admin: ErizosClient { erizos.admin }

    // MARK: sign-in

    func testLoginAnswersTheUserAndASession() throws {
        let r = try APIClient(port: port).request("POST", "/api/login", json: ["username": .string(Erizos.adminName), "password": .string(Erizos.adminPassword)])
        XCTAssertEqual(r.status, 200, r.text)
        let o = try XCTUnwrap(r.json?.objectValue)
        XCTAssertEqual(o.keys, Erizos.userKeys + ["session"])
        var user = o
        _ = user.removeValue(forKey: "session")
        assertUserObject(.object(user), username: Erizos.adminName)
        XCTAssertEqual(o["roles"], ["ADMIN"], "the MCSManager administrator is ADMIN")
        XCTAssertEqual(o["type"], "NORMAL")
        XCTAssertEqual(o["settings"], Erizos.defaultSettings)
        XCTAssertGreaterThanOrEqual(o["session"]?.stringValue?.count ?? 0, 40)
        XCTAssertFalse(r.text.lowercased().contains("argon2") || r.text.contains("password"), r.text)
        // Two sign-ins, two sessions.
        let again = try APIClient(port: port).request("POST", "/api/login", json: ["username": .string(Erizos.adminName), "password": .string(Erizos.adminPassword)])
        XCTAssertNotEqual(again.json?["session"], o["session"])
    }

    func testWrongPasswordAndUnknownUserLookAlike() throws {
        let c = APIClient(port: port)
        let wrong = try c.request("POST", "/api/login", json: ["username": .string(Erizos.adminName), "password": "nope"])
        let unknown = try c.request("POST", "/api/login", json: ["username": "nobody", "password": "nope"])
        assertErizosError(wrong, 401)
        assertErizosError(unknown, 401)
        XCTAssertEqual(wrong.body, unknown.body)
        // No default account.
        assertErizosError(try c.request("POST", "/api/login", json: ["username": "admin", "password": "admin"]), 401)
        assertErizosError(try c.request("GET", "/api/users", headers: [APIClient.basic("admin", "admin")]), 401)
        // Malformed sign-ins.
        assertErizosError(try c.request("POST", "/api/login", json: ["username": "x"]), 400)
        assertErizosError(try c.request("POST", "/api/login", json: ["username": 1, "password": "x"]), 400)
        assertErizosError(try c.request("POST", "/api/login", headers: [("Content-Type", "application/json")], body: Array("{".utf8)), 400)
        assertErizosError(try c.request("POST", "/api/login", json: ["a", "b"]), 400)
    }

    func testThreeWaysToSignIn() throws {
        let created = try erizos.createUser("olga", name: "Olga", roles: ["OPERATOR"])
        let id = try XCTUnwrap(created["_id"]?.stringValue)
        let olga = try erizos.signedIn("olga")
        let session = try XCTUnwrap(olga.session)
        let plain = APIClient(port: port)
        let bearer = try plain.request("GET", "/api/users/\(id)", headers: [("Authorization", "Bearer \(session)")])
        XCTAssertEqual(bearer.status, 200, bearer.text)
        assertUserObject(bearer.json, username: "olga")
        let query = try plain.request("GET", "/api/users/olga?erizos-login=\(q(session))")
        XCTAssertEqual(query.status, 200, query.text)
        XCTAssertEqual(query.json?["_id"]?.stringValue, id)
        let basic = try plain.request("GET", "/api/users/olga", headers: [APIClient.basic("olga", "secret pw")])
        XCTAssertEqual(basic.status, 200, basic.text)
        XCTAssertEqual(basic.json, bearer.json)
        // Bad or missing credentials.
        assertErizosError(try plain.request("GET", "/api/users/olga"), 401)
        // A challenge: Basic for requests that came with none or with Basic;
        // never for a Bearer client or a failed /api/login (no browser dialog).
        XCTAssertEqual(try plain.request("GET", "/api/users/olga").header("WWW-Authenticate"), "Bearer realm=\"erizos\", Basic realm=\"erizos\"")
        XCTAssertEqual(try plain.request("GET", "/api/users/olga", headers: [APIClient.basic("olga", "x")]).header("WWW-Authenticate")?.contains("Basic"), true)
        XCTAssertEqual(try plain.request("GET", "/api/users/olga", headers: [("Authorization", "Bearer nope")]).header("WWW-Authenticate"), "Bearer realm=\"erizos\"")
        XCTAssertEqual(try plain.request("POST", "/api/login", json: ["username": "olga", "password": "x"]).header("WWW-Authenticate"), "Bearer realm=\"erizos\"")
        assertErizosError(try plain.request("GET", "/api/users/olga", headers: [("Authorization", "Bearer nope")]), 401)
        assertErizosError(try plain.request("GET", "/api/users/olga?erizos-login=nope"), 401)
        assertErizosError(try plain.request("GET", "/api/users/olga", headers: [APIClient.basic("olga", "wrong")]), 401)
        assertErizosError(try plain.request("GET", "/api/users/olga", headers: [("Authorization", "Basic !!!")]), 401)
        assertErizosError(try plain.request("GET", "/api/users/olga", headers: [("Authorization", "Digest x")]), 401)
        // A session of another dialect (MCSManager's cookie value) is no Erizos session.
        assertErizosError(try plain.request("GET", "/api/users/olga", headers: [("Authorization", "Bearer \(String(session.reversed()))")]), 401)
    }

    func testFailedSignInsAreLimitedPerAccount() throws {
        try erizos.createUser("olga", password: "right pw")
        let plain = APIClient(port: port)
        for _ in 0..<10 {
            assertErizosError(try plain.request("POST", "/api/login", json: ["username": "olga", "password": "wrong"]), 401)
        }
        // The 11th attempt is refused whatever the password, in both styles.
        let refused = try plain.request("POST", "/api/login", json: ["username": "olga", "password": "right pw"])
        assertErizosError(refused, 429)
        XCTAssertGreaterThanOrEqual(Int(refused.header("Retry-After") ?? "") ?? 0, 1)
        assertErizosError(try plain.request("GET", "/api/users/olga", headers: [APIClient.basic("olga", "right pw")]), 429)
        // Other accounts are not affected, nor are open sessions.
        XCTAssertEqual(try admin.call("GET", "/api/users/olga").status, 200)
        XCTAssertEqual(try plain.request("GET", "/api/users/\(Erizos.adminName)", headers: [APIClient.basic(Erizos.adminName, Erizos.adminPassword)]).status, 200)
        // Basic: successes cost nothing, failures count.
        try erizos.createUser("bea", password: "bea pw")
        for _ in 0..<30 {
            XCTAssertEqual(try plain.request("GET", "/api/users/bea", headers: [APIClient.basic("bea", "bea pw")]).status, 200)
        }
        for _ in 0..<10 {
            assertErizosError(try plain.request("GET", "/api/users/bea", headers: [APIClient.basic("bea", "nope")]), 401)
        }
        assertErizosError(try plain.request("GET", "/api/users/bea", headers: [APIClient.basic("bea", "bea pw")]), 429)
    }

    func testTwoFactorAccountsCannotSignInHere() throws {
        let key = try XCTUnwrap(try panelKey())
        let made = try APIClient(port: port).request("POST", "/api/auth?apikey=\(key)", json: ["username": "tina", "password": "Passw0rdTina", "permission": 1])
        let uuid = try XCTUnwrap(made.json?["data"]?["uuid"]?.stringValue, made.text)
        let before = try erizos.signedIn("tina", "Passw0rdTina")
        XCTAssertEqual(try before.call("GET", "/api/users/tina").status, 200)
        let on = try APIClient(port: port).request("PUT", "/api/auth?apikey=\(key)", json: ["uuid": .string(uuid), "config": ["secret": "JBSWY3DPEHPK3PXPJBSWY3DP", "open2FA": true]])
        XCTAssertEqual(on.json?["data"], true, on.text)
        assertErizosError(try APIClient(port: port).request("POST", "/api/login", json: ["username": "tina", "password": "Passw0rdTina"]), 403)
        assertErizosError(try APIClient(port: port).request("GET", "/api/users/tina", headers: [APIClient.basic("tina", "Passw0rdTina")]), 403)
        // A session from before the second factor was turned on ends.
        assertErizosError(try before.call("GET", "/api/users/tina"), 403)
        assertErizosError(try before.call("GET", "/api/users/tina"), 401)
        // A wrong password never tells that the account has a second factor.
        assertErizosError(try APIClient(port: port).request("POST", "/api/login", json: ["username": "tina", "password": "wrong"]), 401)
    }

    func testSessionsExpireAndAreStoredHashed() throws {
        let short = try ErizosServer(label: "erizos-ttl", options: ["sessionTTLSeconds": 60])
        defer { short.stop() }
        let token = try XCTUnwrap(short.admin.session)
        var digest = [UInt8](repeating: 0, count: 32)
        _ = Array(token.utf8).withUnsafeBufferPointer { SHA256($0.baseAddress, $0.count, &digest) }
        let (store, binding) = try short.store()
        defer { binding.instance.destroy() }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let session = try store.getSession(digest, now: now)
        XCTAssertEqual(session.namespace, "erizos")
        XCTAssertLessThanOrEqual(abs(session.expiresAt - session.createdAt - 60_000), 0, "the configured lifetime")
        XCTAssertThrowsError(try store.getSession(Array(token.utf8), now: now), "only the hash is stored")
        // A minute later the store no longer finds it (the store decides by the caller's clock).
        XCTAssertThrowsError(try store.getSession(digest, now: session.expiresAt + 1))
    }

    // MARK: users

    func testCreateAndList() throws {
        let r = try admin.call("POST", "/api/users", json: ["username": "operator", "password": "my password", "name": "Operator 1", "roles": ["OPERATOR"]])
        XCTAssertEqual(r.status, 200, r.text)
        assertUserObject(r.json, username: "operator")
        XCTAssertEqual(r.json?["name"], "Operator 1")
        XCTAssertEqual(r.json?["type"], "NORMAL")
        XCTAssertEqual(r.json?["roles"], ["OPERATOR"])
        XCTAssertEqual(r.json?["settings"], Erizos.defaultSettings)
        XCTAssertEqual(r.json?["createdAt"], r.json?["updatedAt"])
        XCTAssertFalse(r.text.contains("my password") || r.text.contains("argon"), r.text)
        let multi = try erizos.createUser("dee", roles: ["EDITOR", "DESIGNER", "EDITOR"])
        XCTAssertEqual(multi["roles"], ["DESIGNER", "EDITOR"], "several roles, each once, in a fixed order")

        let list = try admin.call("GET", "/api/users")
        XCTAssertEqual(list.status, 200, list.text)
        let users = try XCTUnwrap(list.json?.arrayValue)
        XCTAssertEqual(users.map { $0["username"]?.stringValue ?? "?" }, [Erizos.adminName, "operator", "dee"])
        for u in users { assertUserObject(u) }
        XCTAssertEqual(users[1], r.json, "the listing shows what the creation answered")
        XCTAssertEqual(Set(users.compactMap { $0["_id"]?.stringValue }).count, 3)
        XCTAssertEqual(try admin.call("HEAD", "/api/users").status, 200)

        // Errors.
        assertErizosError(try admin.call("POST", "/api/users", json: ["username": "operator", "password": "x"]), 409, "Username already exists")
        assertErizosError(try admin.call("POST", "/api/users", json: ["username": "x", "password": "x", "roles": ["ROOT"]]), 400)
        assertErizosError(try admin.call("POST", "/api/users", json: ["username": "x", "password": "x", "roles": "ADMIN"]), 400)
        assertErizosError(try admin.call("POST", "/api/users", json: ["username": "x", "password": "x", "roles": ["admin"]]), 400, nil)
        assertErizosError(try admin.call("POST", "/api/users", json: ["password": "x"]), 400)
        assertErizosError(try admin.call("POST", "/api/users", json: ["username": "x"]), 400)
        assertErizosError(try admin.call("POST", "/api/users", json: ["username": "", "password": "x"]), 400)
        assertErizosError(try admin.call("POST", "/api/users", json: ["username": "x", "password": ""]), 400)
        assertErizosError(try admin.call("POST", "/api/users", json: ["username": "x", "password": "x", "name": 5]), 400)
        assertErizosError(try admin.call("POST", "/api/users", json: ["username": "x", "password": "x", "settings": []]), 400)
        for body in ["{", "[1]", "\"x\"", "42", "null", ""] {
            assertErizosError(try admin.call("POST", "/api/users", body: Array(body.utf8)), 400)
        }
        XCTAssertEqual(try admin.call("GET", "/api/users").json?.arrayValue?.count, 3, "no failed creation left a user")

        // Only administrators list and create.
        let op = try erizos.signedIn("operator", "my password")
        assertErizosError(try op.call("GET", "/api/users"), 403)
        assertErizosError(try op.call("POST", "/api/users", json: ["username": "y", "password": "y"]), 403)
        assertErizosError(try APIClient(port: port).request("GET", "/api/users"), 401)
    }

    func testReadByIdOrUsernameWithRights() throws {
        let olga = try erizos.createUser("olga", roles: ["OPERATOR"])
        let pete = try erizos.createUser("pete", roles: ["EDITOR"])
        let olgaID = try XCTUnwrap(olga["_id"]?.stringValue)
        let peteID = try XCTUnwrap(pete["_id"]?.stringValue)
        // Admin: anyone, by either name.
        XCTAssertEqual(try admin.call("GET", "/api/users/\(olgaID)").json, olga)
        XCTAssertEqual(try admin.call("GET", "/api/users/olga").json, olga)
        XCTAssertEqual(try admin.call("GET", "/api/users/olga/").json, olga, "trailing slash")
        assertErizosError(try admin.call("GET", "/api/users/nobody"), 404)
        assertErizosError(try admin.call("GET", "/api/users/0123456789abcdef01234567"), 404)
        // A user: themself only; others are 403 whether they exist or not.
        let o = try erizos.signedIn("olga")
        XCTAssertEqual(try o.call("GET", "/api/users/\(olgaID)").json, olga)
        XCTAssertEqual(try o.call("GET", "/api/users/olga").json, olga)
        assertErizosError(try o.call("GET", "/api/users/\(peteID)"), 403)
        assertErizosError(try o.call("GET", "/api/users/pete"), 403)
        assertErizosError(try o.call("GET", "/api/users/nobody"), 403)
        // An _id is stable: the same on every read.
        XCTAssertEqual(try admin.call("GET", "/api/users/pete").json?["_id"]?.stringValue, peteID)
    }

    func testUpdateWritesWhatIsWritable() throws {
        let olga = try erizos.createUser("olga", name: "Olga", roles: ["OPERATOR"])
        let id = try XCTUnwrap(olga["_id"]?.stringValue)
        usleep(20_000)
        var edited = try XCTUnwrap(olga.objectValue)
        edited["username"] = "olga2"
        edited["name"] = "Olga Two"
        edited["roles"] = ["OPERATOR", "DESIGNER"]
        edited["settings"] = ["studio": ["layout": "wide"], "browse": ["view": "grid"]]
        edited["_id"] = "ffffffffffffffffffffffff"
        edited["type"] = "LDAP"
        edited["createdAt"] = "2000-01-01T00:00:00.000Z"
        edited["updatedAt"] = "2000-01-01T00:00:00.000Z"
        let r = try admin.call("PUT", "/api/users/\(id)", json: .object(edited))
        XCTAssertEqual(r.status, 200, r.text)
        assertUserObject(r.json, username: "olga2")
        XCTAssertEqual(r.json?["_id"]?.stringValue, id)
        XCTAssertEqual(r.json?["name"], "Olga Two")
        XCTAssertEqual(r.json?["roles"], ["DESIGNER", "OPERATOR"])
        XCTAssertEqual(r.json?["settings"], ["studio": ["layout": "wide"], "browse": ["view": "grid"]])
        XCTAssertEqual(r.json?["type"], "NORMAL")
        XCTAssertEqual(r.json?["createdAt"], olga["createdAt"])
        XCTAssertGreaterThan(r.json?["updatedAt"]?.stringValue ?? "", olga["updatedAt"]?.stringValue ?? "")
        XCTAssertEqual(try admin.call("GET", "/api/users/olga2").json, r.json)
        assertErizosError(try admin.call("GET", "/api/users/olga"), 404)
        // A PUT that changes nothing still sets updatedAt.
        usleep(20_000)
        let same = try admin.call("PUT", "/api/users/olga2", json: try XCTUnwrap(r.json))
        XCTAssertEqual(same.status, 200, same.text)
        XCTAssertGreaterThan(same.json?["updatedAt"]?.stringValue ?? "", r.json?["updatedAt"]?.stringValue ?? "")
        // Members not sent stay as they are.
        let partial = try admin.call("PUT", "/api/users/olga2", json: ["name": "O."])
        XCTAssertEqual(partial.json?["roles"], ["DESIGNER", "OPERATOR"])
        XCTAssertEqual(partial.json?["name"], "O.")

        // A rename onto a taken username changes nothing.
        try erizos.createUser("pete")
        let before = try admin.call("GET", "/api/users/olga2").json
        assertErizosError(try admin.call("PUT", "/api/users/olga2", json: ["username": "pete", "name": "changed"]), 409, "Username already exists")
        XCTAssertEqual(try admin.call("GET", "/api/users/olga2").json, before)
        // Invalid fields and bodies: 400, nothing written.
        assertErizosError(try admin.call("PUT", "/api/users/olga2", json: ["roles": ["GOD"]]), 400)
        assertErizosError(try admin.call("PUT", "/api/users/olga2", json: ["username": ""]), 400)
        assertErizosError(try admin.call("PUT", "/api/users/olga2", json: ["settings": "x"]), 400)
        assertErizosError(try admin.call("PUT", "/api/users/olga2", body: Array("{\"name\":".utf8)), 400)
        assertErizosError(try admin.call("PUT", "/api/users/olga2", json: [1, 2]), 400)
        XCTAssertEqual(try admin.call("GET", "/api/users/olga2").json, before)
        assertErizosError(try admin.call("PUT", "/api/users/nobody", json: ["name": "x"]), 404)
    }

    func testPasswordThroughPutIsSetAndNeverEchoed() throws {
        try erizos.createUser("olga", password: "first pw")
        let olga = try erizos.signedIn("olga", "first pw")
        let elsewhere = try erizos.signedIn("olga", "first pw")
        let r = try olga.call("PUT", "/api/users/olga", json: ["password": "second pw"])
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertFalse(r.text.contains("second pw") || r.text.contains("password"), r.text)
        let plain = APIClient(port: port)
        XCTAssertEqual(try plain.request("GET", "/api/users/olga", headers: [APIClient.basic("olga", "second pw")]).status, 200)
        assertErizosError(try plain.request("GET", "/api/users/olga", headers: [APIClient.basic("olga", "first pw")]), 401)
        // The session that changed it goes on; the user's other sessions end.
        XCTAssertEqual(try olga.call("GET", "/api/users/olga").status, 200)
        assertErizosError(try elsewhere.call("GET", "/api/users/olga"), 401)
        // An administrator sets another user's password.
        XCTAssertEqual(try admin.call("PUT", "/api/users/olga", json: ["password": "third pw"]).status, 200)
        XCTAssertEqual(try ErizosClient(port: port).login("olga", "third pw").status, 200)
        assertErizosError(try olga.call("GET", "/api/users/olga"), 401)
        assertErizosError(try admin.call("PUT", "/api/users/olga", json: ["password": 7]), 400)
    }

    func testSelfUpdateRules() throws {
        let olga = try erizos.createUser("olga", roles: ["OPERATOR"])
        try erizos.createUser("pete", roles: ["EDITOR"])
        let o = try erizos.signedIn("olga")
        // Name, username, settings: allowed (the whole object echoed back too).
        var mine = try XCTUnwrap(olga.objectValue)
        mine["name"] = "Olga"
        mine["settings"] = ["studio": ["zoom": 2], "browse": [:]]
        let r = try o.call("PUT", "/api/users/olga", json: .object(mine))
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r.json?["name"], "Olga")
        XCTAssertEqual(try o.call("PUT", "/api/users/olga", json: ["username": "olga.k"]).json?["username"], "olga.k")
        // Never ADMIN for oneself, nor any other role change.
        assertErizosError(try o.call("PUT", "/api/users/olga.k", json: ["roles": ["OPERATOR", "ADMIN"]]), 403)
        assertErizosError(try o.call("PUT", "/api/users/olga.k", json: ["roles": ["ADMIN"]]), 403)
        assertErizosError(try o.call("PUT", "/api/users/olga.k", json: ["roles": ["DESIGNER"]]), 403)
        XCTAssertEqual(try admin.call("GET", "/api/users/olga.k").json?["roles"], ["OPERATOR"])
        // Others: not at all.
        assertErizosError(try o.call("PUT", "/api/users/pete", json: ["name": "x"]), 403)
        assertErizosError(try o.call("DELETE", "/api/users/pete"), 403)
        assertErizosError(try o.call("DELETE", "/api/users/olga.k"), 403, nil)
        assertErizosError(try o.call("DELETE", "/api/users/pete/settings"), 403)
        XCTAssertEqual(try admin.call("GET", "/api/users/pete").json?["name"], "")
    }

    func testResetSettings() throws {
        try erizos.createUser("olga", roles: ["OPERATOR"])
        XCTAssertEqual(try admin.call("PUT", "/api/users/olga", json: ["settings": ["studio": ["a": 1], "browse": ["b": 2], "extra": true]]).status, 200)
        let o = try erizos.signedIn("olga")
        let r = try o.call("DELETE", "/api/users/olga/settings")
        XCTAssertEqual(r.status, 200, r.text)
        assertUserObject(r.json, username: "olga")
        XCTAssertEqual(r.json?["settings"], Erizos.defaultSettings)
        XCTAssertEqual(r.json?["roles"], ["OPERATOR"])
        XCTAssertEqual(try admin.call("PUT", "/api/users/olga", json: ["settings": ["studio": ["a": 1], "browse": [:]]]).status, 200)
        let byAdmin = try admin.call("DELETE", "/api/users/olga/settings/")
        XCTAssertEqual(byAdmin.json?["settings"], Erizos.defaultSettings)
        assertErizosError(try admin.call("DELETE", "/api/users/nobody/settings"), 404)
    }

    func testDeleteEndsSessions() throws {
        let olga = try erizos.createUser("olga", roles: ["OPERATOR"])
        let id = try XCTUnwrap(olga["_id"]?.stringValue)
        let o = try erizos.signedIn("olga")
        let r = try admin.call("DELETE", "/api/users/\(id)")
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r.json, olga, "the deleted user as it was")
        assertErizosError(try o.call("GET", "/api/users/\(id)"), 401)
        assertErizosError(try admin.call("GET", "/api/users/\(id)"), 404)
        assertErizosError(try admin.call("DELETE", "/api/users/\(id)"), 404)
        assertErizosError(try ErizosClient(port: port).http.request("POST", "/api/login", json: ["username": "olga", "password": "secret pw"]), 401)
        // The username is free again, with a new _id.
        let again = try erizos.createUser("olga")
        XCTAssertNotEqual(again["_id"]?.stringValue, id)
        XCTAssertEqual(try admin.call("DELETE", "/api/users/olga").status, 200)
    }

    // MARK: roles

    func testDemotionAppliesToAnExistingSession() throws {
        try erizos.createUser("ada", roles: ["ADMIN"])
        let ada = try erizos.signedIn("ada")
        XCTAssertEqual(try ada.call("GET", "/api/users").status, 200)
        XCTAssertEqual(try admin.call("PUT", "/api/users/ada", json: ["roles": ["EDITOR"]]).json?["roles"], ["EDITOR"])
        assertErizosError(try ada.call("GET", "/api/users"), 403)
        XCTAssertEqual(try ada.call("GET", "/api/users/ada").status, 200)
        XCTAssertEqual(try admin.call("PUT", "/api/users/ada", json: ["roles": ["ADMIN", "EDITOR"]]).json?["roles"], ["ADMIN", "EDITOR"])
        XCTAssertEqual(try ada.call("GET", "/api/users").status, 200)
    }

    func testRolesOfOtherDialectsAreKeptAndHidden() throws {
        // A panel guest (role "guest") and a foreign role straight in the directory.
        let key = try XCTUnwrap(try panelKey())
        let created = try APIClient(port: port).request("POST", "/api/auth?apikey=\(key)", json: ["username": "gus", "password": "Passw0rdGus", "permission": 0])
        XCTAssertEqual(created.status, 200, created.text)
        let (store, binding) = try erizos.store()
        defer { binding.instance.destroy() }
        _ = try store.putRole(RoleRecord(slug: "user", name: "LISTEN.moe user"))
        var gus = try store.getUser(username: "gus")
        var changes = UserRecord(id: gus.id)
        changes.roles = gus.roles + ["user"]
        _ = try store.updateUser(changes, fields: PROTEUS_FIELD_ROLES)
        let shown = try admin.call("GET", "/api/users/gus")
        XCTAssertEqual(shown.json?["roles"], [], "guest and user are not Erizos roles")
        XCTAssertEqual(try admin.call("PUT", "/api/users/gus", json: ["roles": ["EDITOR", "OPERATOR"]]).json?["roles"], ["EDITOR", "OPERATOR"])
        gus = try store.getUser(username: "gus")
        XCTAssertEqual(Set(gus.roles), ["guest", "user", "erizos.editor", "erizos.operator"])
        // Roles changed through MCSManager keep the Erizos ones.
        let uuid = proteus_id(byteArray: gus.id).compactHex
        let promote = try APIClient(port: port).request("PUT", "/api/auth?apikey=\(key)", json: ["uuid": .string(uuid), "config": ["permission": 10]])
        XCTAssertEqual(promote.json?["data"], true, promote.text)
        XCTAssertEqual(try admin.call("GET", "/api/users/gus").json?["roles"], ["ADMIN", "EDITOR", "OPERATOR"])
        XCTAssertEqual(Set(try store.getUser(username: "gus").roles), ["admin", "user", "erizos.editor", "erizos.operator"])
        // And the directory holds the Erizos roles as roles of their own.
        let slugs = Set(try store.listRoles().map(\.slug))
        XCTAssertTrue(slugs.isSuperset(of: ["admin", "erizos.designer", "erizos.editor", "erizos.operator"]), "\(slugs)")
    }

    func testLastAdminCanBeNeitherDeletedNorDemoted() throws {
        let me = try XCTUnwrap(try admin.call("GET", "/api/users/\(Erizos.adminName)").json)
        let id = try XCTUnwrap(me["_id"]?.stringValue)
        assertErizosError(try admin.call("DELETE", "/api/users/\(id)"), 409)
        assertErizosError(try admin.call("PUT", "/api/users/\(id)", json: ["roles": ["EDITOR"]]), 409)
        assertErizosError(try admin.call("PUT", "/api/users/\(id)", json: ["roles": [], "name": "changed"]), 409)
        XCTAssertEqual(try admin.call("GET", "/api/users/\(id)").json, me, "nothing changed")
        // With a second ADMIN either may go.
        try erizos.createUser("ada", roles: ["ADMIN"])
        XCTAssertEqual(try admin.call("PUT", "/api/users/\(id)", json: ["roles": ["DESIGNER"]]).json?["roles"], ["DESIGNER"])
        let ada = try erizos.signedIn("ada")
        assertErizosError(try ada.call("DELETE", "/api/users/ada"), 409)
        XCTAssertEqual(try ada.call("DELETE", "/api/users/\(id)").status, 200)
    }

    // MARK: concurrency

    func testParallelCreatesOfOneUsernameMakeOneUser() throws {
        let results = ConcurrentResults()
        let port = self.port, session = admin.session
        DispatchQueue.concurrentPerform(iterations: 10) { i in
            do {
                let c = ErizosClient(port: port)
                c.session = session
                let r = try c.call("POST", "/api/users", json: ["username": "twin", "password": .string("pw \(i)")])
                results.add(r.status, r.text)
            } catch { results.add(-1, "\(error)") }
        }
        XCTAssertEqual(results.statuses.filter { $0 == 200 }.count, 1, "\(results.values)")
        XCTAssertEqual(results.statuses.filter { $0 == 409 }.count, 9, "\(results.values)")
        let list = try XCTUnwrap(try admin.call("GET", "/api/users").json?.arrayValue)
        XCTAssertEqual(list.filter { $0["username"] == "twin" }.count, 1)
    }

    func testConcurrentDemotionsAndDeletionsLeaveOneAdmin() throws {
        for round in 0..<4 {
            let server = round == 0 ? erizos! : try ErizosServer(label: "erizos-race")
            defer { if round > 0 { server.stop() } }
            server.admin.session = try server.admin.login(Erizos.adminName, Erizos.adminPassword).json?["session"]?.stringValue
            try server.createUser("adm-a", roles: ["ADMIN"])
            try server.createUser("adm-b", roles: ["ADMIN"])
            // The installer steps down: a and b are the only administrators.
            XCTAssertEqual(try server.admin.call("PUT", "/api/users/\(Erizos.adminName)", json: ["roles": []]).status, 200)
            let a = try server.signedIn("adm-a"), b = try server.signedIn("adm-b")
            let deleting = round % 2 == 1
            let results = ConcurrentResults()
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                let (client, target) = i == 0 ? (a, "adm-b") : (b, "adm-a")
                do {
                    let r = deleting ? try client.call("DELETE", "/api/users/\(target)")
                                     : try client.call("PUT", "/api/users/\(target)", json: ["roles": ["EDITOR"]])
                    results.add(r.status, r.text)
                } catch { results.add(-1, "\(error)") }
            }
            // The loser is refused by the guard (409) or, when the winner's
            // write came first, is no longer an ADMIN (403) or no longer exists (401).
            XCTAssertEqual(results.statuses.filter { $0 == 200 }.count, 1, "round \(round): \(results.values)")
            let (store, binding) = try server.store()
            var q = UserQuery()
            q.hasRole = "admin"
            q.flagsMask = PROTEUS_USER_DISABLED
            q.limit = 10
            let admins = try store.search(q)
            binding.instance.destroy()
            XCTAssertEqual(admins.total, 1, "round \(round): \(results.values)")
        }
    }

    func testLazyIdsOfUsersMadeElsewhereAreStableUnderConcurrency() throws {
        let key = try XCTUnwrap(try panelKey())
        for name in ["m1", "m2", "m3"] {
            let r = try APIClient(port: port).request("POST", "/api/auth?apikey=\(key)", json: ["username": .string(name), "password": "Passw0rdUser", "permission": 1])
            XCTAssertEqual(r.status, 200, r.text)
        }
        let results = ConcurrentResults()
        let port = self.port, session = admin.session
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do {
                let c = ErizosClient(port: port)
                c.session = session
                let r = try c.call("GET", "/api/users")
                results.add(r.status, r.json?.arrayValue?.map { "\($0["username"]?.stringValue ?? ""):\($0["_id"]?.stringValue ?? "")" }.joined(separator: ","))
            } catch { results.add(-1, "\(error)") }
        }
        XCTAssertEqual(results.statuses, Array(repeating: 200, count: 8), "\(results.values)")
        XCTAssertEqual(Set(results.values).count, 1, "every reader saw the same ids: \(results.values)")
        let (store, binding) = try erizos.store()
        defer { binding.instance.destroy() }
        let links = try store.listIdentities(user: nil).filter { $0.provider == "erizos" }
        XCTAssertEqual(links.count, 4, "one link per user: \(links)")
        // The _id is ObjectId-shaped: its first 4 bytes are the creation second.
        let m1 = try store.getUser(username: "m1")
        let link = try XCTUnwrap(links.first { $0.userID == m1.id })
        XCTAssertEqual(UInt32(link.subject.prefix(8), radix: 16), UInt32(m1.createdAt / 1000))
        XCTAssertEqual(try admin.call("GET", "/api/users/\(link.subject)").json?["username"], "m1")
    }

    // MARK: restart

    func testSessionsAndIdsSurviveARestart() throws {
        let olga = try erizos.createUser("olga", roles: ["OPERATOR"])
        let o = try erizos.signedIn("olga")
        let before = try XCTUnwrap(try admin.call("GET", "/api/users").json)
        try erizos.restart()
        o.http = APIClient(port: port)
        XCTAssertEqual(try o.call("GET", "/api/users/\(olga["_id"]?.stringValue ?? "")").json, olga)
        XCTAssertEqual(try admin.call("GET", "/api/users").json, before)
    }

    // MARK: other dialects

    func testMCSManagerUsersAndBans() throws {
        let key = try XCTUnwrap(try panelKey())
        let made = try APIClient(port: port).request("POST", "/api/auth?apikey=\(key)", json: ["username": "mia", "password": "Mia0Password", "permission": 1])
        let uuid = try XCTUnwrap(made.json?["data"]?["uuid"]?.stringValue, made.text)
        // Same password here; shown NORMAL, no roles, default settings.
        let mia = try erizos.signedIn("mia", "Mia0Password")
        let me = try mia.call("GET", "/api/users/mia")
        assertUserObject(me.json, username: "mia")
        XCTAssertEqual(me.json?["roles"], [])
        XCTAssertEqual(me.json?["type"], "NORMAL")
        XCTAssertEqual(me.json?["settings"], Erizos.defaultSettings)
        // Permission 10 there is ADMIN here.
        let panel = APIClient(port: port)
        XCTAssertEqual(try panel.request("PUT", "/api/auth?apikey=\(key)", json: ["uuid": .string(uuid), "config": ["permission": 10]]).json?["data"], true)
        XCTAssertEqual(try mia.call("GET", "/api/users").status, 200)
        // Erizos settings and the panel's document do not clobber each other.
        XCTAssertEqual(try mia.call("PUT", "/api/users/mia", json: ["settings": ["studio": ["s": 1], "browse": [:]]]).status, 200)
        XCTAssertEqual(try panel.request("PUT", "/api/auth?apikey=\(key)", json: ["uuid": .string(uuid), "config": ["isInit": true]]).json?["data"], true)
        XCTAssertEqual(try mia.call("GET", "/api/users/mia").json?["settings"], ["studio": ["s": 1], "browse": [:]])
        // A ban there ends sessions and sign-in here.
        XCTAssertEqual(try panel.request("PUT", "/api/auth?apikey=\(key)", json: ["uuid": .string(uuid), "config": ["permission": -1]]).json?["data"], true)
        assertErizosError(try mia.call("GET", "/api/users/mia"), 401)
        assertErizosError(try APIClient(port: port).request("POST", "/api/login", json: ["username": "mia", "password": "Mia0Password"]), 401)
        assertErizosError(try APIClient(port: port).request("GET", "/api/users/mia", headers: [APIClient.basic("mia", "Mia0Password")]), 401)
        // Unbanned: sign-in works again (the old session stays ended).
        XCTAssertEqual(try panel.request("PUT", "/api/auth?apikey=\(key)", json: ["uuid": .string(uuid), "config": ["permission": 1]]).json?["data"], true)
        assertErizosError(try mia.call("GET", "/api/users/mia"), 401)
        XCTAssertEqual(try ErizosClient(port: port).login("mia", "Mia0Password").status, 200)
        // Deleted through MCSManager: its Erizos sessions end.
        let newSession = try erizos.signedIn("mia", "Mia0Password")
        XCTAssertEqual(try panel.request("DELETE", "/api/auth?apikey=\(key)", json: [.string(uuid)]).json?["data"], true)
        assertErizosError(try newSession.call("GET", "/api/users/mia"), 401)
        assertErizosError(try admin.call("GET", "/api/users/mia"), 404)
        // A user created here signs in to MCSManager with the same password.
        try erizos.createUser("ezra", password: "Ezra0Password")
        XCTAssertEqual(try PanelClient(port: port).login("ezra", "Ezra0Password").json?["status"], 200)
    }

    func testAIOStreamsAccountWithoutUsernameIsListed() throws {
        let created = try APIClient(port: port).request("POST", "/api/v1/user", json: ["config": ["theme": "dark"], "password": "hunter22"])
        XCTAssertEqual(created.status, 201, created.text)
        let list = try XCTUnwrap(try admin.call("GET", "/api/users").json?.arrayValue)
        XCTAssertEqual(list.count, 2)
        let nameless = try XCTUnwrap(list.first { $0["username"] == "" })
        assertUserObject(nameless)
        XCTAssertEqual(nameless["roles"], [])
        let id = try XCTUnwrap(nameless["_id"]?.stringValue)
        XCTAssertEqual(try admin.call("GET", "/api/users/\(id)").json, nameless)
        // An administrator names it; it then signs in here with its AIOStreams password.
        XCTAssertEqual(try admin.call("PUT", "/api/users/\(id)", json: ["username": "streamer"]).status, 200)
        XCTAssertEqual(try ErizosClient(port: port).login("streamer", "hunter22").status, 200)
        // The panel's listing is fine with it too.
        let key = try XCTUnwrap(try panelKey())
        XCTAssertEqual(try APIClient(port: port).request("GET", "/api/auth/search?page=1&page_size=10&apikey=\(key)").json?["data"]?["total"], 2)
    }

    // MARK: store trouble

    /// SQLite only (a held write lock); ErizosPostgresTests does not repeat it.
    func testStoreUnavailableIs503() throws {
        guard Erizos.storeOverride == nil else { return }
        let dir = TemporaryDirectory.make("erizos-busy")
        var config = Erizos.config(directory: dir)
        config["store"] = ["plugin": "sqlite", "options": ["path": dir + "/data/proteus.sqlite", "busyTimeoutMs": 100]]
        let server = try ProteusProcess(config: config, directory: dir)
        defer { server.stop() }
        XCTAssertEqual(try APIClient(port: server.port).request("POST", "/api/auth/install", json: ["username": "Root", "password": "Passw0rdRoot"]).status, 200)
        let root = ErizosClient(port: server.port)
        try root.login("Root", "Passw0rdRoot")
        // Another process holds the write lock longer than the busy timeout.
        let lock = RawSQLite(dir + "/data/proteus.sqlite")
        XCTAssertEqual(lock.exec("BEGIN IMMEDIATE"), 0)
        assertErizosError(try root.call("PUT", "/api/users/Root", json: ["name": "late"]), 503)
        XCTAssertEqual(lock.exec("ROLLBACK"), 0)
        lock.close()
        XCTAssertEqual(try root.call("PUT", "/api/users/Root", json: ["name": "late"]).json?["name"], "late")
    }

    // MARK: routing

    func testHostDecidedStatusesUseTheErrorFormat() throws {
        let plain = APIClient(port: port)
        assertErizosError(try plain.request("GET", "/api/nothing"), 404, "Not Found")
        assertErizosError(try plain.request("PATCH", "/api/users"), 405, "Method Not Allowed")
        assertErizosError(try plain.request("GET", "/api/login"), 405, "Method Not Allowed")
        assertErizosError(try plain.request("GET", "/api/users/a/settings"), 405)
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 1_100_000)
        assertErizosError(try APIClient(port: port).request("POST", "/api/login", headers: [("Content-Type", "application/json")], body: big), 413, "Payload Too Large")
    }

    /// An MCSManager API key for the installed administrator.
    private func panelKey() throws -> String? {
        let panel = PanelClient(port: port)
        try panel.login(Erizos.adminName, Erizos.adminPassword)
        return try panel.call("PUT", "/api/auth/api", json: ["enable": true]).json?["data"]?.stringValue
    }
}
