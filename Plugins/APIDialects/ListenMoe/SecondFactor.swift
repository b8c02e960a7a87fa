// Checking a second factor: a TOTP code through the "totp" auth method, or
// a recovery code, and the per-account limit on wrong ones.
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

final class SecondFactor: @unchecked Sendable {
    /// What using a code changes in the user's record: the updated TOTP
    /// verifier, or the recovery codes left.
    enum Use {
        case totp(verifier: String)
        case recovery(remaining: [String])
    }

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

    /// How `presented` proves the enrolled factor of `user` (MFA on): nil
    /// when it is neither a current unused TOTP code nor an unused recovery
    /// code of this enrolment.
    func check(_ presented: String, for user: UserRecord) throws(LMFailure) -> Use? {
        guard let sealed = user.mfaSecret else { return nil }
        let verifier = String(decoding: sealed, as: UTF8.self)
        if let code = RecoveryCodes.normalized(presented) {
            guard let enrolment = TOTPVerifierText(verifier) else { return nil }
            let stored = ListenMoeDocument(user).recoveryCodeHashes
            let presentedHash: String
            do { presentedHash = try RecoveryCodes.hash(code, user: user.id, sealedSecret: enrolment.sealedSecret, host: host) } catch {
                throw LMFailure.backend(error)
            }
            // Compare with every stored hash, so the time says nothing about which matched.
            var match: Int?
            for (index, hash) in stored.enumerated() where host.constantTimeEqual(Array(hash.utf8), Array(presentedHash.utf8)) {
                match = index
            }
            guard let match else { return nil }
            var remaining = stored
            remaining.remove(at: match)
            return .recovery(remaining: remaining)
        }
        return try verifyTOTP(presented, verifier).map { .totp(verifier: $0) }
    }

    /// The verifier to persist when the totp method accepts `code` against
    /// `verifier`; nil when it refuses it.
    func verifyTOTP(_ code: String, _ verifier: String) throws(LMFailure) -> String? {
        let result: Host.Verification
        do { result = try host.verify(method: "totp", presented: code, stored: verifier) } catch {
            // A malformed code or a verifier no plugin reads is just a wrong code.
            if error.code == PROTEUS_E_INVALID || error.code == PROTEUS_E_TOO_LARGE || error.code == PROTEUS_E_DENIED { return nil }
            if error.code == PROTEUS_E_UNSUPPORTED {
                host.error("a user has MFA on but no \"totp\" auth plugin is configured")
                throw LMFailure.mfaUnavailable
            }
            throw LMFailure.backend(error)
        }
        guard result.accepted else { return nil }
        return result.updatedStored ?? verifier
    }

    /// Writes the use of a code into `changes` (fields added to `fields`).
    static func apply(_ use: Use, to changes: inout UserRecord, _ document: inout ListenMoeDocument, fields: inout UInt64) {
        switch use {
        case .totp(let verifier):
            changes.mfaSecret = Array(verifier.utf8)
            changes.mfaLastStep = TOTPVerifierText(verifier)?.step ?? 0
            fields |= PROTEUS_FIELD_MFA
        case .recovery(let remaining):
            document.recoveryCodeHashes = remaining
            changes.documents = [document.record]
            fields |= PROTEUS_FIELD_DOCS
        }
    }

    private static func account(_ user: UserRecord) -> String { proteus_id(byteArray: user.id).dashedUUID }
}
