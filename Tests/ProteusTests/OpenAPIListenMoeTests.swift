// The LISTEN.moe dialect's OpenAPI document ("openapi.v1"): valid, with the
// mount as its servers URL, and schemathesis (the checks) finds no
// server error and no answer the document does not describe, run against
// the real server with LISTEN.moe tokens (Authorization: Bearer).
//
// Generated usernames name nobody, so most {username} values are drawn
// from the test's accounts (a schemathesis.toml dictionary beside the
// document): the answers past the lookup (200, 204, 403, the MFA states)
// are checked too.
import Foundation
import PluginAPI
import PluginKit
import XCTest

final class OpenAPIListenMoeTests: XCTestCase {
    func testTheListenMoeDocumentIsValidAndCarriesTheMount() throws {
        try OpenAPITests.requireTools()
        let lm = try LMServer(label: "openapi-lm")
        defer { lm.stop() }
        let path = try OpenAPITests.document("listenmoe", config: lm.server.configPath, directory: lm.directory)
        try assertValidDocument(path, mount: lm.mount)
    }

    /// Accounts: kaede (staff, the admin role), hana (a user), mio (a user
    /// with MFA on). Staff may read and change the others' profiles and
    /// roles. MFA is each user's own, and POST /login/mfa takes mio's
    /// MFA-pending token. The MFA routes can end the token a run uses (a
    /// code accepted turns MFA on or off), so they run last, on their own,
    /// as hana (MFA off) and as mio (MFA on); their wrong codes spend the
    /// account's budget (429), which is mio's for /login/mfa too.
    func testSchemathesisFindsNoServerErrorAndNoNonConformingAnswerInListenMoe() throws {
        try OpenAPITests.requireTools()
        // now ± 5 steps: mio's codes are taken from step -4 upwards.
        let lm = try LMServer(label: "schemathesis-lm", totp: ["skewSteps": 5])
        defer { lm.stop() }
        let staff = try lm.account("kaede")
        try promoteToStaff("kaede", in: lm)
        let user = try lm.account("hana")
        let (mfaPending, mfaUser) = try accountWithMFA("mio", in: lm)

        let path = try OpenAPITests.document("listenmoe", config: lm.server.configPath, directory: lm.directory)
        try Self.drawUsernames(["kaede", "hana", "mio"], probability: 0.5, besideDocument: path)
        let base = "http://127.0.0.1:\(lm.port)\(lm.mount)"
        func bearer(_ token: String) -> [String] { ["-H", "Authorization: Bearer \(token)"] }
        let mfaRoutes = "/users/{username}/mfa"

        try assertSchemathesisPasses(path, base: base, label: "listenmoe",
                                     bearer(staff) + ["--exclude-path", mfaRoutes, "--exclude-path", "/login/mfa"])
        // No link joins the operations these runs select (the document's
        // link starts at POST /register), so the stateful phase, which
        // schemathesis then reports as an error, has nothing to run.
        let unlinked = ["--phases", "examples,coverage,fuzzing"]
        try assertSchemathesisPasses(path, base: base, label: "listenmoe /login/mfa",
                                     bearer(mfaPending) + ["--include-path", "/login/mfa"] + unlinked)
        // The MFA routes as the caller (their own enrolment, codes, 429) and
        // as someone else (403).
        try Self.drawUsernames(["hana", "mio"], probability: 0.75, besideDocument: path)
        try assertSchemathesisPasses(path, base: base, label: "listenmoe \(mfaRoutes), MFA off",
                                     bearer(user) + ["--include-path", mfaRoutes] + unlinked)
        try Self.drawUsernames(["mio", "hana"], probability: 0.75, besideDocument: path)
        try assertSchemathesisPasses(path, base: base, label: "listenmoe \(mfaRoutes), MFA on",
                                     bearer(mfaUser) + ["--include-path", mfaRoutes] + unlinked)
    }

    // MARK: helpers

    /// Gives `name` the admin role (staff) through the store: no route sets roles.
    private func promoteToStaff(_ name: String, in lm: LMServer) throws {
        let (store, binding) = try lm.store()
        defer { withExtendedLifetime(binding) {} }
        var promote = UserRecord(id: try store.getUser(username: name).id)
        promote.roles = ["admin", "user"]
        _ = try store.updateUser(promote, fields: PROTEUS_FIELD_ROLES)
    }

    /// Registers `name` and turns MFA on as an authenticator app would
    /// (the QR code read by zbarimg, codes by oathtool); returns an
    /// MFA-pending token and a full token of the second step.
    private func accountWithMFA(_ name: String, in lm: LMServer) throws -> (pending: String, full: String) {
        let first = try lm.account(name)
        let enrolment = try lm.call("GET", "/users/\(name)/mfa", token: first)
        assertLM(enrolment, 200, "Successfully generated MFA QR code.")
        let scanned = try ScannedAccount(otpauthURL: try XCTUnwrap(enrolment.json?["otpauthURL"]?.stringValue))
        let codes = CodeSequence(scanned.secret, from: -4)
        assertLM(try lm.call("POST", "/users/\(name)/mfa", token: first, json: ["token": .string(try codes.next())]), 200)
        func pending() throws -> String {
            let r = try lm.login(name)
            assertLM(r, 200, "Please provide the 2FA code to log in.")
            return try XCTUnwrap(r.json?["token"]?.stringValue)
        }
        let signedIn = try lm.call("POST", "/login/mfa", token: try pending(), json: ["token": .string(try codes.next())])
        assertLM(signedIn, 200, "Successfully logged in.")
        return (try pending(), try XCTUnwrap(signedIn.json?["token"]?.stringValue))
    }

    /// A schemathesis.toml beside the document (schemathesis runs there)
    /// that draws this share of the {username} values from `names`.
    private static func drawUsernames(_ names: [String], probability: Double, besideDocument path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let values = names.map { "\"\($0)\"" }.joined(separator: ", ")
        let config = """
            [dictionaries.accounts]
            values = [\(values)]

            [parameters]
            "path.username" = { dictionary = "accounts", probability = \(probability) }

            """
        try config.write(toFile: directory + "/schemathesis.toml", atomically: true, encoding: .utf8)
    }
}
