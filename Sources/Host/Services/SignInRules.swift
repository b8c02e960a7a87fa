// The directory's sign-in rules, written once for every dialect
// (host->auth_sign_in and host->auth_session_check): whichever
// dialect a user signs in through, a disabled user is refused and a user
// with a second factor on never gets in with the password alone — also
// when another dialect turned the factor on.
import PluginAPI

struct SignInRules: Sendable {
    /// The dialect option (read by the host) that exempts one mount.
    static let exemptionOption = "allowPasswordOnlyForMfaUsers"

    /// This mount lets users with a second factor on in without it.
    var allowPasswordOnlyForMfaUsers = false

    /// What a sign-in of a user with `userFlags` may do once their password
    /// matched (or their session is valid): OK, DENIED or SECOND_FACTOR.
    func decide(userFlags: UInt32, signInFlags: UInt32) -> proteus_status {
        if userFlags & PROTEUS_USER_DISABLED != 0 { return PROTEUS_E_DENIED }
        guard userFlags & PROTEUS_USER_MFA_ENABLED != 0 else { return PROTEUS_OK }
        if signInFlags & PROTEUS_SIGN_IN_WITH_SECOND_FACTOR != 0 || allowPasswordOnlyForMfaUsers { return PROTEUS_OK }
        return PROTEUS_E_SECOND_FACTOR
    }

    static let secondFactorMessage = "this account has a second factor on: sign in where it can be given"
}
