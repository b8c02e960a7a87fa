// A second-factor code checked through the "totp" auth method, as every
// dialect with a second step checks it: a TOTP code or one of the recovery
// codes the totp plugin keeps in its verifier. `secondStep` for a code that
// signs in (the host counts the sign-in), `verifySecondFactor` for one that
// changes a setting.
import PluginAPI

extension Host {
    /// The second step of a sign-in (host->auth_second_step): the verifier
    /// to persist (with the version the user was read at, before the
    /// sign-in counts) when `code` proves `user`'s second factor; nil for a
    /// wrong, used or malformed code. Throws as `verifySecondFactor`. A host
    /// before 2.5 checks it with auth_verify (and counts nothing).
    public func secondStep(_ code: String, for user: UserRecord) throws(PluginError) -> String? {
        guard let secret = user.mfaSecret else { return nil }
        let verifier = String(decoding: secret, as: UTF8.self)
        guard let step = service(\.auth_second_step) else { return try verifySecondFactor(code, verifier: verifier) }
        let result: Result<String?, PluginError> = try withArena { arena in
            var r = proteus_verify_result()
            r.struct_size = UInt32(MemoryLayout<proteus_verify_result>.size)
            var err = proteus_error()
            var c = proteus_user()
            c.struct_size = UInt32(MemoryLayout<proteus_user>.size)
            if user.id.count == 16 { c.id = proteus_id(byteArray: user.id) }
            let status = secret.withUnsafeBufferPointer { bytes in
                c.mfa_secret = proteus_bytes(ptr: bytes.baseAddress, len: bytes.count)
                return withProteusStr(code) { step(ctx, &c, $0, arena, &r, &err) }
            }
            switch status {
            case PROTEUS_OK: return .success(r.updated_stored.string ?? verifier)
            case PROTEUS_E_DENIED: return .success(nil)
            default:
                let error = PluginError(status: status, from: err)
                if status == PROTEUS_E_UNSUPPORTED { self.error("a user has a second factor on but no \"totp\" auth plugin is configured") }
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The verifier to persist (with the version the user was read at,
    /// before the code counts) when the totp method accepts `code` against
    /// `verifier`; nil for a wrong, used, malformed or over-long code, or a
    /// verifier no plugin reads. Throws UNSUPPORTED (logged: no "totp" auth
    /// plugin is configured) and UNAVAILABLE or other host failures.
    public func verifySecondFactor(_ code: String, verifier: String) throws(PluginError) -> String? {
        let result: Verification
        do { result = try verify(method: "totp", presented: code, stored: verifier) } catch {
            if error.code == PROTEUS_E_INVALID || error.code == PROTEUS_E_TOO_LARGE || error.code == PROTEUS_E_DENIED { return nil }
            if error.code == PROTEUS_E_UNSUPPORTED { self.error("a user has a second factor on but no \"totp\" auth plugin is configured") }
            throw error
        }
        guard result.accepted else { return nil }
        return result.updatedStored ?? verifier
    }
}
