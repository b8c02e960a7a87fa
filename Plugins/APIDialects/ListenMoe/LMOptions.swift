// The dialect's options, strictly read (an unknown key or a wrong type stops
// the start, naming the key):
//
//   roles                 [{id: int, name, slug, color: string|null, songRequests: int}]
//                         the role rows LISTEN.moe shows; each slug is the directory
//                         role it stands for (the row with slug "admin" is the
//                         canonical administrator, "staff" here). Default: admin (id 1)
//                         and user (id 5).
//   defaultRole           the slug every account made by POST /register gets
//                         (default "user"; must be one of the rows)
//   tokenLifetimeSeconds  how long a login token is valid (default 604800, 7 days)
//   uploadLimit           what user.uploadLimit shows (default 30, the seed's)
//   loginRateLimit        false, or {"failures": N, "windowSeconds": S}: failed sign-ins
//                         allowed per account name and window (default 10 per 60 s),
//                         counted in the store so every host on it shares the budget
//                         (PluginKit's AccountCounter); over it, 429 with Retry-After
import PluginAPI
import PluginKit
import ProteusJSON

/// One LISTEN.moe role row.
struct RoleRow: Sendable, Equatable {
    var id: Int
    var name: String
    var slug: String
    var color: String?
    var songRequests: Int

    var json: JSONObject {
        ["id": JSONValue(id), "name": .string(name), "slug": .string(slug),
         "color": color.map { JSONValue.string($0) } ?? .null, "songRequests": JSONValue(songRequests)]
    }
}

struct LMOptions: Sendable {
    static let adminSlug = "admin"

    var roles: [RoleRow] = [
        RoleRow(id: 1, name: "admin", slug: "admin", color: nil, songRequests: 0),
        RoleRow(id: 5, name: "user", slug: "user", color: nil, songRequests: 0),
    ]
    var defaultRole = "user"
    var tokenLifetimeSeconds: Int64 = 604_800
    var uploadLimit = 30
    /// Failed sign-ins per account name and window; nil: no limit.
    var loginLimit: (failures: UInt32, windowSeconds: UInt32)? = (10, 60)

    init() {}

    init(_ options: PluginOptions) throws(PluginError) {
        try options.rejectUnknown(["roles", "defaultRole", "tokenLifetimeSeconds", "uploadLimit", "loginRateLimit"])
        if let value = options.value("roles") { roles = try Self.roleRows(value) }
        if let slug = try options.string("defaultRole") { defaultRole = slug }
        if let seconds = try options.int("tokenLifetimeSeconds", in: 1...31_536_000) { tokenLifetimeSeconds = Int64(seconds) }
        if let limit = try options.int("uploadLimit", in: 0...1_000_000) { uploadLimit = limit }
        if let value = options.value("loginRateLimit") { loginLimit = try Self.loginLimit(value) }
        guard roles.contains(where: { $0.slug == defaultRole }) else {
            throw .invalid("option \"defaultRole\": \"\(defaultRole)\" is not the slug of a row in \"roles\"")
        }
    }

    func row(slug: String) -> RoleRow? { roles.first { $0.slug == slug } }

    private static func loginLimit(_ value: JSONValue) throws(PluginError) -> (failures: UInt32, windowSeconds: UInt32)? {
        if value == .bool(false) { return nil }
        guard let object = value.objectValue else {
            throw .invalid("option \"loginRateLimit\" must be false or an object {\"failures\": N, \"windowSeconds\": S}, not \(value.typeName)")
        }
        for key in object.keys where key != "failures" && key != "windowSeconds" {
            throw .invalid("unknown option \"loginRateLimit.\(key)\" (known: failures, windowSeconds)")
        }
        func number(_ key: String, _ range: ClosedRange<Int>, _ fallback: Int) throws(PluginError) -> UInt32 {
            guard let v = object[key] else { return UInt32(fallback) }
            guard let n = v.intValue, range.contains(n) else {
                throw .invalid("option \"loginRateLimit.\(key)\" must be an integer from \(range.lowerBound) to \(range.upperBound), not \(v)")
            }
            return UInt32(n)
        }
        return (try number("failures", 1...100_000, 10), try number("windowSeconds", 1...86_400, 60))
    }

    private static func roleRows(_ value: JSONValue) throws(PluginError) -> [RoleRow] {
        guard let items = value.arrayValue else { throw .invalid("option \"roles\" must be an array, not \(value.typeName)") }
        guard !items.isEmpty else { throw .invalid("option \"roles\" must list at least one role") }
        var rows: [RoleRow] = []
        for (index, item) in items.enumerated() {
            let key = "roles[\(index)]"
            guard let object = item.objectValue else { throw .invalid("option \"\(key)\" must be an object, not \(item.typeName)") }
            let row = try roleRow(object, key: key)
            if rows.contains(where: { $0.id == row.id }) { throw .invalid("option \"\(key).id\": id \(row.id) is used twice") }
            if rows.contains(where: { $0.slug == row.slug }) { throw .invalid("option \"\(key).slug\": slug \"\(row.slug)\" is used twice") }
            rows.append(row)
        }
        return rows
    }

    private static func roleRow(_ row: JSONObject, key: String) throws(PluginError) -> RoleRow {
        for field in row.keys where !["id", "name", "slug", "color", "songRequests"].contains(field) {
            throw .invalid("unknown option \"\(key).\(field)\" (known: color, id, name, slug, songRequests)")
        }
        func value(_ field: String) throws(PluginError) -> JSONValue {
            guard let v = row[field] else { throw .invalid("option \"\(key).\(field)\" is required") }
            return v
        }
        func wrongType(_ field: String, _ expected: String, _ got: JSONValue) -> PluginError {
            .invalid("option \"\(key).\(field)\" must be \(expected), not \(got.typeName)")
        }
        let idValue = try value("id"), nameValue = try value("name"), slugValue = try value("slug")
        let requestsValue = try value("songRequests")
        guard let id = idValue.intValue, (0...Int(Int32.max)).contains(id) else { throw wrongType("id", "an integer from 0 to \(Int32.max)", idValue) }
        guard let name = nameValue.stringValue else { throw wrongType("name", "a string", nameValue) }
        guard let slug = slugValue.stringValue else { throw wrongType("slug", "a string", slugValue) }
        guard let songRequests = requestsValue.intValue, (0...1_000_000).contains(songRequests) else {
            throw wrongType("songRequests", "an integer from 0 to 1000000", requestsValue)
        }
        var color: String? = nil
        if let colorValue = row["color"], !colorValue.isNull {
            guard let text = colorValue.stringValue else { throw wrongType("color", "a string or null", colorValue) }
            color = text
        }
        guard (1...128).contains(name.utf8.count) else { throw .invalid("option \"\(key).name\" must be 1 to 128 characters") }
        guard isSlug(slug) else { throw .invalid("option \"\(key).slug\" must be 1 to 128 characters of [A-Za-z0-9._:-]") }
        return RoleRow(id: id, name: name, slug: slug, color: color, songRequests: songRequests)
    }

    static func isSlug(_ text: String) -> Bool {
        (1...128).contains(text.utf8.count) && text.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 46 || c == 95 || c == 58 || c == 45
        }
    }
}
