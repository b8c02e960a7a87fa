// /Groups and /Groups/{id} over the directory's groups. A user belongs to at
// most one group here (the store's model, shared with Cortex Hub's admin
// groups), so adding a member who is in another group is refused with
// 409 uniqueness and changes nothing; see README "SCIM". Member ids that
// name no user are left out (clients send them and expect success).
import PluginAPI
import PluginKit
import ProteusJSON

final class GroupRoutes: @unchecked Sendable {
    let host: Host
    let options: SCIMOptions
    private let directory: Directory
    private let patcher = ResourcePatcher(schemas: [SCIMSchema.group], ignored: ["id", "meta", "schemas", "members"], required: ["displayname"])
    private static let memberPage: UInt32 = 1000
    private let externalIds: GroupExternalIDs

    init(host: Host, options: SCIMOptions) {
        self.host = host
        self.options = options
        self.directory = host.directory
        self.externalIds = GroupExternalIDs(directory: host.directory)
    }

    // MARK: GET /Groups, POST /Groups/.search

    func list(_ request: Request, _ response: Response) throws {
        try answerList(try ListParameters(request, maxResults: options.maxResults), request, response)
    }

    func search(_ request: Request, _ response: Response) throws {
        try answerList(try ListParameters(search: try SCIMWire.bodyObject(request), maxResults: options.maxResults), request, response)
    }

    private func answerList(_ parameters: ListParameters, _ request: Request, _ response: Response) throws {
        let matching = try self.matching(parameters.filter, request)
        let page = Array(matching.dropFirst(parameters.startIndex - 1).prefix(parameters.count))
        let resources = try self.resources(page, parameters.projection, request)
        SCIMWire.send(response, 200, ListParameters.listResponse(total: UInt64(matching.count), startIndex: parameters.startIndex, resources: resources))
    }

    /// The groups a filter matches, in creation order. Groups are few
    /// (group_list reads them all): filters run over that list, loading
    /// members only when the filter names them.
    func matching(_ filter: Filter?, _ request: Request) throws -> [GroupRecord] {
        let locations = ResourceLocations(request, options: options)
        let filterNeedsMembers = filter.map(Self.mentionsMembers) ?? false
        let evaluation = FilterEvaluation(schemas: [SCIMSchema.group])
        let externalIds = filter == nil ? [:] : try self.externalIds.all()
        var matching: [GroupRecord] = []
        for group in try directory.groups() {
            guard let filter else { matching.append(group); continue }
            let view = render(group, members: filterNeedsMembers ? try members(group.id) : nil,
                              externalId: externalIds[group.id], locations: locations)
            if evaluation.matches(filter, view) { matching.append(group) }
        }
        return matching.sorted { ResourceID.createdBefore(($0.createdAt, $0.id), ($1.createdAt, $1.id)) }
    }

    /// Groups as resources, members loaded unless the projection leaves them out.
    func resources(_ groups: [GroupRecord], _ projection: AttributeProjection, _ request: Request) throws -> [JSONValue] {
        let locations = ResourceLocations(request, options: options)
        let withMembers = !projection.omits("members")
        let externalIds = groups.isEmpty ? [:] : try self.externalIds.all()
        return try groups.map { group in
            JSONValue.object(projection.apply(render(group, members: withMembers ? try members(group.id) : nil,
                                                     externalId: externalIds[group.id], locations: locations)))
        }
    }

    private static func mentionsMembers(_ filter: Filter) -> Bool {
        switch filter {
        case .and(let l, let r), .or(let l, let r): return mentionsMembers(l) || mentionsMembers(r)
        case .not(let f): return mentionsMembers(f)
        case .compare(let p, _, _), .present(let p), .valuePath(let p, _): return p.name.equalsIgnoringCase("members")
        }
    }

    // MARK: GET /Groups/{id}

    func get(_ request: Request, _ response: Response) throws {
        let group = try load(request)
        let projection = try AttributeProjection(request)
        let members = projection.omits("members") ? nil : try members(group.id)
        SCIMWire.sendResource(response, 200, projection.apply(render(group, members: members, externalId: try externalIds.get(group.id),
                                                                     locations: ResourceLocations(request, options: options))))
    }

    // MARK: POST /Groups

    func create(_ request: Request, _ response: Response, actor: String) throws {
        let body = try SCIMWire.bodyObject(request)
        let name = try displayName(body)
        let externalId = try Self.externalId(body)
        let wanted = try memberIDs(body.value(ignoringCase: "members"))
        var group = GroupRecord(id: proteus_id(randomBytes: try host.randomBytes(16)).byteArray, name: name)
        let joining = try joinable(wanted, into: group.id)
        do { try directory.client.createGroup(group) } catch let e as PluginError where e.code == PROTEUS_E_CONFLICT {
            throw SCIMFailure.uniqueness("a group named \"\(name)\" exists")
        }
        try externalIds.set(externalId, for: group.id)
        try setGroup(of: joining, to: group.id, from: nil)
        group = try directory.client.getGroup(group.id)
        if !joining.isEmpty { group = try touch(group, expected: group.version) }
        audit(actor, "group.create", group, added: joining.count, removed: 0)
        SCIMWire.sendResource(response, 201, render(group, members: try members(group.id), externalId: externalId,
                                                    locations: ResourceLocations(request, options: options)))
    }

    // MARK: PUT /Groups/{id}

    func replace(_ request: Request, _ response: Response, actor: String) throws {
        let body = try SCIMWire.bodyObject(request)
        let group = try load(request)
        let expected = try SCIMWire.expectedVersion(request)
        if let expected, expected != group.version { throw SCIMFailure.versionMismatch }
        let name = try displayName(body)
        let externalId = try Self.externalId(body)
        let wanted = Set(try memberIDs(body.value(ignoringCase: "members")))
        let current = Set(try members(group.id).map(\.id))
        let adding = Array(wanted.subtracting(current)), removing = Array(current.subtracting(wanted))
        let updated = try apply(group, name: name, externalId: externalId, adding: adding, removing: removing)
        audit(actor, "group.update", updated, added: adding.count, removed: removing.count)
        try answer(updated, request, response)
    }

    // MARK: PATCH /Groups/{id}

    func patch(_ request: Request, _ response: Response, actor: String) throws {
        let operations = try PatchOperation.parse(try SCIMWire.bodyObject(request))
        let group = try load(request)
        let expected = try SCIMWire.expectedVersion(request)
        if let expected, expected != group.version { throw SCIMFailure.versionMismatch }
        var plan = MembershipPlan()
        var attributes: JSONObject = ["displayName": .string(group.name)]
        if let externalId = try externalIds.get(group.id) { attributes["externalId"] = .string(externalId) }
        var other: [PatchOperation] = []
        for operation in operations {
            if let path = operation.path, path.attribute.named("members") || path.attribute.name.equalsIgnoringCase("members") {
                try plan.add(operation, path: path, currentMembers: { try self.members(group.id) })
            } else if operation.path == nil, let value = operation.value?.objectValue {
                // No path: members in the value change membership, the rest attributes.
                var rest = value
                if let key = value.storedKey(ignoringCase: "members"), let members = value[key] {
                    rest[key] = nil
                    let whole = PatchPath(attribute: AttributePath(name: "members"), filter: nil, subAttribute: nil)
                    try plan.add(PatchOperation(kind: operation.kind, path: whole, pathText: "members", value: members), path: whole,
                                 currentMembers: { try self.members(group.id) })
                }
                other.append(PatchOperation(kind: operation.kind, path: nil, pathText: nil, value: .object(rest)))
            } else {
                other.append(operation)
            }
        }
        try patcher.apply(other, to: &attributes)
        let name = try displayName(attributes)
        let externalId = try Self.externalId(attributes)
        let current = plan.replacesAll || !plan.removals.isEmpty ? Set(try members(group.id).map(\.id)) : []
        let adding = plan.replacesAll ? Array(plan.replacement.subtracting(current)) : plan.additions
        let removing = plan.replacesAll ? Array(current.subtracting(plan.replacement)) : plan.removals
        let updated = try apply(group, name: name, externalId: externalId, adding: adding, removing: removing)
        audit(actor, "group.update", updated, added: adding.count, removed: removing.count)
        try answer(updated, request, response)
    }

    // MARK: DELETE /Groups/{id}

    func delete(_ request: Request, _ response: Response, actor: String) throws {
        let group = try load(request)
        if let expected = try SCIMWire.expectedVersion(request), expected != group.version { throw SCIMFailure.versionMismatch }
        do { try directory.client.deleteGroup(group.id) } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
            throw SCIMFailure.notFound("Group")
        }
        try? externalIds.set(nil, for: group.id)
        audit(actor, "group.delete", group, added: 0, removed: 0)
        response.status(204)
    }

    // MARK: helpers

    /// Records a change the token made to a group (never fails the request).
    private func audit(_ actor: String, _ action: String, _ group: GroupRecord, added: Int, removed: Int) {
        let detail: String? = added + removed > 0 ? JSONValue.object(["membersAdded": JSONValue(added), "membersRemoved": JSONValue(removed)]).serialized() : nil
        host.audit(AuditEventRecord(actorName: actor, action: action, targetKind: "group", targetID: group.id,
                                    targetName: group.name, detailJSON: detail))
    }

    private func answer(_ group: GroupRecord, _ request: Request, _ response: Response) throws {
        let projection = try AttributeProjection(request)
        let members = projection.omits("members") ? nil : try members(group.id)
        SCIMWire.sendResource(response, 200, projection.apply(render(group, members: members, externalId: try externalIds.get(group.id),
                                                                     locations: ResourceLocations(request, options: options))))
    }

    private func load(_ request: Request) throws -> GroupRecord {
        guard let text = request.parameters.first, let id = ResourceID.parse(text) else { throw SCIMFailure.notFound("Group") }
        do { return try directory.client.getGroup(id) } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
            throw SCIMFailure.notFound("Group")
        }
    }

    private static func externalId(_ o: JSONObject) throws -> String? {
        guard let v = o.value(ignoringCase: "externalId"), !v.isNull else { return nil }
        guard let s = v.stringValue else { throw SCIMFailure.invalidValue("externalId must be a string, not \(v.typeName)") }
        return s
    }

    private func displayName(_ o: JSONObject) throws -> String {
        guard let v = o.value(ignoringCase: "displayName"), !v.isNull else { throw SCIMFailure.invalidValue("displayName is required") }
        guard let name = v.stringValue, !name.isEmpty else { throw SCIMFailure.invalidValue("displayName must be a non-empty string") }
        return name
    }

    /// Member ids from a members array ([{"value": id}, …]).
    private func memberIDs(_ v: JSONValue?) throws -> [[UInt8]] {
        guard let v, !v.isNull else { return [] }
        guard let list = v.arrayValue else { throw SCIMFailure.invalidValue("members must be an array") }
        var seen = Set<[UInt8]>()
        return try list.compactMap { element in
            guard let text = element.objectValue?.value(ignoringCase: "value")?.stringValue else {
                throw SCIMFailure.invalidValue("each member needs a value (a User id)")
            }
            // An id that names no user is left out, like an unknown user's.
            guard let id = ResourceID.parse(text) else { return nil }
            return seen.insert(id).inserted ? id : nil
        }
    }

    func members(_ group: [UInt8]) throws -> [UserRecord] {
        var query = UserQuery()
        query.groupFilter = PROTEUS_GROUP_EQUALS
        query.groupID = group
        query.order = PROTEUS_ORDER_CREATED
        return try directory.allUsers(query, pageSize: Self.memberPage)
    }

    /// The new members that exist (ids of no user are left out, as clients
    /// expect); throws, before anything is written, when one of them is in
    /// another group.
    private func joinable(_ ids: [[UInt8]], into group: [UInt8]) throws -> [[UInt8]] {
        try ids.filter { id in
            guard let user = try directory.user(id: id) else { return false }
            if let other = user.groupID, other != group {
                throw SCIMFailure.uniqueness("user \(ResourceID.text(id)) already belongs to group \(ResourceID.text(other)); a user is in at most one group in this directory")
            }
            return true
        }
    }

    private func apply(_ group: GroupRecord, name: String, externalId: String?, adding: [[UInt8]], removing: [[UInt8]]) throws -> GroupRecord {
        let joining = try joinable(adding, into: group.id)
        var current = group
        if name != group.name { current.name = name }
        // Every write is a new version, the membership's included.
        current = try touch(current, expected: group.version)
        try externalIds.set(externalId, for: group.id)
        try setGroup(of: joining, to: group.id, from: nil)
        try setGroup(of: removing, to: nil, from: group.id)
        return current
    }

    /// Writes the group (its name) to give it a new version.
    private func touch(_ group: GroupRecord, expected: UInt64) throws -> GroupRecord {
        do {
            try directory.client.updateGroup(group, expectedVersion: expected)
        } catch let e as PluginError {
            switch e.code {
            case PROTEUS_E_CONFLICT: throw SCIMFailure.uniqueness("a group named \"\(group.name)\" exists")
            case PROTEUS_E_STALE: throw SCIMFailure.versionMismatch
            case PROTEUS_E_NOT_FOUND: throw SCIMFailure.notFound("Group")
            default: throw e
            }
        }
        return try directory.client.getGroup(group.id)
    }

    /// Moves users into `group` (nil: out of `from`), skipping those already there.
    private func setGroup(of ids: [[UInt8]], to group: [UInt8]?, from: [UInt8]?) throws {
        for id in ids {
            for _ in 0..<4 {
                guard let user = try directory.user(id: id) else { break }
                if let from, user.groupID != from { break }
                if group != nil, user.groupID == group { break }
                var changes = UserRecord(id: id)
                changes.groupID = group
                do {
                    try directory.updateUser(changes, fields: PROTEUS_FIELD_GROUP, expectedVersion: user.version)
                    break
                } catch let e as PluginError where e.code == PROTEUS_E_STALE {
                    continue
                }
            }
        }
    }

    func render(_ group: GroupRecord, members: [UserRecord]?, externalId: String?, locations: ResourceLocations) -> JSONObject {
        var o: JSONObject = ["schemas": [.string(SCIMSchemaURN.group)], "id": .string(ResourceID.text(group.id))]
        if let externalId { o["externalId"] = .string(externalId) }
        o["displayName"] = .string(group.name)
        if let members, !members.isEmpty {
            o["members"] = .array(members.map { user in
                ["value": .string(ResourceID.text(user.id)), "$ref": .string(locations.user(user.id)), "type": "User"]
            })
        }
        o["meta"] = [
            "resourceType": "Group",
            "created": .string(ISOTime.format(millis: group.createdAt)),
            "lastModified": .string(ISOTime.format(millis: group.updatedAt)),
            "location": .string(locations.group(group.id)),
            "version": .string(SCIMWire.etag(group.version)),
        ]
        return o
    }
}

/// What a PATCH does to a group's members.
struct MembershipPlan {
    var additions: [[UInt8]] = []
    var removals: [[UInt8]] = []
    var replacesAll = false
    var replacement = Set<[UInt8]>()

    mutating func add(_ operation: PatchOperation, path: PatchPath, currentMembers: () throws -> [UserRecord]) throws {
        let values = try Self.ids(operation.value)
        if let filter = path.filter {
            guard operation.kind == .remove, path.subAttribute == nil else {
                throw SCIMFailure.invalidPath("a members value filter is only for remove")
            }
            // members[value eq "id"]: no need to read the whole group.
            if case .compare(let p, .eq, .string(let text)) = filter, p.named("value") {
                if let id = ResourceID.parse(text) { record(removal: id) }
                return
            }
            let evaluation = FilterEvaluation(schemas: [SCIMSchema.group])
            for user in try currentMembers() {
                let view: JSONObject = ["value": .string(ResourceID.text(user.id)), "display": .string(user.username ?? ""), "type": "User"]
                if evaluation.matchesElement(filter, view, parent: path.attribute) { record(removal: user.id) }
            }
            return
        }
        switch operation.kind {
        case .add:
            for id in values { record(addition: id) }
        case .replace:
            replacesAll = true
            replacement = Set(values)
            additions = []
            removals = []
        case .remove:
            if operation.value == nil || operation.value?.isNull == true {
                replacesAll = true
                replacement = []
                additions = []
                removals = []
            } else {
                for id in values { record(removal: id) }
            }
        }
    }

    private mutating func record(addition id: [UInt8]) {
        if replacesAll { replacement.insert(id); return }
        removals.removeAll { $0 == id }
        if !additions.contains(id) { additions.append(id) }
    }

    private mutating func record(removal id: [UInt8]) {
        if replacesAll { replacement.remove(id); return }
        additions.removeAll { $0 == id }
        if !removals.contains(id) { removals.append(id) }
    }

    private static func ids(_ value: JSONValue?) throws -> [[UInt8]] {
        guard let value, !value.isNull else { return [] }
        let list = value.arrayValue ?? [value]
        return try list.compactMap { element in
            guard let text = element.objectValue?.value(ignoringCase: "value")?.stringValue ?? element.stringValue else {
                throw SCIMFailure.invalidValue("each member needs a value (a User id)")
            }
            return ResourceID.parse(text)   // nil: names no user, left out
        }
    }
}
