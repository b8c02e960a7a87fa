// Cortex Hub OIDC sign-in against a real provider on loopback
// (Tests/Fixtures/OIDC/oidc_provider.py, PyJWT + cryptography): the
// authorization redirect (PKCE S256, nonce, state), the code exchange, ID
// token verification (RS256, ES256; bad signature, alg none, HS256 keyed
// with the public key, wrong aud/iss/nonce, expired, iat in the future,
// two audiences without azp, unknown kid refused),
// users by (issuer, subject) only, single-use state, allow-listed frontend
// URIs, refused codes and provider failures. CortexHubOIDCPostgresTests
// runs the same on PostgreSQL.
import Foundation
import ProteusJSON
import XCTest

class CortexHubOIDCTests: XCTestCase {
    static let frontend = "http://127.0.0.1:3000/signed-in"
    static let frontendWithQuery = "http://127.0.0.1:3000/app?tab=1"

    var provider: OIDCTestProvider!
    var hub: HubServer!

    override func setUpWithError() throws {
        provider = try OIDCTestProvider()
        hub = try startHub()
    }

    override func tearDown() {
        hub?.stop()
        provider?.stop()
    }

    func startHub(extra: [String: Any] = [:]) throws -> HubServer {
        try HubServer(options: [
            "oidc": ["issuer": provider.issuer, "clientId": OIDCTestProvider.clientID, "clientSecret": OIDCTestProvider.clientSecret,
                     "redirectUri": "http://127.0.0.1:1/api/v1/users/login/callback", "scopes": ["openid", "email", "profile"]],
            "allowedRedirects": [Self.frontend, Self.frontendWithQuery],
            "bootstrapAdmins": ["boss@example.com"],
        ], label: "ch-oidc", extraConfig: ["outbound": ["allowPrivateNetworks": true]].merging(extra) { _, new in new })
    }

    // MARK: helpers

    private func encoded(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"))!
    }

    /// GET /users/login; the provider's authorization URL it redirects to.
    func startSignIn(frontend: String = frontend) throws -> String {
        let r = try HubClient(port: hub.port).call("GET", "/users/login?frontend_callback_uri=" + encoded(frontend), sendID: false)
        guard [302, 303, 307].contains(r.status), let location = r.header("Location") else {
            throw TestFailure("login start: \(r.status) \(r.text)")
        }
        return location
    }

    func callback(code: String, state: String) throws -> APIResponse {
        try HubClient(port: hub.port).call("GET", "/users/login/callback?code=\(encoded(code))&state=\(encoded(state))", sendID: false)
    }

    /// A whole sign-in: start, the provider's redirect, the callback's answer
    /// (and the code and state it carried, for replays).
    func signIn(frontend: String = frontend) throws -> (response: APIResponse, code: String, state: String) {
        let back = queryItems(try provider.authorize(try startSignIn(frontend: frontend)))
        let code = try XCTUnwrap(back["code"]), state = try XCTUnwrap(back["state"])
        return (try callback(code: code, state: state), code, state)
    }

    /// The user_id of a successful sign-in's redirect to `frontend`.
    func userID(_ r: APIResponse, frontend: String = frontend, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        XCTAssertEqual(r.status, 302, r.text, file: file, line: line)
        let location = try XCTUnwrap(r.header("Location"), file: file, line: line)
        XCTAssertTrue(location.hasPrefix(frontend + (frontend.contains("?") ? "&user_id=" : "?user_id=")), location, file: file, line: line)
        return try XCTUnwrap(queryItems(location)["user_id"], file: file, line: line)
    }

    func me(_ id: String) throws -> JSONValue {
        let r = try HubClient(port: hub.port, userID: id).call("GET", "/users/me")
        XCTAssertEqual(r.status, 200, r.text)
        return try XCTUnwrap(r.json)
    }

    // MARK: tests

    func testGoodSignInsWithRS256AndES256() throws {
        let authorize = try startSignIn()
        XCTAssertTrue(authorize.hasPrefix(provider.issuer + "/authorize?"), authorize)
        let q = queryItems(authorize)
        XCTAssertEqual(q["response_type"], "code")
        XCTAssertEqual(q["client_id"], OIDCTestProvider.clientID)
        XCTAssertEqual(q["redirect_uri"], "http://127.0.0.1:1/api/v1/users/login/callback")
        XCTAssertEqual(q["scope"], "openid email profile")
        XCTAssertEqual(q["code_challenge_method"], "S256")
        XCTAssertEqual(q["code_challenge"]?.count, 43)
        XCTAssertGreaterThanOrEqual(q["nonce"]?.count ?? 0, 22)
        XCTAssertGreaterThanOrEqual(q["state"]?.count ?? 0, 22)
        XCTAssertFalse(authorize.contains("signed-in"), "the frontend URI is not in the URL")
        let users = try hub.server.userCount()

        try provider.user(sub: "subject-1", email: "one@example.com", username: "oidcuser", name: "One")
        let first = try signIn()
        let id1 = try userID(first.response)
        XCTAssertGreaterThanOrEqual(id1.count, 22)
        let profile = try me(id1)
        XCTAssertEqual(profile["username"], "oidcuser")
        XCTAssertEqual(profile["email"], "one@example.com")
        XCTAssertEqual(profile["display_name"], "One")
        XCTAssertEqual(profile["role"], "user")
        XCTAssertEqual(try hub.server.userCount(), users + 1)
        // The code went to the token endpoint with the PKCE verifier, the
        // secret by Basic auth (not in the form).
        let form = try provider.log()["last_token_form"]
        XCTAssertEqual(form?["grant_type"], "authorization_code")
        XCTAssertEqual(form?["code_verifier"]?.stringValue?.count, 43)
        XCTAssertNil(form?["client_id"])

        // The same subject again, now ES256 and to a frontend URI with a
        // query: the same user, a new id.
        try provider.mode("es256")
        let again = try signIn(frontend: Self.frontendWithQuery)
        let id2 = try userID(again.response, frontend: Self.frontendWithQuery)
        XCTAssertNotEqual(id1, id2)
        XCTAssertEqual(try me(id2)["id"], profile["id"])
        XCTAssertEqual(try hub.server.userCount(), users + 1)

        // Another subject with the same email and username is another user
        // (never matched by email); the username gets a suffix.
        try provider.mode("rs256")
        try provider.user(sub: "subject-2", email: "one@example.com", username: "oidcuser")
        let other = try me(try userID(try signIn().response))
        XCTAssertNotEqual(other["id"], profile["id"])
        XCTAssertEqual(other["email"], "one@example.com")
        XCTAssertTrue(other["username"]?.stringValue?.hasPrefix("oidcuser-") ?? false, "\(other)")
        XCTAssertEqual(try hub.server.userCount(), users + 2)
    }

    func testForgedAndInvalidIDTokensAreRefusedAndCreateNoUser() throws {
        let users = try hub.server.userCount()
        let refused = "The ID token was refused: "
        let notRS256OrES256 = refused + "malformed, or not signed with RS256 or ES256"
        let cases = [("bad-signature", refused + "bad signature"), ("alg-none", notRS256OrES256),
                     ("hs256-public-key", notRS256OrES256), ("wrong-aud", refused + "wrong audience"),
                     ("wrong-iss", refused + "wrong issuer"), ("wrong-nonce", refused + "wrong nonce"),
                     ("expired", refused + "expired"), ("future-iat", refused + "issued in the future"),
                     ("two-audiences", refused + "wrong authorized party"),
                     ("unknown-kid", refused + "signed with an unknown key")]
        for (mode, detail) in cases {
            try provider.mode(mode)
            try provider.user(sub: "forged-\(mode)", email: "\(mode)@example.com", username: mode)
            let r = try signIn().response
            assertDetail(r, 401, detail)
            XCTAssertNil(r.header("Location"), mode)
        }
        XCTAssertEqual(try hub.server.userCount(), users)
        // Good tokens still pass afterwards, also with two audiences and azp.
        for mode in ["rs256", "two-audiences-azp"] {
            try provider.mode(mode)
            try provider.user(sub: "fine-\(mode)", email: "fine@example.com", username: "fine")
            _ = try userID(try signIn().response)
        }
    }

    /// The client secret goes in the form when discovery lists only
    /// client_secret_post (the provider then refuses Basic).
    func testClientSecretPostWhenDiscoveryListsOnlyIt() throws {
        _ = try userID(try signIn().response)
        XCTAssertEqual(try provider.log()["last_token_auth"], "client_secret_basic")
        try provider.authMethods(["client_secret_post"])
        hub.stop()
        hub = try startHub() // discovery is cached: a new server reads it anew
        _ = try userID(try signIn().response)
        XCTAssertEqual(try provider.log()["last_token_auth"], "client_secret_post")
        XCTAssertEqual(try provider.log()["last_token_form"]?["client_id"]?.stringValue, OIDCTestProvider.clientID)
    }

    /// A rotated key is found by refetching the key set once on its unknown
    /// kid; forged kids right after cause no further fetches.
    func testKeyRotationRefetchesTheKeySetOnce() throws {
        _ = try userID(try signIn().response)
        let fetched = try XCTUnwrap(try provider.log()["jwks_requests"]?.intValue)
        try provider.mode("unknown-kid")
        assertDetail(try signIn().response, 401, "The ID token was refused: signed with an unknown key")
        XCTAssertEqual(try provider.log()["jwks_requests"]?.intValue, fetched, "no refetch within 5 s of the last")
        try provider.mode("rs256")
        try provider.rotateKey()
        Thread.sleep(forTimeInterval: 5.2)
        _ = try userID(try signIn().response)
        XCTAssertEqual(try provider.log()["jwks_requests"]?.intValue, fetched + 1)
        _ = try userID(try signIn().response)
        XCTAssertEqual(try provider.log()["jwks_requests"]?.intValue, fetched + 1, "the new set is cached")
    }

    func testStateIsSingleUseAndMustBeOurs() throws {
        let first = try signIn()
        _ = try userID(first.response)
        // The same code and state again, and the state with a fresh code.
        assertDetail(try callback(code: first.code, state: first.state), 400)
        let fresh = queryItems(try provider.authorize(try startSignIn()))
        assertDetail(try callback(code: try XCTUnwrap(fresh["code"]), state: first.state), 400)
        // An edited or made-up state.
        var edited = Array(try XCTUnwrap(fresh["state"]))
        edited[10] = edited[10] == "A" ? "B" : "A"
        assertDetail(try callback(code: try XCTUnwrap(fresh["code"]), state: String(edited)), 400)
        assertDetail(try callback(code: "x", state: "made-up-state-value-000000000"), 400)
        // Missing parameters are FastAPI validation errors.
        assertValidation(try HubClient(port: hub.port).call("GET", "/users/login/callback?state=x", sendID: false), loc: ["query", "code"])
        // The untouched fresh state still works once.
        _ = try userID(try callback(code: try XCTUnwrap(fresh["code"]), state: try XCTUnwrap(fresh["state"])))
    }

    func testOnlyAllowListedFrontendURIs() throws {
        let client = HubClient(port: hub.port)
        for uri in ["http://evil.example/signed-in", Self.frontend + "/../x", Self.frontend + "?x=1", "http://127.0.0.1:3000/", ""] {
            assertDetail(try client.call("GET", "/users/login?frontend_callback_uri=" + encoded(uri), sendID: false), 400)
        }
        assertDetail(try client.call("GET", "/users/login", sendID: false), 400)
        XCTAssertEqual(try provider.log()["token_requests"], 0)
    }

    func testRefusedCodesAre4xxAndCreateNoUser() throws {
        let users = try hub.server.userCount()
        try provider.user(sub: "refused", email: "refused@example.com", username: "refused")
        try provider.mode("refuse-code")
        assertDetail(try signIn().response, 400)
        // A code the provider never issued, with a valid state.
        try provider.mode("rs256")
        let state = try XCTUnwrap(queryItems(try provider.authorize(try startSignIn()))["state"])
        assertDetail(try callback(code: "never-issued", state: state), 400)
        // The provider sending the user back with an error.
        assertDetail(try HubClient(port: hub.port).call("GET", "/users/login/callback?error=access_denied&state=x", sendID: false), 400)
        XCTAssertEqual(try hub.server.userCount(), users)
    }

    func testProviderFailuresAre502() throws {
        let users = try hub.server.userCount()
        try provider.mode("server-error")
        assertDetail(try signIn().response, 502)
        // The operator sees why (the log is buffered: wait for it); never the secret.
        let logged = "OIDC provider \(provider.issuer): the token endpoint answered 500"
        let deadline = Date().addingTimeInterval(5)
        while !hub.server.outputText.contains(logged) && Date() < deadline { usleep(50_000) }
        XCTAssertTrue(hub.server.outputText.contains(logged), hub.server.outputText.suffix(2000).description)
        XCTAssertFalse(hub.server.outputText.contains(OIDCTestProvider.clientSecret))
        // The provider goes away between the redirect and the callback.
        try provider.mode("rs256")
        let back = queryItems(try provider.authorize(try startSignIn()))
        provider.stop()
        assertDetail(try callback(code: try XCTUnwrap(back["code"]), state: try XCTUnwrap(back["state"])), 502)
        // A server that never reached its discovery document.
        hub.stop()
        hub = try startHub()
        assertDetail(try HubClient(port: hub.port).call("GET", "/users/login?frontend_callback_uri=" + encoded(Self.frontend), sendID: false), 502)
        XCTAssertEqual(try hub.server.userCount(), users)
    }

    /// With a waiting lane of 2, six callbacks against a hanging token
    /// endpoint: four are refused at once for load (503, Retry-After), the
    /// two that waited end as provider failures (502) at the 10 s timeout.
    func testOutboundCallsRefusedForLoadAre503() throws {
        hub.stop()
        hub = try startHub(extra: ["workers": 1, "threads": 2, "waitingThreads": 2])
        var targets: [String] = []
        for _ in 0..<6 {
            let back = queryItems(try provider.authorize(try startSignIn()))
            targets.append(CH.mount + "/users/login/callback?code=\(encoded(try XCTUnwrap(back["code"])))&state=\(encoded(try XCTUnwrap(back["state"])))")
        }
        try provider.mode("hang")
        let port = hub.port
        let answers = ResultSlots<APIResponse>(6)
        for (i, target) in targets.enumerated() {
            Thread.detachNewThread { answers[i] = try? APIClient(port: port).request("GET", target, timeout: 40) }
        }
        func answered() -> [APIResponse] { answers.values.compactMap { $0 } }
        func waitFor(_ count: Int, seconds: Double) {
            let deadline = Date().addingTimeInterval(seconds)
            while answered().count < count && Date() < deadline { usleep(20_000) }
        }
        waitFor(4, seconds: 8)
        XCTAssertEqual(answered().map(\.status), [503, 503, 503, 503])
        for r in answered() {
            assertDetail(r, 503)
            XCTAssertNotNil(r.header("Retry-After"))
        }
        waitFor(6, seconds: 30)
        XCTAssertEqual(answered().map(\.status).sorted(), [502, 502, 503, 503, 503, 503])
    }

    func testBootstrapAdminByVerifiedEmailOnceAndBannedUsersAreRefused() throws {
        try provider.user(sub: "impostor", email: "boss@example.com", username: "impostor", emailVerified: false)
        XCTAssertEqual(try me(try userID(try signIn().response))["role"], "user", "an unverified email is no bootstrap admin")
        try provider.user(sub: "boss", email: "boss@example.com", username: "boss")
        let boss = try me(try userID(try signIn().response))
        XCTAssertEqual(boss["role"], "admin")
        // Demoted, the boss stays demoted at the next sign-in.
        let uid = try XCTUnwrap(boss["id"]?.stringValue)
        let demote = try hub.admin.call("PUT", "/users/admin/users/\(uid)/role", json: ["role": "user"])
        XCTAssertEqual(demote.status, 200, demote.text)
        XCTAssertEqual(try me(try userID(try signIn().response))["role"], "user")
        // Banned (MCSManager permission -1): refused, and no new user.
        try hub.setPermission(uid, -1)
        let users = try hub.server.userCount()
        assertDetail(try signIn().response, 403)
        XCTAssertEqual(try hub.server.userCount(), users)
    }
}
