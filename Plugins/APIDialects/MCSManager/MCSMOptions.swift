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
//                       perAccount is counted in the store (counters), so
//                       every host on the same store shares it; perIP by each host
//                       (its workers share it). Windows are fixed from the first
//                       attempt: over the limit, even the owner gets 429 with
//                       Retry-After until the window ends, never longer. A store
//                       that cannot count answers 503 (see AccountLimit.swift; the
//                       option and the counter are PluginKit's SignInLimits and
//                       AccountCounter).
import PluginAPI
import PluginKit
import ProteusJSON

struct MCSMOptions: Sendable {
    typealias Limit = SignInLimit

    enum APIKeyPolicy: Sendable { case enabled, disabled, onlyAdmin }

    var sessionCookie = "MCSM_SESSION"
    var sessionTTLSeconds: Int64 = 86_400
    var apiKeys = APIKeyPolicy.enabled
    var perAccount: Limit? = SignInLimits.standard.perAccount
    var perIP: Limit? = SignInLimits.standard.perIP

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
        let limits = try SignInLimits(option: options.value("loginRateLimit"))
        perAccount = limits.perAccount
        perIP = limits.perIP
    }

    private static func isTokenChar(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }
}
