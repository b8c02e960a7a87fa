// The console's Security page over HTTP: the signed-in administrator enrols
// their own TOTP (the QR code read by zbarimg, codes from oathtool, as an
// authenticator app would), signs in with it and a recovery code, and turns
// it off; every refused change changes nothing; each change is audited.
import Foundation
import ProteusJSON
import XCTest

extension ConsoleTests {
    func testOwnTOTPEnrolmentSignInAndTurningOff() throws {
        let console = try ConsoleServer(label: "console-security")
        defer { console.stop() }
        let admin = try console.admin()
        let state = { () throws -> (mfa: Bool?, pending: Bool?) in
            let r = try admin.call("GET", "/api/security")
            XCTAssertEqual(r.status, 200, r.text)
            return (r.json?["mfa"]?.boolValue, r.json?["pending"]?.boolValue)
        }
        XCTAssertEqual(try state().mfa, false)
        XCTAssertEqual(try state().pending, false)

        // No CSRF token: refused, nothing kept.
        ConsoleTest.assertError(try admin.call("POST", "/api/security/totp", sendCSRF: false), 403, "csrf")
        XCTAssertEqual(try state().pending, false)
        ConsoleTest.assertError(try ConsoleClient(port: console.port).call("POST", "/api/security/totp"), 401, "unauthenticated")
        ConsoleTest.assertError(try admin.call("POST", "/api/security/totp", json: ["secret": "mine"]), 400, "bad_request")

        // Start: the QR code holds exactly the URI the answer gives.
        StepClock.awayFromStepEnd()
        let started = try admin.call("POST", "/api/security/totp")
        XCTAssertEqual(started.status, 200, started.text)
        let uri = try XCTUnwrap(started.json?["uri"]?.stringValue)
        let secret = try XCTUnwrap(started.json?["secret"]?.stringValue)
        let scanned = try ScannedAccount(otpauthURL: try XCTUnwrap(started.json?["qrCode"]?.stringValue))
        XCTAssertEqual(scanned.uri, uri)
        XCTAssertEqual(scanned.secret, secret)
        XCTAssertEqual(scanned.label, "Proteus:\(MCSM.adminName)")
        XCTAssertEqual(scanned.parameters["issuer"], "Proteus")
        XCTAssertEqual(try state().pending, true)
        let codes = CodeSequence(secret, from: 0)

        // A wrong code, a missing CSRF token, a bad body: refused, MFA stays off.
        let first = try codes.next()
        let wrong = String(first.map { Character(String(($0.wholeNumberValue! + 1) % 10)) })
        ConsoleTest.assertError(try admin.call("POST", "/api/security/totp/confirm", json: ["code": .string(wrong), "password": .string(MCSM.adminPassword)]), 400, "wrong_code")
        ConsoleTest.assertError(try admin.call("POST", "/api/security/totp/confirm", json: ["code": .string(first), "password": .string(MCSM.adminPassword)], sendCSRF: false), 403, "csrf")
        ConsoleTest.assertError(try admin.call("POST", "/api/security/totp/confirm", json: ["code": 123456]), 400, "bad_request")
        ConsoleTest.assertError(try admin.call("POST", "/api/security/totp/confirm", json: ["code": .string(first), "password": .string(MCSM.adminPassword), "extra": true]), 400, "bad_request")
        // The password too: without it, or a wrong one, the right code turns nothing on.
        ConsoleTest.assertError(try admin.call("POST", "/api/security/totp/confirm", json: ["code": .string(first)]), 400, "bad_request")
        ConsoleTest.assertError(try admin.call("POST", "/api/security/totp/confirm", json: ["code": .string(first), "password": "Not-the-Passw0rd"]),
                                400, "wrong_password")
        XCTAssertEqual(try state().mfa, false)
        XCTAssertEqual(try state().pending, true)

        // The right code: MFA on, recovery codes once, the session renewed
        // with the second factor (the old cookie ends).
        let oldCookie = admin.cookie, oldCSRF = admin.csrf
        let confirmed = try admin.call("POST", "/api/security/totp/confirm", json: ["code": .string(first), "password": .string(MCSM.adminPassword)])
        XCTAssertEqual(confirmed.status, 200, confirmed.text)
        let recovery = try XCTUnwrap(confirmed.json?["recoveryCodes"]?.arrayValue?.compactMap(\.stringValue))
        XCTAssertEqual(recovery.count, 10)
        XCTAssertEqual(Set(recovery).count, 10)
        XCTAssertTrue(recovery.allSatisfy { $0.range(of: "^[a-z2-7]{5}-[a-z2-7]{5}$", options: .regularExpression) != nil }, "\(recovery)")
        admin.csrf = confirmed.json?["csrfToken"]?.stringValue
        XCTAssertNotEqual(admin.csrf, oldCSRF)
        XCTAssertNotEqual(admin.cookie, oldCookie)
        XCTAssertEqual(try state().mfa, true)
        XCTAssertEqual(try state().pending, false)
        let stale = ConsoleClient(port: console.port)
        stale.cookie = oldCookie
        ConsoleTest.assertError(try stale.call("GET", "/api/security"), 401, "unauthenticated")
        ConsoleTest.assertError(try admin.call("POST", "/api/security/totp"), 409, "mfa_on")
        // The Users page's actions do not take one's own second factor or
        // password without that proof: a stolen session cannot take over.
        let me = try XCTUnwrap(try admin.call("GET", "/api/session").json?["user"]?["id"]?.stringValue)
        ConsoleTest.assertError(try admin.call("POST", "/api/users/\(me)/turn-off-mfa"), 409, "self")
        ConsoleTest.assertError(try admin.call("POST", "/api/users/\(me)/reset-password", json: ["password": "Taken-0ver-Passw0rd"]), 409, "self")
        XCTAssertEqual(try state().mfa, true)
        ConsoleTest.assertError(try admin.call("POST", "/api/security/totp/confirm", json: ["code": .string(first), "password": .string(MCSM.adminPassword)]), 409, "mfa_on")

        // Sign-in now takes the code: without it, the second-factor answer.
        XCTAssertEqual(try admin.call("DELETE", "/api/session").status, 200)
        let again = ConsoleClient(port: console.port)
        ConsoleTest.assertError(try again.signIn(MCSM.adminName, MCSM.adminPassword), 401, "code_required")
        XCTAssertNil(again.cookie)
        ConsoleTest.assertError(try again.signIn(MCSM.adminName, MCSM.adminPassword, code: first), 401, "wrong_code")
        let signedIn = try again.signIn(MCSM.adminName, MCSM.adminPassword, code: try codes.next())
        XCTAssertEqual(signedIn.status, 200, signedIn.text)
        XCTAssertEqual(signedIn.json?["user"]?["mfa"], true)
        // A recovery code signs in once.
        let byRecovery = ConsoleClient(port: console.port)
        XCTAssertEqual(try byRecovery.signIn(MCSM.adminName, MCSM.adminPassword, code: recovery[3]).status, 200)
        ConsoleTest.assertError(try ConsoleClient(port: console.port).signIn(MCSM.adminName, MCSM.adminPassword, code: recovery[3]), 401, "wrong_code")

        // Turning it off: the password or a code; anything else changes nothing.
        ConsoleTest.assertError(try again.call("DELETE", "/api/security/totp", json: ["password": .string(MCSM.adminPassword)], sendCSRF: false), 403, "csrf")
        ConsoleTest.assertError(try again.call("DELETE", "/api/security/totp", json: ["password": "Not-the-Passw0rd"]), 400, "wrong_password")
        ConsoleTest.assertError(try again.call("DELETE", "/api/security/totp", json: [:]), 400, "bad_request")
        ConsoleTest.assertError(try again.call("DELETE", "/api/security/totp", json: ["password": .string(MCSM.adminPassword), "code": "123456"]), 400, "bad_request")
        XCTAssertEqual(try again.call("GET", "/api/security").json?["mfa"], true)
        let off = try again.call("DELETE", "/api/security/totp", json: ["password": .string(MCSM.adminPassword)])
        XCTAssertEqual(off.status, 200, off.text)
        XCTAssertEqual(off.json?["mfa"], false)
        ConsoleTest.assertError(try again.call("DELETE", "/api/security/totp", json: ["password": .string(MCSM.adminPassword)]), 409, "mfa_off")
        let plain = ConsoleClient(port: console.port)
        XCTAssertEqual(try plain.signIn(MCSM.adminName, MCSM.adminPassword).status, 200)

        // Once more, turned off with a current code this time.
        let second = try plain.call("POST", "/api/security/totp")
        let secondSecret = try XCTUnwrap(second.json?["secret"]?.stringValue)
        XCTAssertNotEqual(secondSecret, secret)
        let secondCodes = CodeSequence(secondSecret, from: 0)
        let secondConfirmed = try plain.call("POST", "/api/security/totp/confirm", json: ["code": .string(try secondCodes.next()), "password": .string(MCSM.adminPassword)])
        XCTAssertEqual(secondConfirmed.status, 200, secondConfirmed.text)
        plain.csrf = secondConfirmed.json?["csrfToken"]?.stringValue
        ConsoleTest.assertError(try plain.call("DELETE", "/api/security/totp", json: ["code": "000000"]), 400, "wrong_code")
        XCTAssertEqual(try plain.call("DELETE", "/api/security/totp", json: ["code": .string(try secondCodes.next())]).status, 200)
        XCTAssertEqual(try plain.call("GET", "/api/security").json?["mfa"], false)

        // The audit log: the admin as actor and target, refused changes absent.
        let events = try XCTUnwrap(plain.call("GET", "/api/audit?action=user.mfa").json?["events"]?.arrayValue)
        XCTAssertEqual(events.count, 2, "\(events)")
        let offEvents = try XCTUnwrap(plain.call("GET", "/api/audit?action=user.mfa_off").json?["events"]?.arrayValue)
        XCTAssertEqual(offEvents.count, 2, "\(offEvents)")
        for event in events + offEvents {
            XCTAssertEqual(event["actor"]?["name"]?.stringValue, MCSM.adminName)
            XCTAssertEqual(event["target"]?["name"]?.stringValue, MCSM.adminName)
            XCTAssertEqual(event["source"]?.stringValue, "console")
        }
    }
}
