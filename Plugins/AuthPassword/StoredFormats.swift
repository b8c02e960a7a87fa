// The stored formats this plugin verifies, as one table, and the helpers the
// legacy verifiers share: field splitting, decimals and base64 variants,
// OpenSSL digests and constant-time comparison.
//
// Every verifier answers for the strings it `recognizes` (a prefix check):
// a match (with needs_rehash), a mismatch, or INVALID for a string that is
// malformed or asks for more work than the verifier's bounds allow. A string
// no verifier recognizes is IGNORE (the host asks the method's next plugin).
// Verifiers only read the password through the caller's buffer: it is handed
// to OpenSSL or libxcrypt as it is, and the one copy made (libxcrypt needs a
// NUL-terminated string) is wiped.
import COpenSSL
import Glibc
import PluginKit

/// What a verifier found.
enum StoredMatch: Sendable, Equatable {
    case mismatch
    /// `needsRehash`: re-enroll with argon2id at the configured cost.
    case match(needsRehash: Bool)
}

/// One family of stored formats.
struct StoredFormat: Sendable {
    let name: String
    let recognizes: @Sendable (UnsafeRawBufferPointer) -> Bool
    let verify: @Sendable (_ password: UnsafeRawBufferPointer, _ stored: UnsafeRawBufferPointer,
                           _ options: PasswordOptions) throws(PluginError) -> StoredMatch

    /// Every format, tried in order (prefixes do not overlap).
    static let all: [StoredFormat] = [
        StoredFormat(name: "argon2", recognizes: { Argon2Variant.detect($0) != nil }) { password, stored, options throws(PluginError) in
            let verdict = try Argon2Hasher.verify(password: password, stored: stored)
            return verdict.matches ? .match(needsRehash: options.needsRehash(verdict.parameters)) : .mismatch
        },
        legacy("bcrypt", BcryptVerifier.recognizes, BcryptVerifier.verify),
        legacy("crypt", CryptVerifier.recognizes, CryptVerifier.verify),
        legacy("pbkdf2", PBKDF2Verifier.recognizes, PBKDF2Verifier.verify),
        legacy("scrypt", ScryptVerifier.recognizes, ScryptVerifier.verify),
        StoredFormat(name: "firescrypt", recognizes: FirebaseScryptVerifier.recognizes) { password, stored, options throws(PluginError) in
            try FirebaseScryptVerifier.verify(password: password, stored: stored, project: options.firebase) ? .match(needsRehash: true) : .mismatch
        },
        legacy("phpass", PHPassVerifier.recognizes, PHPassVerifier.verify),
        legacy("ldap", LDAPVerifier.recognizes, LDAPVerifier.verify),
    ]

    /// A legacy format: verify only, and a match always asks for argon2id.
    static func legacy(_ name: String, _ recognizes: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool,
                       _ verify: @escaping @Sendable (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws(PluginError) -> Bool) -> StoredFormat {
        StoredFormat(name: name, recognizes: recognizes) { password, stored, _ throws(PluginError) in
            try verify(password, stored) ? .match(needsRehash: true) : .mismatch
        }
    }

    static func find(_ stored: UnsafeRawBufferPointer) -> StoredFormat? {
        all.first { $0.recognizes(stored) }
    }
}

/// A stored legacy string longer than this is INVALID before any parsing.
let maxLegacyStoredLength = 1024

// MARK: fields

/// `stored` split on '$' (empty fields kept); INVALID when too long.
func legacyFields(_ stored: UnsafeRawBufferPointer, _ format: String) throws(PluginError) -> [ArraySlice<UInt8>] {
    guard stored.count <= maxLegacyStoredLength else {
        throw .invalid("stored \(format) verifier is malformed: longer than \(maxLegacyStoredLength) bytes")
    }
    return Array(stored).split(separator: UInt8(ascii: "$"), omittingEmptySubsequences: false)
}

/// A decimal without sign or leading zeros, at most `max`.
func decimalField<C: Collection<UInt8>>(_ digits: C, max: Int) -> Int? {
    guard !digits.isEmpty, digits.count <= 12 else { return nil }
    if digits.count > 1 && digits.first == UInt8(ascii: "0") { return nil }
    var n = 0
    for c in digits {
        guard c >= 0x30 && c <= 0x39 else { return nil }
        n = n * 10 + Int(c - 0x30)
    }
    return n <= max ? n : nil
}

/// `name=value` pairs separated by commas, in exactly the order given by
/// `names`; each value a decimal up to `max`. Nil when anything else.
func namedDecimals(_ field: ArraySlice<UInt8>, _ names: [String], max: Int) -> [Int]? {
    let parts = field.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
    guard parts.count == names.count else { return nil }
    var values: [Int] = []
    for (part, name) in zip(parts, names) {
        let key = Array(name.utf8) + [UInt8(ascii: "=")]
        guard part.count > key.count, part.prefix(key.count).elementsEqual(key),
              let value = decimalField(part.dropFirst(key.count), max: max) else { return nil }
        values.append(value)
    }
    return values
}

/// Base64 as password-hash formats write it: the standard alphabet, padding
/// optional, and with `ab64` passlib's variant ('.' for '+'). Nil when not.
func decodeBase64Field<C: Collection<UInt8>>(_ text: C, ab64: Bool = false) -> [UInt8]? {
    var chars = Array(text)
    if ab64 {
        for i in chars.indices where chars[i] == UInt8(ascii: ".") { chars[i] = UInt8(ascii: "+") }
    }
    guard !chars.isEmpty else { return nil }
    return Base64.decode(String(decoding: chars, as: UTF8.self), urlSafe: false)
}

/// True when `bytes` starts with `prefix`, ignoring ASCII case.
func hasPrefixIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ prefix: String) -> Bool {
    let p = Array(prefix.utf8)
    guard bytes.count >= p.count else { return false }
    for i in 0..<p.count where lowercased(bytes[i]) != lowercased(p[i]) { return false }
    return true
}

private func lowercased(_ c: UInt8) -> UInt8 { (c >= 0x41 && c <= 0x5A) ? c + 0x20 : c }

// MARK: digests

/// OpenSSL's digest by name ("sha256"), or nil.
func messageDigest(_ name: String) -> OpaquePointer? {
    EVP_get_digestbyname(name)
}

/// The digest of `password` ‖ `suffix` (the password is not copied).
func digest(_ md: OpaquePointer, _ password: UnsafeRawBufferPointer, then suffix: [UInt8]) throws(PluginError) -> [UInt8] {
    guard let ctx = EVP_MD_CTX_new() else { throw .unavailable("OpenSSL: out of memory") }
    defer { EVP_MD_CTX_free(ctx) }
    var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    guard EVP_DigestInit_ex(ctx, md, nil) == 1 else { throw .internal("OpenSSL could not start a digest") }
    let updated = (password.count == 0 || EVP_DigestUpdate(ctx, password.baseAddress, password.count) == 1)
        && (suffix.isEmpty || EVP_DigestUpdate(ctx, suffix, suffix.count) == 1)
    guard updated else { throw .internal("OpenSSL digest failed") }
    guard EVP_DigestFinal_ex(ctx, &out, &length) == 1 else { throw .internal("OpenSSL digest failed") }
    return Array(out.prefix(Int(length)))
}

/// Equality of two digests in time that depends only on their lengths.
func digestsEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count, !a.isEmpty else { return false }
    return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 } }
}

/// A pointer OpenSSL may read `count` bytes from, even for an empty password.
func withPasswordPointer<R>(_ password: UnsafeRawBufferPointer, _ body: (UnsafePointer<CChar>, Int) throws(PluginError) -> R) throws(PluginError) -> R {
    if let base = password.baseAddress, password.count > 0 {
        return try body(base.assumingMemoryBound(to: CChar.self), password.count)
    }
    var empty: CChar = 0
    return try withUnsafePointer(to: &empty) { (p) throws(PluginError) -> R in try body(p, 0) }
}
