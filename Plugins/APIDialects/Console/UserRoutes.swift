// Users: search as you type, one user's detail, and the actions on a user
// (disable, enable, reset password, turn off MFA, revoke sessions, delete),
// each written the way `proteus user` writes it (UserAdministration):
// optimistic writes retried on STALE, and every session of the user ended
// wherever a password change or a disable must end them.
import PluginAPI
import PluginKit
import ProteusJSON

final class UserRoutes: @unchecked Sendable {
    let host: Host
    let sessions: ConsoleSessions
    private let directory: Directory
    private static let writeAttempts = 4

    init(host: Host, sessions: ConsoleSessions) {
        self.host = host
        self.sessions = sessions
        self.directory = host.directory
    }

    // MARK: GET /api/users?q=&after=&limit= (or &offset=)

    /// One page of users by username. The text is matched ASCII-case-
    /// insensitively from the store's folded-username index (ABI 2.3/2.4):
    /// one or two characters as the start of the name (a range of the
    /// index), three or more anywhere in it (the trigram index), so a
    /// keystroke's search stays an index lookup at a million users.
    /// Pages follow each other by keyset (ABI 2.6 after_username): `after`
    /// is the `next` of the page before, a range start of the username
    /// index, so a deep page costs what the first does. `offset` still
    /// works (it skips rows, from the cursor if there is one); a page that
    /// ends on a user without a username answers `nextOffset` instead, as
    /// does every page over a store built against 2.5 or older.
    func search(_ request: Request, _ response: Response) throws {
        _ = try sessions.authorize(request, change: false)
        let text = request.query("q") ?? ""
        guard text.utf8.count <= 256 else { throw ConsoleFailure.badRequest("The search text is longer than 256 bytes.") }
        let after = request.query("after")
        if let after, after.utf8.count > PROTEUS_USERNAME_MAX {
            throw ConsoleFailure.badRequest("\"after\" is longer than a username (\(PROTEUS_USERNAME_MAX) bytes).")
        }
        let offset = try Self.integer(request, "offset", default: 0, in: 0...1_000_000_000)
        let limit = try Self.integer(request, "limit", default: 25, in: 1...100)
        var query = UserQuery()
        if !text.isEmpty {
            query.usernameFolded = text
            query.usernameFoldedMatch = text.utf8.count >= 3 ? PROTEUS_MATCH_CONTAINS : PROTEUS_MATCH_PREFIX
        }
        query.order = PROTEUS_ORDER_USERNAME
        query.offset = UInt64(offset)
        // One more than shown: whether a next page exists, without a count.
        query.limit = UInt32(limit + 1)
        // A store built against 2.5 or older reads neither a cursor nor a
        // cap: its pages go by offset, with exact totals.
        let keyset = directory.client.readsKeysetQueries
        if keyset {
            query.afterUsername = after
            // Past the cap the page says "at least" (ABI 2.6 total_cap): a
            // keystroke matching a million users costs what the cap does.
            query.totalCap = sessions.options.searchTotalCap
        } else if after != nil {
            throw ConsoleFailure.badRequest("\"after\" needs a store built against ABI 2.6 or later: page with \"offset\".")
        }
        let page = try directory.searchUsers(query)
        let shown = Array(page.users.prefix(limit))
        // The next page starts after the last name shown. Users without a
        // username (AIOStreams' own) sort first and no cursor can name
        // them: while a page ends among them it continues by offset.
        var next = JSONValue.null, nextOffset = JSONValue.null
        if page.users.count > limit {
            if keyset, let name = shown.last?.username { next = .string(name) } else { nextOffset = .number(JSONNumber(offset + limit)) }
        }
        let groups = try groupNames(of: shown)
        ConsoleDialect.send(response, .object([
            "total": .number(JSONNumber(page.total)),
            "totalAtLeast": .bool(page.totalIsLowerBound),
            "offset": .number(JSONNumber(offset)),
            "after": UserView.optional(after),
            "limit": .number(JSONNumber(limit)),
            "next": next,
            "nextOffset": nextOffset,
            "match": .string(text.isEmpty ? "all" : text.utf8.count >= 3 ? "contains" : "prefix"),
            "users": .array(shown.map { UserView.summary($0, groups: groups) }),
        ]))
    }

    private static func integer(_ request: Request, _ name: String, default value: Int, in range: ClosedRange<Int>) throws(ConsoleFailure) -> Int {
        guard let text = request.query(name) else { return value }
        guard let n = Int(text), range.contains(n) else {
            throw .badRequest("\"\(name)\" must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return n
    }

    /// The names of the groups `users` belong to: a point read per distinct
    /// group (none for ungrouped users), never a list of every group on a
    /// keystroke's path.
    private func groupNames(of users: [UserRecord]) throws -> [[UInt8]: String] {
        var names: [[UInt8]: String] = [:]
        for id in Set(users.compactMap(\.groupID)) {
            do { names[id] = try directory.client.getGroup(id).name } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
                continue   // deleted meanwhile: shown without a name
            }
        }
        return names
    }

    // MARK: GET /api/users/{id}

    func detail(_ request: Request, _ response: Response) throws {
        _ = try sessions.authorize(request, change: false)
        let id = try Self.userID(request)
        guard let user = try directory.user(id: id, documents: PROTEUS_DOCS_ALL) else { throw ConsoleFailure.noSuchUser }
        let keys = try directory.client.listKeys(user: user.id)
        // Live sessions (ABI 2.6); unknown (null) from an older store.
        var sessionCount: UInt64?
        do { sessionCount = try directory.sessionCount(userID: user.id, now: directory.client.now) } catch let e as PluginError where e.code == PROTEUS_E_UNSUPPORTED {}
        ConsoleDialect.send(response, UserView.detail(user, groups: try groupNames(of: [user]), apiKeys: keys, sessions: sessionCount))
    }

    /// The {id} parameter: 32 hex digits (or a dashed UUID).
    static func userID(_ request: Request) throws(ConsoleFailure) -> [UInt8] {
        let text = request.parameters.first ?? ""
        guard let id = proteus_id(compactHex: text) ?? proteus_id(dashedUUID: text) else {
            throw .badRequest("\"\(text.prefix(80))\" is not a user id (32 hex digits).")
        }
        return id.byteArray
    }

    // MARK: POST /api/users/{id}/{action}

    enum Action: String, CaseIterable {
        case disable, enable, resetPassword = "reset-password", turnOffMFA = "turn-off-mfa", revokeSessions = "revoke-sessions"

        /// The audit log's name for it (the names every dialect and the CLI use).
        var auditAction: String {
            switch self {
            case .disable: return "user.disable"
            case .enable: return "user.enable"
            case .resetPassword: return "user.password"
            case .turnOffMFA: return "user.mfa_off"
            case .revokeSessions: return "user.sessions_revoke"
            }
        }
    }

    func action(_ request: Request, _ response: Response) throws {
        let caller = try sessions.authorize(request, change: true)
        let name = request.parameters.count > 1 ? request.parameters[1] : ""
        guard let action = Action(rawValue: name) else {
            throw ConsoleFailure(404, "not_found", "No action \"\(name.prefix(80))\" (actions: \(Action.allCases.map(\.rawValue).joined(separator: ", "))).")
        }
        let id = try Self.userID(request)
        // A body is read only where the action takes one; it must then be right.
        var password: String?
        if action == .resetPassword {
            let body = try RequestBody.object(request, limit: sessions.options.maxBodyBytes)
            try RequestBody.only(body, ["password"])
            let value = try RequestBody.string(body, "password", maxBytes: 4096)
            guard !value.isEmpty else { throw ConsoleFailure.badRequest("The new password is empty.") }
            password = value
        } else if !request.bodyIsEmpty {
            let body = try RequestBody.object(request, limit: sessions.options.maxBodyBytes)
            try RequestBody.only(body, [])
        }
        guard let user = try directory.user(id: id) else { throw ConsoleFailure.noSuchUser }
        // One's own password and second factor change with proof beyond the
        // session (the Security page asks for the password or a code): a
        // stolen session must not take the account over from here.
        if user.id == caller.user.id, action == .resetPassword || action == .turnOffMFA {
            throw ConsoleFailure(409, "self", action == .turnOffMFA
                ? "Turn off your own MFA on the Security page (it asks for your password or a code)."
                : "Your own password is not reset from the console: use `proteus user passwd` or a dialect that asks for the current one.")
        }
        var result: JSONObject = ["action": .string(action.rawValue)]
        switch action {
        case .disable:
            guard user.id != caller.user.id else {
                throw ConsoleFailure(409, "self", "You cannot disable your own account from the console.")
            }
            try write(id, guardRole: ConsoleSessions.adminRole) { current in
                var changes = UserRecord(id: current.id)
                changes.flags = current.flags | PROTEUS_USER_DISABLED
                return (changes, PROTEUS_FIELD_FLAGS)
            }
            result["sessionsEnded"] = .number(JSONNumber(try directory.deleteSessions(userID: id, namespace: nil)))
        case .enable:
            try write(id) { current in
                var changes = UserRecord(id: current.id)
                changes.flags = current.flags & ~PROTEUS_USER_DISABLED
                return (changes, PROTEUS_FIELD_FLAGS)
            }
        case .resetPassword:
            let hash: String
            do { hash = try host.enroll(method: "password", secret: password ?? "") } catch {
                switch error.code {
                case PROTEUS_E_INVALID, PROTEUS_E_TOO_LARGE: throw ConsoleFailure.badRequest("The password was refused: \(error.message)")
                default: throw error
                }
            }
            try write(id) { current in
                var changes = UserRecord(id: current.id)
                changes.passwordHash = hash
                return (changes, PROTEUS_FIELD_PASSWORD_HASH)
            }
            // As `proteus user passwd`: the change ends the user's sessions
            // in every dialect (LISTEN.moe's tokens end with the password).
            result["sessionsEnded"] = .number(JSONNumber(try directory.deleteSessions(userID: id, namespace: nil)))
        case .turnOffMFA:
            try write(id) { current in
                var changes = UserRecord(id: current.id)
                changes.flags = current.flags & ~PROTEUS_USER_MFA_ENABLED
                changes.mfaSecret = nil
                changes.mfaLastStep = 0
                return (changes, PROTEUS_FIELD_FLAGS | PROTEUS_FIELD_MFA)
            }
        case .revokeSessions:
            result["sessionsEnded"] = .number(JSONNumber(try directory.deleteSessions(userID: id, namespace: nil)))
        }
        guard let after = try directory.user(id: id) else { throw ConsoleFailure.noSuchUser }
        host.audit(by: caller.user, action.auditAction, target: after,
                   detail: result["sessionsEnded"].map { JSONValue.object(["sessionsEnded": $0]).serialized() })
        result["user"] = UserView.summary(after, groups: try groupNames(of: [after]))
        ConsoleDialect.send(response, .object(result))
    }

    // MARK: DELETE /api/users/{id}

    func delete(_ request: Request, _ response: Response) throws {
        let caller = try sessions.authorize(request, change: true)
        let id = try Self.userID(request)
        guard id != caller.user.id else { throw ConsoleFailure(409, "self", "You cannot delete your own account from the console.") }
        guard let target = try directory.user(id: id) else { throw ConsoleFailure.noSuchUser }
        do { try directory.deleteUser(id: id, guardRole: ConsoleSessions.adminRole) } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
            throw ConsoleFailure.noSuchUser
        }
        host.audit(by: caller.user, "user.delete", target: target)
        ConsoleDialect.send(response, .object(["deleted": .string(proteus_id(byteArray: id).compactHex)]))
    }

    /// Writes the fields `change` returns for the current record, checking
    /// its version; re-read and retried when another writer came first.
    private func write(_ id: [UInt8], guardRole: String? = nil, _ change: (UserRecord) throws -> (UserRecord, UInt64)) throws {
        for attempt in 1...Self.writeAttempts {
            guard let current = try directory.user(id: id) else { throw ConsoleFailure.noSuchUser }
            let (changes, fields) = try change(current)
            do {
                try directory.updateUser(changes, fields: fields, expectedVersion: current.version, guardRole: guardRole)
                return
            } catch let e as PluginError where e.code == PROTEUS_E_STALE && attempt < Self.writeAttempts {
                continue
            } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
                throw ConsoleFailure.noSuchUser
            }
        }
    }
}

/// Users as the page shows them.
enum UserView {
    static func summary(_ user: UserRecord, groups: [[UInt8]: String]) -> JSONValue {
        var o: JSONObject = [
            "id": .string(proteus_id(byteArray: user.id).compactHex),
            "username": optional(user.username),
            "email": optional(user.email),
            "displayName": optional(user.displayName),
            "disabled": .bool(user.isDisabled),
            "mfa": .bool(user.isMFAEnabled),
            "roles": .array(user.roles.sorted().map(JSONValue.string)),
        ]
        if let group = user.groupID {
            o["group"] = .object(["id": .string(Hex.encode(group)), "name": optional(groups[group])])
        } else {
            o["group"] = .null
        }
        return .object(o)
    }

    /// `sessions`: the live session count, nil when the store cannot count
    /// (built before ABI 2.6).
    static func detail(_ user: UserRecord, groups: [[UInt8]: String], apiKeys: [APIKeyRecord], sessions: UInt64?) -> JSONValue {
        guard case .object(var o) = summary(user, groups: groups) else { return .null }
        o["version"] = .number(JSONNumber(user.version))
        o["createdAt"] = time(user.createdAt)
        o["updatedAt"] = time(user.updatedAt)
        o["loginAt"] = time(user.loginAt)
        o["hasPassword"] = .bool(user.passwordHash != nil)
        o["sessions"] = sessions.map { .number(JSONNumber($0)) } ?? .null
        o["apiKeys"] = .number(JSONNumber(apiKeys.count))
        o["apiKeysByDialect"] = .object(JSONObject(Dictionary(grouping: apiKeys, by: \.namespace)
            .map { ($0.key, JSONValue.number(JSONNumber($0.value.count))) }.sorted { $0.0 < $1.0 }))
        var documents = JSONObject()
        for doc in user.documents.sorted(by: { $0.namespace < $1.namespace }) {
            guard let json = doc.json else { continue }
            documents[doc.namespace] = (try? JSONParser.parse(json)) ?? .string(json)
        }
        o["documents"] = .object(documents)
        return .object(o)
    }

    static func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }

    static func time(_ ms: Int64) -> JSONValue { ms > 0 ? .string(ISOTime.format(millis: ms)) : .null }
}
