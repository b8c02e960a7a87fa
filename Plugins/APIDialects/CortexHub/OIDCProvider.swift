// The OIDC provider as this dialect sees it: its discovery document
// (<issuer>/.well-known/openid-configuration) and its signing keys (JWKS),
// fetched through the host's outbound service and cached for an hour. An
// unknown kid refetches the key set once (providers rotate keys), at most
// every 5 s so forged kids cannot make us hammer the provider.
import PluginAPI
import PluginKit
import ProteusJSON

/// The provider failed (unreachable, 5xx, malformed answer): 502, or 503
/// when the host refused the outbound call for load.
struct ProviderFailure: Error {
    var message: String
    var overloaded = false

    var failure: Failure {
        if overloaded {
            var f = Failure(503, "Service temporarily unavailable")
            f.headers = [("Retry-After", "1")]
            return f
        }
        return Failure(502, "The sign-in provider failed: \(message)")
    }
}

final class OIDCProvider: @unchecked Sendable {
    struct Endpoints {
        var authorization: String
        var token: String
        var jwks: String
        /// client_secret_post when discovery lists only that; else Basic.
        var secretInForm: Bool
    }

    static let cacheMillis: Int64 = 3_600_000
    static let refetchSpacingMillis: Int64 = 5_000
    static let timeoutMs: UInt32 = 10_000

    let host: Host
    let config: CortexHubOptions.OIDC
    private let lock = PluginMutex()
    private var endpoints: (value: Endpoints, fetchedAt: Int64)?
    private var keys: (value: [JWKPublicKey], fetchedAt: Int64)?

    init(host: Host, config: CortexHubOptions.OIDC) {
        self.host = host
        self.config = config
    }

    /// The endpoints from discovery (cached).
    func discover() throws(ProviderFailure) -> Endpoints {
        let now = host.nowMillis()
        if let cached = lock.withLock({ endpoints }), now - cached.fetchedAt < Self.cacheMillis { return cached.value }
        let issuer = config.issuer.hasSuffix("/") ? String(config.issuer.dropLast()) : config.issuer
        let document = try fetchJSON(issuer + "/.well-known/openid-configuration", what: "discovery document")
        // OIDC Discovery §4.3: the document must name the issuer we asked.
        guard document["issuer"]?.stringValue == config.issuer else {
            throw ProviderFailure(message: "the discovery document names another issuer")
        }
        guard let authorization = document["authorization_endpoint"]?.stringValue, Self.isHTTPURL(authorization),
              let token = document["token_endpoint"]?.stringValue, Self.isHTTPURL(token),
              let jwks = document["jwks_uri"]?.stringValue, Self.isHTTPURL(jwks) else {
            throw ProviderFailure(message: "the discovery document lacks an endpoint")
        }
        let methods = document["token_endpoint_auth_methods_supported"]?.arrayValue?.compactMap(\.stringValue)
        let secretInForm = methods.map { !$0.contains("client_secret_basic") && $0.contains("client_secret_post") } ?? false
        let found = Endpoints(authorization: authorization, token: token, jwks: jwks, secretInForm: secretInForm)
        lock.withLock { endpoints = (found, now) }
        return found
    }

    /// The key that should have signed `token`: by kid (refetching the set
    /// once when the kid is unknown), or the only suitable key when the
    /// token names none. nil when there is none.
    func key(for token: PublicKeyJWS.Parsed) throws(ProviderFailure) -> JWKPublicKey? {
        let now = host.nowMillis()
        let cached = lock.withLock { keys }
        var set: [JWKPublicKey]
        var fetchedAt: Int64
        if let cached, now - cached.fetchedAt < Self.cacheMillis {
            (set, fetchedAt) = cached
        } else {
            set = try fetchKeys()
            fetchedAt = now
        }
        if let found = Self.pick(set, token) { return found }
        guard token.kid != nil, now - fetchedAt >= Self.refetchSpacingMillis else { return nil }
        set = try fetchKeys()
        return Self.pick(set, token)
    }

    private static func pick(_ set: [JWKPublicKey], _ token: PublicKeyJWS.Parsed) -> JWKPublicKey? {
        let suitable = set.filter { PublicKeyJWS.suits($0, token.algorithm) }
        if let kid = token.kid { return suitable.first { $0.kid == kid } }
        return suitable.count == 1 ? suitable[0] : nil
    }

    private func fetchKeys() throws(ProviderFailure) -> [JWKPublicKey] {
        let document = try fetchJSON(try discover().jwks, what: "key set")
        guard let set = JWKPublicKey.set(document) else { throw ProviderFailure(message: "the key set is malformed") }
        let now = host.nowMillis()
        lock.withLock { keys = (set, now) }
        return set
    }

    private func fetchJSON(_ url: String, what: String) throws(ProviderFailure) -> JSONValue {
        let result = try send(method: "GET", url: url, headers: [("Accept", "application/json")], body: nil, what: what)
        guard result.status == 200 else { throw ProviderFailure(message: "the \(what) answered \(result.status)") }
        guard let value = try? JSONParser.parse(result.body), value.objectValue != nil else {
            throw ProviderFailure(message: "the \(what) is not a JSON object")
        }
        return value
    }

    /// One outbound call; transport failures become ProviderFailures.
    func send(method: String, url: String, headers: [(name: String, value: String)], body: [UInt8]?,
              what: String) throws(ProviderFailure) -> HTTPResult {
        do {
            return try host.httpRequest(method: method, url: url, headers: headers, body: body, timeoutMs: Self.timeoutMs)
        } catch {
            // The host says UNAVAILABLE both for an unreachable server and
            // for its own waiting lane being full; only the message tells.
            if error.code == PROTEUS_E_UNAVAILABLE, error.message.contains("waiting on slow work") {
                throw ProviderFailure(message: error.message, overloaded: true)
            }
            throw ProviderFailure(message: "the \(what) could not be fetched (\(error.message))")
        }
    }

    /// The answer to a provider failure, logged for the operator (the
    /// client only learns that the provider failed).
    func answer(_ failure: ProviderFailure) -> Failure {
        if !failure.overloaded { host.warn("OIDC provider \(config.issuer): \(failure.message)") }
        return failure.failure
    }

    static func isHTTPURL(_ s: String) -> Bool {
        (s.hasPrefix("https://") || s.hasPrefix("http://")) && !s.contains(" ") && s.utf8.count <= 2048
    }
}
