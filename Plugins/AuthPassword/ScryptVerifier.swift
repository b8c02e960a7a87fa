// Verifying scrypt PHC strings (OpenSSL EVP_PBE_scrypt). Never used to enroll.
//
//   passlib     $scrypt$ln=<log2 N>,r=<r>,p=<p>$<base64 salt>$<base64 hash>
//               (unpadded base64; '.' for '+' is accepted as well)
//   Ory Kratos  $scrypt$ln=<N>,r=<r>,p=<p>$<padded base64 salt>$<padded base64 hash>
//               (Kratos passes its "ln" to scrypt as N itself, e.g. ln=16384)
//
// Which one a string is: "ln" is N itself when the salt or hash carries
// base64 padding ('=', as Kratos writes them) or when it is 64 or more (no
// log2 is that large); otherwise it is log2 N. N must be a power of two.
// The key length is the decoded hash's length (1…1024 bytes).
// Bounds (shared with Firebase's scrypt): N ≤ 2^20, r ≤ 32, p ≤ 16,
// memory 128·N·r ≤ 256 MiB, work N·r·p ≤ 2^22, about two seconds at worst
// (passlib's default ln=16,r=8,p=1 is 2^19 and 64 MiB; Firebase's usual
// 2^14, r=8 is 2^17 and 16 MiB; Kratos' bounds allow up to 2^17·8·10).
import COpenSSL
import PluginKit

enum ScryptVerifier {
    static let maxLog2N = 20
    static let maxR = 32
    static let maxP = 16
    static let maxMemoryBytes = 256 << 20
    static let maxWork = 1 << 22
    static let maxKeyLength = 1024

    static func recognizes(_ stored: UnsafeRawBufferPointer) -> Bool { hasPrefix(stored, "$scrypt$") }

    struct Parsed {
        var n: Int, r: Int, p: Int
        var salt: [UInt8]
        var hash: [UInt8]
    }

    static func parse(_ stored: UnsafeRawBufferPointer) throws(PluginError) -> Parsed {
        let fields = try legacyFields(stored, "scrypt")
        guard fields.count == 5 else { throw malformed("expected $scrypt$ln=<n>,r=<r>,p=<p>$<salt>$<hash>") }
        guard let values = namedDecimals(fields[2], ["ln", "r", "p"], max: Int(Int32.max)) else {
            throw malformed("parameters must be ln=<n>,r=<r>,p=<p>")
        }
        let padded = fields[3].contains(UInt8(ascii: "=")) || fields[4].contains(UInt8(ascii: "="))
        let ln = values[0]
        let n: Int
        if padded || ln >= 64 {
            n = ln
        } else {
            guard ln <= maxLog2N else { throw tooCostly("scrypt", "ln=\(ln)") }
            n = 1 << ln
        }
        guard let salt = decodeBase64Field(fields[3], ab64: true), !salt.isEmpty else { throw malformed("salt is not base64") }
        guard let hash = decodeBase64Field(fields[4], ab64: true), !hash.isEmpty, hash.count <= maxKeyLength else {
            throw malformed("hash must be the base64 of 1…\(maxKeyLength) bytes")
        }
        try checkBounds(n: n, r: values[1], p: values[2], format: "scrypt")
        return Parsed(n: n, r: values[1], p: values[2], salt: salt, hash: hash)
    }

    /// INVALID unless N is a power of two ≥ 2, r, p ≥ 1 and the cost within bounds.
    static func checkBounds(n: Int, r: Int, p: Int, format: String) throws(PluginError) {
        guard n >= 2, n & (n - 1) == 0 else { throw .invalid("stored \(format) verifier is malformed: N must be a power of two ≥ 2") }
        guard r >= 1, p >= 1 else { throw .invalid("stored \(format) verifier is malformed: r and p must be at least 1") }
        guard n <= 1 << maxLog2N, r <= maxR, p <= maxP, 128 * n * r <= maxMemoryBytes, n * r * p <= maxWork else {
            throw tooCostly(format, "N=\(n), r=\(r), p=\(p)")
        }
    }

    /// scrypt(password, salt, N, r, p) → `keyLength` bytes.
    static func derive(password: UnsafeRawBufferPointer, salt: [UInt8], n: Int, r: Int, p: Int, keyLength: Int) throws(PluginError) -> [UInt8] {
        var key = [UInt8](repeating: 0, count: keyLength)
        let maxmem = UInt64(128 * r * (n + p + 2) + 65536)
        let ok = try withPasswordPointer(password) { (pass, length) throws(PluginError) -> Int32 in
            salt.withUnsafeBufferPointer { s in
                key.withUnsafeMutableBufferPointer { out in
                    EVP_PBE_scrypt(pass, length, s.baseAddress, s.count, UInt64(n), UInt64(r), UInt64(p), maxmem,
                                   out.baseAddress, out.count)
                }
            }
        }
        guard ok == 1 else { throw .unavailable("scrypt failed (out of memory?)") }
        return key
    }

    static func verify(password: UnsafeRawBufferPointer, stored: UnsafeRawBufferPointer) throws(PluginError) -> Bool {
        let s = try parse(stored)
        let key = try derive(password: password, salt: s.salt, n: s.n, r: s.r, p: s.p, keyLength: s.hash.count)
        return digestsEqual(key, s.hash)
    }

    private static func malformed(_ why: String) -> PluginError { .invalid("stored scrypt verifier is malformed: \(why)") }

    static func tooCostly(_ format: String, _ what: String) -> PluginError {
        .invalid("stored \(format) verifier asks for more than this plugin allows (N ≤ 2^\(maxLog2N), r ≤ \(maxR), p ≤ \(maxP), 128·N·r ≤ 256 MiB, N·r·p ≤ 2^22): \(what)")
    }
}
