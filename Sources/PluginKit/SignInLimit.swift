// A sign-in rate limit for dialects: fixed-window budgets per account name
// (AccountSignInLimit: counted in the store, shared by every host on it)
// and per client address (the host's rate_limit, shared by one host's
// workers). A success costs 1 and a failure `failureWeight`, so legitimate
// sign-ins are not locked out while guessing is.
import PluginAPI

public struct SignInLimit: Sendable {
    public struct Budget: Sendable, Equatable {
        /// Failed attempts allowed per window.
        public var failures: UInt32
        public var windowSeconds: UInt32
        public init(failures: UInt32, windowSeconds: UInt32) {
            self.failures = failures
            self.windowSeconds = windowSeconds
        }
        var total: UInt32 { failures * SignInLimit.failureWeight }
    }

    /// What one failure costs in a counter (a success costs 1).
    public static let failureWeight = AccountSignInLimit.failureWeight

    let host: Host
    let prefix: String
    let perAccount: AccountSignInLimit?
    let perIP: Budget?

    /// `prefix` keeps this dialect's counters apart from other dialects'.
    public init(host: Host, prefix: String, perAccount: Budget?, perIP: Budget?) {
        self.host = host
        self.prefix = prefix
        self.perAccount = perAccount.map {
            AccountSignInLimit(host: host, namespace: "\(prefix)-login-user:", failures: $0.failures, windowSeconds: $0.windowSeconds)
        }
        self.perIP = perIP
    }

    /// Counts one attempt. Returns nil when it may proceed, else the seconds
    /// until the spent window ends (for Retry-After). Throws when the store
    /// cannot count it (never a free attempt).
    public func admit(account: String?, clientIP: proteus_str) throws -> Int64? {
        if let (key, budget) = ipKey(clientIP) {
            let outcome = host.rateLimit(key: key, limit: budget.total, windowSeconds: budget.windowSeconds)
            if !outcome.allowed { return Int64(max(1, outcome.resetSeconds)) }
        }
        if let account, let perAccount { return try perAccount.admit(account) }
        return nil
    }

    /// A failed attempt costs the rest of a failure's weight on both counters.
    public func recordFailure(account: String?, clientIP: proteus_str) throws {
        if let (key, budget) = ipKey(clientIP) {
            for _ in 1..<Self.failureWeight {
                _ = host.rateLimit(key: key, limit: budget.total, windowSeconds: budget.windowSeconds)
            }
        }
        if let account, let perAccount { try perAccount.recordFailure(account) }
    }

    private func ipKey(_ clientIP: proteus_str) -> ([UInt8], Budget)? {
        perIP.map { (Array("\(prefix)-login-ip:".utf8) + host.clientKey(clientIP), $0) }
    }
}
