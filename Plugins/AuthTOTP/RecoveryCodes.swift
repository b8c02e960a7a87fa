// Recovery codes: single-use codes that stand in for a TOTP code when the
// user lost their authenticator. They live in the TOTP verifier itself, so
// every dialect that checks a second factor through the "totp" method
// accepts them, once each, with the same write-before-it-counts rule that
// stops a TOTP code from being used twice.
//
// A code is compared in canonical form: ASCII letters folded to lower
// case, '-' and spaces dropped; 8...64 characters of [a-z0-9] remain. The
// verifier keeps only keyed hashes: host->mac("totp.recovery", sealed
// secret || 0 || canonical code), first 16 bytes. The key never leaves the
// host (a copy of the database gives no way to test guesses offline), and
// binding to the sealed secret ties the codes to their enrolment: a new
// secret leaves old codes dead.
import PluginKit

enum RecoveryCodes {
    static let purpose = "totp.recovery"
    static let maxCount = 16
    static let lengthRange = 8...64
    static let hashBytes = 16

    /// The canonical form of `presented`, or nil when it cannot be a
    /// recovery code (so it is judged as a TOTP code instead).
    static func canonical(_ presented: some Collection<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        for c in presented {
            switch c {
            case UInt8(ascii: "-"), UInt8(ascii: " "): continue
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): out.append(c + 32)
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): out.append(c)
            default: return nil
            }
            guard out.count <= lengthRange.upperBound else { return nil }
        }
        return lengthRange.contains(out.count) ? out : nil
    }

    static func hash(_ canonical: [UInt8], sealed: [UInt8], host: Host) throws(PluginError) -> [UInt8] {
        Array(try host.mac(purpose: purpose, message: sealed + [0] + canonical).prefix(hashBytes))
    }

    /// The codes listed in an enroll secret's lines after the first, hashed
    /// for `sealed`; INVALID for a malformed, repeated or excess code.
    static func hashes(_ lines: ArraySlice<[UInt8]>, sealed: [UInt8], host: Host) throws(PluginError) -> [[UInt8]] {
        guard lines.count <= maxCount else { throw .invalid("at most \(maxCount) recovery codes") }
        var seen: Set<[UInt8]> = []
        var hashes: [[UInt8]] = []
        for line in lines {
            guard let code = canonical(line), seen.insert(code).inserted else {
                throw .invalid("a recovery code must be \(lengthRange.lowerBound)-\(lengthRange.upperBound) letters or digits (dashes and spaces ignored), each listed once")
            }
            hashes.append(try hash(code, sealed: sealed, host: host))
        }
        return hashes
    }
}
