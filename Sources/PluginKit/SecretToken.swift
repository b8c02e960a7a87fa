// Opaque bearer secrets (session tokens, cookies): 32 random bytes as
// unpadded base64url, of which the store only ever sees the SHA-256.
public struct SecretToken: Sendable {
    /// What the client holds.
    public let text: String
    /// What the store keeps (SHA-256 of the text's UTF-8).
    public let hash: [UInt8]

    /// A fresh token from the host's CSPRNG.
    public static func generate(_ host: Host) throws(PluginError) -> SecretToken {
        let text = Base64.encode(try host.randomBytes(32), urlSafe: true, padding: false)
        return SecretToken(text: text, hash: host.sha256(Array(text.utf8)))
    }

    /// The stored hash of a token a client presented.
    public static func hash(_ presented: String, _ host: Host) -> [UInt8] { host.sha256(Array(presented.utf8)) }
}
