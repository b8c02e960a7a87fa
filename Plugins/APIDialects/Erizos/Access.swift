// Who is calling. Three ways, as the original:
//   Authorization: Bearer <session>     (from POST /api/login)
//   ?erizos-login=<session>             (same session, for links and players)
//   Authorization: Basic user:password  (checked on every request)
// Sessions are store sessions in the "erizos" namespace holding only the
// SHA-256 of the token; they survive restarts and end with their user
// (ON DELETE CASCADE). Rights are read from the directory on every request,
// so a demotion or a ban applies to existing sessions at once.
import PluginAPI
import PluginKit
import ProteusJSON

struct Caller {
    var user: UserRecord
    /// The session the request came with (nil for Basic).
    var sessionHash: [UInt8]?

    var isAdmin: Bool { user.roles.contains(ErizosRole.adminSlug) }
}

final class Access: @unchecked Sendable {
    /// Longer tokens are nobody's (ours are 43 characters).
    private static let maxTokenLength = 256

    let host: Host
    let options: ErizosOptions
    private let directory: Directory
    private let decoy: PasswordDecoy
    private let limiter: SignInLimiter

    init(host: Host, options: ErizosOptions) {
        self.host = host
        self.options = options
        self.directory = host.directory
        self.decoy = PasswordDecoy(host: host)
        self.limiter = SignInLimiter(host: host, limits: options.limits)
    }

    func loadUser(_ id: [UInt8]) throws -> UserRecord? {
        try directory.user(id: id, documents: ErizosDocument.namespace)
    }

    // MARK: each request

    /// The signed-in caller, or 401.
    func authenticate(_ request: Request) throws -> Caller {
        switch RequestCredentials.read(request) {
        case .session(let token): return try sessionCaller(token)
        case .basic(let credentials):
            return Caller(user: try signIn(credentials.user, credentials.password, request, .basic), sessionHash: nil)
        case .malformed: throw ErizosFailure.unauthorized
        case .none: throw ErizosFailure.needsLogin
        }
    }

    private func sessionCaller(_ token: String) throws -> Caller {
        guard !token.isEmpty, token.utf8.count <= Self.maxTokenLength else { throw ErizosFailure.badSession }
        let hash = SecretToken.hash(token, host)
        guard let session = try directory.session(tokenHash: hash, now: host.nowMillis()),
              session.namespace == ErizosDocument.namespace,
              let user = try loadUser(session.userID) else { throw ErizosFailure.badSession }
        // The directory's rules on every use: a banned user's sessions end;
        // so do those of a user who turned a second factor on since (ours
        // never had one).
        switch try host.sessionCheck(user) {
        case .accepted: return Caller(user: user, sessionHash: hash)
        case .denied:
            try? directory.deleteSession(tokenHash: hash)
            throw ErizosFailure.badSession
        case .secondFactorRequired:
            try? directory.deleteSession(tokenHash: hash)
            throw ErizosFailure.needsSecondFactor
        }
    }

    // MARK: credentials

    /// The user named `username` if `password` is theirs and they may sign
    /// in; 401 otherwise, with one message for unknown users, wrong passwords
    /// and banned users alike (and the same cost: a decoy hash for nobody).
    /// Failures count against the sign-in limits (429 beyond them).
    func signIn(_ username: String, _ password: String, _ request: Request, _ style: SignInLimiter.Style) throws -> UserRecord {
        try limiter.admit(username, request, style)
        do {
            return try checkPassword(username, password)
        } catch let failure as ErizosFailure where failure.status == 401 {
            try limiter.recordFailure(username, request, style)
            throw failure
        }
    }

    private func checkPassword(_ username: String, _ password: String) throws -> UserRecord {
        guard !username.isEmpty, let user = try directory.user(username: username, documents: ErizosDocument.namespace),
              user.passwordHash != nil else {
            decoy.burn(password)
            throw ErizosFailure.unauthorized
        }
        // The directory's rules (host->auth_sign_in): over-long passwords,
        // unreadable verifiers and banned users fail like a wrong password;
        // an account that requires a second factor (turned on through
        // another dialect) cannot sign in here, Erizos has no step for it.
        switch try host.signIn(user, password: password) {
        case .accepted(let needsRehash):
            if needsRehash { rehash(user, password) }
            return user
        case .denied: throw ErizosFailure.unauthorized
        case .secondFactorRequired: throw ErizosFailure.needsSecondFactor
        }
    }

    /// Upgrades a legacy verifier after a successful sign-in. Best effort:
    /// a concurrent change of the user wins.
    private func rehash(_ user: UserRecord, _ password: String) {
        guard let hash = try? host.enroll(method: "password", secret: password) else { return }
        var changes = UserRecord(id: user.id)
        changes.passwordHash = hash
        _ = try? directory.updateUser(changes, fields: PROTEUS_FIELD_PASSWORD_HASH, expectedVersion: user.version)
    }

    // MARK: sessions

    /// Starts a session for `user`; returns the token the client keeps.
    func startSession(for user: UserRecord) throws -> String {
        let token = try SecretToken.generate(host)
        let now = host.nowMillis()
        var record = SessionRecord(tokenHash: token.hash, userID: user.id, namespace: ErizosDocument.namespace)
        record.createdAt = now
        record.expiresAt = now + options.sessionTTLSeconds * 1000
        try directory.createSession(record)
        return token.text
    }

    /// Ends every Erizos session of a user but `keep` (the caller's own).
    func endSessions(of userID: [UInt8], keeping keep: [UInt8]?) throws {
        var kept: SessionRecord? = nil
        if let keep { kept = try directory.session(tokenHash: keep, now: host.nowMillis()) }
        try directory.deleteSessions(userID: userID, namespace: ErizosDocument.namespace)
        if let kept, kept.userID == userID { try? directory.createSession(kept) }
    }
}
