// Groups and roles (create, list, rename, delete) and the Plugins page's
// list (host->plugin_list, ABI 2.5).
import PluginAPI
import PluginKit
import ProteusJSON

final class DirectoryRoutes: @unchecked Sendable {
    let host: Host
    let sessions: ConsoleSessions
    private let directory: Directory

    init(host: Host, sessions: ConsoleSessions) {
        self.host = host
        self.sessions = sessions
        self.directory = host.directory
    }

    /// Records a change to a group or role in the audit log (never fails it).
    private func audit(_ caller: ConsoleCaller, _ action: String, kind: String, id: [UInt8]? = nil, name: String, detail: JSONObject? = nil) {
        host.audit(AuditEventRecord(actorID: caller.user.id, actorName: Host.auditName(caller.user), action: action,
                                    targetKind: kind, targetID: id, targetName: name,
                                    detailJSON: detail.map { JSONValue.object($0).serialized() }))
    }

    private func body(_ request: Request, _ known: Set<String>) throws -> JSONObject {
        let body = try RequestBody.object(request, limit: sessions.options.maxBodyBytes)
        try RequestBody.only(body, known)
        return body
    }

    // MARK: groups

    static func groupView(_ g: GroupRecord) -> JSONValue {
        .object(["id": .string(Hex.encode(g.id)), "name": .string(g.name), "description": UserView.optional(g.description),
                 "members": .number(JSONNumber(g.memberCount)), "version": .number(JSONNumber(g.version)),
                 "createdAt": UserView.time(g.createdAt)])
    }

    func listGroups(_ request: Request, _ response: Response) throws {
        _ = try sessions.authorize(request, change: false)
        let groups = try directory.groups().sorted { $0.name < $1.name }
        ConsoleDialect.send(response, .object(["groups": .array(groups.map(Self.groupView))]))
    }

    private static func groupName(_ body: JSONObject) throws(ConsoleFailure) -> String {
        let name = try RequestBody.string(body, "name", maxBytes: 256).trimmingSpacesAndTabs()
        guard !name.isEmpty else { throw .badRequest("A group needs a name.") }
        return name
    }

    func createGroup(_ request: Request, _ response: Response) throws {
        let caller = try sessions.authorize(request, change: true)
        let body = try body(request, ["name", "description"])
        var group = GroupRecord(id: proteus_id(randomBytes: try host.randomBytes(16)).byteArray, name: try Self.groupName(body))
        group.description = try RequestBody.optionalString(body, "description", maxBytes: 4096)
        group.createdAt = host.nowMillis()
        group.updatedAt = group.createdAt
        do { try directory.client.createGroup(group) } catch let e as PluginError where e.code == PROTEUS_E_CONFLICT {
            throw ConsoleFailure(409, "conflict", "A group named \"\(group.name)\" already exists.")
        }
        audit(caller, "group.create", kind: "group", id: group.id, name: group.name)
        ConsoleDialect.send(response, Self.groupView(try directory.client.getGroup(group.id)), status: 201)
    }

    private func groupID(_ request: Request) throws(ConsoleFailure) -> [UInt8] {
        let text = request.parameters.first ?? ""
        guard let id = proteus_id(compactHex: text) ?? proteus_id(dashedUUID: text) else {
            throw .badRequest("\"\(text.prefix(80))\" is not a group id (32 hex digits).")
        }
        return id.byteArray
    }

    private func existingGroup(_ id: [UInt8]) throws -> GroupRecord {
        do { return try directory.client.getGroup(id) } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
            throw ConsoleFailure(404, "not_found", "No such group.")
        }
    }

    func updateGroup(_ request: Request, _ response: Response) throws {
        let caller = try sessions.authorize(request, change: true)
        let id = try groupID(request)
        let body = try body(request, ["name", "description"])
        let name = try Self.groupName(body)
        let description = try RequestBody.optionalString(body, "description", maxBytes: 4096)
        var group = try existingGroup(id)
        let oldName = group.name
        group.name = name
        group.description = description
        group.updatedAt = host.nowMillis()
        do { try directory.client.updateGroup(group, expectedVersion: group.version) } catch let e as PluginError where e.code == PROTEUS_E_CONFLICT {
            throw ConsoleFailure(409, "conflict", "A group named \"\(name)\" already exists.")
        } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
            throw ConsoleFailure(404, "not_found", "No such group.")
        }
        audit(caller, "group.update", kind: "group", id: id, name: name, detail: oldName == name ? nil : ["renamedFrom": .string(oldName)])
        ConsoleDialect.send(response, Self.groupView(try existingGroup(id)))
    }

    func deleteGroup(_ request: Request, _ response: Response) throws {
        let caller = try sessions.authorize(request, change: true)
        let id = try groupID(request)
        let group = try existingGroup(id)
        do { try directory.client.deleteGroup(id) } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
            throw ConsoleFailure(404, "not_found", "No such group.")
        }
        audit(caller, "group.delete", kind: "group", id: id, name: group.name)
        ConsoleDialect.send(response, .object(["deleted": .string(Hex.encode(id))]))
    }

    // MARK: roles

    static func roleView(_ r: RoleRecord) -> JSONValue {
        .object(["slug": .string(r.slug), "name": UserView.optional(r.name), "builtIn": .bool(r.slug == ConsoleSessions.adminRole)])
    }

    func listRoles(_ request: Request, _ response: Response) throws {
        _ = try sessions.authorize(request, change: false)
        let roles = try directory.roles().sorted { $0.slug < $1.slug }
        ConsoleDialect.send(response, .object(["roles": .array(roles.map(Self.roleView))]))
    }

    /// A role slug as the store takes it: 1...128 of [A-Za-z0-9._:-].
    static func validSlug(_ slug: String) -> Bool {
        (1...128).contains(slug.utf8.count) && slug.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F || c == 0x3A || c == 0x2D
        }
    }

    private func existingRole(_ slug: String) throws -> RoleRecord? {
        try directory.roles().first { $0.slug == slug }
    }

    func createRole(_ request: Request, _ response: Response) throws {
        let caller = try sessions.authorize(request, change: true)
        let body = try body(request, ["slug", "name"])
        let slug = try RequestBody.string(body, "slug", maxBytes: 128)
        guard Self.validSlug(slug) else { throw ConsoleFailure.badRequest("A role slug is 1 to 128 of A-Z a-z 0-9 . _ : - (e.g. erizos.designer).") }
        let name = try RequestBody.optionalString(body, "name", maxBytes: 256)
        guard try existingRole(slug) == nil else { throw ConsoleFailure(409, "conflict", "The role \"\(slug)\" already exists.") }
        try directory.putRole(RoleRecord(slug: slug, name: name))
        audit(caller, "role.create", kind: "role", name: slug)
        ConsoleDialect.send(response, Self.roleView(try existingRole(slug) ?? RoleRecord(slug: slug, name: name)), status: 201)
    }

    func updateRole(_ request: Request, _ response: Response) throws {
        let caller = try sessions.authorize(request, change: true)
        let slug = request.parameters.first ?? ""
        let body = try body(request, ["name"])
        let name = try RequestBody.optionalString(body, "name", maxBytes: 256)
        guard var role = try existingRole(slug) else { throw ConsoleFailure(404, "not_found", "No such role.") }
        role.name = name
        try directory.putRole(role)
        audit(caller, "role.update", kind: "role", name: slug)
        ConsoleDialect.send(response, Self.roleView(try existingRole(slug) ?? role))
    }

    func deleteRole(_ request: Request, _ response: Response) throws {
        let caller = try sessions.authorize(request, change: true)
        let slug = request.parameters.first ?? ""
        guard slug != ConsoleSessions.adminRole else {
            throw ConsoleFailure(409, "built_in", "The admin role cannot be deleted: it is every dialect's administrator, and the console's.")
        }
        guard try existingRole(slug) != nil else { throw ConsoleFailure(404, "not_found", "No such role.") }
        try directory.client.deleteRole(slug)
        audit(caller, "role.delete", kind: "role", name: slug)
        ConsoleDialect.send(response, .object(["deleted": .string(slug)]))
    }

    // MARK: GET /api/plugins

    func plugins(_ request: Request, _ response: Response) throws {
        _ = try sessions.authorize(request, change: false)
        let list = try host.plugins()
        ConsoleDialect.send(response, .object(["plugins": .array(list.map { p in
            .object(["kind": .string(p.kindName), "name": .string(p.name), "version": .string(p.version),
                     "abi": .string("\(p.abiMajor).\(p.abiMinor)"), "description": .string(p.description),
                     "mount": UserView.optional(p.mount), "method": UserView.optional(p.method), "path": .string(p.path)])
        })]))
    }
}
