// /api/users and /api/users/{ID}: listing and creating (ADMIN only);
// reading, updating, deleting and resetting the settings of one user
// (ADMIN, or — for reading, updating and resetting — the user themself).
// {ID} is the user's `_id` or username. An administrator's change to
// someone else is recorded in the audit log (user.create, user.delete,
// user.password, user.rename, user.roles, user.update, user.settings_reset).
import PluginAPI
import PluginKit
import ProteusJSON

final class UserRoutes: @unchecked Sendable {
    let host: Host
    let access: Access
    let ids: ObjectIDs
    private let directory: Directory
    private static let pageSize: UInt32 = 500
    private static let writeAttempts = 4

    init(host: Host, access: Access, ids: ObjectIDs) {
        self.host = host
        self.access = access
        self.ids = ids
        self.directory = host.directory
    }

    private func view(_ user: UserRecord) throws -> JSONValue {
        .object(UserView.object(user, objectID: try ids.objectID(of: user)))
    }

    // MARK: GET /api/users

    func list(_ request: Request, _ response: Response) throws {
        let caller = try access.authenticate(request)
        guard caller.isAdmin else { throw ErizosFailure.needsAdmin }
        var query = UserQuery()
        query.documentNamespace = ErizosDocument.namespace
        query.order = PROTEUS_ORDER_CREATED
        response.json(200, .array(try directory.allUsers(query, pageSize: Self.pageSize).map(view)))
    }

    // MARK: POST /api/users

    func create(_ request: Request, _ response: Response) throws {
        let caller = try access.authenticate(request)
        guard caller.isAdmin else { throw ErizosFailure.needsAdmin }
        let input = try UserInput.parse(request)
        guard let username = input.username else { throw ErizosFailure(400, "username is required") }
        guard let password = input.password else { throw ErizosFailure(400, "password is required") }
        // Cheap check before the costly hash; the store's unique index decides.
        if try directory.user(username: username) != nil { throw ErizosFailure.usernameTaken }
        // The roles may have been deleted from the directory since start.
        if input.roles?.isEmpty == false { try ErizosRole.ensureExist(directory) }
        var record = UserRecord(id: proteus_id(randomBytes: try host.randomBytes(16)).byteArray)
        record.username = username
        record.displayName = input.name
        record.passwordHash = try enroll(password)
        record.roles = ErizosRole.applying(input.roles ?? [], to: [])
        // createdAt left 0: the store stamps createdAt and updatedAt with one clock reading.
        record.documents = [ErizosDocument(settings: input.settings ?? ErizosDocument.defaultSettings).record]
        do { try directory.createUser(record) } catch let e as PluginError where e.code == PROTEUS_E_CONFLICT {
            throw ErizosFailure.usernameTaken
        }
        guard let created = try access.loadUser(record.id) else { throw ErizosFailure.notFound }
        audit(caller, "user.create", created, detail: ["roles": .array(created.roles.sorted().map { .string($0) })])
        response.json(200, try view(created))
    }

    // MARK: GET /api/users/{ID}

    func get(_ request: Request, _ response: Response) throws {
        let caller = try access.authenticate(request)
        let user = try target(request, caller, selfAllowed: true)
        response.json(200, try view(user))
    }

    // MARK: PUT /api/users/{ID}

    func update(_ request: Request, _ response: Response) throws {
        let caller = try access.authenticate(request)
        let target = try target(request, caller, selfAllowed: true)
        let input = try UserInput.parse(request)
        if !caller.isAdmin, let wanted = input.roles, Set(wanted) != Set(ErizosRole.of(target)) {
            // Only here when the caller is the target.
            if wanted.contains(.admin) { throw ErizosFailure(403, "You cannot give yourself the ADMIN role") }
            throw ErizosFailure(403, "Only an ADMIN can change roles")
        }
        let passwordHash = try input.password.map(enroll)
        if input.roles?.isEmpty == false { try ErizosRole.ensureExist(directory) }
        let updated = try write(target.id) { user in
            var changes = UserRecord(id: user.id)
            var fields = PROTEUS_FIELD_DOCS   // always: the write sets updatedAt
            var guardAdmin = false
            if let name = input.username, name != user.username {
                changes.username = name
                fields |= PROTEUS_FIELD_USERNAME
            }
            if let name = input.name, name != user.displayName {
                changes.displayName = name
                fields |= PROTEUS_FIELD_DISPLAY_NAME
            }
            if let wanted = input.roles {
                let roles = ErizosRole.applying(wanted, to: user.roles)
                if Set(roles) != Set(user.roles) {
                    changes.roles = roles
                    fields |= PROTEUS_FIELD_ROLES
                    guardAdmin = user.roles.contains(ErizosRole.adminSlug) && !wanted.contains(.admin)
                }
            }
            if let passwordHash {
                changes.passwordHash = passwordHash
                fields |= PROTEUS_FIELD_PASSWORD_HASH
            }
            var doc = ErizosDocument(user)
            if let settings = input.settings { doc.settings = settings }
            changes.documents = [doc.record]
            return (changes, fields, guardAdmin)
        }
        if passwordHash != nil {
            // A new password ends the user's other sessions (not the one in use).
            try access.endSessions(of: updated.id, keeping: updated.id == caller.user.id ? caller.sessionHash : nil)
        }
        // An administrator's change to someone else (a change of one's own
        // account is self-service, not audited).
        if updated.id != caller.user.id {
            if passwordHash != nil { audit(caller, "user.password", updated) }
            if updated.username != target.username { audit(caller, "user.rename", updated) }
            if Set(updated.roles) != Set(target.roles) {
                audit(caller, "user.roles", updated, detail: ["roles": .array(updated.roles.sorted().map { .string($0) }),
                                                              "was": .array(target.roles.sorted().map { .string($0) })])
            }
            if input.name != nil || input.settings != nil { audit(caller, "user.update", updated) }
        }
        response.json(200, try view(updated))
    }

    // MARK: DELETE /api/users/{ID}

    /// Answers the user as it was. The last ADMIN is never deleted (409).
    func delete(_ request: Request, _ response: Response) throws {
        let caller = try access.authenticate(request)
        let target = try target(request, caller, selfAllowed: false)
        let shown = try view(target)
        do {
            try directory.deleteUser(id: target.id, guardRole: ErizosRole.adminSlug)
        } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
            throw ErizosFailure.notFound
        } catch let e as PluginError where e.code == PROTEUS_E_GUARD {
            throw ErizosFailure.lastAdmin
        }
        audit(caller, "user.delete", target)
        response.json(200, shown)
    }

    // MARK: DELETE /api/users/{ID}/settings

    func resetSettings(_ request: Request, _ response: Response) throws {
        let caller = try access.authenticate(request)
        let target = try target(request, caller, selfAllowed: true)
        let updated = try write(target.id) { user in
            var changes = UserRecord(id: user.id)
            var doc = ErizosDocument(user)
            doc.settings = ErizosDocument.defaultSettings
            changes.documents = [doc.record]
            return (changes, PROTEUS_FIELD_DOCS, false)
        }
        if updated.id != caller.user.id { audit(caller, "user.settings_reset", updated) }
        response.json(200, try view(updated))
    }

    // MARK: helpers

    /// Records an administrator's change (host->audit; never fails the request).
    private func audit(_ caller: Caller, _ action: String, _ target: UserRecord, detail: JSONObject? = nil) {
        host.audit(by: caller.user, action, target: target, detail: detail.map { JSONValue.object($0).serialized() })
    }

    /// The user {ID} names, if the caller may act on them: themself when
    /// `selfAllowed`, anyone for an ADMIN. A non-admin asking for somebody
    /// else gets 403 whether that user exists or not.
    private func target(_ request: Request, _ caller: Caller, selfAllowed: Bool) throws -> UserRecord {
        let name = request.parameters.first ?? ""
        let found = try resolve(name)
        if selfAllowed, let found, found.id == caller.user.id { return found }
        guard caller.isAdmin else { throw ErizosFailure.needsAdmin }
        guard let found else { throw ErizosFailure.notFound }
        return found
    }

    /// By `_id` first, then by username (a username may look like an `_id`).
    private func resolve(_ idOrName: String) throws -> UserRecord? {
        if let id = try ids.userID(for: idOrName), let user = try access.loadUser(id) { return user }
        guard !idOrName.isEmpty else { return nil }
        return try directory.user(username: idOrName, documents: ErizosDocument.namespace)
    }

    /// Read-modify-write of one user with optimistic concurrency: `plan`
    /// gets the current record and returns the changes, the field mask and
    /// whether the write must keep an ADMIN. Returns the user afterwards.
    private func write(_ id: [UInt8], _ plan: (UserRecord) throws -> (UserRecord, UInt64, Bool)) throws -> UserRecord {
        for attempt in 0..<Self.writeAttempts {
            guard let user = try access.loadUser(id) else { throw ErizosFailure.notFound }
            let (changes, fields, guardAdmin) = try plan(user)
            do {
                try directory.updateUser(changes, fields: fields, expectedVersion: user.version,
                                         guardRole: guardAdmin ? ErizosRole.adminSlug : nil)
            } catch let e as PluginError {
                switch e.code {
                case PROTEUS_E_STALE where attempt < Self.writeAttempts - 1: continue
                case PROTEUS_E_STALE: throw ErizosFailure.concurrentChange
                case PROTEUS_E_CONFLICT: throw ErizosFailure.usernameTaken
                case PROTEUS_E_GUARD: throw ErizosFailure.lastAdmin
                case PROTEUS_E_NOT_FOUND: throw ErizosFailure.notFound
                default: throw e
                }
            }
            guard let after = try access.loadUser(id) else { throw ErizosFailure.notFound }
            return after
        }
        throw ErizosFailure.concurrentChange
    }

    /// A password verifier from the "password" auth method.
    private func enroll(_ password: String) throws -> String {
        let result: Result<String, PluginError>
        do { result = .success(try host.enroll(method: "password", secret: password)) } catch { result = .failure(error) }
        switch result {
        case .success(let hash): return hash
        case .failure(let e) where e.code == PROTEUS_E_TOO_LARGE || e.code == PROTEUS_E_INVALID:
            throw ErizosFailure(400, "password is not acceptable (too long?)")
        case .failure(let e): throw e
        }
    }
}
