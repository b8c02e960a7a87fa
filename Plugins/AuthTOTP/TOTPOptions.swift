// The plugin's options, read from the config's "options" JSON object.
//
//   digits         6 or 8                      (default 6)
//   periodSeconds  10...120                    (default 30)
//   skewSteps      0...5                       (default 1)
//   algorithm      "SHA1" | "SHA256" | "SHA512" (default "SHA1")
//
// digits, periodSeconds and algorithm only apply to secrets enrolled from
// now on: each stored verifier carries the parameters it was enrolled with.
// skewSteps is policy and applies to every verification.
import PluginKit

/// The HMAC hash of a TOTP secret (RFC 6238 §1.2 allows SHA-1, -256, -512).
enum TOTPAlgorithm: String, Sendable, Equatable, CaseIterable {
    case sha1 = "SHA1"
    case sha256 = "SHA256"
    case sha512 = "SHA512"

    /// The canonical name used in options and stored verifiers.
    var name: String { rawValue }
}

/// Immutable once created.
struct TOTPOptions: Sendable, Equatable {
    var digits = 6
    var periodSeconds = 30
    var skewSteps = 1
    var algorithm = TOTPAlgorithm.sha1

    static let allowedDigits: Set<Int> = [6, 8]
    static let periodRange = 10...120
    static let skewRange = 0...5

    static let knownKeys: Set<String> = ["digits", "periodSeconds", "skewSteps", "algorithm"]

    /// Parses and checks the options handed to `create` (a JSON object; no
    /// text is `{}`; a null member means "use the default"). Every failure
    /// is PROTEUS_E_INVALID with a message naming the key.
    static func parse(_ reader: PluginOptions) throws(PluginError) -> TOTPOptions {
        try reader.rejectUnknown(knownKeys)
        var options = TOTPOptions()
        if let d = try reader.int("digits", in: 6...8) {
            guard allowedDigits.contains(d) else {
                throw .invalid("option \"digits\" must be 6 or 8, got \(d)")
            }
            options.digits = d
        }
        if let p = try reader.int("periodSeconds", in: periodRange) { options.periodSeconds = p }
        if let s = try reader.int("skewSteps", in: skewRange) { options.skewSteps = s }
        if let a = try reader.string("algorithm") {
            // Case-insensitive; the canonical spelling is upper case.
            guard let algorithm = TOTPAlgorithm(rawValue: a.uppercased()) else {
                throw .invalid("option \"algorithm\" must be \"SHA1\", \"SHA256\" or \"SHA512\", got \"\(a)\"")
            }
            options.algorithm = algorithm
        }
        return options
    }

    var summary: String {
        "\(algorithm.name), \(digits) digits, \(periodSeconds) s steps, ±\(skewSteps) steps accepted"
    }
}
