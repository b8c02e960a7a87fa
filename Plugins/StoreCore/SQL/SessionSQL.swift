// Sessions. "A session row": token_hash, user_id, ns, created_at,
// expires_at, data_json.

public protocol SessionSQL: Sendable {
    /// Binds token_hash, user_id, ns, created_at, expires_at, data_json.
    var createSession: String { get }
    /// A session row unless expired: binds token_hash and now.
    var getSession: String { get }
    /// Binds token_hash.
    var deleteSession: String { get }
    /// Binds the user id.
    var deleteUserSessions: String { get }
    /// Binds the user id and ns.
    var deleteUserSessionsInNamespace: String { get }
    /// The count of a user's live sessions (2.6): binds the user id and now.
    var countUserSessions: String { get }
    /// Deletes sessions that expired at or before now: binds now.
    var purgeExpiredSessions: String { get }
}
