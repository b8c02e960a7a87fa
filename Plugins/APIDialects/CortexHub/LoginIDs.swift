// The "user_id" a login hands out. The original system trusts whatever id
// the client sends in X-User-ID; here the id is an opaque credential: 32
// random bytes, base64url (43 characters), new at every login. The store
// keeps only its SHA-256 as a session of namespace "cortexhub", so ids
// survive restarts and a database dump reveals none. Sessions of other
// namespaces (MCSManager's cookies), API keys and raw user ids never match.
import PluginAPI
import PluginKit
import ProteusJSON

/// A signed-in caller: the user as stored now (roles read on every request)
/// and the hash of the id they presented.
struct Caller {
    var user: UserRecord
    var idHash: [UInt8]
    var isAdmin: Bool { user.roles.contains(Roles.admin) }
}

final class LoginIDs: @unchecked Sendable {
    static let namespace = "cortexhub"

    let host: Host
    let ttlMillis: Int64
    private let directory: Directory

    init(host: Host, ttlSeconds: Int64) {
        self.host = host
        self.directory = host.directory
        self.ttlMillis = ttlSeconds * 1000
    }

    /// How a login id was earned. An identity provider's sign-in is the
    /// provider's to secure (its own second factor); a password sign-in
    /// ends when the user turns a second factor on (host's sign-in rules).
    enum Origin {
        case password, provider
        static let providerData = #"{"via":"provider"}"#
    }

    /// Issues a new id for `userID` and stores its hash.
    func issue(for userID: [UInt8], origin: Origin) throws -> String {
        let id = Base64.encode(try host.randomBytes(32), urlSafe: true, padding: false)
        let now = host.nowMillis()
        var record = SessionRecord(tokenHash: host.sha256(Array(id.utf8)), userID: userID, namespace: Self.namespace)
        record.createdAt = now
        record.expiresAt = now + ttlMillis
        if origin == .provider { record.dataJSON = Origin.providerData }
        try directory.createSession(record)
        return id
    }

    /// The id a request presents: X-User-ID, else Authorization: Bearer.
    static func presented(_ request: Request) -> String? {
        if let id = request.header("x-user-id"), !id.isEmpty { return id.trimmingSpacesAndTabs() }
        if let auth = request.header("authorization") {
            let parts = auth.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                return String(parts[1]).trimmingSpacesAndTabs()
            }
        }
        return nil
    }

    /// The caller, or 401. Disabled (banned) and deleted users' ids stop
    /// working at once: the user is read from the store on every request.
    /// 403 for a password sign-in's id once the user has a second factor on.
    func caller(_ request: Request) throws(Failure) -> Caller {
        // Our ids are 43 characters; anything far off is not worth a lookup.
        guard let id = Self.presented(request), (22...128).contains(id.utf8.count) else { throw Failure.notAuthenticated }
        let hash = host.sha256(Array(id.utf8))
        do {
            guard let session = try directory.session(tokenHash: hash, now: host.nowMillis()),
                  session.namespace == Self.namespace else { throw Failure.notAuthenticated }
            guard let user = try directory.user(id: session.userID, documents: Self.namespace) else {
                throw Failure.notAuthenticated
            }
            // The directory's rules on every request: a disabled user, or one
            // who turned a second factor on since a password sign-in, is out.
            switch try host.sessionCheck(user, withSecondFactor: session.dataJSON == Origin.providerData) {
            case .accepted: return Caller(user: user, idHash: hash)
            case .denied:
                try? directory.deleteSession(tokenHash: hash)
                throw Failure.notAuthenticated
            case .secondFactorRequired:
                try? directory.deleteSession(tokenHash: hash)
                throw Failure.secondFactorRequired
            }
        } catch let f as Failure {
            throw f
        } catch {
            throw Failure.backend(error)
        }
    }

    func admin(_ request: Request) throws(Failure) -> Caller {
        let caller = try caller(request)
        guard caller.isAdmin else { throw Failure.adminOnly }
        return caller
    }

    /// Revokes one id (the one presented).
    func revoke(_ caller: Caller) throws {
        try directory.deleteSession(tokenHash: caller.idHash)
    }
}

/// The canonical roles Cortex Hub shows: "admin" (shared with other
/// dialects, e.g. MCSManager's permission 10) or "user".
enum Roles {
    static let admin = "admin"

    static func name(_ user: UserRecord) -> String { user.roles.contains(admin) ? "admin" : "user" }

    /// The role set with admin added or removed, other roles kept.
    static func with(_ roles: [String], admin isAdmin: Bool) -> [String] {
        var r = roles.filter { $0 != admin }
        if isAdmin { r.append(admin) }
        return r
    }
}
