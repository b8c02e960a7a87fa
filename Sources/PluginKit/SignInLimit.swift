// A sign-in rate limit for dialects: fixed-window budgets per account name
// (counted in the store, ABI 1.3 counters, so every host on the same store
// shares it; a store without counters falls back to the host's rate_limit)
// and per client address (the host's rate_limit, shared by its workers).
// A success costs 1 and a failure `failureWeight`, so legitimate sign-ins
// are not locked out while guessing is.
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
    public static let failureWeight: UInt32 = 5

    let host: Host
    let prefix: String
    let perAccount: Budget?
    let perIP: Budget?

    /// `prefix` keeps this dialect's counters apart from other dialects'.
    public init(host: Host, prefix: String, perAccount: Budget?, perIP: Budget?) {
        self.host = host
        self.prefix = prefix
        self.perAccount = perAccount
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
        if let account, let budget = perAccount {
            let (count, retry) = try accountHit(account, budget, weight: 1)
            if count > UInt64(budget.total) { return retry }
        }
        return nil
    }

    /// A failed attempt costs the rest of a failure's weight on both counters.
    public func recordFailure(account: String?, clientIP: proteus_str) throws {
        if let (key, budget) = ipKey(clientIP) {
            for _ in 1..<Self.failureWeight {
                _ = host.rateLimit(key: key, limit: budget.total, windowSeconds: budget.windowSeconds)
            }
        }
        if let account, let budget = perAccount {
            _ = try accountHit(account, budget, weight: Self.failureWeight - 1)
        }
    }

    private func ipKey(_ clientIP: proteus_str) -> ([UInt8], Budget)? {
        perIP.map { (Array("\(prefix)-login-ip:".utf8) + host.clientKey(clientIP), $0) }
    }

    /// The count after the hit and the seconds until the window ends (>= 1).
    private func accountHit(_ account: String, _ budget: Budget, weight: UInt32) throws -> (UInt64, Int64) {
        // Hashed: account names never reach the store's counters.
        let key = Array("\(prefix)-login-user:".utf8) + host.sha256(Array(account.utf8))
        let now = host.nowMillis()
        do {
            let hit = try host.directory.hitCounter(key: key, weight: weight, windowSeconds: budget.windowSeconds, now: now)
            return (hit.count, max(1, (hit.windowEndsMillis - now + 999) / 1000))
        } catch let e as PluginError where e.code == PROTEUS_E_UNSUPPORTED {
            var outcome = host.rateLimit(key: key, limit: budget.total, windowSeconds: budget.windowSeconds)
            for _ in 1..<max(weight, 1) {
                outcome = host.rateLimit(key: key, limit: budget.total, windowSeconds: budget.windowSeconds)
            }
            return (outcome.allowed ? 0 : UInt64(budget.total) + 1, Int64(max(1, outcome.resetSeconds)))
        }
    }
}
