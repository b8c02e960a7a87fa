// For AuthTOTPTests: a reference HOTP/TOTP written independently of the
// plugin (checked against the RFC 4226 and RFC 6238 vectors there), the fake
// clock, and the totp harness.
import COpenSSL
import Foundation
import PluginAPI
import PluginKit
import Synchronization
import XCTest
@testable import Host

// MARK: - a reference TOTP, independent of the plugin's

enum ReferenceTOTP {
    enum Hash: String, CaseIterable { case sha1 = "SHA1", sha256 = "SHA256", sha512 = "SHA512" }

    static func digest(_ hash: Hash, _ data: [UInt8]) -> [UInt8] {
        let md: OpaquePointer?
        switch hash {
        case .sha1: md = EVP_sha1()
        case .sha256: md = EVP_sha256()
        case .sha512: md = EVP_sha512()
        }
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = data.withUnsafeBytes { d in
            out.withUnsafeMutableBufferPointer { EVP_Digest(d.baseAddress, d.count, $0.baseAddress, &length, md, nil) }
        }
        precondition(ok == 1)
        return Array(out.prefix(Int(length)))
    }

    /// HMAC as RFC 2104 defines it: H((K ^ opad) || H((K ^ ipad) || m)).
    static func hmac(_ hash: Hash, key: [UInt8], message: [UInt8]) -> [UInt8] {
        let block = hash == .sha512 ? 128 : 64
        var k = key.count > block ? digest(hash, key) : key
        k += [UInt8](repeating: 0, count: block - k.count)
        let inner = digest(hash, k.map { $0 ^ 0x36 } + message)
        return digest(hash, k.map { $0 ^ 0x5C } + inner)
    }

    static func hotp(_ hash: Hash, key: [UInt8], counter: UInt64, digits: Int) -> String {
        let message = (0..<8).map { UInt8(truncatingIfNeeded: counter >> UInt64(56 - 8 * $0)) }
        let mac = hmac(hash, key: key, message: message)
        let o = Int(mac.last! & 0x0F)
        let binary = (Int(mac[o]) & 0x7F) << 24 | Int(mac[o + 1]) << 16 | Int(mac[o + 2]) << 8 | Int(mac[o + 3])
        var modulus = 1
        for _ in 0..<digits { modulus *= 10 }
        let text = String(binary % modulus)
        return String(repeating: "0", count: digits - text.count) + text
    }

    static func totp(_ hash: Hash, key: [UInt8], unixSeconds: Int64, period: Int64 = 30, digits: Int) -> String {
        hotp(hash, key: key, counter: UInt64(unixSeconds / period), digits: digits)
    }

    /// RFC 4648 base32, upper case, with '=' padding.
    static func base32(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var out = ""
        var buffer = 0, bits = 0
        for b in bytes {
            buffer = (buffer << 8 | Int(b)) & 0xFFFF
            bits += 8
            while bits >= 5 { bits -= 5; out.append(alphabet[(buffer >> bits) & 31]) }
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        while out.count % 8 != 0 { out.append("=") }
        return out
    }

    /// RFC 6238 Appendix B seeds (ASCII "1234567890" repeated to the hash size).
    static func seed(_ hash: Hash) -> [UInt8] {
        let n = hash == .sha1 ? 20 : hash == .sha256 ? 32 : 64
        return (0..<n).map { UInt8(ascii: "0") + UInt8(($0 + 1) % 10) }
    }

    /// RFC 6238 Appendix B: time (s) → 8-digit codes for SHA1, SHA256, SHA512.
    static let rfc6238: [(time: Int64, codes: [Hash: String])] = [
        (59, [.sha1: "94287082", .sha256: "46119246", .sha512: "90693936"]),
        (1111111109, [.sha1: "07081804", .sha256: "68084774", .sha512: "25091201"]),
        (1111111111, [.sha1: "14050471", .sha256: "67062674", .sha512: "99943326"]),
        (1234567890, [.sha1: "89005924", .sha256: "91819424", .sha512: "93441116"]),
        (2000000000, [.sha1: "69279037", .sha256: "90698825", .sha512: "38618901"]),
        (20000000000, [.sha1: "65353130", .sha256: "77737706", .sha512: "47863826"]),
    ]

    /// RFC 4226 Appendix D: HOTP-SHA1, 6 digits, counters 0...9.
    static let rfc4226 = ["755224", "287082", "359152", "969429", "338314",
                          "254676", "287922", "162583", "399871", "520489"]
}

// MARK: - harness

/// The wall clock the plugin sees when a harness uses `.fake`.
enum TOTPFakeClock {
    static let millis = Atomic<Int64>(0)
    static func set(seconds: Int64) { millis.store(seconds * 1000, ordering: .sequentiallyConsistent) }
    static func set(millis value: Int64) { millis.store(value, ordering: .sequentiallyConsistent) }
    static let nowMs: @convention(c) (UnsafeMutableRawPointer?) -> Int64 = { _ in
        TOTPFakeClock.millis.load(ordering: .sequentiallyConsistent)
    }
}

/// The totp method, optionally on the fake clock; codes and secrets as text.
final class TOTPHarness: AuthPluginHarness, @unchecked Sendable {
    enum Clock { case real, fake }

    static var pluginPath: String { BuildProducts.plugin("totp") }

    init(options: String = "{}", clock: Clock = .fake, key: [UInt8] = [UInt8](repeating: 0x42, count: 32)) throws {
        try super.init(method: "totp", options: options, key: key) { instance in
            if clock == .fake { instance.hostTable.pointee.now_ms = TOTPFakeClock.nowMs }
        }
    }

    func enroll(_ secret: String?) -> Outcome { enroll(secret.map { Array($0.utf8) }) }

    /// `stored` of the outcome is updated_stored.
    func verify(_ code: String?, _ stored: String) -> Outcome { verify(code.map { Array($0.utf8) }, stored) }

    func verifyDirect(_ code: String, _ stored: String, resultSize: Int = MemoryLayout<proteus_verify_result>.size) -> Outcome {
        verifyDirect(Array(code.utf8), stored, resultSize: resultSize)
    }
}
