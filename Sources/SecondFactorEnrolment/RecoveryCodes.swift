// Recovery codes: 10 single-use codes shown once when MFA is turned on, for
// a user who lost their authenticator. Each is 10 base32 characters (50
// random bits) shown as "xxxxx-xxxxx"; typed in any case, with or without
// the dash. The totp auth plugin keeps their keyed hashes in the TOTP
// verifier and accepts each once wherever a code is asked for (LISTEN.moe,
// the console, MCSManager's 2FA step); this file only makes them.
import PluginKit

public enum RecoveryCodes {
    public static let count = 10
    public static let characters = 10

    /// `count` distinct new codes, as shown to the user.
    public static func generate(_ host: Host) throws(PluginError) -> [String] {
        var codes: [String] = []
        while codes.count < count {
            let text = Base32.encode(try host.randomBytes(7)).lowercased().prefix(characters)
            let code = "\(text.prefix(5))-\(text.dropFirst(5))"
            if !codes.contains(code) { codes.append(code) }
        }
        return codes
    }
}
