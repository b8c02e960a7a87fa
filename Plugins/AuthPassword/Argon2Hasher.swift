// Argon2 through libargon2: enrolling with argon2id, verifying any variant.
// Stateless: every call allocates its own memory (m KiB, inside libargon2),
// so any number of threads may hash at once.
import CArgon2
import Glibc
import PluginAPI
import PluginKit

enum Argon2Hasher {
    static let saltBytes = 16
    static let hashBytes = 32

    /// Ceilings on what a *stored* string may ask of us. Stored verifiers
    /// come from the directory (and from imports); these keep one bad row
    /// from costing more than 4 GiB or an unbounded amount of CPU.
    static let maxStoredMemoryKiB: UInt32 = PasswordOptions.maxMemoryKiB
    static let maxStoredParallelism: UInt32 = PasswordOptions.maxParallelism
    static let maxStoredIterations: UInt32 = 1024
    static let maxStoredLength = 512

    /// An argon2id PHC string for `password` with a fresh `salt`.
    static func enroll(password: UnsafeRawBufferPointer, salt: [UInt8], options: PasswordOptions) throws(PluginError) -> [UInt8] {
        precondition(salt.count == saltBytes)
        let length = argon2_encodedlen(options.iterations, options.memoryKiB, options.parallelism,
                                       UInt32(saltBytes), UInt32(hashBytes), Argon2_id)
        var encoded = [CChar](repeating: 0, count: length + 1)
        let status = salt.withUnsafeBytes { s in
            encoded.withUnsafeMutableBufferPointer { out in
                argon2id_hash_encoded(options.iterations, options.memoryKiB, options.parallelism,
                                      password.baseAddress, password.count,
                                      s.baseAddress, s.count, hashBytes,
                                      out.baseAddress, out.count)
            }
        }
        guard status == ARGON2_OK.rawValue else {
            throw error(status, doing: "hashing")
        }
        let end = encoded.firstIndex(of: 0) ?? encoded.count
        return encoded[..<end].map { UInt8(bitPattern: $0) }
    }

    /// Outcome of a successful verification run (match or mismatch).
    struct Verdict {
        var matches: Bool
        var parameters: PHCString
    }

    /// Verifies `password` against a stored Argon2 PHC string.
    /// Throws INVALID for a malformed or out-of-bounds string.
    static func verify(password: UnsafeRawBufferPointer, stored: UnsafeRawBufferPointer) throws(PluginError) -> Verdict {
        guard stored.count <= maxStoredLength else {
            throw .invalid("stored argon2 verifier is malformed: longer than \(maxStoredLength) bytes")
        }
        let phc: PHCString
        do {
            phc = try PHCString.parse(stored)
        } catch {
            throw .invalid("stored argon2 verifier is malformed: \(error.reason)")
        }
        guard phc.memoryKiB <= maxStoredMemoryKiB, phc.parallelism <= maxStoredParallelism,
              phc.iterations <= maxStoredIterations else {
            throw .invalid("stored \(phc.variant.name) verifier asks for more than this plugin allows (m ≤ \(maxStoredMemoryKiB) KiB, t ≤ \(maxStoredIterations), p ≤ \(maxStoredParallelism)): m=\(phc.memoryKiB), t=\(phc.iterations), p=\(phc.parallelism)")
        }
        // libargon2 wants a NUL-terminated string (the parser already refused NULs).
        var encoded = [CChar](repeating: 0, count: stored.count + 1)
        for i in 0..<stored.count { encoded[i] = CChar(bitPattern: stored[i]) }
        let type: argon2_type
        switch phc.variant {
        case .argon2d: type = Argon2_d
        case .argon2i: type = Argon2_i
        case .argon2id: type = Argon2_id
        }
        // libargon2 compares the tags in constant time.
        let status = argon2_verify(encoded, password.baseAddress, password.count, type)
        switch status {
        case ARGON2_OK.rawValue:
            return Verdict(matches: true, parameters: phc)
        case ARGON2_VERIFY_MISMATCH.rawValue:
            return Verdict(matches: false, parameters: phc)
        default:
            throw error(status, doing: "verifying")
        }
    }

    /// Maps a libargon2 error to a status. Its messages name a condition
    /// ("Memory allocation error"), never an input.
    private static func error(_ status: Int32, doing what: String) -> PluginError {
        let text = argon2_error_message(status).map { String(cString: $0) } ?? "error \(status)"
        switch status {
        case ARGON2_MEMORY_ALLOCATION_ERROR.rawValue, ARGON2_THREAD_FAIL.rawValue:
            return .unavailable("argon2 \(what) failed: \(text)")
        case ARGON2_DECODING_FAIL.rawValue, ARGON2_DECODING_LENGTH_FAIL.rawValue,
             ARGON2_SALT_TOO_SHORT.rawValue, ARGON2_SALT_TOO_LONG.rawValue,
             ARGON2_OUTPUT_TOO_SHORT.rawValue, ARGON2_OUTPUT_TOO_LONG.rawValue,
             ARGON2_TIME_TOO_SMALL.rawValue, ARGON2_TIME_TOO_LARGE.rawValue,
             ARGON2_MEMORY_TOO_LITTLE.rawValue, ARGON2_MEMORY_TOO_MUCH.rawValue,
             ARGON2_LANES_TOO_FEW.rawValue, ARGON2_LANES_TOO_MANY.rawValue,
             ARGON2_THREADS_TOO_FEW.rawValue, ARGON2_THREADS_TOO_MANY.rawValue,
             ARGON2_INCORRECT_TYPE.rawValue, ARGON2_INCORRECT_PARAMETER.rawValue:
            return what == "verifying" ? .invalid("stored argon2 verifier is malformed: \(text)")
                                       : .internal("argon2 \(what) failed: \(text)")
        default:
            return .internal("argon2 \(what) failed: \(text)")
        }
    }
}
