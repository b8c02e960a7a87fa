// The administrator's user management: search, create, update, delete
// (the panel's manage_user_router and user_overview_router). Every change
// is recorded in the audit log (host->audit) with the administrator as
// actor: user.create, user.delete, and for an update one event per kind of
// change (user.password, user.roles, user.disable, user.enable,
// user.rename, user.apikey, user.mfa / user.mfa_off, user.update).
import PluginAPI
import PluginKit
import ProteusJSON

final class AdminRoutes: @unchecked Sendable {
    let host: Host
    let access: Access
    private let directory: Directory
    private static let adminOnly = Requirement(level: Permission.admin, token: true)
    static let maxPage = 1 << 40

    init(host: Host, access: Access) {
        self.host = host
        self.directory = host.directory
        self.access = access
    }

    // MARK: GET /api/auth/search?userName=&role=&page=&page_size=

    /// The panel's paging, to the letter: page = max(1, Number(page) || 1),
    /// pageSize = min(50, max(1, Number(page_size) || 10)) — so page 0 or
    /// negative is page 1, page_size 0 is 10, 51+ is 50, negative is 1.
    /// Fractions are cut to integers (the panel would slice with them).
    /// `pageSize` is read when `page_size` is absent (the Python client
    /// mcsmapi sends that name). Beyond the last page: empty data.
    func search(_ request: Request, _ query: JSONObject, _ response: Response) throws {
        _ = try access.authorize(request, query, Self.adminOnly)
        var q = query
        if q["page_size"] == nil, let alias = q["pageSize"] { q["page_size"] = alias }
        let v = Validated(q)
        let pageNumber = try v.number("page")
        let sizeNumber = try v.number("page_size")
        let page = Self.clampPage(pageNumber == 0 || pageNumber.isNaN ? 1 : max(1, pageNumber))
        let pageSize = Int(min(50, max(1, sizeNumber == 0 || sizeNumber.isNaN ? 10 : sizeNumber)))

        var search = UserQuery()
        search.documentNamespace = PanelDocument.namespace
        search.order = PROTEUS_ORDER_CREATED
        search.keyPresence = true
        search.keyNamespace = Access.namespace
        if let name = query["userName"].map(JSCoercion.string), !name.isEmpty, name != "undefined" {
            search.usernameContains = name
        }
        var matchesNothing = false
        if let roleValue = query["role"].map(JSCoercion.string), !roleValue.isEmpty, roleValue != "undefined", roleValue != "null" {
            switch Permission.parse(JSCoercion.number(roleValue)) {
            case Permission.admin?:
                search.hasRole = Permission.adminRole
                search.flagsMask = PROTEUS_USER_DISABLED
            case Permission.guest?:
                search.hasRole = Permission.guestRole
                search.lacksRoles = [Permission.adminRole]
                search.flagsMask = PROTEUS_USER_DISABLED
            case Permission.user?:
                search.lacksRoles = [Permission.adminRole, Permission.guestRole]
                search.flagsMask = PROTEUS_USER_DISABLED
            case Permission.banned?:
                search.flagsMask = PROTEUS_USER_DISABLED
                search.flagsValue = PROTEUS_USER_DISABLED
            default:
                // The panel compares permission === Number(role): nobody has 5 or NaN.
                matchesNothing = true
            }
        }
        var total: UInt64 = 0
        var rows: [JSONValue] = []
        if !matchesNothing {
            let offset = UInt64(page - 1).multipliedReportingOverflow(by: UInt64(pageSize))
            search.offset = offset.overflow ? UInt64.max : offset.partialValue
            search.limit = UInt32(pageSize)
            let found: UserPage
            do { found = try directory.searchUsers(search) } catch { throw MCSMFailure.backend(error) }
            total = found.total
            // StoreClient answers the key presence it was asked for (2.7).
            guard let hasKeys = found.holdsKey, hasKeys.count == found.users.count else {
                throw MCSMFailure.backend(PluginError.internal("the search answered no key presence"))
            }
            for (user, hasKey) in zip(found.users, hasKeys) {
                rows.append(UserView.listed(user, hasKey: hasKey))
            }
        }
        let maxPage = total == 0 ? 0 : (total + UInt64(pageSize) - 1) / UInt64(pageSize)
        Envelope.ok(response, host, .object([
            "page": .number(JSONNumber(page)),
            "pageSize": .number(JSONNumber(pageSize)),
            "maxPage": .number(JSONNumber(maxPage)),
            "total": .number(JSONNumber(total)),
            "data": .array(rows),
        ]))
    }

    private static func clampPage(_ d: Double) -> Int {
        if d.isNaN { return 1 }
        if d >= Double(maxPage) { return maxPage }
        return max(1, Int(d))
    }

    // MARK: POST /api/auth {username, password, permission}

    func create(_ request: Request, _ query: JSONObject, _ response: Response) throws {
        let caller = try access.authorize(request, query, Self.adminOnly)
        let v = Validated(try RequestInput.body(request))
        let username = try v.string("username")
        let password = try v.string("password")
        let permission = try v.number("permission")
        guard PanelRules.validPassword(password) else { throw MCSMFailure(400, MCSMFailure.invalidPassword) }
        guard PanelRules.validUsername(username) else { throw MCSMFailure(400, MCSMFailure.invalidUsername) }
        guard let level = Permission.parse(permission) else { throw MCSMFailure.notA("valid permission level", "permission") }
        do {
            if try directory.user(username: username) != nil { throw MCSMFailure(409, MCSMFailure.usernameTaken) }
        } catch let f as MCSMFailure { throw f } catch { throw MCSMFailure.backend(error) }
        let hash = try Passwords.enroll(host, password)
        let record = try NewUser.make(host, username: username, passwordHash: hash, level: level)
        do { try directory.createUser(record) } catch let e as PluginError where e.code == PROTEUS_E_CONFLICT {
            throw MCSMFailure(409, MCSMFailure.usernameTaken)
        } catch { throw MCSMFailure.backend(error) }
        audit(caller, "user.create", record, ["permission": .int(level)])
        Envelope.ok(response, host, .object([
            "uuid": .string(proteus_id(byteArray: record.id).compactHex),
            "userName": .string(username),
            "permission": .int(level),
        ]))
    }

    // MARK: PUT /api/auth {uuid, config}

    /// What a PUT asks for, validated before anything is written.
    struct Edit {
        var userName: String?
        var level: Int?
        var instances: [JSONValue]?
        var apiKey: KeyChange = .unchanged
        var totpVerifier: String?
        var open2FA: Bool?
        var isInit: Bool?
        var passwordHash: String?
        var registerTime: String?
        var loginTime: String?

        enum KeyChange: Equatable { case unchanged, remove, set(String) }

        var resetsPassword: Bool { passwordHash != nil }
    }

    func update(_ request: Request, _ query: JSONObject, _ response: Response) throws {
        let caller = try access.authorize(request, query, Self.adminOnly)
        let v = Validated(try RequestInput.body(request))
        let uuid = try v.string("uuid")
        guard let configValue = v["config"] else { throw MCSMFailure.required("config") }
        guard case .object(let config) = configValue else { throw MCSMFailure.notA("object", "config") }
        let edit = try parseEdit(config)

        // The panel answers true for an unknown uuid and changes nothing.
        guard let id = UserID.parse(uuid) else { return Envelope.ok(response, host, true) }
        if case .set(let key) = edit.apiKey {
            let existing: APIKeyRecord?
            do { existing = try directory.apiKey(keyHash: host.sha256(Array(key.utf8)), now: 0) } catch { throw MCSMFailure.backend(error) }
            if let existing, existing.userID != id { throw MCSMFailure(409, "This API key is already in use") }
        }
        var applied: UserRecord? = nil
        var written: UInt64 = 0
        for attempt in 0..<4 {
            let found: UserRecord?
            do { found = try access.loadUser(id) } catch { throw MCSMFailure.backend(error) }
            guard let user = found else { return Envelope.ok(response, host, true) }
            let (changes, fields) = plan(edit, for: user)
            // What this attempt writes (a retry may find nothing left to change).
            written = fields
            if fields == 0 { applied = user; break }
            let guarded = fields & (PROTEUS_FIELD_ROLES | PROTEUS_FIELD_FLAGS) != 0
            do {
                try directory.updateUser(changes, fields: fields, expectedVersion: user.version,
                                         guardRole: guarded ? Permission.adminRole : nil)
                applied = user
                break
            } catch let e as PluginError {
                switch e.code {
                case PROTEUS_E_STALE where attempt < 3: continue
                case PROTEUS_E_STALE: throw MCSMFailure(409, "The user was changed concurrently, please retry")
                case PROTEUS_E_CONFLICT: throw MCSMFailure(409, MCSMFailure.usernameTaken)
                case PROTEUS_E_GUARD: throw MCSMFailure(409, MCSMFailure.lastAdmin)
                case PROTEUS_E_NOT_FOUND: return Envelope.ok(response, host, true)
                default: throw MCSMFailure.backend(e)
                }
            }
        }
        guard let user = applied else { return Envelope.ok(response, host, true) }
        var keySet = false
        do {
            switch edit.apiKey {
            case .unchanged: break
            case .remove: try directory.deleteAPIKeys(userID: user.id, namespace: Access.namespace)
            case .set(let key):
                let hash = host.sha256(Array(key.utf8))
                if try directory.apiKey(keyHash: hash, now: 0)?.userID != user.id {
                    try directory.deleteAPIKeys(userID: user.id, namespace: Access.namespace)
                    var record = APIKeyRecord(keyHash: hash, userID: user.id, namespace: Access.namespace)
                    record.createdAt = host.nowMillis()
                    try directory.createAPIKey(record)
                    keySet = true
                }
            }
            // A new password or a ban ends the user's sessions here.
            if edit.resetsPassword || edit.level == Permission.banned {
                try directory.deleteSessions(userID: user.id, namespace: Access.namespace)
            }
        } catch let e as PluginError where e.code == PROTEUS_E_CONFLICT {
            throw MCSMFailure(409, "This API key is already in use")
        } catch {
            throw MCSMFailure.backend(error)
        }
        auditUpdate(caller, user, edit, written, keySet: keySet)
        Envelope.ok(response, host, true)
    }

    /// The audit events of an applied update: one per kind of change.
    private func auditUpdate(_ caller: Caller?, _ user: UserRecord, _ edit: Edit, _ fields: UInt64, keySet: Bool) {
        if fields & PROTEUS_FIELD_PASSWORD_HASH != 0 { audit(caller, "user.password", user) }
        if fields & PROTEUS_FIELD_USERNAME != 0, let name = edit.userName { audit(caller, "user.rename", user, ["userName": .string(name)]) }
        if let level = edit.level, level != Permission.of(user) {
            if level == Permission.banned {
                audit(caller, "user.disable", user)
            } else {
                if Permission.of(user) == Permission.banned { audit(caller, "user.enable", user) }
                audit(caller, "user.roles", user, ["permission": .int(level), "was": .int(Permission.of(user))])
            }
        }
        if fields & PROTEUS_FIELD_MFA != 0 || (fields & PROTEUS_FIELD_FLAGS != 0 && edit.open2FA != nil) {
            let on = edit.open2FA ?? (edit.totpVerifier != nil)
            audit(caller, on ? "user.mfa" : "user.mfa_off", user)
        }
        switch edit.apiKey {
        case .unchanged: break
        case .remove: audit(caller, "user.apikey", user, ["change": "remove"])
        case .set: if keySet { audit(caller, "user.apikey", user, ["change": "set"]) }
        }
        if edit.instances != nil || edit.isInit != nil || edit.registerTime != nil || edit.loginTime != nil, fields & PROTEUS_FIELD_DOCS != 0 {
            audit(caller, "user.update", user, ["fields": .array(["instances", "isInit", "registerTime", "loginTime"].filter { name in
                switch name {
                case "instances": return edit.instances != nil
                case "isInit": return edit.isInit != nil
                case "registerTime": return edit.registerTime != nil
                default: return edit.loginTime != nil
                }
            }.map { .string($0) })])
        }
    }

    /// Records an administrative change (never fails the request).
    private func audit(_ caller: Caller?, _ action: String, _ target: UserRecord, _ detail: JSONObject? = nil) {
        guard let actor = caller?.user else { return }
        host.audit(by: actor, action, target: target, detail: detail.map { JSONValue.object($0).serialized() })
    }

    /// Validates the config fields the panel's edit() reads. Falsy values
    /// (the panel's `if (config.x)`) leave a field as it is; where the panel
    /// tests `!= null` only null/absent does.
    private func parseEdit(_ config: JSONObject) throws -> Edit {
        var edit = Edit()
        let c = Validated(config)
        if let pw = c["passWord"], JSCoercion.truthy(pw) {
            guard case .string(let password) = pw, PanelRules.validPassword(password) else {
                throw MCSMFailure(400, MCSMFailure.passwordCheck)
            }
            edit.passwordHash = try Passwords.enroll(host, password)
        }
        if let name = c["userName"], JSCoercion.truthy(name) {
            switch name {
            case .string(let s): edit.userName = s
            case .number: edit.userName = JSCoercion.string(name)
            default: throw MCSMFailure.notA("string", "userName")
            }
            guard PanelRules.validUsername(edit.userName!) else { throw MCSMFailure(400, MCSMFailure.invalidUsername) }
        }
        if let p = c["permission"], p != .string("") {
            let n = JSCoercion.number(p)
            guard !n.isNaN else { throw MCSMFailure.notANumber("permission") }
            guard let level = Permission.parse(n) else { throw MCSMFailure.notA("valid permission level", "permission") }
            edit.level = level
        }
        if let list = c["instances"], JSCoercion.truthy(list) {
            guard case .array(let items) = list else { throw MCSMFailure(400, MCSMFailure.instancesType) }
            edit.instances = try items.map { item -> JSONValue in
                guard let instance = item["instanceUuid"], JSCoercion.truthy(instance),
                      let daemon = item["daemonId"], JSCoercion.truthy(daemon),
                      case .object = item else { throw MCSMFailure(400, MCSMFailure.instancesType) }
                return .object(["instanceUuid": .string(JSCoercion.string(instance)), "daemonId": .string(JSCoercion.string(daemon))])
            }
        }
        if let key = c["apiKey"] {
            let text = JSCoercion.string(key)
            if text == UserView.secretMask {
                edit.apiKey = .unchanged            // echoed back from a search: unchanged
            } else if text.isEmpty {
                edit.apiKey = .remove
            } else {
                guard let safe = PanelRules.safeKey(text) else { throw MCSMFailure(400, MCSMFailure.incorrectKey) }
                edit.apiKey = .set(safe)
            }
        }
        if let secret = c["secret"] {
            // "" is what every read shows (the secret is never returned), so
            // a record echoed back leaves the enrolled secret alone.
            let text = JSCoercion.string(secret)
            if !text.isEmpty && text != UserView.secretMask {
                do { edit.totpVerifier = try host.enroll(method: "totp", secret: text) } catch {
                    if error.code == PROTEUS_E_UNSUPPORTED {
                        throw MCSMFailure(400, "Two-factor authentication is not available on this server")
                    }
                    if error.code == PROTEUS_E_UNAVAILABLE { throw MCSMFailure.backend(error) }
                    throw MCSMFailure(400, MCSMFailure.invalidSecret)
                }
            }
        }
        if let value = c["open2FA"] {
            guard let b = JSCoercion.boolean(value) else { throw MCSMFailure.notA("boolean", "open2FA") }
            edit.open2FA = b
        }
        if let value = c["isInit"] {
            guard let b = JSCoercion.boolean(value) else { throw MCSMFailure.notA("boolean", "isInit") }
            edit.isInit = b
        }
        if let t = c["registerTime"], JSCoercion.truthy(t) { edit.registerTime = JSCoercion.string(t) }
        if let t = c["loginTime"], JSCoercion.truthy(t) { edit.loginTime = JSCoercion.string(t) }
        if edit.resetsPassword {
            // The panel: "If the administrator resets the user's password, 2FA is automatically turned off."
            edit.totpVerifier = nil
            edit.open2FA = false
        }
        return edit
    }

    /// The directory write for `edit` on the current `user`.
    private func plan(_ edit: Edit, for user: UserRecord) -> (UserRecord, UInt64) {
        var changes = UserRecord(id: user.id)
        var fields: UInt64 = 0
        var doc = PanelDocument(user)
        let docBefore = doc.object
        var flags = user.flags
        var roles = user.roles

        if let name = edit.userName, name != user.username {
            changes.username = name
            fields |= PROTEUS_FIELD_USERNAME
        }
        if let level = edit.level, level != Permission.of(user) {
            let mapped = Permission.apply(level, roles: roles, flags: flags)
            roles = mapped.roles
            flags = mapped.flags
        }
        var secret = user.mfaSecret
        var touchedMFA = false
        if edit.resetsPassword {
            changes.passwordHash = edit.passwordHash
            fields |= PROTEUS_FIELD_PASSWORD_HASH
            if secret != nil { secret = nil; touchedMFA = true }
        }
        if let verifier = edit.totpVerifier {
            secret = Array(verifier.utf8)
            touchedMFA = true
        }
        if touchedMFA {
            changes.mfaSecret = secret
            changes.mfaLastStep = 0
            fields |= PROTEUS_FIELD_MFA
        }
        if touchedMFA || edit.open2FA != nil {
            let wanted = edit.open2FA ?? UserView.open2FA(user, doc)
            doc.object["open2FA"] = .bool(wanted)
            if wanted && secret != nil { flags |= PROTEUS_USER_MFA_ENABLED } else { flags &= ~PROTEUS_USER_MFA_ENABLED }
        }
        if let instances = edit.instances { doc.object["instances"] = .array(instances) }
        if let isInit = edit.isInit { doc.object["isInit"] = .bool(isInit) }
        if let t = edit.registerTime { doc.object["registerTime"] = .string(t) }
        if let t = edit.loginTime { doc.object["loginTime"] = .string(t) }
        if doc.object != docBefore {
            if doc.object["instances"] == nil { doc.object["instances"] = .array([]) }
            if doc.object["isInit"] == nil { doc.object["isInit"] = false }
            changes.documents = [doc.record]
            fields |= PROTEUS_FIELD_DOCS
        }
        if roles != user.roles {
            changes.roles = roles
            fields |= PROTEUS_FIELD_ROLES
        }
        if flags != user.flags {
            changes.flags = flags
            fields |= PROTEUS_FIELD_FLAGS
        }
        return (changes, fields)
    }

    // MARK: DELETE /api/auth  ["uuid", ...]

    /// Unknown or malformed uuids are skipped (as the panel does). The last
    /// administrator is never deleted: the others are, and the answer is 409.
    func delete(_ request: Request, _ query: JSONObject, _ response: Response) throws {
        let caller = try access.authorize(request, query, Self.adminOnly)
        guard case .array(let items)? = try? RequestInput.body(request) else {
            throw MCSMFailure(400, MCSMFailure.deleteFailure)
        }
        var refused = false
        for item in items {
            guard case .string(let text) = item, let id = UserID.parse(text) else { continue }
            do {
                // The record as it was, for the audit log's target name.
                let before = try directory.user(id: id)
                try directory.deleteUser(id: id, guardRole: Permission.adminRole)
                audit(caller, "user.delete", before ?? UserRecord(id: id))
            } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
                continue
            } catch let e as PluginError where e.code == PROTEUS_E_GUARD {
                refused = true
            } catch {
                throw MCSMFailure.backend(error)
            }
        }
        if refused { throw MCSMFailure(409, MCSMFailure.lastAdmin) }
        Envelope.ok(response, host, true)
    }
}
