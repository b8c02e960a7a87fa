// Compact JWS (RFC 7515) signed by someone else with a public-key algorithm:
// RS256 (RSASSA-PKCS1-v1_5 + SHA-256) or ES256 (ECDSA P-256 + SHA-256),
// verified with OpenSSL against JWKPublicKeys. Anything else — "alg": "none",
// HS256 (whose "key" would be the public key an attacker also has), other
// algorithms, a key of the wrong type or restricted to another alg, "crit"
// headers — is refused. Parsing and verifying are separate so a caller can
// pick the key by the header's kid (and refetch a key set on an unknown one).
import COpenSSL
import ProteusJSON

public enum PublicKeyJWS {
    /// Longest token accepted (ID tokens are a few kB at most).
    public static let maxLength = 16_384
    public static let algorithms = ["RS256", "ES256"]

    /// A token split and decoded, NOT yet verified.
    public struct Parsed: Sendable {
        public var algorithm: String
        public var kid: String?
        public var payload: JSONObject
        let signingInput: [UInt8]
        let signature: [UInt8]
    }

    /// The token's parts; nil when malformed, its algorithm is not RS256 or
    /// ES256, it has a "crit" header, or its payload is not a JSON object.
    public static func parse(_ token: String) -> Parsed? {
        let bytes = Array(token.utf8)
        guard bytes.count <= maxLength else { return nil }
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && !$0.contains(UInt8(ascii: "=")) }) else { return nil }
        guard let header = decodeObject(parts[0]), let alg = header["alg"]?.stringValue, algorithms.contains(alg),
              header["crit"] == nil else { return nil }
        let kid: String?
        switch header["kid"] {
        case nil: kid = nil
        case .string(let s)?: kid = s
        default: return nil
        }
        guard let payload = decodeObject(parts[1]),
              let signature = Base64.decode(String(decoding: parts[2], as: UTF8.self), urlSafe: true) else { return nil }
        let signingInput = Array(bytes[0..<(parts[0].count + 1 + parts[1].count)])
        return Parsed(algorithm: alg, kid: kid, payload: payload, signingInput: signingInput, signature: signature)
    }

    /// Whether `key` can check tokens of `algorithm` (type and the JWK's own "alg").
    public static func suits(_ key: JWKPublicKey, _ algorithm: String) -> Bool {
        if let restricted = key.algorithm, restricted != algorithm { return false }
        switch algorithm {
        case "RS256": return key.type == .rsa
        case "ES256": return key.type == .ec
        default: return false
        }
    }

    /// Whether the token's signature verifies under `key`.
    public static func verify(_ token: Parsed, with key: JWKPublicKey) -> Bool {
        guard suits(key, token.algorithm) else { return false }
        let signature: [UInt8]
        if token.algorithm == "ES256" {
            // JWS carries ECDSA signatures as raw r||s; OpenSSL wants DER.
            guard token.signature.count == 64, let der = derSignature(r: Array(token.signature[0..<32]), s: Array(token.signature[32...])) else {
                return false
            }
            signature = der
        } else {
            signature = token.signature
        }
        guard let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit(ctx, nil, EVP_sha256(), nil, key.pkey) == 1 else { return false }
        return EVP_DigestVerify(ctx, signature, signature.count, token.signingInput, token.signingInput.count) == 1
    }

    private static func decodeObject(_ part: ArraySlice<UInt8>) -> JSONObject? {
        guard let bytes = Base64.decode(String(decoding: part, as: UTF8.self), urlSafe: true),
              let value = try? JSONParser.parse(bytes) else { return nil }
        return value.objectValue
    }

    /// ECDSA-Sig-Value DER of r and s (big-endian, 32 bytes each).
    private static func derSignature(r: [UInt8], s: [UInt8]) -> [UInt8]? {
        guard let sig = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(sig) }
        guard let br = BN_bin2bn(r, Int32(r.count), nil) else { return nil }
        guard let bs = BN_bin2bn(s, Int32(s.count), nil) else { BN_free(br); return nil }
        // set0 takes ownership of both on success only.
        guard ECDSA_SIG_set0(sig, br, bs) == 1 else { BN_free(br); BN_free(bs); return nil }
        let length = i2d_ECDSA_SIG(sig, nil)
        guard length > 0, length <= 80 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written: Int32 = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d_ECDSA_SIG(sig, &cursor)
        }
        guard written == length else { return nil }
        return der
    }
}
