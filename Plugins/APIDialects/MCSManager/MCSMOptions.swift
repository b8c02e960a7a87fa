// The dialect's options:
//
//   sessionCookie       name of the session cookie              (default "MCSM_SESSION")
//   sessionTTLSeconds   session lifetime (the panel: 24 h)      (default 86400)
//   enableApiKey        true | false | "ONLY_ADMIN" (the panel's setting of that name)
//                                                               (default true)
//   loginRateLimit      false, or {"perAccount": {"failures": N, "windowSeconds": S},
//                                  "perIP":      {"failures": N, "windowSeconds": S}}
//                       failed sign-ins allowed per window      (default 10 per 60 s per
//                       account name, 30 per 60 s per client address). A successful
//                       attempt costs a fifth of a failure, so legitimate sign-ins
//                       (5× as many) are not locked out while guessing is.
//                       perAccount is counted in the store (ABI 1.3 counters), so
//                       every host on the same store shares it; perIP by each host
//                       (its workers share it). Windows are fixed from the first
//                       attempt: over the limit, even the owner gets 429 with
//                       Retry-After until the window ends, never longer. A store
//                       that cannot count answers 503 (see AccountLimit.swift).
import PluginAPI
import PluginKit
import ProteusJSON

struct MCSMOptions: Sendable {
    struct Limit: Sendable {
        /// Failed attempts allowed per window.
        var failures: UInt32
        var windowSeconds: UInt32
        /// What one failure costs in the shared counter (a success costs 1).
        static let failureWeight: UInt32 = 5
        /// The counter's limit.
        var budget: UInt32 { failures * Self.failureWeight }
    }

    enum APIKeyPolicy: Sendable { case enabled, disabled, onlyAdmin }

    var sessionCookie = "MCSM_SESSION"
    var sessionTTLSeconds: Int64 = 86_400
    var apiKeys = APIKeyPolicy.enabled
    var perAccount: Limit? = Limit(failures: 10, windowSeconds: 60)
    var perIP: Limit? = Limit(failures: 30, windowSeconds: 60)

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
            do {
                let limits = PluginOptions(o)
                try limits.rejectUnknown(["perAccount", "perIP"])
                perAccount = try Self.limit(limits, "perAccount", default: perAccount)
                perIP = try Self.limit(limits, "perIP", default: perIP)
            } catch let e as PluginError where !e.message.contains("loginRateLimit") {
                throw PluginError.invalid("option \"loginRateLimit\": \(e.message)")
            }
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
            try l.rejectUnknown(["failures", "windowSeconds"])
            return Limit(failures: UInt32(try l.int("failures", in: 1...100_000) ?? Int(value?.failures ?? 10)),
                         windowSeconds: UInt32(try l.int("windowSeconds", in: 1...86_400) ?? Int(value?.windowSeconds ?? 60)))
        case let other?:
            throw PluginError.invalid("option \"loginRateLimit.\(key)\" must be false or {\"failures\": N, \"windowSeconds\": S}, not \(other.typeName)")
        }
    }

    private static func isTokenChar(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }
}
