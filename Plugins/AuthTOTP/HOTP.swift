// HOTP (RFC 4226) over HMAC-SHA1/256/512 from OpenSSL 3, and the TOTP time
// step (RFC 6238 §4: T = floor((unix time - T0) / X), T0 = 0).
// Pure functions: no state, safe from any thread.
import COpenSSL

enum HOTP {
    /// The HMAC of `message` under `key`.
    static func hmac(_ algorithm: TOTPAlgorithm, key: [UInt8], message: [UInt8]) throws(HMACFailure) -> [UInt8] {
        let md: OpaquePointer?
        switch algorithm {
        case .sha1: md = EVP_sha1()
        case .sha256: md = EVP_sha256()
        case .sha512: md = EVP_sha512()
        }
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = key.withUnsafeBytes { k in
            message.withUnsafeBufferPointer { m in
                out.withUnsafeMutableBufferPointer { o in
                    HMAC(md, k.baseAddress, Int32(k.count), m.baseAddress, m.count, o.baseAddress, &length) != nil
                }
            }
        }
        guard ok, length > 0 else { throw HMACFailure() }
        return Array(out.prefix(Int(length)))
    }

    /// The `digits`-digit HOTP value of `counter`, as ASCII digits with
    /// leading zeros (RFC 4226 §5.3 dynamic truncation; RFC 6238 applies
    /// the same truncation to the longer SHA-256/512 MACs).
    static func code(_ algorithm: TOTPAlgorithm, key: [UInt8], counter: UInt64, digits: Int) throws(HMACFailure) -> [UInt8] {
        var message = [UInt8](repeating: 0, count: 8)
        for i in 0..<8 { message[i] = UInt8(truncatingIfNeeded: counter >> UInt64(56 - 8 * i)) }
        let mac = try hmac(algorithm, key: key, message: message)
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary = UInt32(mac[offset] & 0x7F) << 24 | UInt32(mac[offset + 1]) << 16
            | UInt32(mac[offset + 2]) << 8 | UInt32(mac[offset + 3])
        var value = binary % power10(digits)
        var text = [UInt8](repeating: UInt8(ascii: "0"), count: digits)
        for i in stride(from: digits - 1, through: 0, by: -1) {
            text[i] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
        }
        return text
    }

    /// The TOTP time step of `unixMillis` (floor division, so times before
    /// 1970 give negative steps rather than rounding towards zero).
    static func timeStep(unixMillis: Int64, periodSeconds: Int) -> Int64 {
        let seconds = floorDivide(unixMillis, 1000)
        return floorDivide(seconds, Int64(periodSeconds))
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    private static func power10(_ n: Int) -> UInt32 {
        var p: UInt32 = 1
        for _ in 0..<n { p *= 10 }
        return p
    }
}

/// OpenSSL refused to compute an HMAC (it should not happen).
struct HMACFailure: Error {}
