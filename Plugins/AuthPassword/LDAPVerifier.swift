// Verifying RFC 2307 / OpenLDAP userPassword values: a {SCHEME} then the
// base64 of a digest, salted schemes with the salt after the digest. Never
// used to enroll. The scheme name is matched ignoring case.
//
//   {MD5}<base64 MD5(password)>            (MCSManager imports use it too: the
//                                           panel's md5(password) as raw bytes)
//   {SMD5}<base64 MD5(password ‖ salt) ‖ salt>
//   {SHA}<base64 SHA1(password)>           {SSHA}<base64 SHA1(password ‖ salt) ‖ salt>
//   {SHA256}, {SSHA256}, {SHA384}, {SSHA384}, {SHA512}, {SSHA512}: the same with SHA-2
//
// A salted value must carry at least one salt byte; the whole string is at
// most 1024 bytes. One digest per check: no cost bound is needed.
import COpenSSL
import PluginKit

enum LDAPVerifier {
    private struct Scheme {
        let tag: String
        let digest: String
        let length: Int
        let salted: Bool
    }

    // No tag is a prefix of another (each ends with '}').
    private static let schemes = [
        Scheme(tag: "{MD5}", digest: "md5", length: 16, salted: false),
        Scheme(tag: "{SMD5}", digest: "md5", length: 16, salted: true),
        Scheme(tag: "{SHA}", digest: "sha1", length: 20, salted: false),
        Scheme(tag: "{SSHA}", digest: "sha1", length: 20, salted: true),
        Scheme(tag: "{SHA256}", digest: "sha256", length: 32, salted: false),
        Scheme(tag: "{SSHA256}", digest: "sha256", length: 32, salted: true),
        Scheme(tag: "{SHA384}", digest: "sha384", length: 48, salted: false),
        Scheme(tag: "{SSHA384}", digest: "sha384", length: 48, salted: true),
        Scheme(tag: "{SHA512}", digest: "sha512", length: 64, salted: false),
        Scheme(tag: "{SSHA512}", digest: "sha512", length: 64, salted: true),
    ]

    private static func scheme(_ stored: UnsafeRawBufferPointer) -> Scheme? {
        schemes.first { hasPrefixIgnoringCase(stored, $0.tag) }
    }

    static func recognizes(_ stored: UnsafeRawBufferPointer) -> Bool { scheme(stored) != nil }

    static func verify(password: UnsafeRawBufferPointer, stored: UnsafeRawBufferPointer) throws(PluginError) -> Bool {
        guard let s = scheme(stored) else { throw .invalid("not an LDAP verifier") }
        guard stored.count <= maxLegacyStoredLength else { throw malformed(s, "longer than \(maxLegacyStoredLength) bytes") }
        guard let decoded = decodeBase64Field(stored[s.tag.utf8.count...]) else { throw malformed(s, "not base64") }
        if s.salted {
            guard decoded.count > s.length else { throw malformed(s, "expected a \(s.length)-byte digest and a salt") }
        } else {
            guard decoded.count == s.length else { throw malformed(s, "expected the base64 of a \(s.length)-byte digest") }
        }
        guard let md = messageDigest(s.digest) else { throw .internal("OpenSSL has no \(s.digest)") }
        let salt = Array(decoded[s.length...])
        let computed = try digest(md, password, then: salt)
        return digestsEqual(computed, Array(decoded[..<s.length]))
    }

    private static func malformed(_ s: Scheme, _ why: String) -> PluginError {
        .invalid("stored \(s.tag) verifier is malformed: \(why)")
    }
}
