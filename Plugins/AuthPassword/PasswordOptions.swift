// The plugin's options, read from the config's "options" JSON object.
import PluginAPI
import PluginKit
import ProteusJSON

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

    /// The defaults are the OWASP Password Storage Cheat Sheet's first
    /// argon2id configuration: m=19 MiB, t=2, p=1.
    static let defaults = PasswordOptions()

    /// 4 GiB expressed in KiB.
    static let maxMemoryKiB: UInt32 = 4 * 1024 * 1024
    static let maxParallelism: UInt32 = 16
    /// A ceiling for `maxPasswordBytes` itself: the point of the limit is
    /// that nobody can make us hash megabytes.
    static let maxPasswordBytesCeiling = 65_536

    static let knownKeys = ["memoryKiB", "iterations", "parallelism", "maxPasswordBytes"]

    /// Parses and checks the options text (a JSON object; empty text is `{}`).
    /// Every failure is PROTEUS_E_INVALID with a message naming the key.
    ///
    /// The one place that knows the JSON shape: switch to PluginKit's typed
    /// option reader here once it lands.
    static func parse(json text: String) throws(PluginError) -> PasswordOptions {
        let trimmed = text.utf8.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        if trimmed.isEmpty { return PasswordOptions() }
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw .invalid("options: not valid JSON: \(error.message)")
        }
        guard case .object(let object) = value else {
            throw .invalid("options: expected a JSON object")
        }

        var options = PasswordOptions()
        for (key, member) in object {
            switch key {
            case "memoryKiB":
                options.memoryKiB = try uint32(member, key: key, range: 1...UInt64(maxMemoryKiB))
            case "iterations":
                options.iterations = try uint32(member, key: key, range: 1...UInt64(UInt32.max))
            case "parallelism":
                options.parallelism = try uint32(member, key: key, range: 1...UInt64(maxParallelism))
            case "maxPasswordBytes":
                options.maxPasswordBytes = Int(try uint32(member, key: key, range: 1...UInt64(maxPasswordBytesCeiling)))
            default:
                throw .invalid("options: unknown option \"\(key)\" (known: \(knownKeys.joined(separator: ", ")))")
            }
        }
        // Argon2 needs at least 8 KiB per lane.
        guard UInt64(options.memoryKiB) >= 8 * UInt64(options.parallelism) else {
            throw .invalid("options: \"memoryKiB\" must be at least 8 × parallelism (\(8 * options.parallelism)), got \(options.memoryKiB)")
        }
        return options
    }

    private static func uint32(_ value: JSONValue, key: String, range: ClosedRange<UInt64>) throws(PluginError) -> UInt32 {
        guard case .number(let number) = value, number.isInteger else {
            throw .invalid("options: \"\(key)\" must be an integer")
        }
        guard let n = number.uint64, range.contains(n) else {
            throw .invalid("options: \"\(key)\" must be between \(range.lowerBound) and \(range.upperBound), got \(number.text)")
        }
        return UInt32(n)
    }

    /// True when m×t is below every OWASP argon2id configuration
    /// (m=47104/t=1 ... m=7168/t=5; the weakest product is 7168×5).
    var isBelowOWASPMinimum: Bool {
        memoryKiB < 7168 || UInt64(memoryKiB) * UInt64(iterations) < 7168 * 5
    }

    var summary: String { "argon2id m=\(memoryKiB) KiB, t=\(iterations), p=\(parallelism); passwords up to \(maxPasswordBytes) bytes" }
}
