// LISTEN.moe MFA against the real binary over real HTTP, with real
// authenticator tooling (ListenMoeMFASupport.swift): the QR code PNG is read
// by zbarimg and codes come from oathtool. Enrolment, confirmation with
// recovery codes, sign-in in two steps, pending-token confinement, replay
// refusal across routes and dialects, window edges, recovery codes used
// once, the limit on wrong codes across hosts, token invalidation, every
// MFA message. ListenMoeMFAPostgresTests runs the same on PostgreSQL.
import Foundation
import PluginAPI
import PluginKit
import ProteusJSON
import Synchronization
import XCTest
@testable import Host

class ListenMoeMFATests: XCTestCase {
    /// now ± 5 steps accepted: each test takes its codes in increasing
    /// steps from -4, so a step change mid-test still leaves them in the window.
    static var wideWindow: [String: Any] { ["skewSteps": 5] }

    var lm: LMServer!

    override func setUpWithError() throws {
        lm = try LMServer(label: "lm-mfa", totp: Self.wideWindow)
    }

    override func tearDown() {
        lm?.stop()
    }

    /// GET /users/{name}/mfa, scanned.
    func scan(_ name: String, _ token: String, file: StaticString = #filePath, line: UInt = #line) throws -> ScannedAccount {
        let r = try lm.call("GET", "/users/\(name)/mfa", token: token)
        assertLM(r, 200, "Successfully generated MFA QR code.", file: file, line: line)
        return try ScannedAccount(otpauthURL: try XCTUnwrap(r.json?["otpauthURL"]?.stringValue, file: file, line: line))
    }

    /// Registers, signs in, enrols and confirms: the codes to come and the recovery codes.
    func enrolled(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> (codes: CodeSequence, recovery: [String]) {
        let token = try lm.account(name)
        let account = try scan(name, token, file: file, line: line)
        let codes = CodeSequence(account.secret, from: -4)
        let r = try lm.call("POST", "/users/\(name)/mfa", token: token, json: ["token": .string(try codes.next())])
        assertLM(r, 200, "Successfully enabled mfa. You will now be logged out.", file: file, line: line)
        let recovery = try XCTUnwrap(r.json?["recoveryCodes"]?.arrayValue, file: file, line: line).compactMap(\.stringValue)
        return (codes, recovery)
    }

    /// POST /login: the MFA-pending token.
    func pendingToken(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let r = try lm.login(name)
        assertLM(r, 200, "Please provide the 2FA code to log in.", file: file, line: line)
        XCTAssertEqual(r.json?["mfa"], true, file: file, line: line)
        return try XCTUnwrap(r.json?["token"]?.stringValue, file: file, line: line)
    }

    func loginMFA(_ pending: String, _ code: String) throws -> APIResponse {
        try lm.call("POST", "/login/mfa", token: pending, json: ["token": .string(code)])
    }

    /// Both steps of a sign-in: the full token.
    func signIn(_ name: String, _ code: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let r = try loginMFA(try pendingToken(name, file: file, line: line), code)
        assertLM(r, 200, "Successfully logged in.", file: file, line: line)
        return try XCTUnwrap(r.json?["token"]?.stringValue, file: file, line: line)
    }

    // MARK: enrolment

    func testEnrolmentShowsAScannableQRCodeAndTheLatestSecretConfirms() throws {
        let token = try lm.account("mia")
        let first = try scan("mia", token)
        XCTAssertEqual(first.label, "LISTEN.moe:mia")
        XCTAssertEqual(first.parameters["issuer"], "LISTEN.moe")
        XCTAssertEqual(first.parameters["algorithm"], "SHA1")
        XCTAssertEqual(first.parameters["digits"], "6")
        XCTAssertEqual(first.parameters["period"], "30")
        XCTAssertGreaterThanOrEqual(first.secret.count * 5, 160, "secret of at least 160 bits: \(first.secret)")
        XCTAssertTrue(first.secret.allSatisfy { "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".contains($0) }, first.secret)
        // 8-pixel modules and the 4-module quiet zone: at least (21 + 8) × 8 pixels a side.
        let png = [UInt8](first.png)
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(width, height)
        XCTAssertEqual(width % 8, 0)
        XCTAssertGreaterThanOrEqual(width, 29 * 8)

        // A second GET replaces the secret: only its codes confirm.
        let second = try scan("mia", token)
        XCTAssertNotEqual(first.secret, second.secret)
        assertLM(try lm.call("POST", "/users/mia/mfa", token: token, json: ["token": .string(try first.code())]), 401, "Invalid OTP provided.")
        XCTAssertEqual(try lm.call("GET", "/users/mia").json?["user"]?["settings"], ["mfa": false])
        let (store, binding) = try lm.store()
        _ = binding
        let pendingDoc = try store.getUser(username: "mia", docs: "listenmoe").document("listenmoe") ?? ""
        XCTAssertFalse(pendingDoc.contains(second.secret), "the pending secret is stored sealed")
        XCTAssertTrue(pendingDoc.contains("$totp$"), pendingDoc)

        let r = try lm.call("POST", "/users/mia/mfa", token: token, json: ["token": .string(try second.code(offset: -1))])
        assertLM(r, 200, "Successfully enabled mfa. You will now be logged out.")
        let recovery = try XCTUnwrap(r.json?["recoveryCodes"]?.arrayValue).compactMap(\.stringValue)
        XCTAssertEqual(recovery.count, 10)
        XCTAssertEqual(Set(recovery).count, 10, "distinct")
        XCTAssertEqual(try lm.call("GET", "/users/mia").json?["user"]?["settings"], ["mfa": true])
        // Enabling ends every token issued before.
        assertLM(try lm.call("GET", "/users/mia/roles", token: token), 401, "Invalid authorization.")

        // Stored as MCSManager stores it; recovery codes only as hashes.
        let user = try store.getUser(username: "mia", docs: "listenmoe")
        XCTAssertTrue(user.isMFAEnabled)
        let verifier = String(decoding: try XCTUnwrap(user.mfaSecret), as: UTF8.self)
        XCTAssertTrue(verifier.hasPrefix("$totp$v=1$a=SHA1,d=6,p=30$step="), verifier)
        XCTAssertFalse(verifier.contains(second.secret))
        XCTAssertGreaterThan(user.mfaLastStep, 0)
        let doc = user.document("listenmoe") ?? ""
        XCTAssertFalse(doc.contains("mfaPending"), doc)
        // The totp plugin keeps the recovery codes' keyed hashes in the verifier.
        XCTAssertTrue(verifier.contains("$r="), verifier)
        for code in recovery {
            for text in [doc, verifier] {
                XCTAssertFalse(text.contains(code) || text.contains(code.replacingOccurrences(of: "-", with: "")), "\(code) in \(text)")
            }
        }

        // MFA on: the enrolment routes refuse.
        let full = try signIn("mia", try second.code(offset: 0))
        assertLM(try lm.call("GET", "/users/mia/mfa", token: full), 400, "MFA already activated.")
        assertLM(try lm.call("POST", "/users/mia/mfa", token: full, json: ["token": "123456"]), 400, "MFA already activated.")
    }

    func testMFARouteRefusalsAndMessages() throws {
        let token = try lm.account("noel")
        let other = try lm.account("olga")
        for (method, path) in [("GET", "/users/noel/mfa"), ("POST", "/users/noel/mfa"), ("DELETE", "/users/noel/mfa?token=123456")] {
            assertLM(try lm.call(method, path, json: ["token": "123456"]), 401, "Invalid authorization.")
            assertLM(try lm.call(method, path, token: "garbage", json: ["token": "123456"]), 401, "Invalid authorization.")
            assertLM(try lm.call(method, path, token: other, json: ["token": "123456"]), 403, "Not authorized.")
            assertLM(try lm.call(method, path.replacingOccurrences(of: "noel", with: "nobody"), token: token, json: ["token": "123456"]), 404, "No user found.")
        }
        // Staff too: MFA is the user's own business (the secret is shown to whoever asks).
        let staff = try lm.account("staffer")
        let (store, binding) = try lm.store()
        defer { withExtendedLifetime(binding) {} }
        var promote = UserRecord(id: try store.getUser(username: "staffer").id)
        promote.roles = ["admin", "user"]
        _ = try store.updateUser(promote, fields: PROTEUS_FIELD_ROLES)
        XCTAssertEqual(try lm.call("GET", "/users/noel/roles", token: staff).status, 200, "staff elsewhere")
        assertLM(try lm.call("GET", "/users/noel/mfa", token: staff), 403, "Not authorized.")
        assertLM(try lm.call("POST", "/users/noel/mfa", token: token), 400, "No body provided.")
        assertLM(try lm.call("POST", "/users/noel/mfa", token: token, json: ["token": 123456]), 400, "Invalid body provided.")
        assertLM(try lm.call("POST", "/users/noel/mfa", token: token, json: ["code": "123456"]), 400, "Invalid body provided.")
        // No enrolment shown yet: no code can match.
        assertLM(try lm.call("POST", "/users/noel/mfa", token: token, json: ["token": "123456"]), 401, "Invalid OTP provided.")
        assertLM(try lm.call("DELETE", "/users/noel/mfa?token=123456", token: token), 400, "No MFA activated.")
        XCTAssertEqual(try lm.call("HEAD", "/users/noel/mfa", token: token).status, 405)

        let account = try scan("noel", token)
        let codes = CodeSequence(account.secret, from: -4)
        assertLM(try lm.call("POST", "/users/noel/mfa", token: token, json: ["token": "12345"]), 401, "Invalid OTP provided.")
        assertLM(try lm.call("POST", "/users/noel/mfa", token: token, json: ["token": .string(try codes.next())]), 200)
        let full = try signIn("noel", try codes.next())
        assertLM(try lm.call("DELETE", "/users/noel/mfa", token: full), 400, "No body provided.")
        assertLM(try lm.call("DELETE", "/users/noel/mfa", token: full, json: ["token": true]), 400, "Invalid body provided.")
        assertLM(try lm.call("DELETE", "/users/noel/mfa?token=000000", token: other), 403, "Not authorized.")
        // POST /login/mfa: body and authorization.
        let pending = try pendingToken("noel")
        assertLM(try lm.call("POST", "/login/mfa", token: pending), 400, "No body provided.")
        assertLM(try lm.call("POST", "/login/mfa", token: pending, json: ["token": 1]), 400, "Invalid body provided.")
        assertLM(try lm.call("POST", "/login/mfa", json: ["token": "123456"]), 401, "Invalid authorization.")
        // The code may also come in the DELETE's body.
        assertLM(try lm.call("DELETE", "/users/noel/mfa", token: full, json: ["token": .string(try codes.next())]), 200,
                 "Successfully disabled mfa. You will now be logged out.")
    }

    func testWithoutTheTOTPPluginMFAIsUnavailable() throws {
        let directory = TemporaryDirectory.make("lm-mfa-nototp")
        var config = LM.config(directory: directory)
        config["auth"] = [ProteusProcess.fastPassword]
        let server = try ProteusProcess(config: config, directory: directory)
        defer { server.stop() }
        let http = APIClient(port: server.port)
        XCTAssertEqual(try http.request("POST", "/api/register", headers: [LM.accept],
                                        json: ["email": "xena@example.com", "username": "xena", "password": "hunter2hunter2"]).status, 200)
        let login = try http.request("POST", "/api/login", headers: [LM.accept], json: ["username": "xena", "password": "hunter2hunter2"])
        let token = try XCTUnwrap(login.json?["token"]?.stringValue)
        assertLM(try http.request("GET", "/api/users/xena/mfa", headers: [LM.accept, LM.bearer(token)]), 503,
                 "Two-factor authentication is unavailable, please try again later.")
    }

    // MARK: sign-in

    func testPendingTokenIsConfinedToLoginMFA() throws {
        let other = try lm.account("pete")
        let (codes, _) = try enrolled("quin")
        let pending = try pendingToken("quin")
        let claims = try XCTUnwrap(LM.decode(pending)?.payload)
        let lifetime = try XCTUnwrap(claims["exp"]?.intValue) - (try XCTUnwrap(claims["iat"]?.intValue))
        XCTAssertLessThanOrEqual(lifetime, 300, "pending tokens live at most 5 minutes")
        XCTAssertGreaterThan(lifetime, 0)
        // Refused everywhere but /login/mfa, also on the public GET /users/{u}.
        for (method, path) in [("GET", "/users/quin"), ("GET", "/users/quin/roles"), ("GET", "/users/pete"), ("GET", "/users/quin/mfa")] {
            assertLM(try lm.call(method, path, token: pending), 401, "Invalid authorization.")
        }
        assertLM(try lm.call("PATCH", "/users/quin", token: pending, json: ["bio": "x"]), 401, "Invalid authorization.")
        assertLM(try lm.call("DELETE", "/users/quin/mfa?token=\(try codes.next())", token: pending), 401, "Invalid authorization.")
        // A full token is refused at /login/mfa (another user's or the user's own).
        assertLM(try loginMFA(other, try codes.next()), 401, "Invalid authorization.")
        assertLM(try loginMFA(pending, "000000" == (try codes.next()) ? "111111" : "000000"), 401, "Invalid OTP provided.")
        let full = try loginMFA(pending, try codes.next())
        assertLM(full, 200, "Successfully logged in.")
        let fullToken = try XCTUnwrap(full.json?["token"]?.stringValue)
        XCTAssertEqual(try lm.call("GET", "/users/quin/roles", token: fullToken).status, 200)
        assertLM(try loginMFA(fullToken, try codes.next()), 401, "Invalid authorization.")
        // An edited pending token does not verify either.
        let parts = pending.split(separator: ".").map(String.init)
        var payload = claims
        payload["exp"] = JSONValue(Int64(Date().timeIntervalSince1970) + 3600)
        assertLM(try loginMFA(parts[0] + "." + LM.b64(.object(payload)) + "." + parts[2], try codes.next()), 401, "Invalid authorization.")
    }

    func testACodeIsAcceptedOnceAcrossRoutes() throws {
        let token = try lm.account("rita")
        let account = try scan("rita", token)
        let codes = CodeSequence(account.secret, from: -4)
        let enrolCode = try codes.next()
        assertLM(try lm.call("POST", "/users/rita/mfa", token: token, json: ["token": .string(enrolCode)]), 200)
        // The enrolment's code is used: refused at sign-in and at DELETE.
        assertLM(try loginMFA(try pendingToken("rita"), enrolCode), 401, "Invalid OTP provided.")
        let next = try codes.next()
        let full = try signIn("rita", next)
        assertLM(try loginMFA(try pendingToken("rita"), next), 401, "Invalid OTP provided.")
        assertLM(try lm.call("DELETE", "/users/rita/mfa?token=\(next)", token: full), 401, "Invalid OTP provided.")
        // An older step after a newer one is refused too (the plugin keeps the last step).
        let older = try AuthenticatorTool.oathtool(base32: account.secret, at: Int64(Date().timeIntervalSince1970) - 5 * 30)
        if older != next && older != enrolCode {
            assertLM(try loginMFA(try pendingToken("rita"), older), 401, "Invalid OTP provided.")
        }
        assertLM(try lm.call("DELETE", "/users/rita/mfa?token=\(try codes.next())", token: full), 200)
    }

    func testConcurrentUsesOfOneCodeSignInOnce() throws {
        // Without the limit on wrong codes (the losers' refusals would spend it).
        lm.stop()
        var options = LM.options
        options["mfaRateLimit"] = false
        lm = try LMServer(label: "lm-mfa-race", options: options, totp: Self.wideWindow)
        let (codes, recovery) = try enrolled("cleo")
        for code in [try codes.next(), recovery[0]] {
            let pendings = try (0..<6).map { _ in try pendingToken("cleo") }
            let statuses = Mutex<[Int]>([])
            let port = lm.port
            DispatchQueue.concurrentPerform(iterations: pendings.count) { i in
                let r = try? APIClient(port: port).request("POST", "/api/login/mfa", headers: [LM.accept, LM.bearer(pendings[i])],
                                                           json: ["token": .string(code)])
                statuses.withLock { $0.append(r?.status ?? -1) }
            }
            let all = statuses.withLock { $0 }
            XCTAssertEqual(all.filter { $0 == 200 }.count, 1, "one winner for \(code): \(all)")
            XCTAssertEqual(all.filter { $0 == 401 }.count, pendings.count - 1, "\(all)")
        }
    }

    // MARK: recovery codes

    func testRecoveryCodesWorkOnceEachAndOnlyForTheirEnrolment() throws {
        let (_, recovery) = try enrolled("sara")
        let full = try signIn("sara", recovery[0])
        XCTAssertEqual(try lm.call("GET", "/users/sara/roles", token: full).status, 200)
        assertLM(try loginMFA(try pendingToken("sara"), recovery[0]), 401, "Invalid OTP provided.")
        // Any case, with or without the dash.
        let typed = recovery[1].uppercased().replacingOccurrences(of: "-", with: "")
        let second = try signIn("sara", typed)
        // And where a code turns MFA off.
        assertLM(try lm.call("DELETE", "/users/sara/mfa?token=\(recovery[2])", token: second), 200, "Successfully disabled mfa. You will now be logged out.")
        let plain = try lm.login("sara")
        assertLM(plain, 200, "Successfully logged in.")
        XCTAssertNil(plain.json?["mfa"])
        // A new enrolment: the old codes are dead.
        let token = try XCTUnwrap(plain.json?["token"]?.stringValue)
        let account = try scan("sara", token)
        let codes = CodeSequence(account.secret, from: -4)
        assertLM(try lm.call("POST", "/users/sara/mfa", token: token, json: ["token": .string(try codes.next())]), 200)
        assertLM(try loginMFA(try pendingToken("sara"), recovery[3]), 401, "Invalid OTP provided.")
    }

    /// The totp plugin keeps the codes: MCSManager's 2FA step takes them
    /// too, and a code used in one dialect is spent in the other.
    func testRecoveryCodesWorkAtMCSManagerTooOnceEach() throws {
        lm.stop()
        lm = try LMServer(label: "lm-mfa-recovery-panel", panel: true, totp: Self.wideWindow)
        let (_, recovery) = try enrolled("rita")
        assertEnvelope(try PanelClient(port: lm.port).login("rita", "hunter2hunter2"), 200, "NEED_2FA")
        XCTAssertEqual(try PanelClient(port: lm.port).login("rita", "hunter2hunter2", code: recovery[0]).status, 200)
        assertEnvelope(try PanelClient(port: lm.port).login("rita", "hunter2hunter2", code: recovery[0]), 401, "Two-factor authentication code is incorrect")
        assertLM(try loginMFA(try pendingToken("rita"), recovery[0]), 401, "Invalid OTP provided.")
        // Used here first: spent there.
        _ = try signIn("rita", recovery[1])
        assertEnvelope(try PanelClient(port: lm.port).login("rita", "hunter2hunter2", code: recovery[1]), 401, "Two-factor authentication code is incorrect")
        XCTAssertEqual(try PanelClient(port: lm.port).login("rita", "hunter2hunter2", code: recovery[2].uppercased()).status, 200)
    }

    // MARK: turning MFA off

    func testDisableNeedsACodeAndEndsEveryToken() throws {
        let (codes, _) = try enrolled("tess")
        let full = try signIn("tess", try codes.next())
        let wrong = try codes.next() == "424242" ? "242424" : "424242"
        assertLM(try lm.call("DELETE", "/users/tess/mfa?token=\(wrong)", token: full), 401, "Invalid OTP provided.")
        assertLM(try lm.call("DELETE", "/users/tess/mfa?token=\(try codes.next())", token: full), 200, "Successfully disabled mfa. You will now be logged out.")
        assertLM(try lm.call("GET", "/users/tess/roles", token: full), 401, "Invalid authorization.")
        let user = try lm.store().0.getUser(username: "tess")
        XCTAssertFalse(user.isMFAEnabled)
        XCTAssertNil(user.mfaSecret)
        XCTAssertEqual(try lm.call("GET", "/users/tess").json?["user"]?["settings"], ["mfa": false])
        let fresh = try lm.token("tess")
        XCTAssertEqual(try lm.call("GET", "/users/tess/roles", token: fresh).status, 200)
    }

    // MARK: the limit on wrong codes

    func testWrongCodesAreLimitedPerAccountAcrossHosts() throws {
        lm.stop()
        var options = LM.options
        options["mfaRateLimit"] = ["failures": 3, "windowSeconds": 60]
        lm = try LMServer(label: "lm-mfa-limit", options: options, totp: Self.wideWindow)
        // A second host on the same store and key.
        let second = try ProteusProcess(config: lm.config, directory: lm.directory)
        defer { second.stop() }
        let secondHTTP = APIClient(port: second.port)
        let (codes, recovery) = try enrolled("ugo")
        let bystander = try enrolled("vera")
        let pending = try pendingToken("ugo")
        for wrong in ["000001", "000002", "000003"] {
            assertLM(try loginMFA(pending, wrong), 401, "Invalid OTP provided.")
        }
        // Spent: the right code, a recovery code, at either host, get 429.
        let limited = try loginMFA(pending, try codes.next())
        assertLM(limited, 429, "Too many invalid OTP attempts, please try again later.")
        XCTAssertNotNil(limited.header("Retry-After"))
        assertLM(try loginMFA(pending, recovery[0]), 429, "Too many invalid OTP attempts, please try again later.")
        let elsewhere = try secondHTTP.request("POST", "/api/login/mfa", headers: [LM.accept, LM.bearer(pending)],
                                               json: ["token": .string(try codes.next())])
        assertLM(elsewhere, 429, "Too many invalid OTP attempts, please try again later.")
        // Another account is not affected.
        XCTAssertEqual(try loginMFA(try pendingToken("vera"), try bystander.codes.next()).status, 200)
    }

    // MARK: window edges and MCSManager

    func testWindowEdgesAndCodesSharedWithMCSManager() throws {
        lm.stop()
        lm = try LMServer(label: "lm-mfa-edges", panel: true)   // the totp plugin's default window: now ± 1 step
        let token = try lm.account("wanda")
        let account = try scan("wanda", token)
        StepClock.awayFromStepEnd(margin: 12)
        func code(_ offset: Int64) throws -> String { try account.code(offset: offset) }
        let confirm = { (code: String) in try self.lm.call("POST", "/users/wanda/mfa", token: token, json: ["token": .string(code)]) }
        // Two steps away is outside the window, one step is inside.
        for outside in [Int64(-2), 2] where try code(outside) != code(-1) && code(outside) != code(0) && code(outside) != code(1) {
            assertLM(try confirm(try code(outside)), 401, "Invalid OTP provided.")
        }
        assertLM(try confirm(try code(-1)), 200, "Successfully enabled mfa. You will now be logged out.")

        // Enabled here: MCSManager asks for the code, and takes it.
        assertEnvelope(try PanelClient(port: lm.port).login("wanda", "hunter2hunter2"), 200, "NEED_2FA")
        let now = try code(0)
        XCTAssertEqual(try PanelClient(port: lm.port).login("wanda", "hunter2hunter2", code: now).status, 200)
        // The code used there is refused here.
        assertLM(try loginMFA(try pendingToken("wanda"), now), 401, "Invalid OTP provided.")
        // The next step (the window's far edge) works here, then not there.
        let edge = try code(1)
        let full = try signIn("wanda", edge)
        assertEnvelope(try PanelClient(port: lm.port).login("wanda", "hunter2hunter2", code: edge), 401, "Two-factor authentication code is incorrect")
        XCTAssertEqual(try lm.call("GET", "/users/wanda/roles", token: full).status, 200)
    }

    // MARK: the totp plugin against oathtool

    func testOathtoolAndTheTOTPPluginAgreeOnRFC6238Vectors() throws {
        for hash in ReferenceTOTP.Hash.allCases {
            let harness = try TOTPHarness(options: #"{"digits": 8, "algorithm": "\#(hash.rawValue)"}"#)
            let stored = try XCTUnwrap(harness.enroll(ReferenceTOTP.base32(ReferenceTOTP.seed(hash))).stored)
            let hexKey = ReferenceTOTP.seed(hash).map { String(format: "%02x", $0) }.joined()
            for vector in ReferenceTOTP.rfc6238 {
                let code = try AuthenticatorTool.oathtool(hexKey: hexKey, at: vector.time, algorithm: hash.rawValue, digits: 8)
                XCTAssertEqual(code, vector.codes[hash], "oathtool, \(hash) at \(vector.time)")
                TOTPFakeClock.set(seconds: vector.time)
                XCTAssertEqual(harness.verify(code, stored).status, PROTEUS_OK, "plugin, \(hash) at \(vector.time)")
            }
        }
    }
}
