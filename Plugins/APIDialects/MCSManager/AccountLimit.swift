// The per-account sign-in limit. Its counter lives in the store
// (counter_hit), so every host and worker process on the same store shares
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
    private let counter: AccountCounter

    init(host: Host, directory: Directory, limit: MCSMOptions.Limit) {
        counter = AccountCounter(host: host, directory: directory, keyPrefix: "mcsm-login-user:", limit: limit)
    }

    /// Counts one attempt; 429 (Retry-After set) when the account's budget
    /// is spent.
    func admit(_ account: String, _ response: Response) throws(MCSMFailure) {
        let (count, retryAfter) = try hit(account, weight: 1)
        if count > UInt64(counter.limit.budget) {
            response.header("Retry-After", "\(retryAfter)")
            throw MCSMFailure(429, MCSMFailure.loginBanned)
        }
    }

    /// A failed sign-in costs the rest of a failure's weight.
    func recordFailure(_ account: String) throws(MCSMFailure) {
        _ = try hit(account, weight: MCSMOptions.Limit.failureWeight - 1)
    }

    private func hit(_ account: String, weight: UInt32) throws(MCSMFailure) -> (UInt64, Int64) {
        do { return try counter.hit(account, weight: weight) } catch { throw MCSMFailure.backend(error) }
    }
}
