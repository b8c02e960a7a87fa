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
    /// A token's answer: its label (nil: no such token).
    private var answers: [String: (label: String?, until: Int64)] = [:]

    init(host: Host) { self.host = host }

    static func key(_ token: String, _ host: Host) -> String { Hex.encode(host.sha256(Array(token.utf8))) }

    /// Throws 401 unless the request carries a live token; returns the
    /// token's label (the audit log's actor is "scim:<label>").
    @discardableResult
    func authenticate(_ request: Request) throws -> String {
        guard let header = request.header("authorization") else { throw SCIMFailure.unauthorized }
        let parts = header.trimmingSpacesAndTabs().split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw SCIMFailure.unauthorized }
        let token = String(parts[1]).trimmingSpacesAndTabs()
        guard token.hasPrefix(Self.prefix), token.utf8.count <= 128 else { throw SCIMFailure.unauthorized }
        let key = Self.key(token, host)
        let now = host.nowMillis()
        if let known = mutex.withLock({ answers[key] }), known.until > now {
            guard let label = known.label else { throw SCIMFailure.unauthorized }
            return label
        }
        let label = try host.directory.entry(namespace: Self.namespace, key: key).map(Self.label)
        mutex.withLock {
            if answers.count >= Self.cacheLimit { answers.removeAll(keepingCapacity: true) }
            answers[key] = (label, now + Self.cacheMs)
        }
        guard let label else { throw SCIMFailure.unauthorized }
        return label
    }

    /// The label of a token's entry ({"id":…,"label":…}); its id when it has none.
    private static func label(_ entry: EntryRecord) -> String {
        let value = try? JSONParser.parse(entry.json)
        return value?["label"]?.stringValue ?? value?["id"]?.stringValue ?? "token"
    }
}
