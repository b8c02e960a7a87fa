// The plugin's options, read from the config's "options" JSON object.
import PluginAPI
import PluginKit

/// Argon2id cost and the size limit on passwords. Immutable once created.
struct PasswordOptions: Sendable, Equatable {
    /// Argon2 memory cost in KiB (m).
    var memoryKiB: UInt32 = 19_456
    /// Argon2 passes over memory (t).
    var iterations: UInt32 = 2
    /// Argon2 lanes (p).
    var parallelism: UInt32 = 1
    /// Longest secret accepted by enroll and verify, in bytes.
    var maxPasswordBytes: Int = 1024
    /// A Firebase project's signer key and salt separator, for $firescrypt$
    /// verifiers stored without them ("firebase": {"signerKey": base64,
    /// "saltSeparator": base64}).
    var firebase: FirebaseProject?

    /// The defaults are the OWASP Password Storage Cheat Sheet's first
    /// argon2id configuration: m=19 MiB, t=2, p=1.
    static let defaults = PasswordOptions()

    /// 4 GiB expressed in KiB.
    static let maxMemoryKiB: UInt32 = 4 * 1024 * 1024
    static let maxParallelism: UInt32 = 16
    /// A ceiling for `maxPasswordBytes` itself: the point of the limit is
    /// that nobody can make us hash megabytes.
    static let maxPasswordBytesCeiling = 65_536

    static let knownKeys: Set<String> = ["memoryKiB", "iterations", "parallelism", "maxPasswordBytes", "firebase"]

    /// Parses and checks the options handed to `create` (a JSON object;
    /// no text is `{}`; a null member means "use the default"). Every
    /// failure is PROTEUS_E_INVALID with a message naming the key.
    static func parse(_ reader: PluginOptions) throws(PluginError) -> PasswordOptions {
        try reader.rejectUnknown(knownKeys)
        var options = PasswordOptions()
        if let m = try reader.int("memoryKiB", in: 8...Int(maxMemoryKiB)) { options.memoryKiB = UInt32(m) }
        if let t = try reader.int("iterations", in: 1...Int(UInt32.max)) { options.iterations = UInt32(t) }
        if let p = try reader.int("parallelism", in: 1...Int(maxParallelism)) { options.parallelism = UInt32(p) }
        if let n = try reader.int("maxPasswordBytes", in: 1...maxPasswordBytesCeiling) { options.maxPasswordBytes = n }
        if let firebase = try reader.object("firebase") {
            options.firebase = try parseFirebase(PluginOptions(firebase))
        }
        // Argon2 needs at least 8 KiB per lane.
        guard UInt64(options.memoryKiB) >= 8 * UInt64(options.parallelism) else {
            throw .invalid("option \"memoryKiB\" must be at least 8 × parallelism (\(8 * options.parallelism)), got \(options.memoryKiB)")
        }
        return options
    }

    /// The "firebase" object: both keys, standard base64 (the separator may be empty).
    static func parseFirebase(_ reader: PluginOptions) throws(PluginError) -> FirebaseProject {
        try reader.rejectUnknown(["signerKey", "saltSeparator"])
        guard let key = try reader.string("signerKey"), let separator = try reader.string("saltSeparator") else {
            throw .invalid("option \"firebase\" needs \"signerKey\" and \"saltSeparator\" (base64, as the Firebase console shows them)")
        }
        guard let signerKey = Base64.decode(key, urlSafe: false), !signerKey.isEmpty,
              signerKey.count <= FirebaseScryptVerifier.maxSignerKeyLength else {
            throw .invalid("option \"firebase.signerKey\" must be the base64 of 1…\(FirebaseScryptVerifier.maxSignerKeyLength) bytes")
        }
        guard let saltSeparator = Base64.decode(separator, urlSafe: false) else {
            throw .invalid("option \"firebase.saltSeparator\" must be base64")
        }
        return FirebaseProject(signerKey: signerKey, saltSeparator: saltSeparator)
    }

    /// True when a matching argon2 string is weaker than what we would
    /// enroll today: another variant, the old version, or a lower m, t or p.
    func needsRehash(_ phc: PHCString) -> Bool {
        phc.variant != .argon2id
            || phc.version != PHCString.version13
            || phc.memoryKiB < memoryKiB
            || phc.iterations < iterations
            || phc.parallelism < parallelism
    }

    /// True when m×t is below every OWASP argon2id configuration
    /// (m=47104/t=1 ... m=7168/t=5; the weakest product is 7168×5).
    var isBelowOWASPMinimum: Bool {
        memoryKiB < 7168 || UInt64(memoryKiB) * UInt64(iterations) < 7168 * 5
    }

    var summary: String { "argon2id m=\(memoryKiB) KiB, t=\(iterations), p=\(parallelism); passwords up to \(maxPasswordBytes) bytes" }
}
