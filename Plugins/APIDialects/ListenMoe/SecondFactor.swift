// Checking a second factor through the "totp" auth method (a TOTP code, or
// one of the recovery codes the plugin keeps in the verifier), and the
// per-account limit on wrong ones.
//
// Anti-replay is the one MCSManager's 2FA uses: the totp plugin's verifier
// in the user's mfa_secret carries the last accepted time step; an accepted
// code counts only once the updated verifier is written with the version
// the user was read at. Two requests using one code (at any route, in
// either dialect) cannot both win that write: the loser re-reads and the
// plugin refuses the code as used. The store's mfa_last_step mirrors the
// step for readers of the typed field.
//
// Wrong codes count against the account in the store's counters
// (AccountCounter, keyed by the user id), so the limit holds across
// workers and hosts; while it is spent every code, right or wrong, gets 429.
import PluginAPI
import PluginKit
import SecondFactorEnrolment

final class SecondFactor: @unchecked Sendable {
    let host: Host
    private let limit: AccountCounter?

    init(host: Host, options: LMOptions) {
        self.host = host
        self.limit = options.mfaLimit.map {
            AccountCounter(host: host, directory: host.directory, keyPrefix: "listenmoe-mfa:",
                           limit: SignInLimit(failures: $0.failures, windowSeconds: $0.windowSeconds))
        }
    }

    /// Counts an attempt; 429 with Retry-After once the account's budget
    /// of wrong codes is spent (also for the right code).
    func admit(_ user: UserRecord, _ response: Response) throws(LMFailure) {
        guard let limit else { return }
        let refusal: Int64?
        do { refusal = try limit.admit(Self.account(user)) } catch { throw LMFailure.backend(error) }
        if let retryAfter = refusal {
            response.header("Retry-After", "\(retryAfter)")
            throw LMFailure.tooManyOTPAttempts
        }
    }

    /// A wrong code: counted, then 401 "Invalid OTP provided.".
    func refuse(_ user: UserRecord) throws(LMFailure) -> Never {
        do { try limit?.recordFailure(Self.account(user)) } catch { throw LMFailure.backend(error) }
        throw LMFailure.invalidOTP
    }

    /// The TOTP verifier to persist when `presented` proves the enrolled
    /// factor of `user` (MFA on): a current unused TOTP code, or an unused
    /// recovery code (the totp plugin keeps those in the verifier too, so
    /// MCSManager's 2FA step takes them as well). Nil otherwise.
    func check(_ presented: String, for user: UserRecord) throws(LMFailure) -> String? {
        guard let sealed = user.mfaSecret else { return nil }
        return try verifyTOTP(presented, String(decoding: sealed, as: UTF8.self))
    }

    /// `check` for the code that completes a sign-in (/login/mfa): the
    /// host counts the sign-in with it.
    func signIn(_ presented: String, for user: UserRecord) throws(LMFailure) -> String? {
        guard user.mfaSecret != nil else { return nil }
        return try answer { () throws(PluginError) in try host.secondStep(presented, for: user) }
    }

    /// The verifier to persist when the totp method accepts `code` against
    /// `verifier`; nil when it refuses it.
    func verifyTOTP(_ code: String, _ verifier: String) throws(LMFailure) -> String? {
        try answer { () throws(PluginError) in try host.verifySecondFactor(code, verifier: verifier) }
    }

    /// The host's answer, its failures in the dialect's terms.
    private func answer(_ check: () throws(PluginError) -> String?) throws(LMFailure) -> String? {
        do { return try check() } catch {
            throw error.code == PROTEUS_E_UNSUPPORTED ? LMFailure.mfaUnavailable : LMFailure.backend(error)
        }
    }

    /// Writes the use of a code (the verifier `check` returned) into `changes`.
    static func apply(_ verifier: String, to changes: inout UserRecord, fields: inout UInt64) {
        changes.mfaSecret = Array(verifier.utf8)
        changes.mfaLastStep = TOTPVerifierText(verifier)?.step ?? 0
        fields |= PROTEUS_FIELD_MFA
    }

    private static func account(_ user: UserRecord) -> String { proteus_id(byteArray: user.id).dashedUUID }
}
