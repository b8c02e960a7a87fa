// host->auth_sign_in, auth_second_step and auth_session_check: a
// dialect's password sign-in, the code of its second step, or a sign-in
// through one of its sessions, under the directory's rules
// (Services/SignInRules.swift). Each sign-in with a credential is counted
// once in proteus_logins_total{dialect,result}: at auth_sign_in, or at
// auth_second_step when the dialect said the code follows (a session check
// is not a sign-in with a credential).
import PluginAPI
import PluginKit

enum SignInServices {
    static let signIn: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<proteus_user>?, proteus_str, UInt32, OpaquePointer?, UnsafeMutablePointer<proteus_verify_result>?, UnsafeMutablePointer<proteus_error>?) -> proteus_status = { ctx, user, password, flags, arena, result, err in
        guard let context = PluginContext.from(ctx) else { return PluginContext.missing(in: "auth_sign_in", err) }
        let (status, counted) = signInCounted(context, user, password, flags, arena, result, err)
        if let counted { MetricsRecorder.countLogin(dialect: context.pluginName, result: counted) }
        return status
    }

    static let secondStep: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<proteus_user>?, proteus_str, OpaquePointer?, UnsafeMutablePointer<proteus_verify_result>?, UnsafeMutablePointer<proteus_error>?) -> proteus_status = { ctx, user, code, arena, result, err in
        guard let context = PluginContext.from(ctx) else { return PluginContext.missing(in: "auth_second_step", err) }
        guard let user, RecordArray.isComplete(user), let result else {
            return PluginError.invalid("auth_second_step: NULL user or result, or the user's struct_size too small").report(to: err)
        }
        let (status, counted) = secondStepCounted(context, user.pointee.mfa_secret, code, arena, result, err)
        MetricsRecorder.countLogin(dialect: context.pluginName, result: counted)
        return status
    }

    /// The code checked by the "totp" method: success, failure (a wrong,
    /// used or malformed code; no second factor), or refused (load, or no
    /// totp plugin).
    private static func secondStepCounted(_ context: PluginContext, _ secret: proteus_bytes, _ code: proteus_str, _ arena: OpaquePointer?,
                                          _ result: UnsafeMutablePointer<proteus_verify_result>, _ err: UnsafeMutablePointer<proteus_error>?) -> (proteus_status, MetricsRegion.LoginResult) {
        guard let verifier = secret.ptr, secret.len > 0 else {
            return (PluginError(PROTEUS_E_DENIED, "the user has no second factor").report(to: err), .failure)
        }
        var verification = proteus_verify_result()
        verification.struct_size = UInt32(MemoryLayout<proteus_verify_result>.size)
        let stored = verifier.withMemoryRebound(to: CChar.self, capacity: secret.len) { proteus_str(ptr: $0, len: secret.len) }
        let status = AuthRouting.verify(context, method: "totp", presented: code, stored: stored, arena: arena, result: &verification, err: err)
        switch status {
        case PROTEUS_OK:
            result.pointee.needs_rehash = false
            result.pointee.updated_stored = verification.updated_stored
            return (PROTEUS_OK, .success)
        case PROTEUS_E_DENIED, PROTEUS_E_INVALID, PROTEUS_E_TOO_LARGE:
            return (PluginError(PROTEUS_E_DENIED, "the code is wrong, used or malformed").report(to: err), .failure)
        default:
            return (status, .refused)
        }
    }

    /// The sign-in, and what it counts as: success, failure (a wrong or
    /// unusable credential), mfa_required (the password matched, a second
    /// factor is due: refused here for it, or left to the dialect that asks
    /// for it) or refused (the user is disabled, the verifier unreadable,
    /// or the KDF pool refused the work for load).
    private static func signInCounted(_ context: PluginContext, _ user: UnsafePointer<proteus_user>?, _ password: proteus_str, _ flags: UInt32, _ arena: OpaquePointer?,
                                      _ result: UnsafeMutablePointer<proteus_verify_result>?, _ err: UnsafeMutablePointer<proteus_error>?) -> (proteus_status, MetricsRegion.LoginResult?) {
        guard let user, RecordArray.isComplete(user) else { return (PluginError.invalid("auth_sign_in: NULL user, or its struct_size too small").report(to: err), .failure) }
        let userFlags = user.pointee.flags
        let stored = user.pointee.password_hash
        guard stored.isPresent else { return (PluginError(PROTEUS_E_DENIED, "the user has no password").report(to: err), .failure) }
        var verification = proteus_verify_result()
        verification.struct_size = UInt32(MemoryLayout<proteus_verify_result>.size)
        let status = AuthRouting.verify(context, method: "password", presented: password, stored: stored, arena: arena,
                                        result: &verification, err: err)
        switch status {
        case PROTEUS_OK: break
        case PROTEUS_E_TOO_LARGE:
            return (PluginError(PROTEUS_E_DENIED, "the password is longer than the password plugin accepts").report(to: err), .failure)
        case PROTEUS_E_INVALID:
            // Nothing the client can fix: the operator must know.
            Logger.shared.log(.warning, "user \(user.pointee.id.dashedUUID): no password plugin reads the stored password verifier; sign-in refused", plugin: context.pluginName)
            return (PluginError(PROTEUS_E_DENIED, "the stored password verifier is not readable").report(to: err), .refused)
        case PROTEUS_E_UNAVAILABLE:
            return (status, .refused)
        default:
            return (status, .failure)
        }
        let decision = context.signInRules.decide(userFlags: userFlags, signInFlags: flags)
        switch decision {
        case PROTEUS_OK:
            if let result { result.pointee = verification }
            // The dialect asks for the second factor itself (MCSManager,
            // LISTEN.moe): the password step passed and the code is due —
            // counted at auth_second_step when the request carries it.
            let factorDue = userFlags & PROTEUS_USER_MFA_ENABLED != 0 && flags & PROTEUS_SIGN_IN_WITH_SECOND_FACTOR != 0
            if factorDue && flags & PROTEUS_SIGN_IN_CODE_FOLLOWS != 0 { return (PROTEUS_OK, nil) }
            return (PROTEUS_OK, factorDue ? .mfaRequired : .success)
        case PROTEUS_E_SECOND_FACTOR:
            return (report(decision, err), .mfaRequired)
        default:
            return (report(decision, err), .refused)
        }
    }

    static let sessionCheck: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<proteus_user>?, UInt32, UnsafeMutablePointer<proteus_error>?) -> proteus_status = { ctx, user, flags, err in
        guard let context = PluginContext.from(ctx) else { return PluginContext.missing(in: "auth_session_check", err) }
        guard let user, RecordArray.isComplete(user) else { return PluginError.invalid("auth_session_check: NULL user, or its struct_size too small").report(to: err) }
        return report(context.signInRules.decide(userFlags: user.pointee.flags, signInFlags: flags), err)
    }

    private static func report(_ decision: proteus_status, _ err: UnsafeMutablePointer<proteus_error>?) -> proteus_status {
        switch decision {
        case PROTEUS_OK: return PROTEUS_OK
        case PROTEUS_E_SECOND_FACTOR: return PluginError(decision, SignInRules.secondFactorMessage).report(to: err)
        default: return PluginError(decision, "the user is disabled").report(to: err)
        }
    }
}
