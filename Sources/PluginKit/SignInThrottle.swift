// A sign-in throttle for dialects: the budgets of SignInLimits per account
// name (AccountCounter: counted in the store, shared by every host on it)
// and per client address (the host's rate_limit, shared by one host's
// workers). An attempt costs 1 and a failure `SignInLimit.failureWeight` in
// all, so legitimate sign-ins are not locked out while guessing is.
import PluginAPI

public struct SignInThrottle: Sendable {
    let host: Host
    let prefix: String
    let perAccount: AccountCounter?
    let perIP: SignInLimit?

    /// `prefix` keeps this dialect's counters apart from other dialects'.
    public init(host: Host, prefix: String, limits: SignInLimits) {
        self.host = host
        self.prefix = prefix
        self.perAccount = limits.perAccount.map {
            AccountCounter(host: host, directory: host.directory, keyPrefix: "\(prefix)-login-user:", limit: $0)
        }
        self.perIP = limits.perIP
    }

    /// Counts one attempt. Returns nil when it may proceed, else the seconds
    /// until the spent window ends (for Retry-After). Throws when the store
    /// cannot count it (never a free attempt).
    public func admit(account: String?, clientIP: proteus_str) throws -> Int64? {
        if let (key, limit) = ipKey(clientIP) {
            let outcome = host.rateLimit(key: key, limit: limit.budget, windowSeconds: limit.windowSeconds)
            if !outcome.allowed { return Int64(max(1, outcome.resetSeconds)) }
        }
        if let account, let perAccount { return try perAccount.admit(account) }
        return nil
    }

    /// A failed attempt costs the rest of a failure's weight on both counters.
    public func recordFailure(account: String?, clientIP: proteus_str) throws {
        if let (key, limit) = ipKey(clientIP) {
            for _ in 1..<SignInLimit.failureWeight {
                _ = host.rateLimit(key: key, limit: limit.budget, windowSeconds: limit.windowSeconds)
            }
        }
        if let account, let perAccount { try perAccount.recordFailure(account) }
    }

    private func ipKey(_ clientIP: proteus_str) -> ([UInt8], SignInLimit)? {
        perIP.map { (Array("\(prefix)-login-ip:".utf8) + host.clientKey(clientIP), $0) }
    }
}
