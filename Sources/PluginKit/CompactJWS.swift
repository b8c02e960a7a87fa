// Compact JWS (RFC 7515) with HS256 only: header.payload.signature in
// base64url without padding. The MAC is the caller's (normally host->mac,
// so no key ever sits in the plugin). Verification is strict: exactly the
// header this code writes ({"alg":"HS256","typ":"JWT"}, any key order), so
// "alg": "none", other algorithms and extra header fields ("kid", "jku",
// "crit") are refused before any payload is read.
import ProteusJSON

public enum CompactJWS {
    /// Longest token accepted; ours are about 250 bytes.
    public static let maxLength = 4096

    /// The signed token of `payload`.
    public static func sign(_ payload: JSONObject, mac: ([UInt8]) throws -> [UInt8]) rethrows -> String {
        let header: JSONValue = ["alg": "HS256", "typ": "JWT"]
        let signingInput = Base64.encode(Array(header.serialized().utf8), urlSafe: true, padding: false) + "."
            + Base64.encode(Array(JSONValue.object(payload).serialized().utf8), urlSafe: true, padding: false)
        let signature = try mac(Array(signingInput.utf8))
        return signingInput + "." + Base64.encode(signature, urlSafe: true, padding: false)
    }

    /// The payload of a token whose signature verifies; nil for anything
    /// else (malformed, another header, a wrong signature, a payload that is
    /// not a JSON object). `equal` must compare in constant time.
    public static func verify(_ token: String, mac: ([UInt8]) throws -> [UInt8],
                              equal: ([UInt8], [UInt8]) -> Bool) -> JSONObject? {
        let bytes = Array(token.utf8)
        guard bytes.count <= maxLength else { return nil }
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && !$0.contains(UInt8(ascii: "=")) }) else { return nil }
        guard let headerBytes = Base64.decode(String(decoding: parts[0], as: UTF8.self), urlSafe: true),
              let header = try? JSONParser.parse(headerBytes), let fields = header.objectValue,
              fields.count == 2, fields["alg"] == "HS256", fields["typ"] == "JWT" else { return nil }
        guard let signature = Base64.decode(String(decoding: parts[2], as: UTF8.self), urlSafe: true),
              signature.count == 32 else { return nil }
        let signingInput = Array(bytes[0..<(parts[0].count + 1 + parts[1].count)])
        guard let expected = try? mac(signingInput), equal(expected, signature) else { return nil }
        guard let payloadBytes = Base64.decode(String(decoding: parts[1], as: UTF8.self), urlSafe: true),
              let payload = try? JSONParser.parse(payloadBytes) else { return nil }
        return payload.objectValue
    }
}
