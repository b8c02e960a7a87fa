// host->auth_sign_in and host->auth_session_check as Swift calls:
// a dialect's sign-in under the directory's rules, which the host applies
// the same way for every dialect (a disabled user is refused; a user with a
// second factor on never signs in with the password alone).
import PluginAPI

extension Host {
    public enum SignIn: Sendable, Equatable {
        /// Signed in; `needsRehash`: enroll the password again and store it.
        case accepted(needsRehash: Bool)
        /// Wrong password, no password, or a disabled user: one answer.
        case denied
        /// The password matched, but the user has a second factor on and
        /// this sign-in does not include it.
        case secondFactorRequired
    }

    /// Whether this host's table has the sign-in services.
    public var offersSignIn: Bool { service(\.auth_sign_in) != nil && service(\.auth_session_check) != nil }

    /// A password sign-in as `user`. `withSecondFactor`: the dialect asks
    /// for the user's second factor itself before the sign-in counts;
    /// `codeFollows`: this request carries the code, which the dialect
    /// checks next with `secondStep` (where the host counts the sign-in).
    /// UNAVAILABLE (answer 503) and other failures throw.
    public func signIn(_ user: UserRecord, password: String, withSecondFactor: Bool = false, codeFollows: Bool = false) throws(PluginError) -> SignIn {
        guard let signIn = service(\.auth_sign_in) else {
            throw .unsupported("the host's table is too short: it offers no sign-in rules")
        }
        var flags: UInt32 = withSecondFactor ? PROTEUS_SIGN_IN_WITH_SECOND_FACTOR : 0
        // A host before 2.5 has no second step to count it at.
        if withSecondFactor && codeFollows && service(\.auth_second_step) != nil { flags |= PROTEUS_SIGN_IN_CODE_FOLLOWS }
        let result: Result<SignIn, PluginError> = try withArena { arena in
            var verification = proteus_verify_result()
            verification.struct_size = UInt32(MemoryLayout<proteus_verify_result>.size)
            var err = proteus_error()
            var c = Self.cUser(user)
            let status = withProteusStr(user.passwordHash) { hash in
                c.password_hash = hash
                return withProteusStr(password) { signIn(ctx, &c, $0, flags, arena, &verification, &err) }
            }
            return Self.outcome(status, err, needsRehash: verification.needs_rehash)
        }
        return try result.get()
    }

    /// A sign-in through a session or token this dialect issued earlier.
    /// `withSecondFactor`: the session began with the user's second factor.
    public func sessionCheck(_ user: UserRecord, withSecondFactor: Bool = false) throws(PluginError) -> SignIn {
        guard let check = service(\.auth_session_check) else {
            throw .unsupported("the host's table is too short: it offers no sign-in rules")
        }
        var c = Self.cUser(user)
        var err = proteus_error()
        let status = check(ctx, &c, withSecondFactor ? PROTEUS_SIGN_IN_WITH_SECOND_FACTOR : 0, &err)
        return try Self.outcome(status, err, needsRehash: false).get()
    }

    /// The fields the rules read: id (for log lines), flags (and the
    /// password hash, set by the caller).
    private static func cUser(_ user: UserRecord) -> proteus_user {
        var c = proteus_user()
        c.struct_size = UInt32(MemoryLayout<proteus_user>.size)
        c.flags = user.flags
        if user.id.count == 16 { c.id = proteus_id(byteArray: user.id) }
        return c
    }

    private static func outcome(_ status: proteus_status, _ err: proteus_error, needsRehash: Bool) -> Result<SignIn, PluginError> {
        switch status {
        case PROTEUS_OK: return .success(.accepted(needsRehash: needsRehash))
        case PROTEUS_E_DENIED: return .success(.denied)
        case PROTEUS_E_SECOND_FACTOR: return .success(.secondFactorRequired)
        default: return .failure(PluginError(status: status, from: err))
        }
    }
}
