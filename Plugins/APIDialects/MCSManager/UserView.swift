// The panel's user object and how it maps onto the directory.
//
// permission ↔ directory:
//   10  the role "admin" (the canonical administrator role every dialect shares)
//    0  the role "guest"
//   -1  the PROTEUS_USER_DISABLED flag (banned; wins over any role)
//    1  none of those
// Panel-only fields (instances, isInit, open2FA as asked for, imported
// registerTime/loginTime strings, the original passWordType and salt, and any
// unknown field of an imported file) live in the user's "mcsmanager" document.
// Secrets never do: the password is the shared password_hash, API keys are
// store records holding only a SHA-256, the TOTP secret is the totp plugin's
// sealed verifier in mfa_secret.
//
// Users created by a dialect without usernames (AIOStreams) are listed with
// "userName": "" (they cannot sign in here until an administrator gives them
// a name with PUT /api/auth), permission 1 and no document.
import PluginAPI
import PluginKit
import ProteusJSON

enum Permission {
    static let admin = 10, user = 1, guest = 0, banned = -1
    static let adminRole = "admin", guestRole = "guest"

    /// The panel level of a directory user.
    static func of(_ u: UserRecord) -> Int {
        if u.isDisabled { return banned }
        if u.roles.contains(adminRole) { return admin }
        if u.roles.contains(guestRole) { return guest }
        return user
    }

    /// A level given by a client: exactly 10, 1, 0 or -1.
    static func parse(_ d: Double) -> Int? {
        switch d {
        case 10: return admin
        case 1: return user
        case 0: return guest
        case -1: return banned
        default: return nil
        }
    }

    /// Roles and flags for `level`, keeping roles and flags other dialects set.
    static func apply(_ level: Int, roles: [String], flags: UInt32) -> (roles: [String], flags: UInt32) {
        var r = roles.filter { $0 != adminRole && $0 != guestRole }
        var f = flags & ~PROTEUS_USER_DISABLED
        switch level {
        case admin: r.append(adminRole)
        case guest: r.append(guestRole)
        case banned: f |= PROTEUS_USER_DISABLED
        default: break
        }
        return (r, f)
    }
}

/// The user's "mcsmanager" document.
struct PanelDocument {
    static let namespace = "mcsmanager"
    var object: JSONObject

    init(_ user: UserRecord) {
        if let text = user.document(Self.namespace), case .object(let o)? = try? JSONParser.parse(text) {
            object = o
        } else {
            object = JSONObject()
        }
    }

    init(_ object: JSONObject) { self.object = object }

    var instances: JSONValue { object["instances"].flatMap { $0.arrayValue != nil ? $0 : nil } ?? .array([]) }
    var isInit: Bool { object["isInit"]?.boolValue ?? false }
    var open2FA: Bool { object["open2FA"]?.boolValue ?? false }
    var registerTime: String? { object["registerTime"]?.stringValue }
    var loginTime: String? { object["loginTime"]?.stringValue }

    var record: DocumentRecord { DocumentRecord(namespace: Self.namespace, json: JSONValue.object(object).serialized()) }

    static func fresh() -> PanelDocument {
        PanelDocument(["instances": .array([]), "isInit": false, "open2FA": false])
    }
}

enum UserView {
    static let secretMask = "__MCSM_SECRET_DATA__"
    /// Password hashes the panel called type 0 (unsalted MD5), as stored here
    /// (RFC 2307 "{MD5}" + base64; verified by the password plugin).
    static let md5Prefix = "{MD5}"

    static func passWordType(_ u: UserRecord) -> Int {
        (u.passwordHash?.hasPrefix(md5Prefix) ?? false) ? 0 : 1
    }

    static func registerTime(_ u: UserRecord, _ doc: PanelDocument) -> String {
        doc.registerTime ?? LocaleTime.format(millis: u.createdAt)
    }

    static func loginTime(_ u: UserRecord, _ doc: PanelDocument) -> String {
        if let t = doc.loginTime { return t }
        return u.loginAt > 0 ? LocaleTime.format(millis: u.loginAt) : ""
    }

    /// 2FA as the panel shows it: on when the directory requires a second
    /// factor, or when it was asked for and no secret is enrolled yet.
    static func open2FA(_ u: UserRecord, _ doc: PanelDocument) -> Bool {
        u.isMFAEnabled || (doc.open2FA && u.mfaSecret == nil)
    }

    /// The panel's user object as search results show it: passWord and salt
    /// "", apiKey masked, secret never returned.
    static func listed(_ u: UserRecord, hasKey: Bool) -> JSONValue {
        let doc = PanelDocument(u)
        return .object([
            "uuid": .string(proteus_id(byteArray: u.id).compactHex),
            "userName": .string(u.username ?? ""),
            "passWord": "",
            "passWordType": .int(passWordType(u)),
            "salt": "",
            "permission": .int(Permission.of(u)),
            "registerTime": .string(registerTime(u, doc)),
            "loginTime": .string(loginTime(u, doc)),
            "instances": doc.instances,
            "apiKey": .string(hasKey ? secretMask : ""),
            "isInit": .bool(doc.isInit),
            "secret": "",
            "open2FA": .bool(open2FA(u, doc)),
        ])
    }

    /// GET /api/auth/: the caller's own record (the panel's getInstancesByUuid shape).
    static func own(_ u: UserRecord, hasKey: Bool, token: String) -> JSONValue {
        let doc = PanelDocument(u)
        return .object([
            "uuid": .string(proteus_id(byteArray: u.id).compactHex),
            "userName": .string(u.username ?? ""),
            "loginTime": .string(loginTime(u, doc)),
            "registerTime": .string(registerTime(u, doc)),
            "instances": doc.instances,
            "permission": .int(Permission.of(u)),
            "apiKey": .string(hasKey ? secretMask : ""),
            "isInit": .bool(doc.isInit),
            "open2FA": .bool(open2FA(u, doc)),
            "token": .string(token),
        ])
    }
}

enum PanelRules {
    /// The panel's password rule: 9-36 characters with a lowercase letter,
    /// an uppercase letter and a digit (ASCII classes, as its regex).
    static func validPassword(_ p: String) -> Bool {
        let n = p.utf16.count   // JavaScript's length
        guard n >= 9 && n <= 36 else { return false }
        var lower = false, upper = false, digit = false
        for c in p.utf8 {
            if c >= 97 && c <= 122 { lower = true } else if c >= 65 && c <= 90 { upper = true } else if c >= 48 && c <= 57 { digit = true }
        }
        return lower && upper && digit
    }

    /// Usernames: 1-128 characters, no control characters (the panel checks
    /// nothing; these are the limits of what we store and show).
    static func validUsername(_ name: String) -> Bool {
        guard !name.isEmpty, name.unicodeScalars.count <= 128 else { return false }
        return !name.unicodeScalars.contains { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) }
    }

    /// API keys as the panel accepts them: [A-Za-z0-9_-]+ (the panel trims
    /// before checking but looks the untrimmed text up, so surrounding
    /// spaces never match a key either way).
    static func safeKey(_ key: String) -> String? {
        guard !key.isEmpty, key.utf8.count <= 256 else { return nil }
        for c in key.utf8 {
            let ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 95
            if !ok { return nil }
        }
        return key
    }
}
