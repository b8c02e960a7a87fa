// The steps of turning TOTP on, shared by every dialect that enrols a user
// (LISTEN.moe's /users/{u}/mfa, the console's Security page):
//
//   1. start: a new random secret enrolled with the "totp" auth method. The
//      dialect keeps the returned verifier (the secret sealed by the totp
//      plugin) as the pending enrolment in the store, never in process
//      memory (several workers serve), and shows the otpauth:// URI as a
//      QR code and the secret as text.
//   2. confirm: the first code, checked against the pending verifier, turns
//      it into the enrolled one; recovery codes are made and enrolled with
//      it. The dialect writes the result into the user's typed MFA fields
//      with the version it read, and shows the codes once.
//
// The dialect keeps its own routes, writes and error envelope; nothing
// here writes to the store.
import PluginAPI
import PluginKit

public enum TOTPEnrolment {
    /// 160 bits, RFC 4226's recommended length.
    public static let secretBytes = 20

    /// A new secret waiting for its first code.
    public struct Pending: Sendable {
        /// The totp plugin's verifier of the secret: what the dialect keeps.
        public let verifier: String
        /// The secret in base32, for typing into an app by hand.
        public let secret: String
        /// The Key URI authenticator apps scan.
        public let uri: String

        /// The URI as a QR code in a grayscale PNG.
        public func qrPNG() throws(PluginError) -> [UInt8] { try GrayPNG.encode(try QRMatrix(encoding: uri)) }

        /// The PNG as a data: URL, for an <img> under a CSP allowing data: images.
        public func qrDataURL() throws(PluginError) -> String { "data:image/png;base64," + Base64.encode(try qrPNG()) }
    }

    /// The MFA state after the first code: what the dialect stores.
    public struct Confirmed: Sendable {
        /// The verifier with the recovery codes' hashes: the user's mfa_secret.
        public let verifier: String
        /// The codes as shown to the user, once.
        public let recoveryCodes: [String]
        /// The time step the first code used: the user's mfa_last_step.
        public let step: Int64
    }

    /// Step 1 for `account` (shown in the app under `issuer`). Throws the
    /// host's errors: UNSUPPORTED when no "totp" auth plugin is configured.
    public static func start(_ host: Host, issuer: String, account: String) throws(PluginError) -> Pending {
        var secret = try host.randomBytes(secretBytes)
        defer { for i in secret.indices { secret[i] = 0 } }
        let encoded = Base32.encode(secret)
        let verifier = try host.enroll(method: "totp", secret: encoded)
        guard let parameters = TOTPVerifierText(verifier) else {
            throw .internal("the totp auth plugin answered a verifier this enrolment cannot read")
        }
        // The URI carries the parameters the plugin enrolled with, so the
        // app computes exactly what the plugin will check.
        return Pending(verifier: verifier, secret: encoded,
                       uri: OTPAuthURI.make(issuer: issuer, account: account, secret: secret, parameters: parameters))
    }

    /// Step 2, after `host.verifySecondFactor(code, verifier: pending)`
    /// accepted the first code and answered `accepted`: nil when that is no
    /// verifier this enrolment reads (nothing is made then).
    public static func finish(_ host: Host, accepted: String) throws(PluginError) -> Confirmed? {
        guard let enrolment = TOTPVerifierText(accepted) else { return nil }
        let codes = try RecoveryCodes.generate(host)
        let withCodes = try host.enroll(method: "totp", secret: ([accepted] + codes).joined(separator: "\n"))
        return Confirmed(verifier: withCodes, recoveryCodes: codes, step: enrolment.step)
    }

    /// Step 2 whole: nil for a wrong, used or malformed code.
    public static func confirm(_ host: Host, code: String, pending: String) throws(PluginError) -> Confirmed? {
        guard let accepted = try host.verifySecondFactor(code, verifier: pending) else { return nil }
        return try finish(host, accepted: accepted)
    }
}
