// A per-account sign-in counter kept in the store (counter_hit), so
// every host and worker process on the same store shares one budget per
// account name: guesses spread over several hosts count together. Only a
// store built for an older ABI (UNSUPPORTED) falls back to the host's
// rate_limit, which is shared by one host's workers only. Fixed windows:
// a counter is back at 0 at most windowSeconds after its first hit.
import PluginAPI

public struct AccountCounter: Sendable {
    public let host: Host
    public let directory: Directory
    /// Namespaces the dialect's counters, e.g. "mcsm-login-user:".
    public let keyPrefix: String
    public let limit: SignInLimit

    public init(host: Host, directory: Directory, keyPrefix: String, limit: SignInLimit) {
        self.host = host
        self.directory = directory
        self.keyPrefix = keyPrefix
        self.limit = limit
    }

    /// The counter of an account name (hashed: names never reach the store's counters).
    private func key(_ account: String) -> [UInt8] {
        Array(keyPrefix.utf8) + host.sha256(Array(account.utf8))
    }

    /// Adds `weight` (0 reads) to the account's counter. Returns the count
    /// after the hit and the seconds until its window ends (at least 1).
    /// Throws the store's error when it cannot count (UNAVAILABLE...): a
    /// sign-in that cannot be counted must not be let through.
    public func hit(_ account: String, weight: UInt32) throws(PluginError) -> (count: UInt64, retryAfterSeconds: Int64) {
        let key = key(account)
        let now = host.nowMillis()
        do {
            let hit = try directory.hitCounter(key: key, weight: weight, windowSeconds: limit.windowSeconds, now: now)
            return (hit.count, max(1, (hit.windowEndsMillis - now + 999) / 1000))
        } catch let e as PluginError where e.code == PROTEUS_E_UNSUPPORTED {
            return hostHit(key, weight: weight)
        } catch {
            host.warn("cannot count a sign-in attempt in the store: \(error)")
            throw (error as? PluginError) ?? PluginError.internal("\(error)")
        }
    }

    /// Counts one attempt (weight 1). Nil when admitted, else the seconds
    /// until the window ends (for Retry-After).
    public func admit(_ account: String) throws(PluginError) -> Int64? {
        let (count, retryAfter) = try hit(account, weight: 1)
        return count > UInt64(limit.budget) ? retryAfter : nil
    }

    /// A failed sign-in costs the rest of a failure's weight.
    public func recordFailure(_ account: String) throws(PluginError) {
        _ = try hit(account, weight: SignInLimit.failureWeight - 1)
    }

    /// The host's per-host counter (for stores without counters).
    private func hostHit(_ key: [UInt8], weight: UInt32) -> (UInt64, Int64) {
        var outcome = host.rateLimit(key: key, limit: limit.budget, windowSeconds: limit.windowSeconds)
        for _ in 1..<max(weight, 1) {
            outcome = host.rateLimit(key: key, limit: limit.budget, windowSeconds: limit.windowSeconds)
        }
        let count = outcome.allowed ? UInt64(limit.budget - outcome.remaining) : UInt64(limit.budget) + 1
        return (count, Int64(max(outcome.resetSeconds, 1)))
    }
}
