// Verifying the MCSManager panel's legacy password type 0: an unsalted MD5 of
// the password's UTF-8 bytes (the panel's `md5(password)`, hex). Imported
// users keep such passwords as an RFC 2307 "{MD5}" + base64(digest) string,
// which is what this recognises. Never used to enroll: a match always asks
// for a re-hash, so the weak verifier is replaced at the first sign-in.
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
        let computed = MD5.digest(password)
        var difference: UInt8 = 0
        for i in 0..<16 { difference |= computed[i] ^ digest[i] }
        return difference == 0
    }
}

/// MD5 (RFC 1321). Here only to check legacy verifiers; never for anything new.
enum MD5 {
    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    /// floor(abs(sin(i + 1)) × 2^32)
    private static let constants: [UInt32] = (0..<64).map { i in
        UInt32(truncatingIfNeeded: Int64((abs(sin(Double(i + 1))) * 4_294_967_296.0).rounded(.down)))
    }

    static func digest(_ message: UnsafeRawBufferPointer) -> [UInt8] {
        var data = Array(message)
        let bitLength = UInt64(message.count) &* 8
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        for i in 0..<8 { data.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }

        var a0: UInt32 = 0x6745_2301, b0: UInt32 = 0xEFCD_AB89, c0: UInt32 = 0x98BA_DCFE, d0: UInt32 = 0x1032_5476
        var words = [UInt32](repeating: 0, count: 16)
        for chunk in stride(from: 0, to: data.count, by: 64) {
            for i in 0..<16 {
                let j = chunk + i * 4
                words[i] = UInt32(data[j]) | UInt32(data[j + 1]) << 8 | UInt32(data[j + 2]) << 16 | UInt32(data[j + 3]) << 24
            }
            var a = a0, b = b0, c = c0, d = d0
            for i in 0..<64 {
                var f: UInt32
                let g: Int
                switch i {
                case 0..<16: f = (b & c) | (~b & d); g = i
                case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
                case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
                default: f = c ^ (b | ~d); g = (7 * i) % 16
                }
                f = f &+ a &+ constants[i] &+ words[g]
                a = d; d = c; c = b
                b = b &+ (f << shifts[i] | f >> (32 - shifts[i]))
            }
            a0 = a0 &+ a; b0 = b0 &+ b; c0 = c0 &+ c; d0 = d0 &+ d
        }
        var out: [UInt8] = []
        out.reserveCapacity(16)
        for v in [a0, b0, c0, d0] { for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
        return out
    }
}

import Glibc
