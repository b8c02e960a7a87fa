// Failed sign-ins are limited per account name (a store counter, so every
// host on the store shares the budget) and, for POST /api/login, per client
// address (the host's counter). Over the limit the answer is 429 with
// Retry-After until the fixed window ends — also for the account's owner,
// never longer. A store that cannot count answers 503.
//
// POST /api/login: an attempt costs 1 up front and a failure 5 in all (see
// SignInLimits), which bounds a burst of parallel guesses. Basic
// credentials come with every request of a script, so there a success costs
// nothing: the account's counter is read before the password is checked
// and only a failure is counted.
import PluginAPI
import PluginKit

struct SignInLimiter: Sendable {
    enum Style { case login, basic }

    private let host: Host
    private let perAccount: AccountCounter?
    private let perIP: SignInLimit?

    init(host: Host, limits: SignInLimits) {
        self.host = host
        self.perAccount = limits.perAccount.map {
            AccountCounter(host: host, directory: host.directory, keyPrefix: "erizos-login-user:", limit: $0)
        }
        self.perIP = limits.perIP
    }

    /// Before a password is checked: 429 when a budget is spent.
    func admit(_ account: String, _ request: Request, _ style: Style) throws {
        if style == .login, let (key, limit) = ipKey(request) {
            let outcome = host.rateLimit(key: key, limit: limit.budget, windowSeconds: limit.windowSeconds)
            if !outcome.allowed { throw ErizosFailure.tooManyAttempts(retryAfter: Int64(max(outcome.resetSeconds, 1))) }
        }
        if let perAccount {
            let (count, retryAfter) = try perAccount.hit(account, weight: style == .login ? 1 : 0)
            let full = UInt64(perAccount.limit.budget)
            // A read (Basic) is refused when no further failure fits.
            if style == .login ? count > full : count + UInt64(SignInLimit.failureWeight) > full {
                throw ErizosFailure.tooManyAttempts(retryAfter: retryAfter)
            }
        }
    }

    /// After a failed sign-in: the rest of a failure's weight.
    func recordFailure(_ account: String, _ request: Request, _ style: Style) throws {
        let weight = style == .login ? SignInLimit.failureWeight - 1 : SignInLimit.failureWeight
        if style == .login, let (key, limit) = ipKey(request) {
            for _ in 0..<weight { _ = host.rateLimit(key: key, limit: limit.budget, windowSeconds: limit.windowSeconds) }
        }
        if let perAccount { _ = try perAccount.hit(account, weight: weight) }
    }

    private func ipKey(_ request: Request) -> ([UInt8], SignInLimit)? {
        perIP.map { (Array("erizos-login-ip:".utf8) + host.clientKey(request.clientIP), $0) }
    }
}
