// encryptedPassword: the password sealed with the server key, in the
// original's envelope shape — base64url(JSON {"i": iv, "e": data, "t": type})
// — but AES-256-GCM (t "g") instead of the original's unauthenticated CBC,
// and bound to the user's id so a token only ever works for its own user.
import PluginAPI
import PluginKit
import ProteusJSON

enum PasswordToken {
    static let type = "g"
    /// The longest password an original token may carry.
    static let maxPasswordBytes = 4096

    static func issue(password: String, userID: [UInt8], host: Host) throws -> String {
        let sealed = try host.seal(Array(password.utf8), aad: aad(userID))
        let nonce = sealed.prefix(12)
        let rest = sealed.dropFirst(12)
        let json = JSONValue.object([
            "i": .string(Base64.encode(nonce)),
            "e": .string(Base64.encode(rest)),
            "t": .string(type),
        ]).serialized()
        return Base64.encode(Array(json.utf8), urlSafe: true, padding: false)
    }

    /// True when `text` has the token's shape (whether or not it is valid).
    static func looksLikeToken(_ text: String) -> Bool {
        guard text.hasPrefix("eyJ"), let decoded = Base64.decode(text, urlSafe: true),
              let json = try? JSONParser.parse(decoded), case .object(let o) = json else { return false }
        return o["t"]?.stringValue != nil && o["i"] != nil && o["e"] != nil
    }

    /// The password inside a token, or nil for any token that does not
    /// authenticate for this user (one answer for every kind of bad token).
    /// With `originalKey` (an imported directory), a token of the original
    /// server (t "a", CBC under its SECRET_KEY) is opened too: it only
    /// carries a password, which is then verified like any other, so its
    /// malleability gains an attacker nothing.
    static func open(_ token: String, userID: [UInt8], host: Host, originalKey: [UInt8]? = nil) -> String? {
        if let originalKey, let plain = OriginalCrypto.decrypt(token, key: originalKey, limit: maxPasswordBytes) {
            return String(validating: plain, as: UTF8.self)
        }
        guard let decoded = Base64.decode(token, urlSafe: true),
              let json = try? JSONParser.parse(decoded), case .object(let o) = json,
              o["t"]?.stringValue == type,
              let i = o["i"]?.stringValue, let e = o["e"]?.stringValue,
              let nonce = Base64.decode(i, urlSafe: false), nonce.count == 12,
              let rest = Base64.decode(e, urlSafe: false),
              let plain = try? host.open(nonce + rest, aad: aad(userID)) else { return nil }
        return String(validating: plain, as: UTF8.self)
    }

    private static func aad(_ userID: [UInt8]) -> [UInt8] {
        Array("aiostreams.encryptedPassword:".utf8) + userID
    }
}
