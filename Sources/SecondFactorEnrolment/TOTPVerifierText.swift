// What the dialects read from the totp auth plugin's stored verifier
// (Plugins/AuthTOTP/StoredVerifier.swift):
//
//   $totp$v=1$a=SHA1,d=6,p=30$step=<last accepted step>$<sealed secret>[$r=...]
//
// only the public parts: the parameters the secret was enrolled with (so
// the otpauth:// URI tells the authenticator exactly what the plugin will
// check, whatever the plugin's options), the last accepted step (mirrored
// into the store's mfa_last_step). The secret stays sealed and the
// recovery codes hashed: only the totp plugin reads them.
public struct TOTPVerifierText: Sendable {
    public var algorithm: String
    public var digits: Int
    public var periodSeconds: Int
    public var step: Int64

    /// Nil for anything that is not a well-formed version 1 verifier.
    public init?(_ text: String) {
        let fields = text.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 6 || fields.count == 7, fields[0].isEmpty, fields[1] == "totp", fields[2] == "v=1", !fields[5].isEmpty,
              fields[4].hasPrefix("step="), let step = Int64(fields[4].dropFirst(5)) else { return nil }
        var algorithm: String?, digits: Int?, period: Int?
        for parameter in fields[3].split(separator: ",") {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { return nil }
            switch pair[0] {
            case "a": algorithm = String(pair[1])
            case "d": digits = Int(pair[1])
            case "p": period = Int(pair[1])
            default: return nil
            }
        }
        guard let algorithm, let digits, let period else { return nil }
        self.algorithm = algorithm
        self.digits = digits
        self.periodSeconds = period
        self.step = step
    }
}
