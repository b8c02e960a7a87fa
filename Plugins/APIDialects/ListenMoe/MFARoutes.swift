// The MFA routes: GET/POST/DELETE /users/{username}/mfa (enrol, confirm,
// turn off) and POST /login/mfa (the second step of a sign-in).
//
// Only the user themself manages their MFA, staff included: enrolment shows
// the secret to whoever asks, and turning MFA off takes one of the user's
// codes, which staff do not have (a user who lost their authenticator uses
// a recovery code). Anyone else gets 403 "Not authorized.".
//
// Every write is optimistic (the version the user was read at), retried
// after a re-read when someone else wrote first: a code counts only if its
// use was written (SecondFactor.swift).
import PluginAPI
import PluginKit
import ProteusJSON
import SecondFactorEnrolment

final class MFARoutes: @unchecked Sendable {
    let host: Host
    let options: LMOptions
    let tokens: Tokens
    let secondFactor: SecondFactor
    private let directory: Directory

    init(host: Host, options: LMOptions, tokens: Tokens, secondFactor: SecondFactor) {
        self.host = host
        self.options = options
        self.tokens = tokens
        self.secondFactor = secondFactor
        self.directory = host.directory
    }

    // MARK: GET /users/{username}/mfa — a new secret as a QR code

    func enrolment(_ request: Request, _ response: Response) throws {
        let user = try ownUser(request)
        guard !user.isMFAEnabled else { throw LMFailure.mfaAlreadyActive }
        let pending: TOTPEnrolment.Pending
        do {
            pending = try TOTPEnrolment.start(host, issuer: options.mfaIssuer,
                                              account: user.username ?? proteus_id(byteArray: user.id).dashedUUID)
        } catch {
            if error.code == PROTEUS_E_UNSUPPORTED {
                host.error("MFA enrolment needs the \"totp\" auth plugin in the config's \"auth\"")
                throw LMFailure.mfaUnavailable
            }
            throw LMFailure.backend(error)
        }
        let qrCode = try pending.qrDataURL()
        // The latest enrolment replaces any earlier one: its code confirms.
        try write(user) { current, changes, document, fields in
            guard !current.isMFAEnabled else { throw LMFailure.mfaAlreadyActive }
            document.pendingMFAVerifier = pending.verifier
            changes.documents = [document.record]
            fields |= PROTEUS_FIELD_DOCS
        }
        Envelope.send(response, 200, "Successfully generated MFA QR code.",
                      ["otpauthURL": .string(qrCode)])
    }

    // MARK: POST /users/{username}/mfa {token} — the first code turns MFA on

    func enable(_ request: Request, _ response: Response) throws {
        let user = try ownUser(request)
        guard !user.isMFAEnabled else { throw LMFailure.mfaAlreadyActive }
        let code = try Self.code(fromBody: request)
        try secondFactor.admit(user, response)
        var recoveryCodes: [String] = []
        try write(user) { current, changes, document, fields in
            guard !current.isMFAEnabled else { throw LMFailure.mfaAlreadyActive }
            // No enrolment shown yet: no code can match (and no guess was made).
            guard let pending = document.pendingMFAVerifier else { throw LMFailure.invalidOTP }
            guard let verifier = try secondFactor.verifyTOTP(code, pending) else { try secondFactor.refuse(current) }
            let confirmed: TOTPEnrolment.Confirmed?
            do { confirmed = try TOTPEnrolment.finish(host, accepted: verifier) } catch { throw LMFailure.backend(error) }
            guard let confirmed else { try secondFactor.refuse(current) }
            recoveryCodes = confirmed.recoveryCodes
            document.pendingMFAVerifier = nil
            document.tokenVersion += 1
            changes.documents = [document.record]
            // Stored as MCSManager stores it: its 2FA sign-in takes this user's codes too.
            changes.mfaSecret = Array(confirmed.verifier.utf8)
            changes.mfaLastStep = confirmed.step
            changes.flags = current.flags | PROTEUS_USER_MFA_ENABLED
            fields |= PROTEUS_FIELD_DOCS | PROTEUS_FIELD_MFA | PROTEUS_FIELD_FLAGS
        }
        Envelope.send(response, 200, "Successfully enabled mfa. You will now be logged out.",
                      ["recoveryCodes": .array(recoveryCodes.map { JSONValue.string($0) })])
    }

    // MARK: DELETE /users/{username}/mfa?token= — a code turns MFA off

    func disable(_ request: Request, _ response: Response) throws {
        let user = try ownUser(request)
        guard user.isMFAEnabled else { throw LMFailure.mfaNotActive }
        let code: String
        if let query = request.query("token"), !query.isEmpty { code = query } else { code = try Self.code(fromBody: request) }
        try secondFactor.admit(user, response)
        try write(user) { current, changes, document, fields in
            guard current.isMFAEnabled else { throw LMFailure.mfaNotActive }
            guard try secondFactor.check(code, for: current) != nil else { try secondFactor.refuse(current) }
            // The code's use needs no record: the secret it belongs to goes.
            document.pendingMFAVerifier = nil
            document.tokenVersion += 1
            changes.documents = [document.record]
            changes.mfaSecret = nil
            changes.mfaLastStep = 0
            changes.flags = current.flags & ~PROTEUS_USER_MFA_ENABLED
            fields |= PROTEUS_FIELD_DOCS | PROTEUS_FIELD_MFA | PROTEUS_FIELD_FLAGS
        }
        Envelope.send(response, 200, "Successfully disabled mfa. You will now be logged out.")
    }

    // MARK: POST /login/mfa {token}, Authorization: Bearer <MFA-pending token>

    func completeLogin(_ request: Request, _ response: Response) throws {
        // Only a pending token: a full one is under another key and is 401.
        let user = try tokens.requiredCaller(request, kind: .mfaPending)
        let code = try Self.code(fromBody: request)
        guard user.isMFAEnabled else { throw LMFailure.invalidAuthorization }
        try secondFactor.admit(user, response)
        let signedIn = try write(user) { current, changes, document, fields in
            guard current.isMFAEnabled else { throw LMFailure.invalidAuthorization }
            guard let verifier = try secondFactor.signIn(code, for: current) else { try secondFactor.refuse(current) }
            SecondFactor.apply(verifier, to: &changes, fields: &fields)
            changes.loginAt = host.nowMillis()
            fields |= PROTEUS_FIELD_LOGIN_AT
        }
        let token: String
        do { token = try tokens.issue(for: signedIn) } catch { throw LMFailure.backend(error) }
        Envelope.send(response, 200, "Successfully logged in.", ["token": .string(token)])
    }

    // MARK: helpers

    /// The route's user, who must be the caller (full token).
    private func ownUser(_ request: Request) throws -> UserRecord {
        let caller = try tokens.requiredCaller(request)
        let name = try RequestInput.username(request)
        let found: UserRecord?
        do { found = try directory.user(username: name, documents: ListenMoeDocument.namespace) } catch { throw LMFailure.backend(error) }
        guard let user = found else { throw LMFailure.noUser }
        guard user.id == caller.id else { throw LMFailure.notAuthorized }
        return user
    }

    /// The body's "token": no body 400 "No body provided.", anything but a
    /// non-empty string 400 "Invalid body provided.".
    private static func code(fromBody request: Request) throws(LMFailure) -> String {
        let body = try RequestInput.body(request)
        guard let code = RequestInput.string(body, "token"), !code.isEmpty, code.utf8.count <= 64 else { throw .invalidBody }
        return code
    }

    /// Read-modify-write of `user` under its version: `plan` fills the
    /// changes from the current record; a concurrent write makes it re-read
    /// and plan again. Returns the record as written (re-read).
    @discardableResult
    private func write(_ user: UserRecord,
                       _ plan: (UserRecord, inout UserRecord, inout ListenMoeDocument, inout UInt64) throws -> Void) throws -> UserRecord {
        var current = user
        for _ in 0..<5 {
            var changes = UserRecord(id: current.id)
            var document = ListenMoeDocument(current)
            var fields: UInt64 = 0
            try plan(current, &changes, &document, &fields)
            do {
                _ = try directory.updateUser(changes, fields: fields, expectedVersion: current.version)
                guard let written = try directory.user(id: current.id, documents: ListenMoeDocument.namespace) else { throw LMFailure.noUser }
                return written
            } catch let e as PluginError where e.code == PROTEUS_E_STALE {
                let reread: UserRecord?
                do { reread = try directory.user(id: current.id, documents: ListenMoeDocument.namespace) } catch { throw LMFailure.backend(error) }
                guard let reread else { throw LMFailure.noUser }
                current = reread
            } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
                throw LMFailure.noUser
            } catch let f as LMFailure { throw f } catch { throw LMFailure.backend(error) }
        }
        throw LMFailure.unavailable
    }
}
