// /Users and /Users/{id}: list (with filters), read, create, replace,
// patch and delete directory users as SCIM User resources. Every write is
// recorded in the audit log (host->audit) with the token as actor
// ("scim:<label>"): user.create, user.delete, and for a PUT or PATCH
// user.disable, user.enable, user.password, user.rename or user.update.
import PluginAPI
import PluginKit
import ProteusJSON

final class UserRoutes: @unchecked Sendable {
    let host: Host
    let options: SCIMOptions
    private let directory: Directory
    private static let writeAttempts = 4
    /// How a PATCH changes a User (also what the fuzz target applies).
    static let patcher = ResourcePatcher(schemas: [SCIMSchema.user, SCIMSchema.enterpriseUser],
                                         ignored: ["id", "meta", "schemas", "groups"], required: ["username", "active"])

    init(host: Host, options: SCIMOptions) {
        self.host = host
        self.options = options
        self.directory = host.directory
    }

    // MARK: GET /Users, POST /Users/.search

    func list(_ request: Request, _ response: Response) throws {
        try answerList(try ListParameters(request, maxResults: options.maxResults), request, response)
    }

    func search(_ request: Request, _ response: Response) throws {
        try answerList(try ListParameters(search: try SCIMWire.bodyObject(request), maxResults: options.maxResults), request, response)
    }

    private func answerList(_ parameters: ListParameters, _ request: Request, _ response: Response) throws {
        let (total, users) = try page(parameters.filter, offset: parameters.startIndex - 1, limit: parameters.count)
        let resources = try resources(users, parameters.projection, request)
        SCIMWire.send(response, 200, ListParameters.listResponse(total: total, startIndex: parameters.startIndex, resources: resources))
    }

    /// The users a filter matches: their total and those from `offset`
    /// (0-based), at most `limit` (0: the total only).
    func page(_ filter: Filter?, offset: Int, limit: Int) throws -> (total: UInt64, users: [UserRecord]) {
        switch try UserSelector(directory: directory).select(filter) {
        case .query(var query):
            query.offset = UInt64(offset)
            query.limit = UInt32(limit)
            let page = try directory.searchUsers(query)
            return (page.total, page.users)
        case .candidates(let all):
            return (UInt64(all.count), Array(all.dropFirst(offset).prefix(limit)))
        }
    }

    func resources(_ users: [UserRecord], _ projection: AttributeProjection, _ request: Request) throws -> [JSONValue] {
        let locations = ResourceLocations(request, options: options)
        let names = GroupNames(directory)
        return try users.map { user in
            JSONValue.object(projection.apply(try UserResource.render(user, locations: locations, groupName: names.name)))
        }
    }

    // MARK: GET /Users/{id}

    func get(_ request: Request, _ response: Response) throws {
        let user = try load(request)
        let projection = try AttributeProjection(request)
        let resource = try render(user, request)
        SCIMWire.sendResource(response, 200, projection.apply(resource))
    }

    // MARK: POST /Users

    func create(_ request: Request, _ response: Response, actor: String) throws {
        let input = try UserInput.parse(try SCIMWire.bodyObject(request))
        try requireUniqueUserName(input.userName, except: nil)
        if let externalId = input.externalId, try directory.identityUser(provider: UserSelector.externalIdProvider, subject: externalId) != nil {
            throw SCIMFailure.uniqueness("externalId \"\(externalId)\" belongs to another user")
        }
        var record = UserRecord(id: proteus_id(randomBytes: try host.randomBytes(16)).byteArray)
        record.username = input.userName
        record.email = input.primaryEmail
        record.displayName = input.displayName
        if input.active == false { record.flags = PROTEUS_USER_DISABLED }
        if let password = input.password { record.passwordHash = try enroll(password) }
        record.documents = [document(input).record]
        do { try directory.createUser(record) } catch let e as PluginError where e.code == PROTEUS_E_CONFLICT {
            throw SCIMFailure.uniqueness("userName \"\(input.userName)\" is taken")
        } catch let e as PluginError where e.code == PROTEUS_E_INVALID {
            throw SCIMFailure.invalidValue(e.message)
        }
        if let externalId = input.externalId {
            do { try linkExternalId(externalId, record.id) } catch {
                try? directory.deleteUser(id: record.id)
                throw error
            }
        }
        guard let created = try directory.user(id: record.id, documents: SCIMDocument.namespace) else { throw SCIMFailure.notFound("User") }
        Self.audit(host, actor, "user.create", created)
        SCIMWire.sendResource(response, 201, try render(created, request))
    }

    // MARK: PUT /Users/{id}

    func replace(_ request: Request, _ response: Response, actor: String) throws {
        let input = try UserInput.parse(try SCIMWire.bodyObject(request))
        let (updated, actions) = try write(request) { _ in input }
        for action in actions { Self.audit(host, actor, action, updated) }
        SCIMWire.sendResource(response, 200, try AttributeProjection(request).apply(try render(updated, request)))
    }

    // MARK: PATCH /Users/{id}

    func patch(_ request: Request, _ response: Response, actor: String) throws {
        let operations = try PatchOperation.parse(try SCIMWire.bodyObject(request))
        // {"op":"remove","path":"password"}: the user keeps no password.
        let removesPassword = operations.contains { $0.kind == .remove && $0.path?.attribute.named("password") == true }
        let (updated, actions) = try write(request) { user in
            var resource = try self.render(user, request)
            try Self.patcher.apply(operations, to: &resource)
            var input = try UserInput.parse(resource)
            // A PATCH that leaves active alone keeps it (render wrote it back).
            if input.active == !user.isDisabled { input.active = nil }
            input.removesPassword = removesPassword && input.password == nil
            return input
        }
        for action in actions { Self.audit(host, actor, action, updated) }
        SCIMWire.sendResource(response, 200, try AttributeProjection(request).apply(try render(updated, request)))
    }

    // MARK: DELETE /Users/{id}

    func delete(_ request: Request, _ response: Response, actor: String) throws {
        let user = try load(request)
        let expected = try SCIMWire.expectedVersion(request)
        if let expected, expected != user.version { throw SCIMFailure.versionMismatch }
        do { try directory.deleteUser(id: user.id, expectedVersion: expected ?? 0) } catch let e as PluginError {
            switch e.code {
            case PROTEUS_E_NOT_FOUND: throw SCIMFailure.notFound("User")
            case PROTEUS_E_STALE: throw SCIMFailure.versionMismatch
            default: throw e
            }
        }
        Self.audit(host, actor, "user.delete", user)
        response.status(204)
    }

    // MARK: helpers

    private func load(_ request: Request) throws -> UserRecord {
        guard let text = request.parameters.first, let id = ResourceID.parse(text),
              let user = try directory.user(id: id, documents: SCIMDocument.namespace) else { throw SCIMFailure.notFound("User") }
        return user
    }

    private func render(_ user: UserRecord, _ request: Request) throws -> JSONObject {
        try UserResource.render(user, locations: ResourceLocations(request, options: options), groupName: GroupNames(directory).name)
    }

    private func document(_ input: UserInput) -> SCIMDocument {
        var doc = SCIMDocument()
        doc.externalId = input.externalId
        doc.name = input.name
        doc.emails = input.emails
        doc.enterprise = input.enterprise
        return doc
    }

    /// userName is unique case-insensitively (RFC 7643: caseExact false).
    private func requireUniqueUserName(_ name: String, except id: [UInt8]?) throws {
        var query = UserQuery()
        query.usernameFolded = name
        query.usernameFoldedMatch = PROTEUS_MATCH_EQUALS
        query.limit = 2
        if try directory.searchUsers(query).users.contains(where: { $0.id != id }) {
            throw SCIMFailure.uniqueness("userName \"\(name)\" is taken")
        }
    }

    private func linkExternalId(_ externalId: String, _ id: [UInt8]) throws {
        do { try directory.link(IdentityRecord(provider: UserSelector.externalIdProvider, subject: externalId, userID: id)) } catch let e as PluginError where e.code == PROTEUS_E_CONFLICT {
            throw SCIMFailure.uniqueness("externalId \"\(externalId)\" belongs to another user")
        }
    }

    /// Read-modify-write of the user {id} with optimistic concurrency:
    /// `plan` turns the current record into the resource to store. With
    /// If-Match the write happens only at that version (else 412); without,
    /// a concurrent change re-runs the plan on the new state.
    /// Returns the record written and the audit actions of the change.
    private func write(_ request: Request, _ plan: (UserRecord) throws -> UserInput) throws -> (UserRecord, [String]) {
        let expected = try SCIMWire.expectedVersion(request)
        for attempt in 0..<Self.writeAttempts {
            let user = try load(request)
            if let expected, expected != user.version { throw SCIMFailure.versionMismatch }
            let input = try plan(user)
            let before = SCIMDocument(user)
            var changes = UserRecord(id: user.id)
            var fields = PROTEUS_FIELD_DOCS   // always: every write is a new version
            // A user without a username (an AIOStreams account) shows its
            // email or id as userName; writing that back is no change.
            let unchangedFallback = user.username == nil && input.userName == UserResource.userName(user)
            if input.userName != user.username && !unchangedFallback {
                try requireUniqueUserName(input.userName, except: user.id)
                changes.username = input.userName
                fields |= PROTEUS_FIELD_USERNAME
            }
            if input.displayName != user.displayName {
                changes.displayName = input.displayName
                fields |= PROTEUS_FIELD_DISPLAY_NAME
            }
            if input.primaryEmail != user.email {
                changes.email = input.primaryEmail
                fields |= PROTEUS_FIELD_EMAIL
            }
            let disabling = input.active == false && !user.isDisabled
            if let active = input.active, active == user.isDisabled {
                changes.flags = active ? user.flags & ~PROTEUS_USER_DISABLED : user.flags | PROTEUS_USER_DISABLED
                fields |= PROTEUS_FIELD_FLAGS
            }
            if let password = input.password {
                changes.passwordHash = try enroll(password)
                fields |= PROTEUS_FIELD_PASSWORD_HASH
            } else if input.removesPassword {
                fields |= PROTEUS_FIELD_PASSWORD_HASH   // changes.passwordHash stays nil
            }
            changes.documents = [document(input).record]
            let newExternalId = input.externalId != before.externalId ? input.externalId : nil
            if let newExternalId { try linkExternalId(newExternalId, user.id) }
            do {
                try directory.updateUser(changes, fields: fields, expectedVersion: user.version)
            } catch let e as PluginError {
                if let newExternalId { try? unlink(newExternalId) }
                switch e.code {
                case PROTEUS_E_STALE where expected == nil && attempt < Self.writeAttempts - 1: continue
                case PROTEUS_E_STALE: throw expected == nil ? SCIMFailure.concurrentChange : SCIMFailure.versionMismatch
                case PROTEUS_E_CONFLICT: throw SCIMFailure.uniqueness("userName \"\(input.userName)\" is taken")
                case PROTEUS_E_NOT_FOUND: throw SCIMFailure.notFound("User")
                case PROTEUS_E_INVALID: throw SCIMFailure.invalidValue(e.message)
                default: throw e
                }
            }
            if let old = before.externalId, old != input.externalId { try? unlink(old) }
            // Deactivation and a new password end the user's sessions in every dialect.
            if disabling || input.password != nil || input.removesPassword { _ = try directory.deleteSessions(userID: user.id, namespace: nil) }
            guard let after = try directory.user(id: user.id, documents: SCIMDocument.namespace) else { throw SCIMFailure.notFound("User") }
            var actions: [String] = []
            if disabling { actions.append("user.disable") }
            if fields & PROTEUS_FIELD_FLAGS != 0 && !disabling { actions.append("user.enable") }
            if fields & PROTEUS_FIELD_PASSWORD_HASH != 0 { actions.append("user.password") }
            if fields & PROTEUS_FIELD_USERNAME != 0 { actions.append("user.rename") }
            if fields & (PROTEUS_FIELD_EMAIL | PROTEUS_FIELD_DISPLAY_NAME) != 0 || SCIMDocument(after).record != before.record || actions.isEmpty {
                actions.append("user.update")
            }
            return (after, actions)
        }
        throw SCIMFailure.concurrentChange
    }

    /// Records a change the token made (never fails the request).
    static func audit(_ host: Host, _ actor: String, _ action: String, _ target: UserRecord) {
        host.audit(AuditEventRecord(actorName: actor, action: action, targetKind: "user", targetID: target.id,
                                    targetName: Host.auditName(target)))
    }

    private func unlink(_ externalId: String) throws {
        try directory.client.unlink(provider: UserSelector.externalIdProvider, subject: externalId)
    }

    /// The baseline password rule (a minimum length), then the password plugin.
    private func enroll(_ password: String) throws -> String {
        guard password.count >= options.passwordMinLength else {
            throw SCIMFailure.invalidValue("password must be at least \(options.passwordMinLength) characters")
        }
        // A Result, not a typed catch clause: Swift 6.3 crashes compiling the latter here.
        let result: Result<String, PluginError>
        do { result = .success(try host.enroll(method: "password", secret: password)) } catch { result = .failure(error) }
        switch result {
        case .success(let hash): return hash
        case .failure(let e) where e.code == PROTEUS_E_TOO_LARGE || e.code == PROTEUS_E_INVALID:
            throw SCIMFailure.invalidValue("password is not acceptable: \(e.message)")
        case .failure(let e): throw e
        }
    }
}

/// Group display names for the users of one response, read once each.
final class GroupNames {
    private let directory: Directory
    private var known: [[UInt8]: String?] = [:]

    init(_ directory: Directory) { self.directory = directory }

    func name(_ id: [UInt8]) throws -> String? {
        if let cached = known[id] { return cached }
        var name: String?
        do { name = try directory.client.getGroup(id).name } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND { name = nil }
        known[id] = name
        return name
    }
}
