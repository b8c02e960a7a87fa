// A per-account sign-in limit shared by every host on the store: its counter
// lives in the store (ABI 1.3 counter_hit), keyed by a hash of the account
// name, so guesses spread over several hosts and workers count together.
// Only a store built for an older ABI (UNSUPPORTED) falls back to the host's
// rate_limit, which one host's workers share.
//
// Fixed windows, never a permanent lock: an owner locked out by someone
// else's guessing is refused until the window ends (at most windowSeconds
// after its first hit). An attempt costs 1 when admitted and a failure
// `failureWeight - 1` more, so the owner's successful sign-ins (a fifth of
// a failure) are not locked out by their own use while guessing is. A store
// that cannot count throws UNAVAILABLE: the caller answers 503 rather than
// let an uncounted attempt through.
import PluginAPI

public struct AccountSignInLimit: Sendable {
    /// What one failure costs in the counter (an admitted attempt costs 1).
    public static let failureWeight: UInt32 = 5

    public let host: Host
    public let directory: Directory
    /// Prefix of the counter keys (the dialect's namespace, e.g. "mcsm-login-user:").
    public let namespace: String
    /// Failed attempts allowed per window.
    public let failures: UInt32
    public let windowSeconds: UInt32

    public init(host: Host, namespace: String, failures: UInt32, windowSeconds: UInt32) {
        self.host = host
        self.directory = host.directory
        self.namespace = namespace
        self.failures = failures
        self.windowSeconds = windowSeconds
    }

    /// The counter's limit.
    public var budget: UInt32 { failures * Self.failureWeight }

    /// Counts one attempt. Nil when admitted, else the seconds until the
    /// window ends (for Retry-After, ≥ 1).
    public func admit(_ account: String) throws -> Int64? {
        let (count, retryAfter) = try hit(account, weight: 1)
        return count > UInt64(budget) ? retryAfter : nil
    }

    /// A failed sign-in costs the rest of a failure's weight.
    public func recordFailure(_ account: String) throws {
        _ = try hit(account, weight: Self.failureWeight - 1)
    }

    /// The counter of an account name (hashed: names never reach the store's counters).
    private func key(_ account: String) -> [UInt8] {
        Array(namespace.utf8) + host.sha256(Array(account.utf8))
    }

    /// The count after the hit and the seconds until its window ends (≥ 1).
    private func hit(_ account: String, weight: UInt32) throws -> (UInt64, Int64) {
        let key = key(account)
        let now = host.nowMillis()
        do {
            let hit = try directory.hitCounter(key: key, weight: weight, windowSeconds: windowSeconds, now: now)
            return (hit.count, max(1, (hit.windowEndsMillis - now + 999) / 1000))
        } catch let e as PluginError where e.code == PROTEUS_E_UNSUPPORTED {
            return hostHit(key, weight: weight)
        } catch {
            host.warn("cannot count a sign-in attempt in the store: \(error)")
            throw error
        }
    }

    /// The host's per-host counter (for stores without counters).
    private func hostHit(_ key: [UInt8], weight: UInt32) -> (UInt64, Int64) {
        var outcome = host.rateLimit(key: key, limit: budget, windowSeconds: windowSeconds)
        for _ in 1..<max(weight, 1) {
            outcome = host.rateLimit(key: key, limit: budget, windowSeconds: windowSeconds)
        }
        let count = outcome.allowed ? UInt64(budget - outcome.remaining) : UInt64(budget) + 1
        return (count, Int64(max(outcome.resetSeconds, 1)))
    }
}
