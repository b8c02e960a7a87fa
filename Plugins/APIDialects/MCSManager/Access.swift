// Who is calling, decided the way the panel's permission middleware decides
// it: an API key (header X-Request-API-Key, else ?apikey=) wins; otherwise the
// session cookie, plus — on routes that need it — the X-Requested-With:
// XMLHttpRequest header and ?token=<the session's token>.
//
// Sessions: the cookie value (32 random bytes) is the session's secret; the
// store keeps only its SHA-256 (token_hash) and a random salt. The token the
// login returns is derived, never stored: hex(SHA-256(cookie ‖ salt))[0..32]
// followed by the issue time in ms (the panel's token is 32 hex + ms too).
// A token is useless without its cookie and vice versa, and a database dump
// reveals neither. API keys are stored as SHA-256 of the key only.
import PluginAPI
import PluginKit
import ProteusJSON

struct Session {
    var cookieHash: [UInt8]
    var record: SessionRecord
    var token: String
}

struct Caller {
    var user: UserRecord
    var session: Session?
    var viaAPIKey: Bool { session == nil }
    var level: Int { Permission.of(user) }
}

/// What a route asks of its caller (the panel's permission() parameters).
struct Requirement {
    /// nil: anyone (the panel's `level: null`).
    var level: Int?
    /// Session callers must send X-Requested-With and ?token= (the panel's `token: true`).
    var token: Bool

    static let open = Requirement(level: nil, token: false)
}

final class Access: @unchecked Sendable {
    static let namespace = PanelDocument.namespace

    let host: Host
    let options: MCSMOptions
    private let directory: Directory

    init(host: Host, options: MCSMOptions) {
        self.host = host
        self.directory = host.directory
        self.options = options
    }

    // MARK: the permission middleware

    /// The caller, or a 403 with the panel's message. nil only for open
    /// routes called without credentials.
    func authorize(_ request: Request, _ query: JSONObject, _ need: Requirement) throws(MCSMFailure) -> Caller? {
        if let key = Self.apiKey(request, query) {
            return try authorizeKey(key, need)
        }
        let session = try currentSession(request)
        if need.token {
            guard Self.isAjax(request) else { throw .forbidden(MCSMFailure.ajaxError) }
            let presented = query["token"]
            if let session {
                guard let given = presented.map(JSCoercion.string),
                      host.constantTimeEqual(Array(given.utf8), Array(session.token.utf8)) else {
                    throw .forbidden(MCSMFailure.tokenError)
                }
            } else if presented != nil {
                throw .forbidden(MCSMFailure.tokenError)
            }
        }
        guard let level = need.level else {
            guard let session else { return nil }
            // Open routes still learn who is signed in (logout, login's "Logined").
            if let user = try? loadUser(session.record.userID) { return Caller(user: user, session: session) }
            return nil
        }
        guard let session else { throw .forbidden(MCSMFailure.insufficientPermissions) }
        let found: UserRecord?
        do { found = try loadUser(session.record.userID) } catch { throw MCSMFailure.backend(error) }
        guard let user = found else { throw .forbidden(MCSMFailure.insufficientPermissions) }
        if user.isDisabled {
            // The panel signs a banned user out on their next request.
            try? directory.deleteSession(tokenHash: session.cookieHash)
            throw .forbidden(MCSMFailure.insufficientPermissions)
        }
        guard Permission.of(user) >= level else { throw .forbidden(MCSMFailure.insufficientPermissions) }
        return Caller(user: user, session: session)
    }

    private func authorizeKey(_ key: String, _ need: Requirement) throws(MCSMFailure) -> Caller {
        if options.apiKeys == .disabled { throw .forbidden(MCSMFailure.apiKeyDisabled) }
        guard let safe = PanelRules.safeKey(key) else { throw .forbidden(MCSMFailure.incorrectKey) }
        let user: UserRecord?
        do { user = try userForKey(safe) } catch { throw MCSMFailure.backend(error) }
        guard let user else { throw .forbidden(MCSMFailure.incorrectKey) }
        let level = Permission.of(user)
        if options.apiKeys == .onlyAdmin && level < Permission.admin { throw .forbidden(MCSMFailure.apiKeyDisabled) }
        guard level >= (need.level ?? 0) else { throw .forbidden(MCSMFailure.incorrectKey) }
        return Caller(user: user, session: nil)
    }

    /// The key's user, or nil for an unknown key (or another dialect's key):
    /// the key and its owner in one store call (apikey_owner).
    private func userForKey(_ key: String) throws -> UserRecord? {
        // The store records a key's use at most once per
        // PROTEUS_LAST_USED_RESOLUTION_MS, each key on its own clock (a "now"
        // rounded to the minute made every busy key write at the same
        // instant: a burst of writes at each minute's start).
        guard let found = try directory.apiKeyOwner(keyHash: host.sha256(Array(key.utf8)), now: host.nowMillis(),
                                                    documents: Self.namespace),
              found.key.namespace == Self.namespace else { return nil }
        return found.user
    }

    func loadUser(_ id: [UInt8]) throws -> UserRecord? {
        try directory.user(id: id, documents: Self.namespace)
    }

    /// The user and whether it holds a key of this dialect, to show: one
    /// store call the store may answer from memory (user_get_cached; every
    /// write through this host is seen at once).
    func shownUser(_ id: [UInt8]) throws -> (user: UserRecord, holdsKey: Bool)? {
        try directory.shownUserWithKeyPresence(id: id, documents: Self.namespace, keyNamespace: Self.namespace)
    }

    /// The panel reads X-Request-API-Key first, then ?apikey=; empty means absent.
    static func apiKey(_ request: Request, _ query: JSONObject) -> String? {
        if let h = request.header("x-request-api-key"), !h.isEmpty { return h }
        if let q = query["apikey"] {
            let s = JSCoercion.string(q)
            if !s.isEmpty { return s }
        }
        return nil
    }

    static func isAjax(_ request: Request) -> Bool {
        request.header("x-requested-with")?.lowercased() == "xmlhttprequest"
    }

    // MARK: sessions

    /// The session named by the request's cookie, when it is valid.
    func currentSession(_ request: Request) throws(MCSMFailure) -> Session? {
        guard let value = Self.cookie(request, options.sessionCookie), !value.isEmpty, value.utf8.count <= 256 else { return nil }
        let hash = SecretToken.hash(value, host)
        let record: SessionRecord?
        do { record = try directory.session(tokenHash: hash, now: host.nowMillis()) } catch { throw MCSMFailure.backend(error) }
        guard let record, record.namespace == Self.namespace,
              let data = record.dataJSON.flatMap({ try? JSONParser.parse($0) }),
              let salt = data["salt"]?.stringValue.flatMap(Hex.decode),
              let issued = data["issued"]?.numberValue?.int64 else { return nil }
        return Session(cookieHash: hash, record: record, token: Self.token(cookie: value, salt: salt, issued: issued, host: host))
    }

    static func token(cookie: String, salt: [UInt8], issued: Int64, host: Host) -> String {
        Hex.encode(host.sha256(Array(cookie.utf8) + salt).prefix(16)) + String(issued)
    }

    /// Starts a session for `user`: stores it and sets the cookie. Returns the token.
    func startSession(for userID: [UInt8], _ request: Request, _ response: Response) throws -> String {
        let cookie = try SecretToken.generate(host)
        let cookieValue = cookie.text
        let salt = try host.randomBytes(16)
        let now = host.nowMillis()
        var record = SessionRecord(tokenHash: cookie.hash, userID: userID, namespace: Self.namespace)
        record.createdAt = now
        record.expiresAt = now + options.sessionTTLSeconds * 1000
        record.dataJSON = JSONValue.object(["salt": .string(Hex.encode(salt)), "issued": .number(JSONNumber(now))]).serialized()
        try directory.createSession(record)
        response.header("Set-Cookie", "\(options.sessionCookie)=\(cookieValue); Path=\(cookiePath(request)); Max-Age=\(options.sessionTTLSeconds); HttpOnly; SameSite=Lax")
        return Self.token(cookie: cookieValue, salt: salt, issued: now, host: host)
    }

    /// Ends the request's session (if any) and clears the cookie.
    func endSession(_ request: Request, _ response: Response, _ session: Session?) {
        if let session { try? directory.deleteSession(tokenHash: session.cookieHash) }
        if Self.cookie(request, options.sessionCookie) != nil {
            response.header("Set-Cookie", "\(options.sessionCookie)=; Path=\(cookiePath(request)); Max-Age=0; HttpOnly; SameSite=Lax")
        }
    }

    private func cookiePath(_ request: Request) -> String {
        let mount = request.raw.pointee.mount.string ?? "/"
        return mount.isEmpty ? "/" : mount
    }

    /// A cookie's value from the Cookie header(s).
    static func cookie(_ request: Request, _ name: String) -> String? {
        for i in 0..<Int(request.raw.pointee.header_count) {
            let h = request.raw.pointee.headers[i]
            guard let headerName = h.name.string, headerName.lowercased() == "cookie", let value = h.value.string else { continue }
            for part in value.split(separator: ";") {
                let pair = String(part).trimmingSpacesAndTabs()
                guard let eq = pair.firstIndex(of: "=") else { continue }
                if pair[..<eq] == name {
                    var v = String(pair[pair.index(after: eq)...])
                    if v.hasPrefix("\"") && v.hasSuffix("\"") && v.count >= 2 { v = String(v.dropFirst().dropLast()) }
                    return v
                }
            }
        }
        return nil
    }
}
