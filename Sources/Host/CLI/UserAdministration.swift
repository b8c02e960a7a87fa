// The user operations behind `proteus user` (UserCommand), through the
// store contract and the password auth method, as a dialect would do them.
// Every change is recorded in the store's audit log (source "cli", actor
// "cli:<login name>"; CLIAudit in AuditCommand.swift).
import PluginAPI
import PluginKit
import ProteusJSON

/// The user operations behind `proteus user`, through the store contract.
struct UserAdministration {
    let host: Host
    var directory: Directory { host.directory }
    /// Optimistic writes (version checked) are retried this often on STALE.
    private static let writeAttempts = 4

    /// Creates the user; returns its id (32 hex digits, as `list` shows it).
    func add(username: String, email: String?, roles: [String], password: String) throws -> String {
        guard try directory.user(username: username) == nil else { throw HostError("a user named \"\(username)\" already exists") }
        try ensureRoles(roles)
        var record = UserRecord(id: proteus_id(randomBytes: try host.randomBytes(16)).byteArray)
        record.username = username
        record.email = email
        record.roles = roles
        record.passwordHash = try hash(password)
        record.createdAt = host.nowMillis()
        record.updatedAt = record.createdAt
        do { try directory.createUser(record) } catch let e as PluginError where e.code == PROTEUS_E_CONFLICT {
            throw HostError("cannot add \"\(username)\": \(e.message)")
        }
        CLIAudit.record(directory, "user.create", target: record, detail: JSONObjectText([("roles", .array(roles.map { .string($0) }))]))
        return proteus_id(byteArray: record.id).compactHex
    }

    /// One line per user, in creation order: id, username, email, roles
    /// (comma-separated), disabled (true/false), separated by tabs.
    func list(search: String?) throws -> [String] {
        var query = UserQuery()
        if let search {
            query.usernameFolded = search
            query.usernameFoldedMatch = PROTEUS_MATCH_CONTAINS
        }
        return try directory.allUsers(query).map { u in
            [proteus_id(byteArray: u.id).compactHex, Self.field(u.username ?? ""), Self.field(u.email ?? ""),
             u.roles.sorted().joined(separator: ","), u.isDisabled ? "true" : "false"].joined(separator: "\t")
        }
    }

    /// A new password; every session of the user ends.
    func setPassword(_ name: String, _ password: String) throws -> (UserRecord, UInt64) {
        let user = try find(name)
        var changes = UserRecord(id: user.id)
        changes.passwordHash = try hash(password)
        try write(user.id) { _ in (changes, PROTEUS_FIELD_PASSWORD_HASH) }
        let ended = try directory.deleteSessions(userID: user.id, namespace: nil)
        CLIAudit.record(directory, "user.password", target: user, detail: JSONObjectText([("sessionsEnded", JSONValue(ended))]))
        return (user, ended)
    }

    /// Sets or clears the disabled flag (other flags kept); disabling ends
    /// every session of the user.
    func setDisabled(_ name: String, _ disabled: Bool) throws -> (UserRecord, UInt64) {
        let user = try find(name)
        try write(user.id) { current in
            var changes = UserRecord(id: current.id)
            changes.flags = disabled ? current.flags | PROTEUS_USER_DISABLED : current.flags & ~PROTEUS_USER_DISABLED
            return (changes, PROTEUS_FIELD_FLAGS)
        }
        let ended = disabled ? try directory.deleteSessions(userID: user.id, namespace: nil) : 0
        CLIAudit.record(directory, disabled ? "user.disable" : "user.enable", target: user,
                        detail: disabled ? JSONObjectText([("sessionsEnded", JSONValue(ended))]) : nil)
        return (user, ended)
    }

    func delete(_ name: String) throws -> UserRecord {
        let user = try find(name)
        do { try directory.deleteUser(id: user.id) } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
            throw HostError("no user \"\(name)\" (deleted meanwhile)")
        }
        CLIAudit.record(directory, "user.delete", target: user)
        return user
    }

    /// Replaces the user's roles with `roles`.
    func setRoles(_ name: String, _ roles: [String]) throws -> UserRecord {
        let user = try find(name)
        try ensureRoles(roles)
        var changes = UserRecord(id: user.id)
        changes.roles = roles
        try write(user.id) { _ in (changes, PROTEUS_FIELD_ROLES) }
        CLIAudit.record(directory, "user.roles", target: user,
                        detail: JSONObjectText([("roles", .array(roles.map { .string($0) })), ("was", .array(user.roles.sorted().map { .string($0) }))]))
        return user
    }

    func endSessions(_ name: String) throws -> (UserRecord, UInt64) {
        let user = try find(name)
        let ended = try directory.deleteSessions(userID: user.id, namespace: nil)
        CLIAudit.record(directory, "user.sessions_revoke", target: user, detail: JSONObjectText([("sessionsEnded", JSONValue(ended))]))
        return (user, ended)
    }

    // MARK: helpers

    /// The user named `name`, else the user whose id it is (32 hex digits
    /// or a dashed UUID: accounts made through AIOStreams have no username).
    private func find(_ name: String) throws -> UserRecord {
        if let user = try directory.user(username: name) { return user }
        if let id = proteus_id(compactHex: name) ?? proteus_id(dashedUUID: name), let user = try directory.user(id: id.byteArray) {
            return user
        }
        throw HostError("no user \"\(name)\" (neither a username nor an id in the directory)")
    }

    /// Writes the fields `change` returns for the current record, checking
    /// its version; re-read and retried when another writer came first.
    private func write(_ id: [UInt8], _ change: (UserRecord) throws -> (UserRecord, UInt64)) throws {
        for attempt in 1...Self.writeAttempts {
            guard let current = try directory.user(id: id) else { throw HostError("the user was deleted meanwhile") }
            let (changes, fields) = try change(current)
            do {
                try directory.updateUser(changes, fields: fields, expectedVersion: current.version)
                return
            } catch let e as PluginError where e.code == PROTEUS_E_STALE && attempt < Self.writeAttempts {
                continue
            } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
                throw HostError("the user was deleted meanwhile")
            }
        }
    }

    /// `admin` is created when missing, as every dialect does; any other
    /// slug must already be a role of the directory (dialects make theirs).
    private func ensureRoles(_ roles: [String]) throws {
        let existing = Set(try directory.roles().map(\.slug))
        if roles.contains(UserCommand.adminRole), !existing.contains(UserCommand.adminRole) {
            try directory.putRole(RoleRecord(slug: UserCommand.adminRole, name: "Administrator"))
        }
        let unknown = roles.filter { $0 != UserCommand.adminRole && !existing.contains($0) }
        guard unknown.isEmpty else {
            let known = existing.union([UserCommand.adminRole]).sorted().joined(separator: ", ")
            throw HostError("unknown role\(unknown.count > 1 ? "s" : "") \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")) (roles of this directory: \(known))")
        }
    }

    /// The verifier of `password` from the configured "password" method.
    private func hash(_ password: String) throws -> String {
        do { return try host.enroll(method: "password", secret: password) } catch {
            switch error.code {
            case PROTEUS_E_UNSUPPORTED: throw HostError("the config has no \"password\" auth method to hash the password with (\(error.message))")
            case PROTEUS_E_INVALID, PROTEUS_E_TOO_LARGE: throw HostError("the password was refused: \(error.message)")
            default: throw error
            }
        }
    }

    /// A user as messages name it: the username, else the id.
    static func shown(_ user: UserRecord) -> String {
        if let name = user.username, !name.isEmpty { return "\"\(name)\"" }
        return proteus_id(byteArray: user.id).compactHex
    }

    /// A list field on one line: tabs, line breaks and backslashes escaped.
    static func field(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
