// The OIDC "state" of one sign-in: the nonce, the PKCE verifier, the
// frontend URI and an expiry (10 min), sealed with the server key
// (AES-256-GCM through host->seal), so the provider and the browser carry
// it without being able to read or change it. It is single-use on the
// server side: its first use hits a store counter keyed by its hash
// (shared by every worker and host on the store), and any later use finds
// the counter taken and is refused. (A store session cannot hold it: a
// session needs a user, and there is none before the sign-in.)
import PluginAPI
import PluginKit
import ProteusJSON

struct OIDCState {
    static let lifetimeSeconds: Int64 = 600
    private static let aad = Array("cortexhub-oidc-state".utf8)
    private static let counterPrefix = Array("cortexhub-oidc-state:".utf8)

    var nonce: String
    var verifier: String
    var frontendURI: String
    var expiresAt: Int64

    /// The S256 PKCE challenge of the verifier.
    func challenge(_ host: Host) -> String {
        Base64.encode(host.sha256(Array(verifier.utf8)), urlSafe: true, padding: false)
    }

    /// A new state for `frontendURI` with a fresh nonce and verifier.
    static func make(_ host: Host, frontendURI: String) throws -> OIDCState {
        func random() throws -> String { Base64.encode(try host.randomBytes(32), urlSafe: true, padding: false) }
        return OIDCState(nonce: try random(), verifier: try random(), frontendURI: frontendURI,
                         expiresAt: host.nowMillis() + lifetimeSeconds * 1000)
    }

    /// The value sent as `state`.
    func seal(_ host: Host) throws -> String {
        let fields: JSONValue = ["n": .string(nonce), "v": .string(verifier), "f": .string(frontendURI),
                                 "e": .number(JSONNumber(expiresAt))]
        return Base64.encode(try host.seal(Array(fields.serialized().utf8), aad: Self.aad), urlSafe: true, padding: false)
    }

    /// The state a callback presents, used up now; 400 when it is not one
    /// of ours, has expired or was used before.
    static func redeem(_ text: String, host: Host) throws -> OIDCState {
        let invalid = Failure(400, "Invalid or expired sign-in state")
        guard text.utf8.count <= 2048, let sealed = Base64.decode(text, urlSafe: true),
              let plain = try? host.open(sealed, aad: aad), let value = try? JSONParser.parse(plain),
              let nonce = value["n"]?.stringValue, let verifier = value["v"]?.stringValue,
              let frontendURI = value["f"]?.stringValue, let expiresAt = value["e"]?.numberValue?.int64 else { throw invalid }
        let now = host.nowMillis()
        guard now < expiresAt else { throw invalid }
        // The counter outlives the state (its window is the whole lifetime),
        // so a replay before expiry counts 2 and one after expiry is expired.
        let hit = try host.directory.hitCounter(key: counterPrefix + host.sha256(sealed), weight: 1,
                                                windowSeconds: UInt32(lifetimeSeconds + 60), now: now)
        guard hit.count == 1 else { throw invalid }
        return OIDCState(nonce: nonce, verifier: verifier, frontendURI: frontendURI, expiresAt: expiresAt)
    }
}
