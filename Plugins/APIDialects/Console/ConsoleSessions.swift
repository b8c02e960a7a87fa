// Signing administrators in and out, and deciding who calls the data API.
//
// Sign-in: the password through host->auth_sign_in (the directory's rules:
// a disabled user, an unreadable verifier, a wrong password are one
// answer), then — for a user with a second factor on — the code through
// host->auth_second_step, as MCSManager's login does. Only holders of the
// canonical `admin` role get a session; anyone else whose password matched
// is told the console is for administrators (the message comes only after
// a right password, so it tells a guesser nothing).
//
// Session: an opaque token (PluginKit SecretToken, 32 random bytes) in the
// cookie `proteus_console` (HttpOnly; SameSite=Strict; Path=<mount>; Secure
// when the client spoke HTTPS, directly or through a trusted proxy: the
// request's scheme, ABI 2.5); the store keeps only its SHA-256, in the
// "console" namespace, so `proteus user passwd`, a disable or "Revoke
// sessions" ends it as it ends every dialect's sessions.
//
// CSRF: every change (POST, PUT, DELETE on the data API) sends the header
// X-CSRF-Token, whose value is HMAC-SHA256 of the session token under the
// host's key for this plugin (host->mac, purpose "console.csrf"): tied to
// the session, never stored, and unknown to another origin, which can
// neither read the session answer nor set the header without CORS.
import PluginAPI
import PluginKit
import ProteusJSON
import SecondFactorEnrolment

struct ConsoleCaller {
    var user: UserRecord
    var tokenHash: [UInt8]
    var csrf: String
}

final class ConsoleSessions: @unchecked Sendable {
    static let adminRole = "admin"
    static let namespace = "console"
    static let cookieName = "proteus_console"

    let host: Host
    let options: ConsoleOptions
    private let directory: Directory
    private let decoy: PasswordDecoy
    private let throttle: SignInThrottle

    init(host: Host, options: ConsoleOptions) {
        self.host = host
        self.options = options
        self.directory = host.directory
        self.decoy = PasswordDecoy(host: host)
        self.throttle = SignInThrottle(host: host, prefix: "console", limits: options.loginLimits)
    }

    static func isAdmin(_ user: UserRecord) -> Bool { user.roles.contains(adminRole) }

    // MARK: the caller of a data route

    /// The signed-in administrator; 401 without a live session, 403 for a
    /// user who is no administrator (any more), 403 for a change without
    /// the session's CSRF token.
    func authorize(_ request: Request, change: Bool) throws -> ConsoleCaller {
        guard let (caller, withSecondFactor) = try currentSession(request) else { throw ConsoleFailure.signInFirst }
        switch try host.sessionCheck(caller.user, withSecondFactor: withSecondFactor) {
        case .accepted: break
        case .denied, .secondFactorRequired:
            try? directory.deleteSession(tokenHash: caller.tokenHash)
            throw ConsoleFailure(401, "unauthenticated", "Your session has ended: sign in again.")
        }
        guard Self.isAdmin(caller.user) else { throw ConsoleFailure.adminsOnly }
        if change {
            guard let given = request.header("x-csrf-token"),
                  host.constantTimeEqual(Array(given.utf8), Array(caller.csrf.utf8)) else { throw ConsoleFailure.csrf }
        }
        return caller
    }

    /// The live console session the request's cookie names, with its user,
    /// and whether it began with the second factor.
    private func currentSession(_ request: Request) throws -> (ConsoleCaller, Bool)? {
        guard let token = Self.cookie(request), !token.isEmpty, token.utf8.count <= 256 else { return nil }
        let hash = SecretToken.hash(token, host)
        guard let record = try directory.session(tokenHash: hash, now: host.nowMillis()),
              record.namespace == Self.namespace,
              let user = try directory.user(id: record.userID) else { return nil }
        let data = record.dataJSON.flatMap { try? JSONParser.parse($0) }
        let withSecondFactor = data?["secondFactor"]?.boolValue ?? false
        return (ConsoleCaller(user: user, tokenHash: hash, csrf: try csrfToken(token)), withSecondFactor)
    }

    private func csrfToken(_ sessionToken: String) throws(PluginError) -> String {
        Base64.encode(try host.mac(purpose: "console.csrf", message: Array(sessionToken.utf8)), urlSafe: true, padding: false)
    }

    // MARK: GET /api/session

    func whoAmI(_ request: Request, _ response: Response) throws {
        let caller = try authorize(request, change: false)
        ConsoleDialect.send(response, Self.sessionView(caller.user, csrf: caller.csrf))
    }

    static func sessionView(_ user: UserRecord, csrf: String) -> JSONValue {
        .object(["user": .object(["id": .string(proteus_id(byteArray: user.id).compactHex),
                                  "username": user.username.map(JSONValue.string) ?? .null,
                                  "mfa": .bool(user.isMFAEnabled)]),
                 "csrfToken": .string(csrf)])
    }

    // MARK: POST /api/session {username, password, code?}

    func signIn(_ request: Request, _ response: Response) throws {
        let body = try RequestBody.object(request, limit: options.maxBodyBytes)
        try RequestBody.only(body, ["username", "password", "code"])
        let username = try RequestBody.string(body, "username", maxBytes: 1024)
        let password = try RequestBody.string(body, "password", maxBytes: 4096)
        let code = try RequestBody.optionalString(body, "code", maxBytes: 64).flatMap { $0.isEmpty ? nil : $0 }
        guard !username.isEmpty, !password.isEmpty else { throw ConsoleFailure.badRequest("Enter a username and a password.") }
        if let wait = try throttle.admit(account: username, clientIP: request.clientIP) {
            response.header("Retry-After", String(wait))
            throw ConsoleFailure(429, "too_many_attempts", "Too many sign-in attempts: wait \(wait) s and try again.")
        }
        guard let user = try directory.user(username: username), user.passwordHash != nil else {
            decoy.burn(password)
            try refuse(request, username)
        }
        let outcome = try host.signIn(user, password: password, withSecondFactor: true,
                                      codeFollows: code != nil && user.mfaSecret != nil)
        guard case .accepted(let needsRehash) = outcome else { try refuse(request, username) }
        guard Self.isAdmin(user) else {
            throw ConsoleFailure(403, "not_admin", "\(username) is not an administrator: the console is for holders of the admin role only.")
        }
        var version = user.version
        var withSecondFactor = false
        // As MCSManager: the second step when the user has a second factor
        // (the flag and its verifier).
        if user.isMFAEnabled, user.mfaSecret != nil {
            guard let code else {
                // Only after the password matched, as MCSManager's NEED_2FA.
                throw ConsoleFailure(401, "code_required", "Enter the code from your authenticator app (or a recovery code).")
            }
            guard let updated = try secondStep(code, user) else {
                try throttle.recordFailure(account: username, clientIP: request.clientIP)
                throw ConsoleFailure(401, "wrong_code", "Wrong or already used code.")
            }
            version = updated
            withSecondFactor = true
        }
        recordLogin(user, version: version, rehash: needsRehash ? password : nil)
        let csrf = try begin(user, withSecondFactor: withSecondFactor, request, response)
        ConsoleDialect.send(response, Self.sessionView(user, csrf: csrf))
    }

    /// A new session for `user` (its cookie set on `response`); returns its
    /// CSRF token.
    private func begin(_ user: UserRecord, withSecondFactor: Bool, _ request: Request, _ response: Response) throws -> String {
        let token = try SecretToken.generate(host)
        let now = host.nowMillis()
        var record = SessionRecord(tokenHash: token.hash, userID: user.id, namespace: Self.namespace)
        record.createdAt = now
        record.expiresAt = now + options.sessionTTLSeconds * 1000
        record.dataJSON = JSONValue.object(["secondFactor": .bool(withSecondFactor)]).serialized()
        try directory.createSession(record)
        response.header("Set-Cookie", cookie(request, value: token.text, maxAge: options.sessionTTLSeconds))
        return try csrfToken(token.text)
    }

    /// Replaces the caller's session with one that began with the second
    /// factor, after they proved it (their own MFA just turned on: the old
    /// session, begun without it, would end at its next use). Returns the
    /// new session's CSRF token.
    func renewWithSecondFactor(_ caller: ConsoleCaller, _ request: Request, _ response: Response) throws -> String {
        let csrf = try begin(caller.user, withSecondFactor: true, request, response)
        // Gone already is fine (another tab's request, once MFA was on, ended
        // it); one left behind ends at its next use, as begun without the
        // factor. MFA is on by now: the answer must still carry the codes.
        try? directory.deleteSession(tokenHash: caller.tokenHash)
        return csrf
    }

    private func refuse(_ request: Request, _ username: String) throws -> Never {
        try throttle.recordFailure(account: username, clientIP: request.clientIP)
        throw ConsoleFailure(401, "wrong_credentials", "Wrong username or password.")
    }

    /// The code of the second step; persists the totp method's new verifier
    /// (the code's use) with the version read, so a code counts once.
    /// Returns the user's version after it, nil for a refused code.
    private func secondStep(_ code: String, _ user: UserRecord) throws -> UInt64? {
        let stored = String(decoding: user.mfaSecret ?? [], as: UTF8.self)
        let verified: Result<String?, PluginError> = Result { () throws(PluginError) in try host.secondStep(code, for: user) }
        if case .failure(let error) = verified, error.code == PROTEUS_E_UNSUPPORTED {
            host.error("signing in with a second factor needs the \"totp\" auth plugin in the config's \"auth\"")
            throw ConsoleFailure.mfaUnavailable
        }
        guard let updated = try verified.get() else { return nil }
        guard updated != stored else { return user.version }
        var changes = UserRecord(id: user.id)
        changes.mfaSecret = Array(updated.utf8)
        // The store's mirror of the step the code used (as LISTEN.moe keeps it).
        changes.mfaLastStep = TOTPVerifierText(updated)?.step ?? user.mfaLastStep
        do {
            return try directory.updateUser(changes, fields: PROTEUS_FIELD_MFA, expectedVersion: user.version)
        } catch let e as PluginError where e.code == PROTEUS_E_STALE || e.code == PROTEUS_E_NOT_FOUND {
            return nil
        }
    }

    /// login_at = now, and a legacy verifier re-hashed. Best effort.
    private func recordLogin(_ user: UserRecord, version: UInt64, rehash password: String?) {
        var changes = UserRecord(id: user.id)
        changes.loginAt = host.nowMillis()
        var fields = PROTEUS_FIELD_LOGIN_AT
        if let password, let hash = try? host.enroll(method: "password", secret: password) {
            changes.passwordHash = hash
            fields |= PROTEUS_FIELD_PASSWORD_HASH
        }
        _ = try? directory.updateUser(changes, fields: fields, expectedVersion: version)
    }

    // MARK: DELETE /api/session

    func signOut(_ request: Request, _ response: Response) throws {
        let caller = try authorize(request, change: true)
        try directory.deleteSession(tokenHash: caller.tokenHash)
        response.header("Set-Cookie", cookie(request, value: "", maxAge: 0))
        ConsoleDialect.send(response, .object(["signedOut": true]))
    }

    // MARK: the cookie

    private func cookie(_ request: Request, value: String, maxAge: Int64) -> String {
        var text = "\(Self.cookieName)=\(value); Path=\(request.mount); Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
        if request.isHTTPS { text += "; Secure" }
        return text
    }

    static func cookie(_ request: Request) -> String? {
        for i in 0..<Int(request.raw.pointee.header_count) {
            let h = request.raw.pointee.headers[i]
            guard h.name.string?.lowercased() == "cookie", let value = h.value.string else { continue }
            for part in value.split(separator: ";") {
                let pair = String(part).trimmingSpacesAndTabs()
                guard let eq = pair.firstIndex(of: "="), pair[..<eq] == cookieName else { continue }
                return String(pair[pair.index(after: eq)...])
            }
        }
        return nil
    }
}
