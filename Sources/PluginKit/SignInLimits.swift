// How many failed sign-ins a dialect allows per fixed window, per account
// name and per client address, and the "loginRateLimit" option that sets it:
//
//   false, or {"perAccount": {"failures": N, "windowSeconds": S} | false,
//              "perIP":      {"failures": N, "windowSeconds": S} | false}
//
// An attempt costs 1 and a failure 5 in all, so a counter's budget is
// failures × 5: legitimate sign-ins (5× as many) are not locked out while
// guessing is, and a burst of parallel guesses is bounded before any of
// them has failed.
import ProteusJSON

public struct SignInLimit: Sendable, Equatable {
    /// Failed attempts allowed per window.
    public var failures: UInt32
    public var windowSeconds: UInt32
    /// What one failure costs in all (an attempt costs 1 of it up front).
    public static let failureWeight: UInt32 = 5
    /// The counter's limit.
    public var budget: UInt32 { failures * Self.failureWeight }

    public init(failures: UInt32, windowSeconds: UInt32) {
        self.failures = failures
        self.windowSeconds = windowSeconds
    }
}

public struct SignInLimits: Sendable, Equatable {
    public var perAccount: SignInLimit?
    public var perIP: SignInLimit?

    /// 10 failures per 60 s per account name, 30 per 60 s per address.
    public static let standard = SignInLimits(perAccount: SignInLimit(failures: 10, windowSeconds: 60),
                                              perIP: SignInLimit(failures: 30, windowSeconds: 60))

    public init(perAccount: SignInLimit?, perIP: SignInLimit?) {
        self.perAccount = perAccount
        self.perIP = perIP
    }

    /// Reads the option `key` (normally "loginRateLimit"); absent, null or
    /// true keep `defaults`.
    public init(option value: JSONValue?, key: String = "loginRateLimit", defaults: SignInLimits = .standard) throws(PluginError) {
        self = defaults
        switch value {
        case nil, .null?, .bool(true)?:
            break
        case .bool(false)?:
            perAccount = nil
            perIP = nil
        case .object(let o)?:
            do {
                let limits = PluginOptions(o)
                try limits.rejectUnknown(["perAccount", "perIP"])
                perAccount = try Self.limit(limits, "perAccount", key, default: perAccount)
                perIP = try Self.limit(limits, "perIP", key, default: perIP)
            } catch where !error.message.contains(key) {
                throw PluginError.invalid("option \"\(key)\": \(error.message)")
            }
        case let other?:
            throw PluginError.invalid("option \"\(key)\" must be false or an object {\"perAccount\": {...}, \"perIP\": {...}}, not \(other.typeName)")
        }
    }

    private static func limit(_ options: PluginOptions, _ name: String, _ key: String, default value: SignInLimit?) throws(PluginError) -> SignInLimit? {
        switch options.value(name) {
        case nil, .null?: return value
        case .bool(false)?: return nil
        case .object(let o)?:
            let l = PluginOptions(o)
            try l.rejectUnknown(["failures", "windowSeconds"])
            return SignInLimit(failures: UInt32(try l.int("failures", in: 1...100_000) ?? Int(value?.failures ?? 10)),
                               windowSeconds: UInt32(try l.int("windowSeconds", in: 1...86_400) ?? Int(value?.windowSeconds ?? 60)))
        case let other?:
            throw PluginError.invalid("option \"\(key).\(name)\" must be false or {\"failures\": N, \"windowSeconds\": S}, not \(other.typeName)")
        }
    }
}
