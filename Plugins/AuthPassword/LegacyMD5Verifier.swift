// Verifying the MCSManager panel's legacy password type 0: an unsalted MD5 of
// the password's UTF-8 bytes (the panel's `md5(password)`, hex). Imported
// users keep such passwords as an RFC 2307 "{MD5}" + base64(digest) string,
// which is what this recognises. Never used to enroll: a match always asks
// for a re-hash, so the weak verifier is replaced at the first sign-in.
import COpenSSL
import PluginKit

enum LegacyMD5Verifier {
    static let prefix = "{MD5}"

    static func recognizes(_ stored: UnsafeRawBufferPointer) -> Bool {
        let p = Array(prefix.utf8)
        guard stored.count >= p.count else { return false }
        for i in 0..<p.count where stored[i] != p[i] { return false }
        return true
    }

    /// True when MD5(password) equals the stored digest. INVALID when the
    /// stored string is not "{MD5}" + the base64 of 16 bytes.
    static func verify(password: UnsafeRawBufferPointer, stored: UnsafeRawBufferPointer) throws(PluginError) -> Bool {
        let encoded = String(decoding: stored[prefix.utf8.count...], as: UTF8.self)
        guard let digest = Base64.decode(encoded, urlSafe: false), digest.count == 16 else {
            throw .invalid("stored {MD5} verifier is malformed: expected the base64 of a 16-byte digest")
        }
        guard let computed = md5(password) else { throw .internal("OpenSSL could not compute an MD5 digest") }
        return CRYPTO_memcmp(computed, digest, 16) == 0
    }

    /// MD5 with OpenSSL: only to check legacy verifiers, never for anything new.
    private static func md5(_ message: UnsafeRawBufferPointer) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_Digest(message.baseAddress, message.count, &out, &length, EVP_md5(), nil) == 1, length == 16 else { return nil }
        return Array(out.prefix(16))
    }
}
