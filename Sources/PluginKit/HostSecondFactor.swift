// A second-factor code checked through the "totp" auth method, as every
// dialect with a second step checks it: a TOTP code or one of the recovery
// codes the totp plugin keeps in its verifier.
import PluginAPI

extension Host {
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
