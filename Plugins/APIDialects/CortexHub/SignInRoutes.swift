// Local sign-in, sign-out and login status. A wrong password, an unknown
// user, a user without a password and a banned user all get the same 401;
// an unknown user costs a decoy hash so timing does not tell them apart.
import PluginAPI
import PluginKit
import ProteusJSON

final class SignInRoutes: @unchecked Sendable {
    let host: Host
    let options: CortexHubOptions
    let ids: LoginIDs
    private let directory: Directory
    private let decoy: PasswordDecoy
    private let limit: SignInThrottle

    init(host: Host, options: CortexHubOptions, ids: LoginIDs) {
        self.host = host
        self.options = options
        self.ids = ids
        self.directory = host.directory
        self.decoy = PasswordDecoy(host: host)
        self.limit = SignInThrottle(host: host, prefix: "cortexhub", limits: options.loginLimits)
    }

    /// Set by the dialect when options.oidc is (it needs this object).
    var oidc: OIDCSignIn?

    // MARK: POST /users/login/local {username, password}

    func loginLocal(_ request: Request, _ response: Response) throws {
        guard options.allowPasswordLogin else { throw Failure(403, "Password login is disabled") }
        let body = try RequestBody(request)
        let fields = try body.strings(["username", "password"])
        let (username, password) = (fields[0], fields[1])
        if let retry = try limit.admit(account: username, clientIP: request.clientIP) {
            var f = Failure(429, "Too many login attempts, please try again later")
            f.headers = [("Retry-After", "\(retry)")]
            throw f
        }
        guard let user = try findUser(username), user.passwordHash != nil else {
            decoy.burn(password)
            try limit.recordFailure(account: username, clientIP: request.clientIP)
            throw Failure.loginFailed
        }
        // The directory's rules (host->auth_sign_in): a banned user gets a
        // wrong password's answer; a user with a second factor on cannot
        // sign in here, Cortex Hub has no step for it.
        let signIn: Host.SignIn
        do { signIn = try host.signIn(user, password: password) } catch { throw Failure.backend(error) }
        let needsRehash: Bool
        switch signIn {
        case .accepted(let rehash): needsRehash = rehash
        case .denied:
            try limit.recordFailure(account: username, clientIP: request.clientIP)
            throw Failure.loginFailed
        case .secondFactorRequired: throw Failure.secondFactorRequired
        }
        let signedIn = try recordSignIn(user, rehash: needsRehash ? password : nil)
        let id = try ids.issue(for: user.id, origin: .password)
        response.json(200, [
            "user_id": .string(id),
            "username": UserView.optional(signedIn.username),
            "email": UserView.optional(signedIn.email),
            "role": .string(Roles.name(signedIn)),
        ])
    }

    /// By username; a name that looks like an email is tried as one too.
    private func findUser(_ name: String) throws -> UserRecord? {
        if let user = try directory.user(username: name, documents: LoginIDs.namespace) { return user }
        guard name.contains("@") else { return nil }
        return try directory.user(email: name, documents: LoginIDs.namespace)
    }

    /// login_at = now; at the user's first sign-in here their document is
    /// marked seen, and a bootstrap admin (by username or email for local
    /// users; `isBootstrap` decides for OIDC ones) becomes admin — once only,
    /// so a later demotion sticks. Returns the user as written (or as read
    /// when a concurrent change won).
    func recordSignIn(_ found: UserRecord, rehash password: String? = nil,
                      isBootstrap: ((UserRecord) -> Bool)? = nil) throws -> UserRecord {
        var user = found
        for _ in 0..<3 {
            var changes = UserRecord(id: user.id)
            changes.loginAt = host.nowMillis()
            var fields = PROTEUS_FIELD_LOGIN_AT
            var doc = HubDocument(user)
            if !doc.seen {
                doc.seen = true
                changes.documents = [doc.record]
                fields |= PROTEUS_FIELD_DOCS
                if (isBootstrap ?? isBootstrapAdmin)(user), !user.roles.contains(Roles.admin) {
                    changes.roles = Roles.with(user.roles, admin: true)
                    fields |= PROTEUS_FIELD_ROLES
                }
            }
            if let password, let hash = try? host.enroll(method: "password", secret: password) {
                changes.passwordHash = hash
                fields |= PROTEUS_FIELD_PASSWORD_HASH
            }
            do {
                try directory.updateUser(changes, fields: fields, expectedVersion: user.version)
                if fields & PROTEUS_FIELD_ROLES != 0 { user.roles = changes.roles }
                return user
            } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
                throw Failure.loginFailed // deleted meanwhile
            } catch let e as PluginError where e.code == PROTEUS_E_STALE {
                guard let again = try directory.user(id: user.id, documents: LoginIDs.namespace) else { throw Failure.loginFailed }
                user = again
            }
        }
        return user
    }

    private func isBootstrapAdmin(_ user: UserRecord) -> Bool {
        options.bootstrapAdmins.contains { wanted in
            wanted == user.username || (user.email.map { $0.lowercased() == wanted.lowercased() } ?? false)
        }
    }

    // MARK: POST /users/logout — revokes the id presented, no other

    func logout(_ request: Request, _ response: Response) throws {
        let caller = try ids.caller(request)
        try ids.revoke(caller)
        response.json(200, ["message": "Logged out"])
    }

    // MARK: GET /users/me — login status

    func me(_ request: Request, _ response: Response) throws {
        let caller = try ids.caller(request)
        var status = UserView.profile(caller.user).objectValue ?? [:]
        status.insert(.bool(true), forKey: "logged_in", at: 0)
        response.json(200, .object(status))
    }

    // MARK: GET /users/login, /users/login/callback — OIDC (OIDCSignIn.swift)

    func oidc(_ request: Request, _ response: Response, callback: Bool) throws {
        guard let oidc else { throw Failure(404, "OIDC sign-in is not configured") }
        try callback ? oidc.callback(request, response) : oidc.start(request, response)
    }
}
