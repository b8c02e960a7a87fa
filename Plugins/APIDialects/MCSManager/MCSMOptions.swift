// The dialect's options:
//
//   sessionCookie       name of the session cookie              (default "MCSM_SESSION")
//   sessionTTLSeconds   session lifetime (the panel: 24 h)      (default 86400)
//   enableApiKey        true | false | "ONLY_ADMIN" (the panel's setting of that name)
//                                                               (default true)
//   loginRateLimit      false, or {"perAccount": {"requests": N, "windowSeconds": S},
//                                  "perIP":      {"requests": N, "windowSeconds": S}}
//                       counts every login/install attempt      (default 10/60 s per
//                                                                account, 60/60 s per IP)
import PluginAPI
import PluginKit
import ProteusJSON

struct MCSMOptions: Sendable {
    struct Limit: Sendable {
        var requests: UInt32
        var windowSeconds: UInt32
    }

    enum APIKeyPolicy: Sendable { case enabled, disabled, onlyAdmin }

    var sessionCookie = "MCSM_SESSION"
    var sessionTTLSeconds: Int64 = 86_400
    var apiKeys = APIKeyPolicy.enabled
    var perAccount: Limit? = Limit(requests: 10, windowSeconds: 60)
    var perIP: Limit? = Limit(requests: 60, windowSeconds: 60)

    init(_ options: PluginOptions) throws {
        try options.rejectUnknown(["sessionCookie", "sessionTTLSeconds", "enableApiKey", "loginRateLimit"])
        if let name = try options.string("sessionCookie") {
            guard !name.isEmpty, name.utf8.count <= 64, name.utf8.allSatisfy(Self.isTokenChar) else {
                throw PluginError.invalid("option \"sessionCookie\" must be 1-64 characters of a cookie-name token (letters, digits, !#$%&'*+-.^_`|~)")
            }
            sessionCookie = name
        }
        if let ttl = try options.int("sessionTTLSeconds", in: 60...31_536_000) { sessionTTLSeconds = Int64(ttl) }
        switch options.value("enableApiKey") {
        case nil, .null?, .bool(true)?: apiKeys = .enabled
        case .bool(false)?: apiKeys = .disabled
        case .string("ONLY_ADMIN")?: apiKeys = .onlyAdmin
        case let other?:
            throw PluginError.invalid("option \"enableApiKey\" must be true, false or \"ONLY_ADMIN\", not \(other.serialized())")
        }
        switch options.value("loginRateLimit") {
        case nil, .null?, .bool(true)?:
            break
        case .bool(false)?:
            perAccount = nil
            perIP = nil
        case .object(let o)?:
            let limits = PluginOptions(o)
            try limits.rejectUnknown(["perAccount", "perIP"])
            perAccount = try Self.limit(limits, "perAccount", default: perAccount)
            perIP = try Self.limit(limits, "perIP", default: perIP)
        case let other?:
            throw PluginError.invalid("option \"loginRateLimit\" must be false or an object {\"perAccount\": {...}, \"perIP\": {...}}, not \(other.typeName)")
        }
    }

    private static func limit(_ options: PluginOptions, _ key: String, default value: Limit?) throws -> Limit? {
        switch options.value(key) {
        case nil, .null?: return value
        case .bool(false)?: return nil
        case .object(let o)?:
            let l = PluginOptions(o)
            try l.rejectUnknown(["requests", "windowSeconds"])
            return Limit(requests: UInt32(try l.int("requests", in: 1...1_000_000) ?? Int(value?.requests ?? 10)),
                         windowSeconds: UInt32(try l.int("windowSeconds", in: 1...86_400) ?? Int(value?.windowSeconds ?? 60)))
        case let other?:
            throw PluginError.invalid("option \"loginRateLimit.\(key)\" must be false or {\"requests\": N, \"windowSeconds\": S}, not \(other.typeName)")
        }
    }

    private static func isTokenChar(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }
}
