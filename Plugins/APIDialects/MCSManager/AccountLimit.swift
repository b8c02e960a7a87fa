// The per-account sign-in limit (PluginKit's AccountSignInLimit: counted in the
// store, so every host and worker on the same store shares one budget per
// account name) in the panel's terms: 429 with Retry-After and the panel's
// message, 503 when the store cannot count.
import PluginAPI
import PluginKit

struct AccountLimit: Sendable {
    let limit: AccountSignInLimit

    init(host: Host, directory: Directory, limit: MCSMOptions.Limit) {
        self.limit = AccountSignInLimit(host: host, namespace: "mcsm-login-user:", failures: limit.failures, windowSeconds: limit.windowSeconds)
    }

    /// Counts one attempt; 429 (Retry-After set) when the account's budget
    /// is spent.
    func admit(_ account: String, _ response: Response) throws(MCSMFailure) {
        let refusal: Int64?
        do { refusal = try limit.admit(account) } catch { throw MCSMFailure.backend(error) }
        if let retryAfter = refusal {
            response.header("Retry-After", "\(retryAfter)")
            throw MCSMFailure(429, MCSMFailure.loginBanned)
        }
    }

    /// A failed sign-in costs the rest of a failure's weight.
    func recordFailure(_ account: String) throws(MCSMFailure) {
        do { try limit.recordFailure(account) } catch { throw MCSMFailure.backend(error) }
    }
}
