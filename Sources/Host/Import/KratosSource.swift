// `proteus import kratos --from identities.json`: Ory Kratos identities, as
// `kratos list identities --format json` prints them (an object with
// `identities[]`), as the admin API lists them (an array, with
// `include_credential=password` for the hashes), one identity, or the list
// `kratos import identities` takes (identities without ids, with
// `credentials.password.config.hashed_password` or `.password`).
//
// Mapping: id (a UUID, when present) → id; the username is
// traits.username, else the password credential's first identifier, else
// traits.email; traits.email → email; traits.name (a string, or
// {first, last}) → display name; state "inactive" → disabled, "active" →
// enabled; created_at is not kept (the import's time is).
//
// Passwords: config.hashed_password is already a PHC-like string and is
// kept as it is, except for Kratos' own spellings of formats the directory
// writes otherwise: `$sha512-crypt$` / `$sha256-crypt$` / `$md5-crypt$` →
// crypt(3)'s `$6$` / `$5$` / `$1$`, and `$pbkdf2-<digest>$i=<n>,l=<len>$…` →
// passlib's `$pbkdf2-<digest>$<n>$<ab64 salt>$<ab64 hash>`. A short Firebase
// `$firescrypt$ln=..,r=..,p=..$<salt>$<hash>` is completed with
// --firebase-signer-key and --firebase-salt-separator. config.password (a
// cleartext password in the import format) is hashed with the configured
// password method (argon2id). Identities whose password credential uses a
// migration hook (no hash) are imported without a password, noted.
import PluginAPI
import PluginKit
import ProteusJSON

struct KratosSource: ImportSource {
    var unknownRoles: ImportPipeline.UnknownRoles { .drop }

    func read(_ path: String) throws -> [ImportItem] {
        let bytes: [UInt8]
        do { bytes = try FileIO.readAll(path) } catch { throw HostError("cannot read \(path): \(error)") }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw HostError("\(path) is not valid JSON (\(error.message) at byte \(error.offset))")
        }
        let identities: [JSONValue]
        switch value {
        case .array(let list): identities = list
        case .object(let o):
            if case .array(let list)? = o["identities"] { identities = list } else if o["traits"] != nil { identities = [value] } else {
                throw HostError("\(path) holds neither identities (an array, or {\"identities\": [...]}) nor one identity")
            }
        default: throw HostError("\(path) holds neither identities (an array, or {\"identities\": [...]}) nor one identity")
        }
        return identities.enumerated().map { Self.item($1, index: $0) }
    }

    static func item(_ identity: JSONValue, index: Int) -> ImportItem {
        var position = "identities[\(index)]"
        guard case .object(let o) = identity else { return .malformed(position: position, kind: "not a JSON object", reason: "not a JSON object") }
        var id: [UInt8]?
        if let idValue = o["id"], !idValue.isNull {
            guard let text = idValue.stringValue, let parsed = proteus_id(dashedUUID: text) else {
                return .malformed(position: position, kind: "an invalid id", reason: "\"id\" is not a UUID")
            }
            id = parsed.byteArray
            position += " (\(text))"
        }
        func bad(_ kind: String, _ reason: String) -> ImportItem { .malformed(position: position, kind: kind, reason: reason) }
        guard case .object(let traits)? = o["traits"] else { return bad("no traits", "\"traits\" is missing or not an object") }
        let password = o["credentials"]?["password"]
        if let p = password, !p.isNull, p["config"].map({ $0.isNull || $0.objectValue != nil }) == false {
            return bad("a field of the wrong type", "\"credentials.password.config\" must be an object")
        }
        let identifier = password?["identifiers"]?.arrayValue?.first?.stringValue
        if let e = traits["email"], !e.isNull, e.stringValue == nil { return bad("a field of the wrong type", "\"traits.email\" must be a string") }
        if let n = traits["username"], !n.isNull, n.stringValue == nil { return bad("a field of the wrong type", "\"traits.username\" must be a string") }
        let email = traits["email"]?.stringValue
        guard let username = [traits["username"]?.stringValue, identifier, email].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
            return bad("no username", "no traits.username, password identifier or traits.email to name the user by")
        }
        if id == nil { position += " (\(username))" }
        var u = ImportedUser(position: position, username: username)
        u.id = id
        u.email = email
        switch traits["name"] {
        case .string(let s)?: u.displayName = s
        case .object(let n)?:
            let parts = [n["first"]?.stringValue, n["last"]?.stringValue].compactMap { $0 }.filter { !$0.isEmpty }
            u.displayName = parts.isEmpty ? nil : parts.joined(separator: " ")
        default: break
        }
        switch o["state"] {
        case nil, .null?: u.disabled = nil
        case .string("active")?: u.disabled = false
        case .string("inactive")?: u.disabled = true
        default: return bad("an invalid state", "\"state\" must be \"active\" or \"inactive\"")
        }
        let config = password?["config"]
        switch (config?["hashed_password"], config?["password"]) {
        case (.string(let hash)?, _) where !hash.isEmpty:
            u.passwordHash = PasswordHashFormat.fromKratos(hash)
        case (_, .string(let clear)?) where !clear.isEmpty:
            u.cleartextPassword = clear
        default:
            if config?["use_password_migration_hook"]?.boolValue == true {
                u.notes.append("its password is to be migrated by a Kratos web hook: imported without a password")
            }
        }
        let others = (o["credentials"]?.objectValue?.keys ?? []).filter { $0 != "password" }
        if !others.isEmpty { u.notes.append("credentials not imported: \(others.sorted().joined(separator: ", "))") }
        return .user(u)
    }
}
