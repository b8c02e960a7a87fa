// The Security page's routes: the signed-in administrator's own TOTP.
//
//   GET    /api/security               {"mfa", "pending"}: the caller's state
//   POST   /api/security/totp          a new secret: {"uri", "secret", "qrCode"}
//                                      (the otpauth:// URI, base32, a PNG data: URL)
//   POST   /api/security/totp/confirm  {"code", "password"}: the first code and
//                                      the caller's password turn MFA on;
//                                      {"recoveryCodes", "csrfToken"}, shown once
//   DELETE /api/security/totp          {"password"} or {"code"}: turns it off
//
// The steps are SecondFactorEnrolment's, as LISTEN.moe's enrolment takes
// them. The pending secret (the totp plugin's verifier, sealed with the
// server key) waits in the user's "console" document in the store, as
// LISTEN.moe keeps its own in its document: any worker may serve the
// confirmation. Every write carries the version the user was read at; a
// concurrent change answers 409 and nothing is written.
//
// Turning MFA on or off asks for proof beyond the session (the password, or
// a current code to turn it off), and wrong codes and passwords here count
// against the account (AccountCounter, in the store): a stolen session can
// neither enrol its own authenticator nor guess its way to turning MFA off.
// (The Users page refuses these changes on the caller's own account.)
import PluginAPI
import PluginKit
import ProteusJSON
import SecondFactorEnrolment

final class SecurityRoutes: @unchecked Sendable {
    static let documentKey = "mfaPending"

    let host: Host
    let sessions: ConsoleSessions
    private let directory: Directory
    private let attempts: AccountCounter

    init(host: Host, sessions: ConsoleSessions) {
        self.host = host
        self.sessions = sessions
        self.directory = host.directory
        attempts = AccountCounter(host: host, directory: host.directory, keyPrefix: "console-mfa:", limit: sessions.options.mfaLimit)
    }

    // MARK: GET /api/security

    func state(_ request: Request, _ response: Response) throws {
        let caller = try sessions.authorize(request, change: false)
        let user = try ownRecord(caller)
        ConsoleDialect.send(response, .object(["mfa": .bool(user.isMFAEnabled),
                                               "pending": .bool(!user.isMFAEnabled && Self.pending(user) != nil)]))
    }

    // MARK: POST /api/security/totp

    func start(_ request: Request, _ response: Response) throws {
        let caller = try sessions.authorize(request, change: true)
        try emptyBody(request)
        let user = try ownRecord(caller)
        guard !user.isMFAEnabled else { throw ConsoleFailure.mfaOn }
        let issuer = sessions.options.mfaIssuer
        let pending = try withTOTP { () throws(PluginError) in try TOTPEnrolment.start(host, issuer: issuer, account: Host.auditName(user)) }
        let qrCode = try pending.qrDataURL()
        // The latest secret replaces any earlier one: only its code confirms.
        var changes = UserRecord(id: user.id)
        changes.documents = [Self.document(user, pending: pending.verifier)]
        try update(changes, fields: PROTEUS_FIELD_DOCS, version: user.version)
        ConsoleDialect.send(response, .object(["uri": .string(pending.uri), "secret": .string(pending.secret), "qrCode": .string(qrCode)]))
    }

    // MARK: POST /api/security/totp/confirm {code, password}

    func confirm(_ request: Request, _ response: Response) throws {
        let caller = try sessions.authorize(request, change: true)
        let body = try RequestBody.object(request, limit: sessions.options.maxBodyBytes)
        try RequestBody.only(body, ["code", "password"])
        let code = try RequestBody.string(body, "code", maxBytes: 64)
        guard !code.isEmpty else { throw ConsoleFailure.badRequest("Enter the code your authenticator app shows.") }
        let password = try RequestBody.string(body, "password", maxBytes: 4096)
        guard !password.isEmpty else { throw ConsoleFailure.badRequest("Enter your password: turning on MFA asks for it.") }
        let user = try ownRecord(caller)
        guard !user.isMFAEnabled else { throw ConsoleFailure.mfaOn }
        guard let pending = Self.pending(user) else {
            throw ConsoleFailure(409, "no_enrolment", "Start with \"Turn on MFA\": there is no new secret waiting for its code.")
        }
        try admit(user, response)
        try checkPassword(password, of: user, else: ConsoleFailure(400, "wrong_password", "Wrong password: your MFA stays off."))
        guard let confirmed = try withTOTP({ () throws(PluginError) in try TOTPEnrolment.confirm(host, code: code, pending: pending) }) else {
            try refuse(user, ConsoleFailure.wrongCode)
        }
        var changes = UserRecord(id: user.id)
        changes.flags = user.flags | PROTEUS_USER_MFA_ENABLED
        changes.mfaSecret = Array(confirmed.verifier.utf8)
        changes.mfaLastStep = confirmed.step
        changes.documents = [Self.document(user, pending: nil)]
        try update(changes, fields: PROTEUS_FIELD_FLAGS | PROTEUS_FIELD_MFA | PROTEUS_FIELD_DOCS, version: user.version)
        host.audit(by: user, "user.mfa", target: user)
        // The caller just proved the factor: their session goes on with it
        // (one begun without it ends once MFA is on).
        let csrf = try sessions.renewWithSecondFactor(caller, request, response)
        ConsoleDialect.send(response, .object(["mfa": true, "recoveryCodes": .array(confirmed.recoveryCodes.map(JSONValue.string)),
                                               "csrfToken": .string(csrf)]))
    }

    // MARK: DELETE /api/security/totp {password} or {code}

    func turnOff(_ request: Request, _ response: Response) throws {
        let caller = try sessions.authorize(request, change: true)
        let body = try RequestBody.object(request, limit: sessions.options.maxBodyBytes)
        try RequestBody.only(body, ["password", "code"])
        let password = try RequestBody.optionalString(body, "password", maxBytes: 4096).flatMap { $0.isEmpty ? nil : $0 }
        let code = try RequestBody.optionalString(body, "code", maxBytes: 64).flatMap { $0.isEmpty ? nil : $0 }
        guard (password == nil) != (code == nil) else {
            throw ConsoleFailure.badRequest("Confirm with your current password or a current code (one of the two).")
        }
        let user = try ownRecord(caller)
        guard user.isMFAEnabled, let stored = user.mfaSecret else { throw ConsoleFailure(409, "mfa_off", "Your MFA is already off.") }
        try admit(user, response)
        if let password {
            try checkPassword(password, of: user, else: ConsoleFailure(400, "wrong_password", "Wrong password: your MFA stays on."))
        } else if let code {
            // The code's use needs no record: the secret it belongs to goes.
            let verifier = String(decoding: stored, as: UTF8.self)
            guard try withTOTP({ () throws(PluginError) in try host.verifySecondFactor(code, verifier: verifier) }) != nil else { try refuse(user, ConsoleFailure(400, "wrong_code", "Wrong or already used code: your MFA stays on.")) }
        }
        var changes = UserRecord(id: user.id)
        changes.flags = user.flags & ~PROTEUS_USER_MFA_ENABLED
        changes.mfaSecret = nil
        changes.mfaLastStep = 0
        try update(changes, fields: PROTEUS_FIELD_FLAGS | PROTEUS_FIELD_MFA, version: user.version)
        host.audit(by: user, "user.mfa_off", target: user)
        ConsoleDialect.send(response, .object(["mfa": false]))
    }

    // MARK: helpers

    /// `step`, its UNSUPPORTED (no "totp" auth plugin) as the page's 501.
    private func withTOTP<T>(_ step: () throws(PluginError) -> T) throws -> T {
        do { return try step() } catch {
            guard error.code == PROTEUS_E_UNSUPPORTED else { throw error }
            host.error("TOTP enrolment needs the \"totp\" auth plugin in the config's \"auth\"")
            throw ConsoleFailure.mfaUnavailable
        }
    }

    /// The caller's record with the console's document.
    private func ownRecord(_ caller: ConsoleCaller) throws -> UserRecord {
        guard let user = try directory.user(id: caller.user.id, documents: ConsoleSessions.namespace) else {
            throw ConsoleFailure.signInFirst
        }
        return user
    }

    /// Starting an enrolment takes no input: an empty body or `{}`.
    private func emptyBody(_ request: Request) throws {
        guard !request.bodyIsEmpty else { return }
        try RequestBody.only(try RequestBody.object(request, limit: sessions.options.maxBodyBytes), [])
    }

    private static func pending(_ user: UserRecord) -> String? {
        let object = user.document(ConsoleSessions.namespace).flatMap { try? JSONParser.parse($0) }?.objectValue
        guard let text = object?[documentKey]?.stringValue, !text.isEmpty else { return nil }
        return text
    }

    /// The user's console document with `pending` set (nil: removed); its
    /// other keys kept.
    private static func document(_ user: UserRecord, pending: String?) -> DocumentRecord {
        var object = user.document(ConsoleSessions.namespace).flatMap { try? JSONParser.parse($0) }?.objectValue ?? JSONObject()
        object[documentKey] = pending.map(JSONValue.string)
        return DocumentRecord(namespace: ConsoleSessions.namespace, json: object.isEmpty ? nil : JSONValue.object(object).serialized())
    }

    /// The write under the version read: 409 when someone wrote first.
    private func update(_ changes: UserRecord, fields: UInt64, version: UInt64) throws {
        do { _ = try directory.updateUser(changes, fields: fields, expectedVersion: version) } catch let e as PluginError where e.code == PROTEUS_E_STALE {
            throw ConsoleFailure(409, "conflict", "Your account changed meanwhile: nothing was changed, try again.")
        }
    }

    /// Counts an attempt; 429 with Retry-After once the account's budget
    /// of wrong codes and passwords is spent (also for a right one).
    private func admit(_ user: UserRecord, _ response: Response) throws {
        if let wait = try attempts.admit(proteus_id(byteArray: user.id).compactHex) {
            response.header("Retry-After", String(wait))
            throw ConsoleFailure(429, "too_many_attempts", "Too many wrong codes or passwords: wait \(wait) s and try again.")
        }
    }

    /// The caller's current password, else `failure` (counted).
    private func checkPassword(_ password: String, of user: UserRecord, else failure: ConsoleFailure) throws {
        guard let hash = user.passwordHash, try host.verify(method: "password", presented: password, stored: hash).accepted else {
            try refuse(user, failure)
        }
    }

    /// A wrong code or password: counted, then `failure`.
    private func refuse(_ user: UserRecord, _ failure: ConsoleFailure) throws -> Never {
        try attempts.recordFailure(proteus_id(byteArray: user.id).compactHex)
        throw failure
    }
}
