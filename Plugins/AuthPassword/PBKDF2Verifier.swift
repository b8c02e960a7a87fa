// Verifying PBKDF2-HMAC hashes (OpenSSL PKCS5_PBKDF2_HMAC) in the encodings
// other systems store them in. Never used to enroll.
//
//   Django          pbkdf2_sha256$<iterations>$<salt>$<base64 hash>      (also pbkdf2_sha1)
//                   the salt is used as its bytes; the hash padded base64
//   passlib (PHC)   $pbkdf2-sha256$<rounds>$<ab64 salt>$<ab64 hash>      (also -sha512, -sha1,
//                   and passlib's sha1 spelling $pbkdf2$); "ab64" is base64
//                   with '.' for '+', unpadded. Keycloak's credentials arrive
//                   in this form too (converted on import; 64-byte keys).
//   Ory Kratos      $pbkdf2-sha256$i=<iterations>,l=<key length>$<base64 salt>$<base64 hash>
//                   (also -sha512, -sha1): unpadded standard base64; like
//                   Kratos, l is read but the key length is the hash's.
//
// Digests: sha1, sha224, sha256, sha384, sha512. The key length is always the
// decoded hash's length (1…1024 bytes).
// Bound: iterations × output blocks (the key length over the digest length,
// rounded up) ≤ 5,000,000, about two seconds at worst; Django's 1,200,000
// and Keycloak's 27,500 × 2 (sha256, 64-byte keys) or 210,000 (sha512) are
// far below (Kratos refuses above 10,000,000 iterations).
import COpenSSL
import PluginKit

enum PBKDF2Verifier {
    static let maxBlockIterations = 5_000_000
    static let maxKeyLength = 1024

    static let digests: Set<String> = ["sha1", "sha224", "sha256", "sha384", "sha512"]

    static func recognizes(_ stored: UnsafeRawBufferPointer) -> Bool {
        hasPrefix(stored, "pbkdf2_") || hasPrefix(stored, "$pbkdf2-") || hasPrefix(stored, "$pbkdf2$")
    }

    /// A stored string's parts, checked against the bounds.
    struct Parsed {
        var digestName: String
        var iterations: Int
        var salt: [UInt8]
        var hash: [UInt8]
    }

    static func parse(_ stored: UnsafeRawBufferPointer) throws(PluginError) -> Parsed {
        let fields = try legacyFields(stored, "pbkdf2")
        let parsed: Parsed
        if hasPrefix(stored, "pbkdf2_") {
            // Django: algorithm$iterations$salt$hash
            guard fields.count == 4 else { throw malformed("expected pbkdf2_<digest>$<iterations>$<salt>$<hash>") }
            let name = String(decoding: fields[0].dropFirst("pbkdf2_".utf8.count), as: UTF8.self)
            guard let iterations = decimalField(fields[1], max: Int(Int32.max)) else { throw malformed("bad iteration count") }
            guard !fields[2].isEmpty else { throw malformed("empty salt") }
            guard let hash = decodeBase64Field(fields[3]) else { throw malformed("hash is not base64") }
            parsed = Parsed(digestName: name, iterations: iterations, salt: Array(fields[2]), hash: hash)
        } else {
            // PHC: "" $ pbkdf2[-digest] $ params $ salt $ hash
            guard fields.count == 5 else { throw malformed("expected $pbkdf2-<digest>$<rounds>$<salt>$<hash>") }
            let ident = String(decoding: fields[1], as: UTF8.self)
            let name = ident == "pbkdf2" ? "sha1" : String(ident.dropFirst("pbkdf2-".count))
            let iterations: Int
            if let n = decimalField(fields[2], max: Int(Int32.max)) {
                iterations = n // passlib
            } else if let values = namedDecimals(fields[2], ["i", "l"], max: Int(Int32.max)) {
                iterations = values[0] // Kratos
            } else {
                throw malformed("parameters must be <rounds> or i=<iterations>,l=<length>")
            }
            guard let salt = decodeBase64Field(fields[3], ab64: true) else { throw malformed("salt is not base64") }
            guard let hash = decodeBase64Field(fields[4], ab64: true) else { throw malformed("hash is not base64") }
            parsed = Parsed(digestName: name, iterations: iterations, salt: salt, hash: hash)
        }
        guard digests.contains(parsed.digestName) else { throw malformed("unsupported digest") }
        guard parsed.iterations >= 1 else { throw malformed("iterations must be at least 1") }
        guard !parsed.salt.isEmpty else { throw malformed("empty salt") }
        guard !parsed.hash.isEmpty, parsed.hash.count <= maxKeyLength else {
            throw malformed("hash must be 1…\(maxKeyLength) bytes")
        }
        let digestLength = ["sha1": 20, "sha224": 28, "sha256": 32, "sha384": 48, "sha512": 64][parsed.digestName] ?? 20
        let blocks = (parsed.hash.count + digestLength - 1) / digestLength
        guard parsed.iterations * blocks <= maxBlockIterations else {
            throw .invalid("stored pbkdf2 verifier asks for \(parsed.iterations) iterations × \(blocks) blocks; this plugin verifies up to \(maxBlockIterations)")
        }
        return parsed
    }

    static func verify(password: UnsafeRawBufferPointer, stored: UnsafeRawBufferPointer) throws(PluginError) -> Bool {
        let p = try parse(stored)
        guard let md = messageDigest(p.digestName) else { throw .internal("OpenSSL has no \(p.digestName)") }
        var key = [UInt8](repeating: 0, count: p.hash.count)
        let ok = try withPasswordPointer(password) { (pass, length) throws(PluginError) -> Int32 in
            guard length <= Int(Int32.max) else { throw .tooLarge("password too long") }
            return p.salt.withUnsafeBufferPointer { salt in
                key.withUnsafeMutableBufferPointer { out in
                    PKCS5_PBKDF2_HMAC(pass, Int32(length), salt.baseAddress, Int32(salt.count), Int32(p.iterations),
                                      md, Int32(out.count), out.baseAddress)
                }
            }
        }
        guard ok == 1 else { throw .internal("OpenSSL PBKDF2 failed") }
        return digestsEqual(key, p.hash)
    }

    private static func malformed(_ why: String) -> PluginError {
        .invalid("stored pbkdf2 verifier is malformed: \(why)")
    }
}
