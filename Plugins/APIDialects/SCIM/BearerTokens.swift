// SCIM's only way in: `Authorization: Bearer <token>`, a token made by
// `proteus scim token create`. The store keeps each token's SHA-256 (hex) as
// the key of a plugin entry, so every host on the store sees the same set.
// Each worker remembers an answer for at most `cacheMs`: a token created or
// revoked while the server runs takes effect within that bound (under the
// 5 s the dialect promises) without a store read per request.
import PluginAPI
import PluginKit
import ProteusJSON

final class BearerTokens: @unchecked Sendable {
    static let namespace = "scim.tokens"
    static let prefix = "scim_"
    static let cacheMs: Int64 = 2000
    private static let cacheLimit = 1024

    private let host: Host
    private let mutex = PluginMutex()
    private var answers: [String: (valid: Bool, until: Int64)] = [:]

    init(host: Host) { self.host = host }

    static func key(_ token: String, _ host: Host) -> String { Hex.encode(host.sha256(Array(token.utf8))) }

    /// Throws 401 unless the request carries a live token.
    func authenticate(_ request: Request) throws {
        guard let header = request.header("authorization") else { throw SCIMFailure.unauthorized }
        let parts = header.trimmingSpacesAndTabs().split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw SCIMFailure.unauthorized }
        let token = String(parts[1]).trimmingSpacesAndTabs()
        guard token.hasPrefix(Self.prefix), token.utf8.count <= 128 else { throw SCIMFailure.unauthorized }
        let key = Self.key(token, host)
        let now = host.nowMillis()
        if let known = mutex.withLock({ answers[key] }), known.until > now {
            guard known.valid else { throw SCIMFailure.unauthorized }
            return
        }
        let valid = try host.directory.entry(namespace: Self.namespace, key: key) != nil
        mutex.withLock {
            if answers.count >= Self.cacheLimit { answers.removeAll(keepingCapacity: true) }
            answers[key] = (valid, now + Self.cacheMs)
        }
        guard valid else { throw SCIMFailure.unauthorized }
    }
}
