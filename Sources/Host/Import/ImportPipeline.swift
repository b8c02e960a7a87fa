// The import pipeline the generic sources share (`proteus import csv |
// keycloak | kratos`), written once: a source parses its file into users
// mapped to the directory's model (or malformed items with their position
// and why); the pipeline checks them against the directory and writes each
// user atomically through the store contract, as a dialect would.
//
//   * New users: one users_import transaction per batch (all or nothing; a
//     batch the store refuses is retried user by user, so one bad user never
//     takes its neighbours down).
//   * Users already present — the same id, else the same username — are
//     rewritten only where the source differs, in one user_update per user
//     (a field mask, the version read checked), else counted unchanged. The
//     source wins for the fields it carries: username, email and display
//     name when it has them, the disabled flag (keycloak, kratos), roles and
//     the group. The password is compared with what the last import of this
//     user stored (a digest in the user's "import" document), not with the
//     stored hash: a password re-hashed with argon2id at sign-in stays, and a
//     password changed in the source replaces it. An update that changes the
//     password or disables the user ends its sessions, as `proteus user
//     passwd` and `disable` do.
//   * A password hash is kept as it is when its format is recognised
//     (PasswordHashFormat), and the user is imported WITHOUT a password when
//     it is not: reported, never a guessable stand-in. A Kratos cleartext
//     password is hashed by the configured "password" method (argon2id).
//   * A dry run does all of the above but the writes (and the hashing of
//     cleartext passwords), and reports the same summary.
import PluginAPI
import PluginKit
import ProteusJSON

/// One user as a source has it, mapped to the directory's model.
struct ImportedUser {
    /// Where it is in the source: "line 7", "users[3] (alice)".
    var position: String
    var id: [UInt8]?
    var username: String
    var email: String?
    var displayName: String?
    /// The password verifier as the source gives it (after the source's own
    /// conversions), nil when the user has none.
    var passwordHash: String?
    /// A cleartext password (Kratos' import format), hashed on import.
    var cleartextPassword: String?
    /// Role slugs; nil when the source says nothing about roles.
    var roles: [String]?
    /// Group names (paths), the first one kept.
    var groups: [String] = []
    /// nil when the source says nothing about it.
    var disabled: Bool?
    var createdAt: Int64?
    /// Lines for the operator about this user (e.g. a credential left out).
    var notes: [String] = []

    init(position: String, username: String) {
        self.position = position
        self.username = username
    }
}

/// What a source yields: a user, or a malformed item and why (`kind` is the
/// reason as the summary counts it, `reason` the line printed).
enum ImportItem {
    case user(ImportedUser)
    case malformed(position: String, kind: String, reason: String)
}

/// A generic source: reads a whole file. Throws HostError when the file is
/// unusable as a whole (unreadable, not the format, a bad CSV header).
protocol ImportSource {
    /// How roles the directory does not know are treated: `strict` skips the
    /// user (the CSV names canonical slugs), `drop` leaves the role out and
    /// reports it (Keycloak's realm roles such as offline_access).
    var unknownRoles: ImportPipeline.UnknownRoles { get }
    func read(_ path: String) throws -> [ImportItem]
}

final class ImportPipeline {
    enum UnknownRoles { case strict, drop }

    struct Settings {
        var source: String
        var dryRun = false
        var firebase: PasswordHashFormat.FirebaseKeys?
        var batchSize = 500
    }

    /// The "import" document of a user the import wrote: which source, and
    /// a digest of the password it was given (to tell a password changed in
    /// the source from one re-hashed here).
    static let documentNamespace = "import"
    static let adminRole = "admin"

    private let host: Host
    private let directory: Directory
    private let settings: Settings
    private let progress: ProgressReporter
    private var summary = ImportSummary()
    private var knownRoles: Set<String> = []
    private var groupIDs: [String: [UInt8]] = [:]
    private var droppedRoles: [String: UInt64] = [:]
    private var createdGroups: [String] = []

    init(host: Host, settings: Settings, progress: ProgressReporter) {
        self.host = host
        self.directory = host.directory
        self.settings = settings
        self.progress = progress
    }

    /// A user ready to write.
    private struct Candidate {
        var user: ImportedUser
        var record: UserRecord
        var digest: String?
        /// A cleartext password, hashed (argon2id) only when it is written.
        var cleartext: String?
    }

    func run(_ source: ImportSource, path: String) throws -> ImportSummary {
        let items = try source.read(path)
        knownRoles = Set(try directory.roles().map(\.slug))
        for g in try directory.groups() { groupIDs[g.name] = g.id }
        let total = UInt64(items.count)
        var seenNames: [String: String] = [:]
        var seenIDs: [[UInt8]: String] = [:]
        var batch: [Candidate] = []
        var done: UInt64 = 0
        progress.update(done: 0, total: total)
        for item in items {
            done += 1
            switch item {
            case .malformed(let position, let kind, let reason):
                skip(position, kind: kind, reason: reason)
            case .user(let user):
                do {
                    if let first = seenNames[user.username] {
                        throw Malformed("a duplicate in the source", "username \"\(user.username)\" already at \(first)")
                    }
                    if let id = user.id, let first = seenIDs[id] {
                        throw Malformed("a duplicate in the source", "id already at \(first)")
                    }
                    let candidate = try prepare(user, source: source)
                    seenNames[user.username] = user.position
                    if let id = user.id { seenIDs[id] = user.position }
                    batch.append(candidate)
                } catch let m as Malformed {
                    skip(user.position, kind: m.kind, reason: m.reason)
                }
            }
            if batch.count >= settings.batchSize {
                try write(batch)
                batch.removeAll(keepingCapacity: true)
                progress.update(done: done, total: total)
            }
        }
        try write(batch)
        progress.update(done: total, total: total)
        if !droppedRoles.isEmpty {
            let list = droppedRoles.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
            summary.notes.append("roles the directory does not have, left out: \(list)")
        }
        if !createdGroups.isEmpty {
            summary.notes.append("groups \(settings.dryRun ? "to create" : "created"): \(createdGroups.joined(separator: ", "))")
        }
        return summary
    }

    private struct Malformed: Error {
        var kind: String
        var reason: String
        init(_ kind: String, _ reason: String) { self.kind = kind; self.reason = reason }
    }

    private func skip(_ position: String, kind: String, reason: String) {
        summary.skip(reason: kind)
        progress.note("\(position): skipped: \(reason)")
    }

    // MARK: mapping

    private func prepare(_ user: ImportedUser, source: ImportSource) throws -> Candidate {
        var user = user
        let name = user.username
        guard !name.isEmpty else { throw Malformed("no username", "no username") }
        guard name.utf8.count <= Int(PROTEUS_USERNAME_MAX), !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw Malformed("an invalid username", "the username is longer than \(PROTEUS_USERNAME_MAX) bytes or holds control characters")
        }
        if let email = user.email {
            if email.isEmpty { user.email = nil } else if !email.contains("@") || email.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) {
                throw Malformed("an invalid email", "\"\(email)\" is not an email address")
            }
        }
        if user.displayName?.isEmpty == true { user.displayName = nil }

        let id = try user.id ?? proteus_id(randomBytes: host.randomBytes(16)).byteArray
        var record = UserRecord(id: id)
        record.username = name
        record.email = user.email
        record.displayName = user.displayName
        if user.disabled == true { record.flags |= PROTEUS_USER_DISABLED }

        if var roles = user.roles {
            var kept: [String] = []
            for role in roles where !kept.contains(role) {
                if knownRoles.contains(role) || role == Self.adminRole {
                    kept.append(role)
                } else if source.unknownRoles == .strict {
                    throw Malformed("an unknown role", "unknown role \"\(role)\" (roles of this directory: \(knownRoles.union([Self.adminRole]).sorted().joined(separator: ", ")))")
                } else {
                    droppedRoles[role, default: 0] += 1
                }
            }
            roles = kept
            if roles.contains(Self.adminRole) && !knownRoles.contains(Self.adminRole) {
                if !settings.dryRun { try directory.putRole(RoleRecord(slug: Self.adminRole, name: "Administrator")) }
                knownRoles.insert(Self.adminRole)
            }
            record.roles = roles
        }

        if let group = user.groups.first {
            if user.groups.count > 1 {
                progress.note("\(user.position): in \(user.groups.count) groups; the directory holds one per user: kept \(group), dropped \(user.groups.dropFirst().joined(separator: ", "))")
                summary.notes.append("\(user.position): groups dropped: \(user.groups.dropFirst().joined(separator: ", "))")
            }
            record.groupID = try groupID(group)
        }

        // The password.
        var digest: String?
        if let clear = user.cleartextPassword {
            summary.hashFormats["cleartext (hashed with argon2id)", default: 0] += 1
            digest = Self.digest(try host.mac(purpose: "import.cleartext", message: Array(clear.utf8)))
        } else if let given = user.passwordHash, !given.isEmpty {
            let hash = PasswordHashFormat.completeFirebase(given, settings.firebase)
            digest = Self.digest(host.sha256(Array(hash.utf8)))
            if let format = PasswordHashFormat.classify(hash) {
                summary.hashFormats[format, default: 0] += 1
                record.passwordHash = hash
            } else {
                summary.hashFormats["unknown", default: 0] += 1
                let why = hash.hasPrefix("$firescrypt$")
                    ? "a Firebase scrypt hash without the project's keys (give --firebase-signer-key and --firebase-salt-separator)"
                    : "a password hash of an unknown format"
                progress.note("\(user.position): \(why): imported without a password")
            }
        } else {
            summary.hashFormats["none", default: 0] += 1
        }
        for note in user.notes { progress.note("\(user.position): \(note)") }

        let now = host.nowMillis()
        record.createdAt = user.createdAt ?? now
        record.updatedAt = now
        record.version = 1
        var doc = JSONObject()
        doc["source"] = .string(settings.source)
        if let digest { doc["password"] = .string(digest) }
        record.documents = [DocumentRecord(namespace: Self.documentNamespace, json: JSONValue.object(doc).serialized())]
        return Candidate(user: user, record: record, digest: digest, cleartext: user.cleartextPassword)
    }

    /// 32 hex digits of a SHA-256 (or, for a cleartext password, of a MAC
    /// under the server key: never a fast unkeyed hash of a password).
    /// `c` with its cleartext password hashed by the password method, for a
    /// write: a new user or a changed password (a re-run of an unchanged one
    /// pays no KDF). nil when the method refuses it: the user is skipped.
    private func hashingCleartext(_ c: Candidate) -> Candidate? {
        guard let clear = c.cleartext, c.record.passwordHash == nil, !settings.dryRun else { return c }
        var c = c
        do { c.record.passwordHash = try host.enroll(method: "password", secret: clear) } catch {
            skip(c.user.position, kind: "a password the password method refused", reason: "the cleartext password was refused: \(error.message)")
            return nil
        }
        return c
    }

    private static func digest(_ bytes: [UInt8]) -> String { Hex.encode(Array(bytes.prefix(16)), dashesAt: []) }

    /// The id of the group named `name`, created when missing (not in a dry run).
    private func groupID(_ name: String) throws -> [UInt8] {
        if let id = groupIDs[name] { return id }
        let id = proteus_id(randomBytes: try host.randomBytes(16)).byteArray
        if !settings.dryRun {
            var group = GroupRecord(id: id, name: name)
            group.createdAt = host.nowMillis()
            group.updatedAt = group.createdAt
            do { try directory.client.createGroup(group) } catch let e as PluginError where e.code == PROTEUS_E_CONFLICT {
                // Made meanwhile by someone else: use theirs.
                if let other = try directory.groups().first(where: { $0.name == name }) { groupIDs[name] = other.id; return other.id }
                throw e
            }
        }
        createdGroups.append(name)
        groupIDs[name] = id
        return id
    }

    // MARK: writing

    private func write(_ batch: [Candidate]) throws {
        guard !batch.isEmpty else { return }
        var fresh: [Candidate] = []
        for c in batch {
            let existing = try find(c)
            guard let existing else {
                if let hashed = hashingCleartext(c) { fresh.append(hashed) }
                continue
            }
            try update(existing, with: c)
        }
        guard !fresh.isEmpty else { return }
        if settings.dryRun {
            summary.imported += UInt64(fresh.count)
            return
        }
        for (c, refusal) in zip(fresh, try directory.importUsersReportingRefusals(fresh.map(\.record))) {
            guard let refusal else { summary.imported += 1; continue }
            if refusal.code == PROTEUS_E_CONFLICT {
                skip(c.user.position, kind: "username or id taken meanwhile", reason: refusal.message)
            } else {
                skip(c.user.position, kind: "refused by the store", reason: "\(refusal)")
            }
        }
    }

    /// The user already present: the same id, else the same username.
    private func find(_ c: Candidate) throws -> UserRecord? {
        if c.user.id != nil, let u = try directory.user(id: c.record.id, documents: Self.documentNamespace) { return u }
        return try directory.user(username: c.user.username, documents: Self.documentNamespace)
    }

    /// Writes what differs (one user_update), else counts it unchanged.
    private func update(_ current: UserRecord, with c: Candidate) throws {
        var current = current, c = c
        for attempt in 1...3 {
            var changes = UserRecord(id: current.id)
            var fields: UInt64 = 0
            let wanted = c.record
            if current.username != wanted.username { changes.username = wanted.username; fields |= PROTEUS_FIELD_USERNAME }
            if let email = wanted.email, email != current.email { changes.email = email; fields |= PROTEUS_FIELD_EMAIL }
            if let name = wanted.displayName, name != current.displayName { changes.displayName = name; fields |= PROTEUS_FIELD_DISPLAY_NAME }
            var endsSessions = false
            if let disabled = c.user.disabled, disabled != current.isDisabled {
                changes.flags = disabled ? current.flags | PROTEUS_USER_DISABLED : current.flags & ~PROTEUS_USER_DISABLED
                fields |= PROTEUS_FIELD_FLAGS
                endsSessions = endsSessions || disabled
            }
            if c.user.roles != nil, Set(wanted.roles) != Set(current.roles) { changes.roles = wanted.roles; fields |= PROTEUS_FIELD_ROLES }
            if let group = wanted.groupID, group != current.groupID { changes.groupID = group; fields |= PROTEUS_FIELD_GROUP }
            let stored = current.document(Self.documentNamespace).flatMap { try? JSONParser.parse($0) }
            let storedDigest = stored?["password"]?.stringValue
            if c.digest != storedDigest {
                if c.cleartext != nil, c.record.passwordHash == nil {
                    guard let hashed = hashingCleartext(c) else { return }
                    c = hashed
                }
                if let hash = c.record.passwordHash, hash != current.passwordHash {
                    changes.passwordHash = hash
                    fields |= PROTEUS_FIELD_PASSWORD_HASH
                    endsSessions = true
                }
            }
            let docChanged = stored?["source"]?.stringValue != settings.source || c.digest != storedDigest
            if docChanged {
                changes.documents = wanted.documents
                fields |= PROTEUS_FIELD_DOCS
            }
            guard fields != 0 else { summary.unchanged += 1; return }
            if settings.dryRun { summary.updated += 1; return }
            do {
                try directory.updateUser(changes, fields: fields, expectedVersion: current.version)
                summary.updated += 1
                if endsSessions { _ = try? directory.deleteSessions(userID: current.id, namespace: nil) }
                return
            } catch let e as PluginError where e.code == PROTEUS_E_STALE && attempt < 3 {
                guard let again = try directory.user(id: current.id, documents: Self.documentNamespace) else { break }
                current = again
            } catch let e as PluginError where e.code == PROTEUS_E_CONFLICT {
                skip(c.user.position, kind: "username already in use by another user", reason: "username \"\(c.user.username)\" is already in use by another user")
                return
            } catch let e as PluginError where e.code == PROTEUS_E_UNAVAILABLE {
                throw e
            } catch let e as PluginError {
                skip(c.user.position, kind: "refused by the store", reason: e.message)
                return
            }
        }
        skip(c.user.position, kind: "changed or deleted meanwhile", reason: "the user changed or was deleted while being updated")
    }
}
