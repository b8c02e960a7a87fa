// LISTEN.moe at /lm beside MCSManager at /, over one directory: accounts made
// in either dialect sign in through the other, names are taken across
// dialects, and a password changed through MCSManager invalidates
// LISTEN.moe tokens (the token is bound to the stored password hash).
import Foundation
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest
@testable import Host

class ListenMoeMountTests: XCTestCase {
    func testAccountsCrossDialectsAndPasswordChangesThereInvalidateTokens() throws {
        let lm = try LMServer(label: "lm-cross", panel: true)
        defer { lm.stop() }
        let installer = PanelClient(port: lm.port)
        assertEnvelope(try installer.call("POST", "/api/auth/install", json: ["username": .string(MCSM.adminName), "password": .string(MCSM.adminPassword)]), 200)
        let admin = PanelClient(port: lm.port)
        assertEnvelope(try admin.login(MCSM.adminName, MCSM.adminPassword), 200)
        let adminKey = try XCTUnwrap(try admin.call("PUT", "/api/auth/api", json: ["enable": true]).json?["data"]?.stringValue)
        let keyClient = PanelClient(port: lm.port)
        keyClient.apiKey = adminKey

        // Made here, signs in there (and the panel's admin is staff here).
        assertLM(try lm.register("lmuser", password: "Lm0Password1"), 200)
        assertEnvelope(try PanelClient(port: lm.port).login("lmuser", "Lm0Password1"), 200)
        let adminToken = try lm.token(MCSM.adminName, MCSM.adminPassword)
        XCTAssertEqual(try lm.call("GET", "/users/lmuser/roles", token: adminToken).status, 200)
        // Made there, signs in here; its name is taken here.
        let panelCreate = try keyClient.call("POST", "/api/auth", json: ["username": "paneluser", "password": "Pan3lPassword", "permission": 1], ajax: false)
        assertEnvelope(panelCreate, 200)
        let panelUUID = try XCTUnwrap(panelCreate.json?["data"]?["uuid"]?.stringValue)
        let panelToken = try lm.token("paneluser", "Pan3lPassword")
        let seen = try lm.call("GET", "/users/paneluser", token: panelToken)
        assertLM(seen, 200, "Successfully retrieved user.")
        XCTAssertEqual(seen.json?["user"]?["uuid"]?.stringValue, MCSM.dashed(panelUUID))
        XCTAssertEqual(seen.json?["user"]?["roles"], [], "the panel gives no LISTEN.moe role")
        assertLM(try lm.register("paneluser", email: "fresh@example.com"), 400, "An account with that email address and/or username already exists.")
        assertEnvelope(try keyClient.call("POST", "/api/auth", json: ["username": "lmuser", "password": "Pan3lPassword", "permission": 1], ajax: false), 409)

        // A password changed through MCSManager (admin PUT) ends every LISTEN.moe token.
        let lmUUID = try XCTUnwrap(try lm.store().0.getUser(username: "lmuser").id)
        let lmToken = try lm.token("lmuser", "Lm0Password1")
        XCTAssertEqual(try lm.call("GET", "/users/lmuser/roles", token: lmToken).status, 200)
        assertEnvelope(try keyClient.call("PUT", "/api/auth", json: ["uuid": .string(proteus_id(byteArray: lmUUID).compactHex),
                                                                     "config": ["passWord": "Chang3dPassword"]], ajax: false), 200, true)
        for (method, path) in [("GET", "/users/lmuser"), ("GET", "/users/lmuser/roles")] {
            assertLM(try lm.call(method, path, token: lmToken), 401, "Invalid authorization.")
        }
        assertLM(try lm.login("lmuser", "Lm0Password1"), 401)
        let fresh = try lm.token("lmuser", "Chang3dPassword")
        XCTAssertEqual(try lm.call("GET", "/users/lmuser/roles", token: fresh).status, 200)

        // The user's own change of password there (PUT /api/auth/update) too.
        let panelSession = try XCTUnwrap(Optional(PanelClient(port: lm.port)))
        assertEnvelope(try panelSession.login("paneluser", "Pan3lPassword"), 200)
        assertEnvelope(try panelSession.call("PUT", "/api/auth/update", json: ["passWord": "N3wPassword1"]), 200, true)
        assertLM(try lm.call("GET", "/users/paneluser", token: panelToken), 401, "Invalid authorization.")
        XCTAssertEqual(try lm.call("GET", "/users/paneluser", token: try lm.token("paneluser", "N3wPassword1")).status, 200)

        // MFA turned on through MCSManager: older tokens end, and the
        // password alone earns only an MFA-pending token here.
        let beforeMFA = try lm.token("paneluser", "N3wPassword1")
        XCTAssertEqual(try lm.call("GET", "/users/paneluser/roles", token: beforeMFA).status, 200)
        assertEnvelope(try keyClient.call("PUT", "/api/auth", json: ["uuid": .string(panelUUID),
                                                                     "config": ["secret": "JBSWY3DPEHPK3PXPJBSWY3DP", "open2FA": true]], ajax: false), 200, true)
        assertLM(try lm.call("GET", "/users/paneluser/roles", token: beforeMFA), 401, "Invalid authorization.")
        let pending = try lm.login("paneluser", "N3wPassword1")
        assertLM(pending, 200, "Please provide the 2FA code to log in.")
        XCTAssertEqual(pending.json?["mfa"], true)
        let pendingToken = try XCTUnwrap(pending.json?["token"]?.stringValue)
        assertLM(try lm.call("GET", "/users/paneluser/roles", token: pendingToken), 401, "Invalid authorization.")
        // The panel's secret signs in here too, with a code from oathtool.
        let code = try AuthenticatorTool.oathtool(base32: "JBSWY3DPEHPK3PXPJBSWY3DP", at: Int64(Date().timeIntervalSince1970))
        let full = try lm.call("POST", "/login/mfa", token: pendingToken, json: ["token": .string(code)])
        assertLM(full, 200, "Successfully logged in.")
        XCTAssertEqual(try lm.call("GET", "/users/paneluser/roles", token: try XCTUnwrap(full.json?["token"]?.stringValue)).status, 200)
        assertLM(try lm.login("paneluser", "wrong"), 401, "Invalid username/email or password.")
        XCTAssertEqual(try lm.call("GET", "/users/paneluser").json?["user"]?["settings"], ["mfa": true])
    }
}
