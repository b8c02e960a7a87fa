// The console dialect over HTTP against the real binary: security headers
// on every answer, a page without inline script, the session cookie's
// flags (Secure behind a trusted proxy that says https), administrators
// only, CSRF on every change, each action on a user (checked through
// MCSManager, another dialect on the same directory), groups, roles, the
// plugin list, and bad input that changes nothing.
import Foundation
import PluginAPI
import ProteusJSON
import XCTest
@testable import Host

final class ConsoleTests: XCTestCase {
    // MARK: headers and the page

    func testSecurityHeadersOnEveryAnswerAndNoInlineScript() throws {
        let console = try ConsoleServer(label: "console-headers", options: ["maxBodyBytes": 1024])
        defer { console.stop() }
        let admin = try console.admin()
        let anonymous = ConsoleClient(port: console.port)

        let page = try anonymous.call("GET", "/")
        XCTAssertEqual(page.status, 200)
        XCTAssertEqual(page.header("Content-Type"), "text/html; charset=utf-8")
        ConsoleTest.assertSecurityHeaders(page, "page")
        XCTAssertEqual(try anonymous.call("GET", "").text, page.text, "/console and /console/ are the page")
        let html = page.text
        // Every script is an external module of this origin; no inline
        // script, handler, style or javascript: URL anywhere.
        let scripts = html.components(separatedBy: "<script").dropFirst()
        XCTAssertEqual(scripts.count, 1)
        for tag in scripts {
            let head = String(tag.prefix { $0 != ">" })
            XCTAssertTrue(head.contains("src=\"/console/assets/"), head)
            XCTAssertTrue(tag.dropFirst(head.count + 1).hasPrefix("</script>"), "a script with a body: \(tag.prefix(80))")
        }
        XCTAssertNil(html.range(of: #"\son[a-z]+\s*="#, options: [.regularExpression, .caseInsensitive]), "inline event handler")
        XCTAssertFalse(html.lowercased().contains("<style"), "inline style element")
        XCTAssertNil(html.range(of: #"\sstyle\s*="#, options: .regularExpression), "inline style attribute")
        XCTAssertFalse(html.lowercased().contains("javascript:"))
        for label in ["Sign in", "Users", "Groups", "Roles", "Plugins", "Health", "Audit", "Security"] {
            XCTAssertTrue(html.contains(">\(label)<"), "the page shows \(label)")
        }
        for file in ["app.js", "api.js", "ui.js", "health.js", "security.js"] {
            let js = try anonymous.call("GET", "/assets/\(file)")
            XCTAssertEqual(js.status, 200, file)
            XCTAssertEqual(js.header("Content-Type"), "text/javascript; charset=utf-8")
            ConsoleTest.assertSecurityHeaders(js, file)
            XCTAssertFalse(js.text.contains("innerHTML") || js.text.contains("eval(") || js.text.contains("new Function"), "\(file) builds the DOM from text only")
        }
        let css = try anonymous.call("GET", "/assets/console.css")
        XCTAssertEqual(css.header("Content-Type"), "text/css; charset=utf-8")
        ConsoleTest.assertSecurityHeaders(css, "css")
        XCTAssertEqual(try anonymous.call("GET", "/assets/icon.svg").header("Content-Type"), "image/svg+xml")

        // Data, errors of the console and of the host: the same headers.
        ConsoleTest.assertSecurityHeaders(try admin.call("GET", "/api/session"), "session")
        ConsoleTest.assertSecurityHeaders(try admin.call("GET", "/api/users"), "users")
        ConsoleTest.assertError(try anonymous.call("GET", "/api/users"), 401, "unauthenticated")
        ConsoleTest.assertError(try anonymous.call("GET", "/assets/nothing.js"), 404, "not_found")
        ConsoleTest.assertError(try anonymous.call("GET", "/api/nothing"), 404, "not_found")
        ConsoleTest.assertError(try anonymous.call("PATCH", "/api/users"), 405, "method_not_allowed")
        ConsoleTest.assertError(try admin.call("POST", "/api/groups", body: Array(#"{"name":""#.utf8) + [UInt8](repeating: 0x61, count: 2000) + Array(#""}"#.utf8),
                                               headers: [("Content-Type", "application/json")]), 413, "too_large")
        ConsoleTest.assertError(try anonymous.call("POST", "/api/session", body: [UInt8](repeating: 0x20, count: 1_100_000),
                                                   headers: [("Content-Type", "application/json")]), 413, "too_large")
    }

    func testAssetsRevalidateByETagAndAreEmbeddedUpToDate() throws {
        // The generated Swift file holds exactly the bytes of Assets/.
        let check = try runTool("/usr/bin/python3", [CPluginBuilder.repositoryRoot + "/scripts/embed-console-assets", "--check"])
        XCTAssertEqual(check.status, 0, check.output)

        let console = try ConsoleServer(label: "console-etag")
        defer { console.stop() }
        let c = ConsoleClient(port: console.port)
        for path in ["/", "/assets/app.js", "/assets/console.css"] {
            let first = try c.call("GET", path)
            let etag = try XCTUnwrap(first.header("ETag"), path)
            XCTAssertEqual(first.header("Cache-Control"), "no-cache", path)
            let again = try c.call("GET", path, headers: [("If-None-Match", etag)])
            XCTAssertEqual(again.status, 304, path)
            XCTAssertTrue(again.body.isEmpty, path)
            XCTAssertEqual(again.header("ETag"), etag)
            ConsoleTest.assertSecurityHeaders(again, "304 \(path)")
            XCTAssertEqual(try c.call("GET", path, headers: [("If-None-Match", "\"other\"")]).status, 200, path)
        }
    }

    // MARK: sign-in and the session cookie

    func testCookieFlagsAndSecureBehindATrustedProxy() throws {
        // Direct (plain HTTP): no Secure; an untrusted peer's X-Forwarded-Proto is ignored.
        let direct = try ConsoleServer(label: "console-cookie")
        defer { direct.stop() }
        let plain = ConsoleClient(port: direct.port)
        XCTAssertEqual(try plain.signIn(MCSM.adminName, MCSM.adminPassword, headers: [("X-Forwarded-Proto", "https")]).status, 200)
        let cookie = try XCTUnwrap(plain.lastSetCookie)
        let attributes = Set(cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
        XCTAssertTrue(cookie.hasPrefix("proteus_console="), cookie)
        XCTAssertTrue(attributes.isSuperset(of: ["HttpOnly", "SameSite=Strict", "Path=/console"]), cookie)
        XCTAssertFalse(attributes.contains("Secure"), "plain HTTP from an untrusted peer: \(cookie)")
        let token = String(cookie.split(separator: ";")[0].dropFirst("proteus_console=".count))
        XCTAssertGreaterThanOrEqual(token.count, 43, "32 random bytes")

        // The store keeps only the token's SHA-256.
        let (store, binding) = try MCSM.store(direct.server)
        defer { binding.instance.destroy() }
        XCTAssertThrowsError(try store.getSession(Array(token.utf8), now: Int64(Date().timeIntervalSince1970 * 1000)))
        let hashed = Digest.sha256(Array(token.utf8))
        XCTAssertEqual(try store.getSession(hashed, now: Int64(Date().timeIntervalSince1970 * 1000)).namespace, "console")

        // Behind a trusted proxy that says https: Secure.
        let proxied = try ConsoleServer(label: "console-proxy", trustedProxies: ["127.0.0.1"])
        defer { proxied.stop() }
        let viaProxy = ConsoleClient(port: proxied.port)
        XCTAssertEqual(try viaProxy.signIn(MCSM.adminName, MCSM.adminPassword, headers: [("X-Forwarded-Proto", "https"), ("X-Forwarded-For", "203.0.113.9")]).status, 200)
        let secure = try XCTUnwrap(viaProxy.lastSetCookie)
        XCTAssertTrue(secure.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.contains("Secure"), secure)
        // The same proxy forwarding plain http: no Secure. Signing out clears the cookie with the same flags.
        let httpProxy = ConsoleClient(port: proxied.port)
        XCTAssertEqual(try httpProxy.signIn(MCSM.adminName, MCSM.adminPassword, headers: [("X-Forwarded-Proto", "http")]).status, 200)
        XCTAssertFalse(try XCTUnwrap(httpProxy.lastSetCookie).contains("Secure"))
        let out = try viaProxy.call("DELETE", "/api/session", headers: [("X-Forwarded-Proto", "https")])
        XCTAssertEqual(out.status, 200, out.text)
        XCTAssertTrue(out.header("Set-Cookie")?.contains("Max-Age=0") ?? false)
        XCTAssertTrue(out.header("Set-Cookie")?.contains("Secure") ?? false)
        XCTAssertNil(viaProxy.cookie)
        ConsoleTest.assertError(try viaProxy.call("GET", "/api/session"), 401, "unauthenticated")
    }

    func testNonAdminsAreRefusedAtSignInAndByTheAPI() throws {
        let console = try ConsoleServer(label: "console-admins")
        defer { console.stop() }
        try console.panel.createUser("bob")
        let bob = ConsoleClient(port: console.port)
        let refused = try bob.signIn("bob", "Passw0rdUser")
        ConsoleTest.assertError(refused, 403, "not_admin")
        XCTAssertTrue(refused.json?["error"]?["message"]?.stringValue?.contains("administrator") ?? false, refused.text)
        XCTAssertNil(bob.cookie, "no session for a non-admin")
        // A wrong password says nothing about roles.
        ConsoleTest.assertError(try bob.signIn("bob", "Wr0ngPassword"), 401, "wrong_credentials")
        ConsoleTest.assertError(try bob.signIn("nobody", "Passw0rdUser"), 401, "wrong_credentials")
        // Another dialect's session is no console session.
        let panelBob = try console.panel.signedIn("bob")
        ConsoleTest.assertError(try ConsoleClient(port: console.port).call("GET", "/api/users", headers: [("Cookie", panelBob.cookie ?? "")]), 401, "unauthenticated")

        // An administrator demoted meanwhile (on the shell) gets 403 on every route.
        try console.panel.createUser("carol", permission: 10)
        let carol = ConsoleClient(port: console.port)
        XCTAssertEqual(try carol.signIn("carol", "Passw0rdUser").status, 200)
        XCTAssertEqual(try carol.call("GET", "/api/users").status, 200)
        XCTAssertEqual(try console.cli(["roles", "carol", "--set", ""]).status, 0)
        for (method, path) in [("GET", "/api/session"), ("GET", "/api/users"), ("GET", "/api/groups"), ("GET", "/api/roles"), ("GET", "/api/plugins"), ("GET", "/api/audit"),
                               ("POST", "/api/roles")] {
            ConsoleTest.assertError(try carol.call(method, path, json: method == "POST" ? ["slug": "x"] : nil), 403, "forbidden")
        }
        XCTAssertEqual(try console.admin().call("GET", "/api/roles").json?["roles"]?.arrayValue?.contains { $0["slug"] == "x" }, false)
    }

    func testSecondFactorSignIn() throws {
        let console = try ConsoleServer(label: "console-totp")
        defer { console.stop() }
        let uuid = try console.panel.createUser("alice", permission: 10)
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DP"
        assertEnvelope(try console.panel.keyClient().call("PUT", "/api/auth", json: ["uuid": .string(uuid), "config": ["secret": .string(secret), "open2FA": true]], ajax: false), 200, true)
        let c = ConsoleClient(port: console.port)
        ConsoleTest.assertError(try c.signIn("alice", "Passw0rdUser"), 401, "code_required")
        XCTAssertNil(c.cookie)
        ConsoleTest.assertError(try c.signIn("alice", "Wr0ngPassword"), 401, "wrong_credentials")
        let code = MCSM.totp(secret)
        let wrong = String(code.map { Character(String(($0.wholeNumberValue! + 1) % 10)) })
        ConsoleTest.assertError(try c.signIn("alice", "Passw0rdUser", code: wrong), 401, "wrong_code")
        XCTAssertNil(c.cookie)
        let ok = try c.signIn("alice", "Passw0rdUser", code: code)
        XCTAssertEqual(ok.status, 200, ok.text)
        XCTAssertEqual(ok.json?["user"]?["mfa"], true)
        XCTAssertEqual(try c.call("GET", "/api/session").status, 200)
        // The code is spent, here and in every dialect.
        ConsoleTest.assertError(try ConsoleClient(port: console.port).signIn("alice", "Passw0rdUser", code: code), 401, "wrong_code")
    }

    func testSessionsEndWithThePasswordAndFailedSignInsAreLimited() throws {
        StepClock.awayFromWindowEnd(period: 86_400)   // the host's windows start at multiples of their length
        let console = try ConsoleServer(label: "console-limits", options: ["loginRateLimit": ["perAccount": ["failures": 2, "windowSeconds": 86_400]]])
        defer { console.stop() }
        try console.panel.createUser("carol", permission: 10)
        let carol = ConsoleClient(port: console.port)
        XCTAssertEqual(try carol.signIn("carol", "Passw0rdUser").status, 200)
        // `proteus user passwd` (another process) ends the console session too.
        XCTAssertEqual(try console.cli(["passwd", "carol", "--password-stdin"], input: "An0ther-Passw0rd\n").status, 0)
        ConsoleTest.assertError(try carol.call("GET", "/api/users"), 401, "unauthenticated")
        // Two failures per account name in the window, then 429 with Retry-After (even for the right password).
        ConsoleTest.assertError(try carol.signIn("carol", "Wr0ng-1"), 401, "wrong_credentials")
        ConsoleTest.assertError(try carol.signIn("carol", "Wr0ng-2"), 401, "wrong_credentials")
        let limited = try carol.signIn("carol", "An0ther-Passw0rd")
        ConsoleTest.assertError(limited, 429, "too_many_attempts")
        XCTAssertNotNil(limited.header("Retry-After"))
        XCTAssertNil(limited.header("Set-Cookie"), "no session")
    }

    // MARK: CSRF

    func testChangesWithoutTheCSRFTokenAreRefusedAndChangeNothing() throws {
        let console = try ConsoleServer(label: "console-csrf")
        defer { console.stop() }
        let admin = try console.admin()
        let tina = try console.panel.createUser("tina")
        let group = try XCTUnwrap(admin.call("POST", "/api/groups", json: ["name": "staff"]).json?["id"]?.stringValue)
        XCTAssertEqual(try admin.call("POST", "/api/roles", json: ["slug": "ops", "name": "Ops"]).status, 201)
        let before = try snapshot(admin)

        let changes: [(String, String, JSONValue?)] = [
            ("POST", "/api/users/\(tina)/disable", nil),
            ("POST", "/api/users/\(tina)/reset-password", ["password": "An0therPassword"]),
            ("POST", "/api/users/\(tina)/revoke-sessions", nil),
            ("POST", "/api/users/\(tina)/turn-off-mfa", nil),
            ("DELETE", "/api/users/\(tina)", nil),
            ("POST", "/api/groups", ["name": "new"]),
            ("PUT", "/api/groups/\(group)", ["name": "renamed"]),
            ("DELETE", "/api/groups/\(group)", nil),
            ("POST", "/api/roles", ["slug": "new"]),
            ("PUT", "/api/roles/ops", ["name": "Renamed"]),
            ("DELETE", "/api/roles/ops", nil),
            ("DELETE", "/api/session", nil),
        ]
        let tinaSession = try console.panel.signedIn("tina")
        for (method, path, json) in changes {
            ConsoleTest.assertError(try admin.call(method, path, json: json, sendCSRF: false), 403, "csrf")
            ConsoleTest.assertError(try admin.call(method, path, json: json, headers: [("X-CSRF-Token", "forged")], sendCSRF: false), 403, "csrf")
            // Another session's token is no good either.
            let other = try console.admin()
            ConsoleTest.assertError(try admin.call(method, path, json: json, headers: [("X-CSRF-Token", other.csrf ?? "")], sendCSRF: false), 403, "csrf")
        }
        XCTAssertEqual(try snapshot(admin), before, "nothing changed")
        XCTAssertEqual(try PanelClient(port: console.port).login("tina", "Passw0rdUser").status, 200, "tina's password and account are as they were")
        XCTAssertEqual(try tinaSession.call("GET", "/api/auth/").status, 200, "tina's sessions were not revoked")
        XCTAssertEqual(try admin.call("GET", "/api/session").status, 200, "the admin's session did not end")
    }

    /// Users, groups and roles as the API lists them.
    private func snapshot(_ admin: ConsoleClient) throws -> [JSONValue?] {
        [try admin.call("GET", "/api/users?limit=100").json?["users"], try admin.call("GET", "/api/groups").json, try admin.call("GET", "/api/roles").json,
         try admin.call("GET", "/api/audit").json]
    }

    // MARK: actions on a user

    func testEachActionOnAUser() throws {
        let console = try ConsoleServer(label: "console-actions")
        defer { console.stop() }
        let admin = try console.admin()
        let tina = try console.panel.createUser("tina")
        let panelLogin = { (password: String) in try PanelClient(port: console.port).login("tina", password).status }

        // Detail: shared fields, roles, MFA, keys, documents (read-only JSON).
        let detail = try admin.call("GET", "/api/users/\(tina)")
        XCTAssertEqual(detail.status, 200, detail.text)
        XCTAssertEqual(detail.json?["username"], "tina")
        XCTAssertEqual(detail.json?["disabled"], false)
        XCTAssertEqual(detail.json?["mfa"], false)
        XCTAssertEqual(detail.json?["apiKeys"]?.intValue, 0)
        XCTAssertEqual(detail.json?["sessions"]?.intValue, 0, detail.text)
        XCTAssertNotNil(detail.json?["documents"]?["mcsmanager"]?.objectValue, detail.text)

        // Disable: MCSManager's sign-in fails and her sessions end; enable: it works again.
        let session = try console.panel.signedIn("tina")
        XCTAssertEqual(try admin.call("GET", "/api/users/\(tina)").json?["sessions"]?.intValue, 1, "the detail counts her MCSManager session")
        let disabled = try admin.call("POST", "/api/users/\(tina)/disable")
        XCTAssertEqual(disabled.status, 200, disabled.text)
        XCTAssertEqual(disabled.json?["user"]?["disabled"], true)
        XCTAssertEqual(disabled.json?["sessionsEnded"]?.intValue, 1)
        XCTAssertEqual(try panelLogin("Passw0rdUser"), 401)
        XCTAssertEqual(try session.call("GET", "/api/auth/").status, 403)
        XCTAssertEqual(try admin.call("POST", "/api/users/\(tina)/enable").json?["user"]?["disabled"], false)
        XCTAssertEqual(try panelLogin("Passw0rdUser"), 200)

        // Reset password: the old one fails, the new one works, sessions end everywhere.
        let before = try console.panel.signedIn("tina")
        let reset = try admin.call("POST", "/api/users/\(tina)/reset-password", json: ["password": "Brand-new-Passw0rd"])
        XCTAssertEqual(reset.status, 200, reset.text)
        XCTAssertGreaterThanOrEqual(reset.json?["sessionsEnded"]?.intValue ?? 0, 1)
        XCTAssertEqual(try before.call("GET", "/api/auth/").status, 403)
        XCTAssertEqual(try panelLogin("Passw0rdUser"), 401)
        XCTAssertEqual(try panelLogin("Brand-new-Passw0rd"), 200)

        // Turn off MFA.
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DP"
        assertEnvelope(try console.panel.keyClient().call("PUT", "/api/auth", json: ["uuid": .string(tina), "config": ["secret": .string(secret), "open2FA": true]], ajax: false), 200, true)
        XCTAssertEqual(try admin.call("GET", "/api/users/\(tina)").json?["mfa"], true)
        assertEnvelope(try PanelClient(port: console.port).login("tina", "Brand-new-Passw0rd"), 200, "NEED_2FA")
        XCTAssertEqual(try admin.call("POST", "/api/users/\(tina)/turn-off-mfa").json?["user"]?["mfa"], false)
        let (store, binding) = try MCSM.store(console.server)
        defer { binding.instance.destroy() }
        XCTAssertNil(try store.getUser(id: MCSM.id(tina)).mfaSecret, "the secret is gone")
        XCTAssertNotEqual(try PanelClient(port: console.port).login("tina", "Brand-new-Passw0rd").json?["data"], "NEED_2FA")

        // Revoke sessions.
        let a = try console.panel.signedIn("tina", "Brand-new-Passw0rd"), b = try console.panel.signedIn("tina", "Brand-new-Passw0rd")
        let revoked = try admin.call("POST", "/api/users/\(tina)/revoke-sessions")
        XCTAssertGreaterThanOrEqual(revoked.json?["sessionsEnded"]?.intValue ?? 0, 2, revoked.text)
        XCTAssertEqual(try a.call("GET", "/api/auth/").status, 403)
        XCTAssertEqual(try b.call("GET", "/api/auth/").status, 403)
        XCTAssertEqual(try admin.call("GET", "/api/users/\(tina)").json?["sessions"]?.intValue, 0, "no session after the revoke")

        // Search: prefix for one or two letters, anywhere from three, case-insensitive.
        try console.panel.createUser("Martina")
        XCTAssertEqual(try admin.call("GET", "/api/users?q=TI").json?["users"]?.arrayValue?.compactMap { $0["username"]?.stringValue }, ["tina"])
        XCTAssertEqual(try admin.call("GET", "/api/users?q=tin").json?["users"]?.arrayValue?.compactMap { $0["username"]?.stringValue }, ["Martina", "tina"])
        let paged = try admin.call("GET", "/api/users?limit=1&offset=1")
        XCTAssertEqual(paged.json?["total"]?.intValue, 3)
        XCTAssertEqual(paged.json?["users"]?.arrayValue?.count, 1)

        // Delete: gone here and in MCSManager; one's own account and the last admin are kept.
        XCTAssertEqual(try admin.call("DELETE", "/api/users/\(tina)").status, 200)
        ConsoleTest.assertError(try admin.call("GET", "/api/users/\(tina)"), 404, "not_found")
        XCTAssertEqual(try panelLogin("Brand-new-Passw0rd"), 401)
        let me = try XCTUnwrap(admin.call("GET", "/api/session").json?["user"]?["id"]?.stringValue)
        ConsoleTest.assertError(try admin.call("DELETE", "/api/users/\(me)"), 409, "self")
        ConsoleTest.assertError(try admin.call("POST", "/api/users/\(me)/disable"), 409, "self")
    }

    // MARK: paging by keyset, capped totals

    /// AIOStreams' users have no username: they sort first, no cursor can
    /// name them, and a page ending among them continues by `nextOffset`.
    func testUsersWithoutAUsernameArePagedByOffset() throws {
        let console = try ConsoleServer(label: "console-unnamed", aiostreams: true)
        defer { console.stop() }
        let admin = try console.admin()
        let aio = APIClient(port: console.port)
        var unnamed: [String] = []
        for i in 0..<5 {
            let r = try aio.request("POST", "/api/v1/user", json: ["config": ["n": .number(JSONNumber(i))], "password": .string("hunter22-\(i)")])
            XCTAssertEqual(r.status, 201, r.text)
            unnamed.append(try XCTUnwrap(r.json?["data"]?["uuid"]?.stringValue).replacingOccurrences(of: "-", with: ""))
        }
        _ = try console.panel.createUser("tina")
        for size in [1, 2, 4] {
            var seen: [String] = []
            var query = "limit=\(size)"
            var pages = 0
            while pages <= 10 {
                let page = try admin.call("GET", "/api/users?" + query)
                XCTAssertEqual(page.status, 200, page.text)
                seen += page.json?["users"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                pages += 1
                if let after = page.json?["next"]?.stringValue {
                    XCTAssertEqual(page.json?["nextOffset"], .null, page.text)
                    query = "limit=\(size)&after=\(after)"
                } else if let offset = page.json?["nextOffset"]?.intValue {
                    query = "limit=\(size)&offset=\(offset)"
                } else { break }
            }
            XCTAssertEqual(seen.count, 7, "pages of \(size): 5 unnamed users, tina and the admin, each once")
            XCTAssertEqual(Set(seen).count, 7, "pages of \(size)")
            XCTAssertEqual(Set(seen.prefix(5)), Set(unnamed), "pages of \(size): the unnamed users first")
        }
    }

    func testKeysetPagesWalkEveryUserAndTheTotalIsCapped() throws {
        let console = try ConsoleServer(label: "console-keyset", options: ["searchTotalCap": 4])
        defer { console.stop() }
        let admin = try console.admin()
        let names = ["tina", "Tim", "tom", "Anna", "bob", "Zoe", "tuba"]
        for name in names { _ = try console.panel.createUser(name) }
        let everyone = try admin.call("GET", "/api/users?limit=100")
        let all = try XCTUnwrap(everyone.json?["users"]?.arrayValue?.compactMap { $0["username"]?.stringValue }, everyone.text)
        XCTAssertEqual(all.count, names.count + 1, "the users and the console's admin")
        XCTAssertEqual(all, all.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }, "username order is byte order")
        // More users than the cap: the total says "at least".
        XCTAssertEqual(everyone.json?["total"]?.intValue, 4, everyone.text)
        XCTAssertEqual(everyone.json?["totalAtLeast"], true, everyone.text)
        XCTAssertEqual(everyone.json?["next"], .null, "one page holds them all")

        // Pages of every size, each after the page before's `next`, walk every user once.
        for size in 1...4 {
            var seen: [String] = []
            var after: String?
            var pages = 0
            repeat {
                var path = "/api/users?limit=\(size)"
                if let after { path += "&after=" + (after.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? after) }
                let page = try admin.call("GET", path)
                XCTAssertEqual(page.status, 200, page.text)
                let users = page.json?["users"]?.arrayValue?.compactMap { $0["username"]?.stringValue } ?? []
                XCTAssertLessThanOrEqual(users.count, size)
                XCTAssertEqual(page.json?["total"]?.intValue, 4, "every page's total is the whole search's (capped)")
                seen += users
                after = page.json?["next"]?.stringValue
                if after != nil { XCTAssertEqual(after, users.last, "next is the last name shown") }
                pages += 1
            } while after != nil && pages <= all.count
            XCTAssertEqual(seen, all, "pages of \(size)")
        }

        // A search under the cap is counted exactly, and paged the same way.
        let t = try admin.call("GET", "/api/users?q=T&limit=2")
        XCTAssertEqual(t.json?["users"]?.arrayValue?.compactMap { $0["username"]?.stringValue }, ["Tim", "tina"], t.text)
        XCTAssertEqual(t.json?["total"]?.intValue, 4, t.text)
        XCTAssertEqual(t.json?["totalAtLeast"], true, "4 users start with t: at least the cap")
        let next = try admin.call("GET", "/api/users?q=T&limit=2&after=tina")
        XCTAssertEqual(next.json?["users"]?.arrayValue?.compactMap { $0["username"]?.stringValue }, ["tom", "tuba"], next.text)
        XCTAssertEqual(next.json?["next"], .null, next.text)
        let few = try admin.call("GET", "/api/users?q=tOm")
        XCTAssertEqual(few.json?["total"]?.intValue, 1, few.text)
        XCTAssertEqual(few.json?["totalAtLeast"], false, few.text)
        // The offset still pages (from the cursor when there is one).
        let skipped = try admin.call("GET", "/api/users?limit=2&offset=1&after=Tim")
        XCTAssertEqual(skipped.json?["users"]?.arrayValue?.compactMap { $0["username"]?.stringValue },
                       Array(all.drop { $0 != "Tim" }.dropFirst(2).prefix(2)), skipped.text)
        ConsoleTest.assertError(try admin.call("GET", "/api/users?after=" + String(repeating: "x", count: 1025)), 400, "bad_request")
    }

    // MARK: the audit log

    func testChangesAreInTheAuditLog() throws {
        let console = try ConsoleServer(label: "console-audit")
        defer { console.stop() }
        let admin = try console.admin()
        let tina = try console.panel.createUser("tina")
        XCTAssertEqual(try admin.call("POST", "/api/users/\(tina)/disable").status, 200)
        XCTAssertEqual(try admin.call("POST", "/api/users/\(tina)/reset-password", json: ["password": "Another-Passw0rd"]).status, 200)
        let group = try XCTUnwrap(admin.call("POST", "/api/groups", json: ["name": "staff"]).json?["id"]?.stringValue)
        XCTAssertEqual(try admin.call("POST", "/api/roles", json: ["slug": "ops"]).status, 201)
        XCTAssertEqual(try console.cli(["enable", "tina"]).status, 0)
        // A refused change (no CSRF token) is not in the log.
        ConsoleTest.assertError(try admin.call("DELETE", "/api/users/\(tina)", sendCSRF: false), 403, "csrf")

        let all = try admin.call("GET", "/api/audit")
        XCTAssertEqual(all.status, 200, all.text)
        let events = try XCTUnwrap(all.json?["events"]?.arrayValue)
        let summary = events.map { [$0["action"]?.stringValue ?? "", $0["actor"]?["name"]?.stringValue ?? "", $0["source"]?.stringValue ?? "",
                                    $0["address"]?.stringValue ?? "", $0["target"]?["name"]?.stringValue ?? ""] }
        // Newest first; the MCSManager admin's user.create of tina is the oldest here.
        XCTAssertEqual(summary.prefix(5).map { $0[0] }, ["user.enable", "role.create", "group.create", "user.password", "user.disable"], "\(summary)")
        XCTAssertEqual(summary[1], ["role.create", MCSM.adminName, "console", "127.0.0.1", "ops"])
        XCTAssertEqual(summary[2], ["group.create", MCSM.adminName, "console", "127.0.0.1", "staff"])
        XCTAssertEqual(summary[3], ["user.password", MCSM.adminName, "console", "127.0.0.1", "tina"])
        XCTAssertEqual(summary[4], ["user.disable", MCSM.adminName, "console", "127.0.0.1", "tina"])
        XCTAssertTrue(summary[0][1].hasPrefix("cli:") && summary[0][2] == "cli" && summary[0][3] == "", "\(summary[0])")
        XCTAssertFalse(summary.contains { $0[0] == "user.delete" })
        XCTAssertEqual(events[4]["target"]?["id"]?.stringValue, tina)
        XCTAssertEqual(events[4]["target"]?["kind"], "user")
        XCTAssertEqual(events[4]["detail"]?["sessionsEnded"]?.intValue, 0)
        XCTAssertEqual(events[2]["target"]?["id"]?.stringValue, group)
        XCTAssertNotNil(ISO8601DateFormatter().date(from: (events[4]["time"]?.stringValue ?? "").replacingOccurrences(of: ".\\d{3}Z", with: "Z", options: .regularExpression)))

        // Filters: action (exact, prefix), actor, target, paging.
        let actions = { (query: String) throws -> [String] in
            try admin.call("GET", "/api/audit?" + query).json?["events"]?.arrayValue?.compactMap { $0["action"]?.stringValue } ?? []
        }
        XCTAssertEqual(try actions("action=user.password"), ["user.password"])
        XCTAssertEqual(try actions("action=user.&actor=\(MCSM.adminName)").prefix(2), ["user.password", "user.disable"])
        XCTAssertEqual(try actions("target=tina"), ["user.enable", "user.password", "user.disable", "user.create"])
        let first = try admin.call("GET", "/api/audit?limit=2")
        XCTAssertEqual(first.json?["events"]?.arrayValue?.count, 2)
        let next = try XCTUnwrap(first.json?["next"]?.intValue)
        XCTAssertEqual(try actions("limit=2&before=\(next)"), ["group.create", "user.password"])
        ConsoleTest.assertError(try admin.call("GET", "/api/audit?action=Not%20An%20Action"), 400, "bad_request")
        ConsoleTest.assertError(try admin.call("GET", "/api/audit?actor=nobody"), 400, "bad_request")
        ConsoleTest.assertError(try admin.call("GET", "/api/audit?limit=1000"), 400, "bad_request")
        ConsoleTest.assertError(try ConsoleClient(port: console.port).call("GET", "/api/audit"), 401, "unauthenticated")
    }

    // MARK: groups, roles, plugins

    func testGroupsRolesAndPlugins() throws {
        let console = try ConsoleServer(label: "console-crud")
        defer { console.stop() }
        let admin = try console.admin()
        let created = try admin.call("POST", "/api/groups", json: ["name": "staff", "description": "Everyone"])
        XCTAssertEqual(created.status, 201, created.text)
        let id = try XCTUnwrap(created.json?["id"]?.stringValue)
        ConsoleTest.assertError(try admin.call("POST", "/api/groups", json: ["name": "staff"]), 409, "conflict")
        XCTAssertEqual(try admin.call("PUT", "/api/groups/\(id)", json: ["name": "crew"]).json?["name"], "crew")
        XCTAssertEqual(try admin.call("GET", "/api/groups").json?["groups"]?[0]?["name"], "crew")
        XCTAssertEqual(try admin.call("DELETE", "/api/groups/\(id)").status, 200)
        ConsoleTest.assertError(try admin.call("DELETE", "/api/groups/\(id)"), 404, "not_found")
        XCTAssertEqual(try admin.call("GET", "/api/groups").json?["groups"]?.arrayValue?.count, 0)

        XCTAssertEqual(try admin.call("POST", "/api/roles", json: ["slug": "ops", "name": "Operations"]).status, 201)
        ConsoleTest.assertError(try admin.call("POST", "/api/roles", json: ["slug": "ops"]), 409, "conflict")
        ConsoleTest.assertError(try admin.call("POST", "/api/roles", json: ["slug": "no spaces"]), 400, "bad_request")
        XCTAssertEqual(try admin.call("PUT", "/api/roles/ops", json: ["name": "Ops"]).json?["name"], "Ops")
        XCTAssertEqual(try admin.call("DELETE", "/api/roles/ops").status, 200)
        ConsoleTest.assertError(try admin.call("DELETE", "/api/roles/ops"), 404, "not_found")
        ConsoleTest.assertError(try admin.call("DELETE", "/api/roles/admin"), 409, "built_in")
        let slugs = try admin.call("GET", "/api/roles").json?["roles"]?.arrayValue?.compactMap { $0["slug"]?.stringValue } ?? []
        XCTAssertTrue(slugs.contains("admin") && !slugs.contains("ops"), "\(slugs)")

        // host->plugin_list (ABI 2.5): every plugin with kind, version, ABI, mount or method.
        let plugins = try XCTUnwrap(admin.call("GET", "/api/plugins").json?["plugins"]?.arrayValue)
        let rows = plugins.map { [$0["kind"]?.stringValue ?? "", $0["name"]?.stringValue ?? "", $0["abi"]?.stringValue ?? "",
                                  $0["mount"]?.stringValue ?? $0["method"]?.stringValue ?? ""] }
        let abi = "\(PROTEUS_ABI_MAJOR).\(PROTEUS_ABI_MINOR)"
        XCTAssertEqual(rows, [["store", "sqlite", abi, ""], ["auth", "password", abi, "password"], ["auth", "totp", abi, "totp"],
                              ["dialect", "console", abi, "/console"], ["dialect", "mcsmanager", abi, "/"]])
        XCTAssertTrue(plugins.allSatisfy { !($0["version"]?.stringValue ?? "").isEmpty && ($0["path"]?.stringValue ?? "").hasSuffix(".so") })
    }

    // MARK: bad input

    func testBadInputIsRefusedAndChangesNothing() throws {
        let console = try ConsoleServer(label: "console-input", options: ["maxBodyBytes": 1024])
        defer { console.stop() }
        let admin = try console.admin()
        let tina = try console.panel.createUser("tina")
        let before = try snapshot(admin)
        let json = [("Content-Type", "application/json")]
        // Sign-in bodies.
        let c = ConsoleClient(port: console.port)
        ConsoleTest.assertError(try c.call("POST", "/api/session", body: Array(#"{"username": "Admin", "password": "#.utf8), headers: json), 400, "bad_request")
        ConsoleTest.assertError(try c.call("POST", "/api/session", json: ["username": "Admin", "password": 5]), 400, "bad_request")
        ConsoleTest.assertError(try c.call("POST", "/api/session", json: ["username": "Admin"]), 400, "bad_request")
        ConsoleTest.assertError(try c.call("POST", "/api/session", json: ["username": "Admin", "password": "x", "remember": true]), 400, "bad_request")
        ConsoleTest.assertError(try c.call("POST", "/api/session", json: ["Admin", "x"]), 400, "bad_request")
        ConsoleTest.assertError(try c.call("POST", "/api/session", body: Array("username=Admin&password=x".utf8), headers: [("Content-Type", "application/x-www-form-urlencoded")]), 415, "unsupported_media_type")
        XCTAssertNil(c.cookie)
        // Actions and CRUD with bad bodies, ids, names.
        ConsoleTest.assertError(try admin.call("POST", "/api/users/\(tina)/reset-password", body: Array(#"{"password":"#.utf8), headers: json), 400, "bad_request")
        ConsoleTest.assertError(try admin.call("POST", "/api/users/\(tina)/reset-password", json: ["password": 12345678]), 400, "bad_request")
        ConsoleTest.assertError(try admin.call("POST", "/api/users/\(tina)/reset-password", json: ["password": ""]), 400, "bad_request")
        ConsoleTest.assertError(try admin.call("POST", "/api/users/\(tina)/reset-password", json: [:]), 400, "bad_request")
        ConsoleTest.assertError(try admin.call("POST", "/api/users/\(tina)/reset-password", json: ["password": .string(String(repeating: "x", count: 2000))]), 413, "too_large")
        ConsoleTest.assertError(try admin.call("POST", "/api/users/\(tina)/disable", json: ["really": true]), 400, "bad_request")
        ConsoleTest.assertError(try admin.call("POST", "/api/users/\(tina)/explode"), 404, "not_found")
        ConsoleTest.assertError(try admin.call("POST", "/api/users/not-an-id/disable"), 400, "bad_request")
        let unknown = String(repeating: "ab", count: 16)
        for action in ["disable", "enable", "revoke-sessions", "turn-off-mfa"] {
            ConsoleTest.assertError(try admin.call("POST", "/api/users/\(unknown)/\(action)"), 404, "not_found")
        }
        ConsoleTest.assertError(try admin.call("POST", "/api/users/\(unknown)/reset-password", json: ["password": "Whatever-1"]), 404, "not_found")
        ConsoleTest.assertError(try admin.call("DELETE", "/api/users/\(unknown)"), 404, "not_found")
        ConsoleTest.assertError(try admin.call("GET", "/api/users/\(unknown)"), 404, "not_found")
        ConsoleTest.assertError(try admin.call("POST", "/api/groups", json: ["name": 5]), 400, "bad_request")
        ConsoleTest.assertError(try admin.call("POST", "/api/groups", json: ["name": "   "]), 400, "bad_request")
        ConsoleTest.assertError(try admin.call("PUT", "/api/groups/\(unknown)", json: ["name": "x"]), 404, "not_found")
        ConsoleTest.assertError(try admin.call("POST", "/api/roles", json: ["slug": ["a"]]), 400, "bad_request")
        ConsoleTest.assertError(try admin.call("PUT", "/api/roles/none", json: ["name": "x"]), 404, "not_found")
        ConsoleTest.assertError(try admin.call("GET", "/api/users?limit=0"), 400, "bad_request")
        ConsoleTest.assertError(try admin.call("GET", "/api/users?offset=-1"), 400, "bad_request")
        ConsoleTest.assertError(try admin.call("GET", "/api/users?limit=ten"), 400, "bad_request")
        XCTAssertEqual(try snapshot(admin), before, "nothing changed")
        XCTAssertEqual(try PanelClient(port: console.port).login("tina", "Passw0rdUser").status, 200, "tina's password is unchanged")
    }
}
