// Verifying modular-crypt hashes with libxcrypt's crypt_rn: md5-crypt ($1$),
// sha256-crypt ($5$) and sha512-crypt ($6$), as /etc/shadow, `openssl
// passwd -1/-5/-6`, passlib and most Unix-born systems write them; also
// under Ory Kratos' import prefixes $md5-crypt$, $sha256-crypt$ and
// $sha512-crypt$ (the same string after the prefix). Never used to enroll.
//
//   $1$<salt ≤ 8>$<22 chars>
//   $5$[rounds=<1000…5000000>$]<salt ≤ 16>$<43 chars>
//   $6$[rounds=<1000…5000000>$]<salt ≤ 16>$<86 chars>
//
// Bound: rounds ≤ 5,000,000, under two seconds (the format allows
// 999,999,999; passlib writes 535,000/656,000, glibc 5000). md5-crypt has
// a fixed 1000.
import CCrypt
import Glibc
import PluginKit

enum CryptVerifier {
    /// The most sha-crypt rounds a stored string may ask for.
    static let maxRounds = 5_000_000

    private struct Scheme {
        let prefixes: [String]   // the crypt prefix first
        let name: String
        let maxSalt: Int
        let hashLength: Int
        let takesRounds: Bool
    }

    private static let schemes = [
        Scheme(prefixes: ["$1$", "$md5-crypt$"], name: "md5-crypt", maxSalt: 8, hashLength: 22, takesRounds: false),
        Scheme(prefixes: ["$5$", "$sha256-crypt$"], name: "sha256-crypt", maxSalt: 16, hashLength: 43, takesRounds: true),
        Scheme(prefixes: ["$6$", "$sha512-crypt$"], name: "sha512-crypt", maxSalt: 16, hashLength: 86, takesRounds: true),
    ]

    private static func scheme(_ stored: UnsafeRawBufferPointer) -> (Scheme, prefixLength: Int)? {
        for s in schemes {
            for p in s.prefixes where stored.starts(with: p.utf8) {
                return (s, p.utf8.count)
            }
        }
        return nil
    }

    static func recognizes(_ stored: UnsafeRawBufferPointer) -> Bool { scheme(stored) != nil }

    /// The string libxcrypt reads ("$6$…"): Kratos' prefix becomes the crypt one.
    /// INVALID when malformed or above the bounds.
    static func setting(of stored: UnsafeRawBufferPointer) throws(PluginError) -> [UInt8] {
        guard let (s, prefixLength) = scheme(stored) else { throw .invalid("not a crypt verifier") }
        guard stored.count <= 200 else { throw .invalid("stored \(s.name) verifier is malformed: too long") }
        let crypt = Array(s.prefixes[0].utf8)
        let rest = Array(stored[prefixLength...])
        var fields = rest.split(separator: UInt8(ascii: "$"), omittingEmptySubsequences: false)
        if s.takesRounds, fields.count == 3 {
            let r = fields.removeFirst()
            guard r.starts(with: Array("rounds=".utf8)) else {
                throw .invalid("stored \(s.name) verifier is malformed: expected rounds=<n>")
            }
            guard let rounds = decimalField(r.dropFirst(7), max: 999_999_999), rounds >= 1000 else {
                throw .invalid("stored \(s.name) verifier is malformed: rounds must be 1000…999999999")
            }
            guard rounds <= maxRounds else {
                throw .invalid("stored \(s.name) verifier asks for \(rounds) rounds; this plugin verifies up to \(maxRounds)")
            }
        }
        guard fields.count == 2 else { throw .invalid("stored \(s.name) verifier is malformed: expected <salt>$<hash>") }
        let salt = fields[0], hash = fields[1]
        guard salt.count >= 1, salt.count <= s.maxSalt, salt.allSatisfy({ $0 != 0 && $0 != UInt8(ascii: "$") && $0 != UInt8(ascii: ":") && $0 > 0x20 && $0 < 0x7F }) else {
            throw .invalid("stored \(s.name) verifier is malformed: salt must be 1…\(s.maxSalt) printable characters")
        }
        guard hash.count == s.hashLength, hash.allSatisfy(isCryptAlphabet) else {
            throw .invalid("stored \(s.name) verifier is malformed: hash must be \(s.hashLength) characters of ./0-9A-Za-z")
        }
        return crypt + rest
    }

    /// True when `password` hashes to `stored`. A password with a NUL byte
    /// can never have been hashed as given (crypt reads C strings): no match.
    static func verify(password: UnsafeRawBufferPointer, stored: UnsafeRawBufferPointer) throws(PluginError) -> Bool {
        let setting = try setting(of: stored)
        if password.contains(0) { return false }
        guard let produced = try LibXcrypt.crypt(password: password, setting: setting) else {
            throw .invalid("stored crypt verifier is malformed: libxcrypt refused it")
        }
        return produced.count == setting.count && digestsEqual(produced, setting)
    }

    static func isCryptAlphabet(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ".") || c == UInt8(ascii: "/") || (c >= 0x30 && c <= 0x39)
            || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }
}

/// libxcrypt's reentrant crypt_rn with a per-call scratch area.
enum LibXcrypt {
    /// crypt(password, setting) as bytes; nil when libxcrypt refuses the
    /// setting (its "*0"/"*1" failure tokens). `password` must not contain NUL.
    static func crypt(password: UnsafeRawBufferPointer, setting: [UInt8]) throws(PluginError) -> [UInt8]? {
        let dataSize = MemoryLayout<crypt_data>.size
        // The scratch area is ~32 KiB: on the heap, per call (no sharing between threads).
        guard let data = calloc(1, dataSize) else { throw .unavailable("crypt: out of memory") }
        let phrase = UnsafeMutableRawPointer.allocate(byteCount: password.count + 1, alignment: 1)
        defer {
            explicit_bzero(data, dataSize)
            free(data)
            explicit_bzero(phrase, password.count + 1)
            phrase.deallocate()
        }
        if let base = password.baseAddress, password.count > 0 { phrase.copyMemory(from: base, byteCount: password.count) }
        phrase.storeBytes(of: 0, toByteOffset: password.count, as: UInt8.self)
        let cSetting = setting.map { CChar(bitPattern: $0) } + [0]
        guard let result = crypt_rn(phrase.assumingMemoryBound(to: CChar.self), cSetting, data, Int32(dataSize)),
              result.pointee != CChar(UInt8(ascii: "*")) else {
            return nil
        }
        return Array(UnsafeRawBufferPointer(start: result, count: strnlen(result, 512)))
    }
}
