// Recovery codes: 10 single-use codes shown once when MFA is turned on, for
// a user who lost their authenticator. Each is 10 base32 characters (50
// random bits) shown as "xxxxx-xxxxx"; typed in any case, with or without
// the dash.
//
// Stored as keyed hashes only: host->mac("listenmoe.recovery", user id ||
// the enrolment's sealed secret || code), 16 bytes, base64url. The key never
// leaves the host, so a copy of the database gives no way to test guesses
// offline; binding to the sealed secret ties the codes to the enrolment that
// made them: MFA turned off and on again elsewhere (MCSManager) leaves any
// old codes dead.
import PluginKit

enum RecoveryCodes {
    static let count = 10
    static let characters = 10
    static let purpose = "listenmoe.recovery"

    /// `count` distinct new codes, as shown to the user.
    static func generate(_ host: Host) throws(PluginError) -> [String] {
        var codes: [String] = []
        while codes.count < count {
            let text = Base32.encode(try host.randomBytes(7)).lowercased().prefix(characters)
            let code = "\(text.prefix(5))-\(text.dropFirst(5))"
            if !codes.contains(code) { codes.append(code) }
        }
        return codes
    }

    /// The code in canonical form (lower case, no dash or spaces), or nil
    /// when `presented` is not shaped like a recovery code.
    static func normalized(_ presented: String) -> String? {
        let text = presented.lowercased().filter { $0 != "-" && $0 != " " }
        guard text.utf8.count == characters, text.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 50 && $0 <= 55) }) else {
            return nil
        }
        return text
    }

    /// The stored form of a code (canonical or as shown) for this user and enrolment.
    static func hash(_ code: String, user: [UInt8], sealedSecret: Substring, host: Host) throws(PluginError) -> String {
        let canonical = normalized(code) ?? code
        let mac = try host.mac(purpose: purpose, message: user + Array(sealedSecret.utf8) + [0] + Array(canonical.utf8))
        return Base64.encode(mac.prefix(16), urlSafe: true, padding: false)
    }
}
