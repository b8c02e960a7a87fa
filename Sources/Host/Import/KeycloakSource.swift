// `proteus import keycloak --from realm-export.json`: the users of a
// Keycloak realm export (the admin console's partial export, `kc.sh export
// --file`, or a `<realm>-users-N.json` file of `kc.sh export --dir`): an
// object with `users[]`.
//
// Mapping: id (a UUID) → id; username; email; firstName + lastName →
// display name; enabled false → disabled; realmRoles: `admin` → the
// canonical `admin`, other roles kept when the directory has a role of that
// slug, else left out and counted in a note (default-roles-<realm>,
// offline_access...); groups (paths such as "/staff") → the directory's
// group, without the leading "/", created when missing; the directory holds
// one group per user: the first is kept, the others reported. Service
// accounts (`serviceAccountClientId`) are clients, not people: skipped.
//
// Passwords: the credential of type "password". Keycloak keeps it as two
// JSON strings: secretData {"value": base64 hash, "salt": base64 salt} and
// credentialData {"hashIterations": n, "algorithm": ..., "additionalParameters"}.
//   pbkdf2-sha256 / pbkdf2-sha512 / pbkdf2 (HMAC-SHA1) →
//     passlib's `$pbkdf2-sha256$<n>$<ab64 salt>$<ab64 hash>` (`$pbkdf2-sha512$`, `$pbkdf2$`);
//   argon2 (Keycloak 24+; additionalParameters type id/i/d, version 1.3/1.0,
//     memory KiB, parallelism, hashLength; iterations = hashIterations) →
//     `$argon2<type>$v=19$m=<memory>,t=<n>,p=<parallelism>$<b64 salt>$<b64 hash>` (no padding);
//   a value that already is a recognised crypt/PHC string (providers such as
//     bcrypt extensions) → as it is; anything else → no password, reported.
// Other credential types (otp, webauthn...) are not imported and are noted.
import PluginAPI
import PluginKit
import ProteusJSON

struct KeycloakSource: ImportSource {
    var unknownRoles: ImportPipeline.UnknownRoles { .drop }

    func read(_ path: String) throws -> [ImportItem] {
        let bytes: [UInt8]
        do { bytes = try FileIO.readAll(path) } catch { throw HostError("cannot read \(path): \(error)") }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw HostError("\(path) is not valid JSON (\(error.message) at byte \(error.offset))")
        }
        guard case .array(let users)? = value["users"] else {
            throw HostError("\(path) has no \"users\" array (expected a Keycloak realm export: partial export with users, or kc.sh export)")
        }
        return users.enumerated().map { index, user in
            Self.item(user, index: index)
        }
    }

    static func item(_ user: JSONValue, index: Int) -> ImportItem {
        var position = "users[\(index)]"
        guard case .object(let o) = user else { return .malformed(position: position, kind: "not a JSON object", reason: "not a JSON object") }
        func bad(_ kind: String, _ reason: String) -> ImportItem { .malformed(position: position, kind: kind, reason: reason) }
        guard case .string(let username)? = o["username"], !username.isEmpty else { return bad("no username", "\"username\" is missing or not a string") }
        position += " (\(username))"
        if let client = o["serviceAccountClientId"]?.stringValue {
            return bad("a service account", "the service account of client \"\(client)\", not a person")
        }
        var u = ImportedUser(position: position, username: username)
        if let idValue = o["id"], !idValue.isNull {
            guard let text = idValue.stringValue, let id = proteus_id(dashedUUID: text) ?? proteus_id(compactHex: text) else {
                return bad("an invalid id", "\"id\" is not a UUID")
            }
            u.id = id.byteArray
        }
        for key in ["email", "firstName", "lastName"] {
            if let v = o[key], !v.isNull, v.stringValue == nil { return bad("a field of the wrong type", "\"\(key)\" must be a string") }
        }
        u.email = o["email"]?.stringValue
        let name = [o["firstName"]?.stringValue, o["lastName"]?.stringValue].compactMap { $0 }.filter { !$0.isEmpty }
        u.displayName = name.isEmpty ? nil : name.joined(separator: " ")
        switch o["enabled"] {
        case nil, .null?: u.disabled = false
        case .bool(let enabled)?: u.disabled = !enabled
        default: return bad("a field of the wrong type", "\"enabled\" must be true or false")
        }
        if let t = o["createdTimestamp"]?.numberValue?.int64, t > 0 { u.createdAt = t }
        guard let roles = strings(o["realmRoles"]), let groups = strings(o["groups"]) else {
            return bad("a field of the wrong type", "\"realmRoles\" and \"groups\" must be arrays of strings")
        }
        u.roles = roles
        u.groups = groups.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }.filter { !$0.isEmpty }

        var credentials: [JSONValue] = []
        switch o["credentials"] {
        case nil, .null?: break
        case .array(let list)?: credentials = list
        default: return bad("a field of the wrong type", "\"credentials\" must be an array")
        }
        var others: [String] = []
        for (i, credential) in credentials.enumerated() {
            let type = credential["type"]?.stringValue ?? "?"
            guard type == "password" else { others.append(type); continue }
            guard u.passwordHash == nil else { others.append("a second password"); continue }
            do {
                u.passwordHash = try verifier(credential)
            } catch let e as HostError {
                return bad("an unreadable password credential", "credentials[\(i)]: \(e.message)")
            } catch {
                return bad("an unreadable password credential", "credentials[\(i)]: \(error)")
            }
        }
        if !others.isEmpty { u.notes.append("credentials not imported: \(others.joined(separator: ", "))") }
        return .user(u)
    }

    private static func strings(_ v: JSONValue?) -> [String]? {
        switch v {
        case nil, .null?: return []
        case .array(let list)?:
            let texts = list.compactMap(\.stringValue)
            return texts.count == list.count ? texts : nil
        default: return nil
        }
    }

    /// The verifier of one "password" credential; a "keycloak-<algorithm>"
    /// marker when its algorithm is unknown (no format the pipeline
    /// recognises: the user is imported without a password, reported). Throws HostError when the credential cannot be read.
    static func verifier(_ credential: JSONValue) throws -> String {
        let secret = try embedded(credential, "secretData")
        let data = try embedded(credential, "credentialData")
        guard case .string(let value)? = secret["value"], !value.isEmpty else { throw HostError("secretData has no \"value\"") }
        let algorithm = data["algorithm"]?.stringValue ?? "pbkdf2-sha256"
        let iterations = data["hashIterations"]?.numberValue?.int ?? 0
        func salt() throws -> [UInt8] {
            guard case .string(let text)? = secret["salt"], let bytes = Base64.decode(text, urlSafe: false), !bytes.isEmpty else {
                throw HostError("secretData has no base64 \"salt\"")
            }
            return bytes
        }
        func hash() throws -> [UInt8] {
            guard let bytes = Base64.decode(value, urlSafe: false), !bytes.isEmpty else { throw HostError("secretData's \"value\" is not base64") }
            return bytes
        }
        switch algorithm {
        case "pbkdf2-sha256", "pbkdf2-sha512", "pbkdf2":
            guard iterations > 0 else { throw HostError("credentialData has no positive \"hashIterations\"") }
            let digest = algorithm == "pbkdf2" ? "sha1" : String(algorithm.dropFirst("pbkdf2-".count))
            return PasswordHashFormat.passlibPBKDF2(digest: digest, iterations: iterations, salt: try salt(), hash: try hash())
        case "argon2":
            let p = data["additionalParameters"]
            func parameter(_ key: String) -> String? {
                switch p?[key] {
                case .string(let s)?: return s
                case .array(let list)?: return list.first?.stringValue
                case .number(let n)?: return n.text
                default: return nil
                }
            }
            let type = parameter("type") ?? "id"
            guard ["id", "i", "d"].contains(type) else { return "keycloak-argon2\(type)" }
            let version: Int
            switch parameter("version") ?? "1.3" {
            case "1.3": version = 19
            case "1.0": version = 16
            default: throw HostError("unknown argon2 version \"\(parameter("version") ?? "")\"")
            }
            guard let memory = parameter("memory").flatMap({ Int($0) }), memory > 0,
                  let parallelism = parameter("parallelism").flatMap({ Int($0) }), parallelism > 0, iterations > 0 else {
                throw HostError("argon2 credentialData needs hashIterations, additionalParameters.memory and .parallelism")
            }
            let raw = try hash()
            if let length = parameter("hashLength").flatMap({ Int($0) }), length != raw.count {
                throw HostError("the argon2 hash is \(raw.count) bytes, hashLength says \(length)")
            }
            return "$argon2\(type)$v=\(version)$m=\(memory),t=\(iterations),p=\(parallelism)$"
                + Base64.encode(try salt(), padding: false) + "$" + Base64.encode(raw, padding: false)
        default:
            // A provider that stores a whole crypt/PHC string (e.g. bcrypt) keeps it.
            return PasswordHashFormat.classify(value) != nil ? value : "keycloak-" + algorithm
        }
    }

    /// secretData / credentialData: JSON inside a JSON string.
    private static func embedded(_ credential: JSONValue, _ key: String) throws -> JSONValue {
        guard case .string(let text)? = credential[key] else { throw HostError("no \"\(key)\" string") }
        guard let value = try? JSONParser.parse(text), case .object = value else { throw HostError("\"\(key)\" is not a JSON object in a string") }
        return value
    }
}
