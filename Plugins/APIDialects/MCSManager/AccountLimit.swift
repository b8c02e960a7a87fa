// The per-account sign-in limit. Its counter lives in the store (ABI 1.3
// counter_hit), so every host and worker process on the same store shares
// one budget per account name: guesses spread over several hosts count
// together. Only a store built for an older ABI (UNSUPPORTED) falls back to
// the host's rate_limit, which is shared by one host's workers only.
//
// Fixed windows, never a permanent lock: an owner locked out by someone
// else's guessing gets 429 with Retry-After until the window ends (at most
// windowSeconds after its first hit), then signs in normally. A store that
// cannot count (UNAVAILABLE) answers 503: an attempt that cannot be counted
// is not let through.
import PluginAPI
import PluginKit

struct AccountLimit: Sendable {
    let host: Host
    let directory: Directory
    let limit: MCSMOptions.Limit

    /// The counter of an account name (hashed: names never reach the store's counters).
    private func key(_ account: String) -> [UInt8] {
        Array("mcsm-login-user:".utf8) + host.sha256(Array(account.utf8))
    }

    /// Counts one attempt; 429 (Retry-After set) when the account's budget
    /// is spent.
    func admit(_ account: String, _ response: Response) throws(MCSMFailure) {
        let (count, retryAfter) = try hit(account, weight: 1)
        if count > UInt64(limit.budget) {
            response.header("Retry-After", "\(retryAfter)")
            throw MCSMFailure(429, MCSMFailure.loginBanned)
        }
    }

    /// A failed sign-in costs the rest of a failure's weight.
    func recordFailure(_ account: String) throws(MCSMFailure) {
        _ = try hit(account, weight: MCSMOptions.Limit.failureWeight - 1)
    }

    /// The count after the hit and the seconds until its window ends (>= 1).
    private func hit(_ account: String, weight: UInt32) throws(MCSMFailure) -> (UInt64, Int64) {
        let key = key(account)
        let now = host.nowMillis()
        do {
            let hit = try directory.hitCounter(key: key, weight: weight, windowSeconds: limit.windowSeconds, now: now)
            return (hit.count, max(1, (hit.windowEndsMillis - now + 999) / 1000))
        } catch let e as PluginError where e.code == PROTEUS_E_UNSUPPORTED {
            return hostHit(key, weight: weight)
        } catch {
            host.warn("cannot count a sign-in attempt in the store: \(error)")
            throw MCSMFailure.backend(error)
        }
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
