// Admin only: users with their role and group, role and group changes, and
// the groups themselves. "The last administrator" is the store's guard_role
// check, decided inside the update's transaction, so it holds under
// concurrent demotions on every store. Every change is recorded in the
// audit log (host->audit) with the administrator as actor: user.roles,
// user.group, group.create, group.update, group.delete.
import PluginAPI
import PluginKit
import ProteusJSON

final class AdminRoutes: @unchecked Sendable {
    let host: Host
    let ids: LoginIDs
    private let directory: Directory

    init(host: Host, ids: LoginIDs) {
        self.host = host
        self.ids = ids
        self.directory = host.directory
    }

    // MARK: GET /users/admin/users

    func users(_ request: Request, _ response: Response) throws {
        _ = try ids.admin(request)
        response.json(200, .array(try directory.allUsers(UserQuery()).map(UserView.listed)))
    }

    // MARK: PUT /users/admin/users/{uid}/role {role}

    func setRole(_ request: Request, _ response: Response) throws {
        let caller = try ids.admin(request)
        let userID = try Self.userID(request)
        let body = try RequestBody(request)
        let role = try body.string("role")
        guard role == "admin" || role == "user" else {
            throw Failure.validation(Failure.Issue(loc: ["body", "role"], msg: "Input should be 'admin' or 'user'", type: "literal_error"))
        }
        for _ in 0..<4 {
            guard let user = try directory.user(id: userID) else { throw Failure(404, "User not found") }
            var changes = UserRecord(id: userID)
            changes.roles = Roles.with(user.roles, admin: role == "admin")
            do {
                try directory.updateUser(changes, fields: PROTEUS_FIELD_ROLES, expectedVersion: user.version, guardRole: Roles.admin)
                var updated = user
                updated.roles = changes.roles
                audit(caller, "user.roles", user, detail: ["role": .string(role)])
                return response.json(200, UserView.listed(updated))
            } catch let e as PluginError {
                switch e.code {
                case PROTEUS_E_STALE: continue
                case PROTEUS_E_GUARD: throw Failure(409, "Cannot demote the last administrator")
                case PROTEUS_E_NOT_FOUND: throw Failure(404, "User not found")
                default: throw e
                }
            }
        }
        throw Failure(409, "The user was changed concurrently, please retry")
    }

    // MARK: PUT /users/admin/users/{uid}/group {group_id: id | null}

    func setGroup(_ request: Request, _ response: Response) throws {
        let caller = try ids.admin(request)
        let userID = try Self.userID(request)
        let body = try RequestBody(request)
        guard let value = body.object["group_id"] else { throw Failure.validation(.missing(["body", "group_id"])) }
        var changes = UserRecord(id: userID)
        if !value.isNull {
            guard let text = value.stringValue else { throw Failure.validation(.notString(["body", "group_id"])) }
            guard let groupID = UserView.parseID(text), try group(groupID) != nil else { throw Failure(404, "Group not found") }
            changes.groupID = groupID
        }
        do { try directory.updateUser(changes, fields: PROTEUS_FIELD_GROUP) } catch let e as PluginError {
            switch e.code {
            case PROTEUS_E_NOT_FOUND: throw Failure(404, "User not found")
            case PROTEUS_E_INVALID: throw Failure(404, "Group not found") // deleted meanwhile
            default: throw e
            }
        }
        guard let updated = try directory.user(id: userID) else { throw Failure(404, "User not found") }
        audit(caller, "user.group", updated,
              detail: ["group": changes.groupID.map { .string(proteus_id(byteArray: $0).compactHex) } ?? .null])
        response.json(200, UserView.listed(updated))
    }

    // MARK: GET /users/admin/groups

    func groups(_ request: Request, _ response: Response) throws {
        _ = try ids.admin(request)
        response.json(200, .array(try directory.groups().map(UserView.group)))
    }

    // MARK: POST /users/admin/groups {name, description?, policy?}

    func createGroup(_ request: Request, _ response: Response) throws {
        let caller = try ids.admin(request)
        let body = try RequestBody(request)
        let fields = try GroupFields(body, requireName: true)
        var record = GroupRecord(id: proteus_id(randomBytes: try host.randomBytes(16)).byteArray, name: fields.name ?? "")
        record.description = fields.description ?? nil
        record.policyJSON = (fields.policy ?? [:]).map { JSONValue.object($0).serialized() }
        record.createdAt = host.nowMillis()
        do { try directory.client.createGroup(record) } catch let e as PluginError where e.code == PROTEUS_E_CONFLICT {
            throw Failure(409, "A group with this name already exists")
        }
        audit(caller, "group.create", record)
        response.json(200, UserView.group(try group(record.id) ?? record))
    }

    // MARK: PUT /users/admin/groups/{gid} {name?, description?, policy?}

    func updateGroup(_ request: Request, _ response: Response) throws {
        let caller = try ids.admin(request)
        let groupID = try Self.groupID(request)
        let body = try RequestBody(request)
        let fields = try GroupFields(body, requireName: false)
        for _ in 0..<4 {
            guard var record = try group(groupID) else { throw Failure(404, "Group not found") }
            if let name = fields.name { record.name = name }
            if let description = fields.description { record.description = description }
            if let policy = fields.policy { record.policyJSON = policy.map { JSONValue.object($0).serialized() } }
            do {
                _ = try directory.client.updateGroup(record, expectedVersion: record.version)
                audit(caller, "group.update", record)
                return response.json(200, UserView.group(try group(groupID) ?? record))
            } catch let e as PluginError {
                switch e.code {
                case PROTEUS_E_STALE: continue
                case PROTEUS_E_CONFLICT: throw Failure(409, "A group with this name already exists")
                case PROTEUS_E_NOT_FOUND: throw Failure(404, "Group not found")
                default: throw e
                }
            }
        }
        throw Failure(409, "The group was changed concurrently, please retry")
    }

    // MARK: DELETE /users/admin/groups/{gid} — its users become ungrouped (the store does it in the same transaction)

    func deleteGroup(_ request: Request, _ response: Response) throws {
        let caller = try ids.admin(request)
        let groupID = try Self.groupID(request)
        let before = try group(groupID)
        do { try directory.client.deleteGroup(groupID) } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
            throw Failure(404, "Group not found")
        }
        audit(caller, "group.delete", before ?? GroupRecord(id: groupID, name: ""))
        response.json(200, ["message": "Group deleted"])
    }

    // MARK: helpers

    /// Records an administrator's change to a user (never fails the request).
    private func audit(_ caller: Caller, _ action: String, _ target: UserRecord, detail: JSONObject? = nil) {
        host.audit(by: caller.user, action, target: target, detail: detail.map { JSONValue.object($0).serialized() })
    }

    /// Records an administrator's change to a group.
    private func audit(_ caller: Caller, _ action: String, _ group: GroupRecord) {
        host.audit(AuditEventRecord(actorID: caller.user.id, actorName: Host.auditName(caller.user), action: action,
                                    targetKind: "group", targetID: group.id, targetName: group.name.isEmpty ? nil : group.name))
    }

    private func group(_ id: [UInt8]) throws -> GroupRecord? {
        do { return try directory.client.getGroup(id) } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND { return nil }
    }

    /// An unparseable id names nobody: 404, as an unknown one.
    private static func userID(_ request: Request) throws(Failure) -> [UInt8] {
        guard let text = request.parameters.first, let id = UserView.parseID(text) else { throw Failure(404, "User not found") }
        return id
    }

    private static func groupID(_ request: Request) throws(Failure) -> [UInt8] {
        guard let text = request.parameters.first, let id = UserView.parseID(text) else { throw Failure(404, "Group not found") }
        return id
    }
}

/// The fields of a group in a request body; nil = not given.
struct GroupFields {
    var name: String?
    var description: String??
    var policy: JSONObject??

    init(_ body: RequestBody, requireName: Bool) throws(Failure) {
        if requireName || body.has("name") {
            let n = try body.string("name")
            guard !n.isEmpty, n.utf8.count <= 200 else {
                throw Failure.validation(Failure.Issue(loc: ["body", "name"], msg: "String should have 1 to 200 characters", type: "string_too_short"))
            }
            name = n
        }
        description = try body.optionalString("description")
        if let p = body.object["policy"] {
            if p.isNull { policy = .some(nil) } else {
                guard let o = p.objectValue else { throw Failure.validation(.notObject(["body", "policy"])) }
                policy = .some(o)
            }
        }
    }
}
