// Equal cost for "no such user" and "wrong password": when a sign-in names
// nobody (or somebody without a password), verify the presented password
// against a decoy verifier anyway, so the answer takes as long as a real
// mismatch and response times do not tell existing accounts from others.
import Synchronization

public final class PasswordDecoy: Sendable {
    private let host: Host
    private let method: String
    private let stored = Mutex<String?>(nil)

    public init(host: Host, method: String = "password") {
        self.host = host
        self.method = method
    }

    /// Runs one verification against the decoy (enrolled on first use with
    /// the method's current parameters). Failures are ignored: the caller
    /// answers "denied" whatever happens here.
    public func burn(_ presented: String) {
        let hash: String
        if let existing = stored.withLock({ $0 }) {
            hash = existing
        } else {
            guard let made = try? host.enroll(method: method, secret: "proteus decoy \(host.nowMillis())") else { return }
            stored.withLock { $0 = made }
            hash = made
        }
        _ = try? host.verify(method: method, presented: presented, stored: hash)
    }
}
