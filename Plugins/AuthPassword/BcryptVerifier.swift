// Verifying legacy bcrypt hashes ($2a$, $2b$, $2y$) with libxcrypt, so users
// imported from AIOStreams (bcrypt cost 10) or MCSManager keep their
// passwords. Never used to enroll: a successful match asks for a rehash.
import PluginKit

enum BcryptVerifier {
    /// Every modular-crypt bcrypt hash is exactly this long:
    /// "$2b$" + 2 cost digits + "$" + 22 salt + 31 hash characters.
    static let length = 60
    /// Cost 4...31 is what the format allows; above this a single check
    /// would hold a KDF thread for minutes (cost 10 ≈ 60 ms, each +1 doubles).
    static let maxCost = 20

    /// "$2a$", "$2b$" or "$2y$" at the start of `stored`.
    static func recognizes(_ stored: UnsafeRawBufferPointer) -> Bool {
        hasPrefix(stored, "$2a$") || hasPrefix(stored, "$2b$") || hasPrefix(stored, "$2y$")
    }

    /// The cost of a well-formed bcrypt string; throws INVALID otherwise.
    static func cost(of stored: UnsafeRawBufferPointer) throws(PluginError) -> Int {
        guard stored.count == length else {
            throw .invalid("stored bcrypt verifier is malformed: expected \(length) characters, found \(stored.count)")
        }
        let d0 = stored[4], d1 = stored[5]
        guard (0x30...0x39).contains(d0), (0x30...0x39).contains(d1), stored[6] == UInt8(ascii: "$") else {
            throw .invalid("stored bcrypt verifier is malformed: bad cost field")
        }
        let cost = Int(d0 - 0x30) * 10 + Int(d1 - 0x30)
        guard cost >= 4 && cost <= 31 else {
            throw .invalid("stored bcrypt verifier is malformed: cost \(cost) outside 04...31")
        }
        for i in 7..<length {
            let c = stored[i]
            let ok = c == UInt8(ascii: ".") || c == UInt8(ascii: "/") || (c >= 0x30 && c <= 0x39)
                || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
            guard ok else { throw .invalid("stored bcrypt verifier is malformed: bad salt or hash character") }
        }
        guard cost <= maxCost else {
            throw .invalid("stored bcrypt verifier asks for cost \(cost); this plugin verifies bcrypt up to cost \(maxCost)")
        }
        return cost
    }

    /// True when `password` matches the bcrypt hash `stored`.
    /// bcrypt reads a C string: a password containing a NUL byte can never
    /// have been hashed as given, so it does not match (rather than being
    /// cut short at the NUL). Like every bcrypt, only the first 72 bytes count.
    static func verify(password: UnsafeRawBufferPointer, stored: UnsafeRawBufferPointer) throws(PluginError) -> Bool {
        _ = try cost(of: stored)
        if password.contains(0) { return false }

        guard let produced = try LibXcrypt.crypt(password: password, setting: Array(stored)) else {
            throw .invalid("stored bcrypt verifier is malformed: libxcrypt refused it")
        }
        return produced.withUnsafeBytes { constantTimeEqual($0, stored) }
    }
}

/// Equality whose time depends only on the lengths (public here: a bcrypt
/// string always has 60 characters).
func constantTimeEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for i in 0..<a.count { difference |= a[i] ^ b[i] }
    return difference == 0
}
