// The stored verifier: a PHC-like string
//
//   $totp$v=1$a=SHA1,d=6,p=30$step=0$<sealed secret, base64, no padding>
//   $totp$v=1$a=SHA1,d=6,p=30$step=0$<sealed secret>$r=<hash>.<hash>...
//
//   v     format version (1)
//   a     HMAC algorithm the secret was enrolled with: SHA1 | SHA256 | SHA512
//   d     digits: 6 | 8
//   p     time step in seconds: 10...120
//   step  the last accepted time step (floor(unix seconds / p)); 0 = none yet
//         (so step 0, the first p seconds of 1970, is never accepted)
//   last  the shared secret sealed with the host's AES-256-GCM and the
//         server key (12-byte nonce || ciphertext || 16-byte tag), AAD
//         "proteus.totp.v1", standard base64 without '=' padding
//   r     (only while unused recovery codes remain) their keyed hashes,
//         base64url without padding, '.'-separated (RecoveryCodes.swift)
//
// Parsing is strict (exactly this layout, canonical decimals, no padding),
// so re-serialising a parsed verifier reproduces it byte for byte.
import PluginKit

struct StoredVerifier: Sendable, Equatable {
    static let prefix = "$totp$"
    static let version = 1
    /// Longer than anything enroll writes (a 64-byte secret makes ~170).
    static let maxLength = 1024
    /// nonce + tag + an 80-bit secret
    static let minSealedBytes = 12 + 16 + 10

    var algorithm: TOTPAlgorithm
    var digits: Int
    var periodSeconds: Int
    var lastStep: Int64
    var sealed: [UInt8]
    /// Keyed hashes of the unused recovery codes.
    var recovery: [[UInt8]] = []

    var text: String {
        var text = "$totp$v=\(Self.version)$a=\(algorithm.name),d=\(digits),p=\(periodSeconds)$step=\(lastStep)$"
            + Base64.encode(sealed, padding: false)
        if !recovery.isEmpty {
            text += "$r=" + recovery.map { Base64.encode($0, urlSafe: true, padding: false) }.joined(separator: ".")
        }
        return text
    }

    /// True when `stored` begins with "$totp$" (anything else is another
    /// plugin's business: IGNORE).
    static func recognizes(_ stored: UnsafeRawBufferPointer) -> Bool {
        let p = Array(prefix.utf8)
        guard stored.count >= p.count else { return false }
        for i in 0..<p.count where stored[i] != p[i] { return false }
        return true
    }

    /// Parses a "$totp$" string; INVALID (never quoting it) when malformed.
    static func parse(_ stored: UnsafeRawBufferPointer) throws(PluginError) -> StoredVerifier {
        func malformed(_ why: String) -> PluginError { .invalid("stored TOTP verifier is malformed: \(why)") }
        guard stored.count <= maxLength else { throw malformed("longer than \(maxLength) bytes") }
        let fields = stored.split(separator: UInt8(ascii: "$"), omittingEmptySubsequences: false)
        guard fields.count == 6 || fields.count == 7, fields[0].isEmpty, equals(fields[1], "totp") else {
            throw malformed("expected $totp$v=…$a=…,d=…,p=…$step=…$<sealed secret>[$r=…]")
        }
        guard let v = value(fields[2], key: "v"), let version = decimal(v), version == Int64(Self.version) else {
            throw malformed("unsupported version field (this plugin reads v=\(Self.version))")
        }
        let params = fields[3].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard params.count == 3, let a = value(params[0], key: "a"),
              let d = value(params[1], key: "d").flatMap(decimal),
              let p = value(params[2], key: "p").flatMap(decimal) else {
            throw malformed("parameters must be a=<algorithm>,d=<digits>,p=<seconds>")
        }
        guard let algorithm = TOTPAlgorithm.allCases.first(where: { equals(a, $0.name) }) else {
            throw malformed("unknown algorithm (SHA1, SHA256 or SHA512)")
        }
        guard TOTPOptions.allowedDigits.contains(Int(d)) else { throw malformed("digits must be 6 or 8") }
        guard TOTPOptions.periodRange.contains(Int(p)) else {
            throw malformed("period must be \(TOTPOptions.periodRange.lowerBound)...\(TOTPOptions.periodRange.upperBound) seconds")
        }
        guard let s = value(fields[4], key: "step"), let step = decimal(s) else {
            throw malformed("bad step field")
        }
        let encoded = fields[5]
        guard !encoded.contains(UInt8(ascii: "=")),
              let sealed = Base64.decode(String(decoding: encoded, as: UTF8.self), urlSafe: false) else {
            throw malformed("sealed secret is not unpadded base64")
        }
        guard sealed.count >= minSealedBytes else { throw malformed("sealed secret too short") }
        var recovery: [[UInt8]] = []
        if fields.count == 7 {
            guard let r = value(fields[6], key: "r") else { throw malformed("bad recovery field") }
            for part in r.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
                guard !part.contains(UInt8(ascii: "=")),
                      let hash = Base64.decode(String(decoding: part, as: UTF8.self), urlSafe: true),
                      hash.count == RecoveryCodes.hashBytes else { throw malformed("bad recovery code hash") }
                recovery.append(hash)
            }
            guard recovery.count <= RecoveryCodes.maxCount else { throw malformed("too many recovery codes") }
        }
        return StoredVerifier(algorithm: algorithm, digits: Int(d), periodSeconds: Int(p), lastStep: step, sealed: sealed,
                              recovery: recovery)
    }

    private static func equals(_ bytes: Slice<UnsafeRawBufferPointer>, _ text: String) -> Bool {
        bytes.elementsEqual(text.utf8)
    }

    /// The part after "key=" when `field` starts with it.
    private static func value(_ field: Slice<UnsafeRawBufferPointer>, key: String) -> Slice<UnsafeRawBufferPointer>? {
        let k = Array(key.utf8) + [UInt8(ascii: "=")]
        guard field.count > k.count, field.prefix(k.count).elementsEqual(k) else { return nil }
        return field.dropFirst(k.count)
    }

    /// A non-negative decimal Int64 without sign or leading zeros.
    private static func decimal(_ digits: Slice<UnsafeRawBufferPointer>) -> Int64? {
        guard !digits.isEmpty, digits.count <= 19 else { return nil }
        if digits.count > 1 && digits.first == UInt8(ascii: "0") { return nil }
        var n: Int64 = 0
        for c in digits {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            let (m, o1) = n.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(c - 0x30))
            guard !o1, !o2 else { return nil }
            n = s
        }
        return n
    }
}
