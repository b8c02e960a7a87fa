// Public keys from JSON Web Keys (RFC 7517/7518) as OpenSSL 3 EVP_PKEYs,
// for verifying other parties' signatures (an OIDC provider's ID tokens).
// Only what RS256 and ES256 need: RSA (n, e; at least 2048 bits) and EC
// P-256 (x, y); OpenSSL's public-key check must pass (point on the curve,
// a sane RSA exponent). Keys are built with EVP_PKEY_fromdata from an
// OSSL_PARAM list; every OpenSSL return and pointer is checked, and any
// failure is "no key".
import COpenSSL
import ProteusJSON

/// One usable public key of a JWK set.
public final class JWKPublicKey: @unchecked Sendable {
    public enum KeyType: String, Sendable { case rsa = "RSA", ec = "EC" }

    public let type: KeyType
    public let kid: String?
    /// The "alg" the key is restricted to, when the JWK names one.
    public let algorithm: String?
    /// Owned; freed in deinit. EVP_PKEYs are safe to share between threads
    /// for verification once built.
    let pkey: OpaquePointer

    private init(type: KeyType, kid: String?, algorithm: String?, pkey: OpaquePointer) {
        self.type = type; self.kid = kid; self.algorithm = algorithm; self.pkey = pkey
    }

    deinit { EVP_PKEY_free(pkey) }

    /// The key of one JWK object; nil for a key that is not a public RSA or
    /// P-256 key, is meant for encryption ("use": "enc"), is malformed, or
    /// is an RSA key shorter than 2048 bits.
    public static func make(_ jwk: JSONObject) -> JWKPublicKey? {
        if let use = jwk["use"], use != "sig" { return nil }
        // A private part in a published set is a provider's mistake; never use it.
        guard jwk["d"] == nil else { return nil }
        let kid = jwk["kid"]?.stringValue
        let alg = jwk["alg"]?.stringValue
        switch jwk["kty"]?.stringValue {
        case "RSA"?:
            guard let n = bytes(jwk["n"]), let e = bytes(jwk["e"]), n.count >= 256, n.count <= 1024, !e.isEmpty, e.count <= 8,
                  let pkey = rsaKey(n: n, e: e), EVP_PKEY_get_bits(pkey) >= 2048 else { return nil }
            return JWKPublicKey(type: .rsa, kid: kid, algorithm: alg, pkey: pkey)
        case "EC"?:
            guard jwk["crv"] == "P-256", let x = bytes(jwk["x"]), let y = bytes(jwk["y"]), x.count == 32, y.count == 32,
                  let pkey = p256Key(point: [0x04] + x + y) else { return nil }
            return JWKPublicKey(type: .ec, kid: kid, algorithm: alg, pkey: pkey)
        default:
            return nil
        }
    }

    /// Every usable key of a JWK set document ({"keys": [...]}); keys this
    /// code cannot use are skipped, as RFC 7517 §5 asks.
    public static func set(_ document: JSONValue) -> [JWKPublicKey]? {
        guard let keys = document["keys"]?.arrayValue else { return nil }
        return keys.compactMap { $0.objectValue.flatMap(make) }
    }

    private static func bytes(_ value: JSONValue?) -> [UInt8]? {
        guard let text = value?.stringValue, !text.contains("=") else { return nil }
        return Base64.decode(text, urlSafe: true)
    }

    // MARK: OpenSSL

    private static func rsaKey(n: [UInt8], e: [UInt8]) -> OpaquePointer? {
        guard let bn = BN_bin2bn(n, Int32(n.count), nil) else { return nil }
        defer { BN_free(bn) }
        guard let be = BN_bin2bn(e, Int32(e.count), nil) else { return nil }
        defer { BN_free(be) }
        return fromData("RSA") { builder in
            OSSL_PARAM_BLD_push_BN(builder, name("n"), bn) == 1 && OSSL_PARAM_BLD_push_BN(builder, name("e"), be) == 1
        }
    }

    private static func p256Key(point: [UInt8]) -> OpaquePointer? {
        // The builder keeps pointers until to_param, which runs inside fromData.
        point.withUnsafeBytes { pub in
            fromData("EC") { builder in
                OSSL_PARAM_BLD_push_utf8_string(builder, name("group"), name("prime256v1"), 0) == 1
                    && OSSL_PARAM_BLD_push_octet_string(builder, name("pub"), pub.baseAddress, pub.count) == 1
            }
        }
    }

    /// A literal as a C string that lives for the process: OSSL_PARAM_BLD
    /// keeps the name and string pointers it is given (it copies only at
    /// to_param), so a temporary bridged Swift String would dangle.
    private static func name(_ literal: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// EVP_PKEY_fromdata for a public key of `keyType` with the parameters
    /// `push` adds to a builder.
    private static func fromData(_ keyType: String, _ push: (OpaquePointer) -> Bool) -> OpaquePointer? {
        guard let builder = OSSL_PARAM_BLD_new() else { return nil }
        defer { OSSL_PARAM_BLD_free(builder) }
        guard push(builder), let params = OSSL_PARAM_BLD_to_param(builder) else { return nil }
        defer { OSSL_PARAM_free(params) }
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, keyType, nil) else { return nil }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_fromdata_init(ctx) == 1 else { return nil }
        var pkey: OpaquePointer?
        guard EVP_PKEY_fromdata(ctx, &pkey, proteus_evp_pkey_public_key_selection(), params) == 1, let key = pkey else {
            return nil
        }
        // fromdata does not promise validation: an EC point off the curve
        // (invalid-curve tricks) or an RSA exponent of 1 or an even one
        // would be accepted; OpenSSL's public check refuses them.
        guard let check = EVP_PKEY_CTX_new_from_pkey(nil, key, nil) else { EVP_PKEY_free(key); return nil }
        defer { EVP_PKEY_CTX_free(check) }
        guard EVP_PKEY_public_check(check) == 1 else { EVP_PKEY_free(key); return nil }
        return key
    }
}
