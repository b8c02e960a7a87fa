// Signing in and out, the caller's own record and API key, installing the
// first administrator: the panel's login_router and general_user_router.
import PluginAPI
import PluginKit
import ProteusJSON

final class SessionRoutes: @unchecked Sendable {
    let host: Host
    let options: MCSMOptions
    let access: Access
    private let decoy: PasswordDecoy
    private let directory: Directory
    private let accountLimit: AccountLimit?

    init(host: Host, options: MCSMOptions, access: Access) {
        self.host = host
        self.directory = host.directory
        self.options = options
        self.access = access
        self.decoy = PasswordDecoy(host: host)
        self.accountLimit = options.perAccount.map { AccountLimit(host: host, directory: host.directory, limit: $0) }
    }

    // MARK: POST /api/auth/login {username, password, code?}

    func login(_ request: Request, _ query: JSONObject, _ response: Response) throws {
        let caller = try access.authorize(request, query, .open)
        let body = Validated(try RequestInput.body(request))
        let username = try body.string("username")
        let password = try body.string("password")
        let code = body["code"].map(JSCoercion.string).flatMap { $0.isEmpty ? nil : $0 }
        try limitAttempts(request, response, account: username)
        // The panel answers "Logined" to a browser that already has a session.
        if caller?.session != nil { return Envelope.ok(response, host, "Logined") }

        let found: UserRecord?
        do { found = try directory.user(username: username, documents: PanelDocument.namespace) } catch { throw MCSMFailure.backend(error) }
        guard let user = found, user.passwordHash != nil else {
            decoy.burn(password)
            try recordFailure(request, account: username)
            throw MCSMFailure(401, MCSMFailure.loginFailed)
        }
        // The directory's rules (host->auth_sign_in): over-long passwords,
        // unreadable verifiers and banned users get the wrong password's
        // answer (the panel lets banned users sign in and throws them out
        // on their next request). The panel asks for the second factor
        // itself, below.
        let signIn: Host.SignIn
        do {
            signIn = try host.signIn(user, password: password, withSecondFactor: true, codeFollows: code != nil && user.mfaSecret != nil)
        } catch { throw MCSMFailure.backend(error) }
        guard case .accepted(let needsRehash) = signIn else {
            try recordFailure(request, account: username)
            throw MCSMFailure(401, MCSMFailure.loginFailed)
        }

        var version = user.version
        if user.isMFAEnabled, user.mfaSecret != nil {
            // Only after the password matched: the panel asks for the code
            // first, which tells anyone which accounts exist and use 2FA.
            guard let code else { return Envelope.ok(response, host, "NEED_2FA") }
            do { version = try verifyCode(code, user: user) } catch {
                if error.status == 401 { try recordFailure(request, account: username) }
                throw error
            }
        }
        recordLogin(user, version: version, rehash: needsRehash ? password : nil)
        let token: String
        do { token = try access.startSession(for: user.id, request, response) } catch { throw MCSMFailure.backend(error) }
        Envelope.ok(response, host, .string(token))
    }

    /// Checks a TOTP code as the sign-in's second step ("totp" auth method)
    /// and persists the method's new last-used step before the code counts;
    /// a concurrent use of the same code loses the version race and is
    /// refused. Returns the user's version after the write.
    private func verifyCode(_ code: String, user: UserRecord) throws(MCSMFailure) -> UInt64 {
        let stored = String(decoding: user.mfaSecret ?? [], as: UTF8.self)
        let accepted: String?
        do { accepted = try host.secondStep(code, for: user) } catch {
            if error.code == PROTEUS_E_UNSUPPORTED { throw MCSMFailure(503, "Two-factor authentication is unavailable, please try again later") }
            throw MCSMFailure.backend(error)
        }
        guard let updated = accepted else { throw MCSMFailure(401, MCSMFailure.twoFactorIncorrect) }
        guard updated != stored else { return user.version }
        var changes = UserRecord(id: user.id)
        changes.mfaSecret = Array(updated.utf8)
        changes.mfaLastStep = user.mfaLastStep
        do {
            return try directory.updateUser(changes, fields: PROTEUS_FIELD_MFA, expectedVersion: user.version)
        } catch let e as PluginError where e.code == PROTEUS_E_STALE || e.code == PROTEUS_E_NOT_FOUND {
            throw MCSMFailure(401, MCSMFailure.twoFactorIncorrect)
        } catch {
            throw MCSMFailure.backend(error)
        }
    }

    /// login_at = now (and an imported loginTime string gives way to it),
    /// plus a re-hash of a legacy verifier. Best effort: a concurrent change wins.
    private func recordLogin(_ user: UserRecord, version: UInt64, rehash password: String?) {
        var changes = UserRecord(id: user.id)
        changes.loginAt = host.nowMillis()
        var fields = PROTEUS_FIELD_LOGIN_AT
        var doc = PanelDocument(user)
        if doc.loginTime != nil {
            doc.object["loginTime"] = nil
            changes.documents = [doc.record]
            fields |= PROTEUS_FIELD_DOCS
        }
        if let password, let hash = try? host.enroll(method: "password", secret: password) {
            changes.passwordHash = hash
            fields |= PROTEUS_FIELD_PASSWORD_HASH
        }
        _ = try? directory.updateUser(changes, fields: fields, expectedVersion: version)
    }

    /// The per-address counter of a sign-in: the host's, shared by this
    /// host's workers only (a client spreading over hosts behind a balancer
    /// gets each host's allowance; the per-account limit is the one shared).
    private func ipLimitKey(_ request: Request) -> ([UInt8], MCSMOptions.Limit)? {
        options.perIP.map { (Array("mcsm-login-ip:".utf8) + host.clientKey(request.clientIP), $0) }
    }

    /// Counts one attempt against the address's and the account's counters;
    /// 429 with Retry-After when one is spent.
    private func limitAttempts(_ request: Request, _ response: Response, account: String?) throws(MCSMFailure) {
        if let (key, limit) = ipLimitKey(request) {
            let outcome = host.rateLimit(key: key, limit: limit.budget, windowSeconds: limit.windowSeconds)
            if !outcome.allowed {
                response.header("Retry-After", "\(outcome.resetSeconds)")
                throw MCSMFailure(429, MCSMFailure.loginBanned)
            }
        }
        if let account, let accountLimit { try accountLimit.admit(account, response) }
    }

    /// A failed sign-in costs the rest of a failure's weight on both
    /// counters. 503 when the store cannot count it (never a free guess).
    private func recordFailure(_ request: Request, account: String) throws(MCSMFailure) {
        if let (key, limit) = ipLimitKey(request) {
            for _ in 1..<MCSMOptions.Limit.failureWeight {
                _ = host.rateLimit(key: key, limit: limit.budget, windowSeconds: limit.windowSeconds)
            }
        }
        try accountLimit?.recordFailure(account)
    }

    // MARK: GET /api/auth/logout

    func logout(_ request: Request, _ query: JSONObject, _ response: Response) throws {
        _ = try access.authorize(request, query, .open)
        let session = try access.currentSession(request)
        access.endSession(request, response, session)
        Envelope.ok(response, host, true)
    }

    // MARK: GET /api/auth/ — the caller's own record (admins: ?uuid= for anyone's)

    func own(_ request: Request, _ query: JSONObject, _ response: Response) throws {
        guard let caller = try access.authorize(request, query, Requirement(level: Permission.user, token: false)) else {
            throw MCSMFailure.forbidden(MCSMFailure.insufficientPermissions)
        }
        // The panel answers session callers only for Ajax requests (and
        // nothing at all otherwise); API-key callers need no header here.
        if caller.session != nil && !Access.isAjax(request) { throw MCSMFailure.forbidden(MCSMFailure.ajaxError) }
        let target: UserRecord, hasKey: Bool
        if caller.level >= Permission.admin, let wanted = query["uuid"].map(JSCoercion.string), !wanted.isEmpty {
            guard let id = UserID.parse(wanted), let other = try access.shownUser(id) else {
                throw MCSMFailure(404, MCSMFailure.uidMissing)
            }
            (target, hasKey) = other
        } else {
            (target, hasKey) = (caller.user, try access.shownUser(caller.user.id)?.holdsKey ?? false)
        }
        Envelope.ok(response, host, UserView.own(target, hasKey: hasKey, token: caller.session?.token ?? ""))
    }

    // MARK: GET /api/auth/token

    func token(_ request: Request, _ query: JSONObject, _ response: Response) throws {
        guard let caller = try access.authorize(request, query, Requirement(level: Permission.user, token: false)) else {
            throw MCSMFailure.forbidden(MCSMFailure.insufficientPermissions)
        }
        guard Access.isAjax(request) else { throw MCSMFailure.forbidden(MCSMFailure.notAjax) }
        Envelope.ok(response, host, .string(caller.session?.token ?? ""))
    }

    // MARK: PUT /api/auth/api {enable} — create (returns the key) or remove the caller's API key

    func apiKey(_ request: Request, _ query: JSONObject, _ response: Response) throws {
        guard let caller = try access.authorize(request, query, Requirement(level: Permission.user, token: true)) else {
            throw MCSMFailure.forbidden(MCSMFailure.insufficientPermissions)
        }
        let body = Validated(try RequestInput.body(request))
        let enable = body["enable"].map { JSCoercion.boolean($0) ?? JSCoercion.truthy($0) } ?? false
        let id = caller.user.id
        do {
            if enable {
                if options.apiKeys == .disabled || (options.apiKeys == .onlyAdmin && caller.level < Permission.admin) {
                    throw MCSMFailure.forbidden(MCSMFailure.apiKeyDisabled)
                }
                let key = Hex.encode(try host.randomBytes(16))
                try directory.deleteAPIKeys(userID: id, namespace: Access.namespace)
                var record = APIKeyRecord(keyHash: host.sha256(Array(key.utf8)), userID: id, namespace: Access.namespace)
                record.createdAt = host.nowMillis()
                try directory.createAPIKey(record)
                Envelope.ok(response, host, .string(key))
            } else {
                try directory.deleteAPIKeys(userID: id, namespace: Access.namespace)
                Envelope.ok(response, host, "")
            }
        } catch let f as MCSMFailure {
            throw f
        } catch {
            throw MCSMFailure.backend(error)
        }
    }

    // MARK: PUT /api/auth/update {passWord, isInit} — change one's own password

    func updateSelf(_ request: Request, _ query: JSONObject, _ response: Response) throws {
        guard let caller = try access.authorize(request, query, Requirement(level: Permission.user, token: true)) else {
            throw MCSMFailure.forbidden(MCSMFailure.insufficientPermissions)
        }
        let body = Validated(try RequestInput.body(request))
        guard let pw = body["passWord"], case .string(let password) = pw, PanelRules.validPassword(password) else {
            throw MCSMFailure(400, MCSMFailure.passwordCheck)
        }
        let isInit = body["isInit"].map { JSCoercion.boolean($0) ?? JSCoercion.truthy($0) }
        let hash = try Passwords.enroll(host, password)
        for attempt in 0..<3 {
            guard let user = try access.loadUser(caller.user.id) else { throw MCSMFailure.forbidden(MCSMFailure.insufficientPermissions) }
            var changes = UserRecord(id: user.id)
            changes.passwordHash = hash
            var fields = PROTEUS_FIELD_PASSWORD_HASH
            if let isInit {
                var doc = PanelDocument(user)
                doc.object["isInit"] = .bool(isInit)
                changes.documents = [doc.record]
                fields |= PROTEUS_FIELD_DOCS
            }
            do {
                try directory.updateUser(changes, fields: fields, expectedVersion: user.version)
            } catch let e as PluginError where e.code == PROTEUS_E_STALE && attempt < 2 {
                continue
            } catch {
                throw MCSMFailure.backend(error)
            }
            // The panel signs the caller out; we end every session of theirs.
            _ = try? directory.deleteSessions(userID: user.id, namespace: Access.namespace)
            access.endSession(request, response, nil)
            return Envelope.ok(response, host, true)
        }
        throw MCSMFailure(409, "The user was changed concurrently, please retry")
    }

    // MARK: /api/auth/install {username, password} — the first administrator

    func install(_ request: Request, _ query: JSONObject, _ response: Response) throws {
        _ = try access.authorize(request, query, .open)
        let body = Validated(try RequestInput.body(request))
        let username = try body.string("username")
        let password = try body.string("password")
        try limitAttempts(request, response, account: nil)
        guard try directory.countUsers() == 0 else { throw MCSMFailure(403, MCSMFailure.installed) }
        guard PanelRules.validPassword(password) else { throw MCSMFailure(400, MCSMFailure.passwordCheck) }
        guard PanelRules.validUsername(username) else { throw MCSMFailure(400, MCSMFailure.invalidUsername) }
        let hash = try Passwords.enroll(host, password)
        let record = try NewUser.make(host, username: username, passwordHash: hash, level: Permission.admin)
        do { try directory.createUser(record) } catch let e as PluginError where e.code == PROTEUS_E_CONFLICT {
            throw MCSMFailure(403, MCSMFailure.installed)
        } catch { throw MCSMFailure.backend(error) }
        // Two installs racing both saw an empty directory: the earliest-created
        // user wins and the other one is taken back.
        var first = UserQuery()
        first.limit = 1
        if let earliest = try directory.searchUsers(first).users.first, earliest.id != record.id {
            try? directory.deleteUser(id: record.id)
            throw MCSMFailure(403, MCSMFailure.installed)
        }
        _ = try access.startSession(for: record.id, request, response)
        Envelope.ok(response, host, true)
    }

    // MARK: /api/auth/status

    func status(_ request: Request, _ query: JSONObject, _ response: Response) throws {
        let caller = try access.authorize(request, query, .open)
        let installed = try directory.countUsers() > 0
        var settings: JSONObject = ["businessMode": false, "businessId": ""]
        if let caller, caller.level >= Permission.user {
            settings["canFileManager"] = false
            settings["allowUsePreset"] = false
            settings["allowChangeCmd"] = false
            settings["panelId"] = ""
            settings["ssoEnabled"] = false
        }
        Envelope.ok(response, host, .object(["isInstall": .bool(installed), "language": "en_us", "settings": .object(settings)]))
    }
}
