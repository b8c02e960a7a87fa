// POST /register and POST /login (whose second step for users with MFA on,
// POST /login/mfa, is in MFARoutes.swift).
import PluginAPI
import PluginKit
import ProteusJSON

final class AccountRoutes: @unchecked Sendable {
    let host: Host
    let options: LMOptions
    let tokens: Tokens
    private let directory: Directory
    private let decoy: PasswordDecoy
    private let limit: AccountCounter?

    init(host: Host, options: LMOptions, tokens: Tokens) {
        self.host = host
        self.options = options
        self.tokens = tokens
        self.directory = host.directory
        self.decoy = PasswordDecoy(host: host)
        self.limit = options.loginLimit.map {
            AccountCounter(host: host, directory: host.directory, keyPrefix: "listenmoe-login:",
                           limit: SignInLimit(failures: $0.failures, windowSeconds: $0.windowSeconds))
        }
    }

    // MARK: POST /register {email, username, password}

    func register(_ request: Request, _ response: Response) throws {
        let body = try RequestInput.body(request)
        guard let email = RequestInput.string(body, "email"), let username = RequestInput.string(body, "username"),
              let password = RequestInput.string(body, "password") else { throw LMFailure.invalidBody }
        guard AccountRules.validUsername(username) else { throw LMFailure.invalidUsername }
        guard AccountRules.validEmail(email) else { throw LMFailure.invalidEmail }
        guard AccountRules.validPassword(password) else { throw LMFailure.invalidPassword }
        // Names are one namespace for the whole directory: a name made
        // through another dialect is taken. The store's unique username
        // decides races (CONFLICT below); the e-mail is checked here only,
        // the directory does not keep e-mails unique.
        do {
            if try directory.user(username: username) != nil || directory.user(email: email) != nil { throw LMFailure.accountExists }
        } catch let f as LMFailure { throw f } catch { throw LMFailure.backend(error) }
        let hash: String
        do { hash = try host.enroll(method: "password", secret: password) } catch {
            if error.code == PROTEUS_E_TOO_LARGE { throw LMFailure.invalidPassword }
            throw LMFailure.backend(error)
        }
        var record = UserRecord(id: proteus_id(randomBytes: try host.randomBytes(16)).byteArray)
        record.username = username
        record.email = email
        record.passwordHash = hash
        record.roles = [options.defaultRole]
        record.createdAt = host.nowMillis()
        do { try directory.createUser(record) } catch let e as PluginError where e.code == PROTEUS_E_CONFLICT {
            throw LMFailure.accountExists
        } catch { throw LMFailure.backend(error) }
        Envelope.send(response, 200, "You have successfully created a new account.")
    }

    // MARK: POST /login {username (or e-mail), password}

    func login(_ request: Request, _ response: Response) throws {
        let body = try RequestInput.body(request)
        guard let name = RequestInput.string(body, "username"), let password = RequestInput.string(body, "password"),
              !name.isEmpty, !password.isEmpty else { throw LMFailure.invalidBody }
        // E-mails match case-insensitively, so count them that way too (a
        // username is byte-exact). The budget is per name given: an account's
        // username and e-mail are two budgets.
        let account = name.contains("@") ? AccountRules.asciiLowercased(name) : name
        try admit(account, response)
        do { return try signIn(name, password, response) } catch let failure as LMFailure where failure.status == 401 {
            try recordFailure(account)
            throw failure
        }
    }

    private func signIn(_ name: String, _ password: String, _ response: Response) throws {
        let found: UserRecord?
        do {
            found = try directory.user(username: name, documents: ListenMoeDocument.namespace)
                ?? (name.contains("@") ? directory.user(email: name, documents: ListenMoeDocument.namespace) : nil)
        } catch { throw LMFailure.backend(error) }
        guard let user = found, user.passwordHash != nil else {
            // Same cost and answer as a wrong password: no account enumeration.
            decoy.burn(password)
            throw LMFailure.loginFailed
        }
        // The directory's rules (host->auth_sign_in); the second factor is
        // asked for below, through /login/mfa.
        let signIn: Host.SignIn
        do { signIn = try host.signIn(user, password: password, withSecondFactor: true) } catch { throw LMFailure.backend(error) }
        guard case .accepted = signIn else { throw LMFailure.loginFailed }
        // MFA on (enabled through any dialect): the password earns only a
        // short-lived token that POST /login/mfa alone accepts.
        if user.isMFAEnabled {
            let pending: String
            do { pending = try tokens.issue(for: user, kind: .mfaPending) } catch { throw LMFailure.backend(error) }
            return Envelope.send(response, 200, "Please provide the 2FA code to log in.", ["mfa": true, "token": .string(pending)])
        }
        recordLogin(user)
        let token: String
        do { token = try tokens.issue(for: user) } catch { throw LMFailure.backend(error) }
        Envelope.send(response, 200, "Successfully logged in.", ["token": .string(token)])
    }

    /// Counts the attempt against the account name's budget (whether or not
    /// the account exists); 429 with Retry-After once it is spent, even for
    /// the right password.
    private func admit(_ name: String, _ response: Response) throws(LMFailure) {
        guard let limit else { return }
        let refusal: Int64?
        do { refusal = try limit.admit(name) } catch { throw LMFailure.backend(error) }
        if let retryAfter = refusal {
            response.header("Retry-After", "\(retryAfter)")
            throw LMFailure.tooManyAttempts
        }
    }

    private func recordFailure(_ name: String) throws(LMFailure) {
        do { try limit?.recordFailure(name) } catch { throw LMFailure.backend(error) }
    }

    /// login_at = now; best effort (a concurrent change wins).
    private func recordLogin(_ user: UserRecord) {
        var changes = UserRecord(id: user.id)
        changes.loginAt = host.nowMillis()
        _ = try? directory.updateUser(changes, fields: PROTEUS_FIELD_LOGIN_AT, expectedVersion: user.version)
    }
}
