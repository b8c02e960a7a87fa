// Identity links. "A link row": provider, subject, user_id.

public protocol IdentitySQL: Sendable {
    /// Binds provider, subject, user_id.
    var linkIdentity: String { get }
    /// Binds provider and subject; returns user_id.
    var getIdentity: String { get }
    /// Binds provider and subject.
    var unlinkIdentity: String { get }
    /// Every link row, by provider and subject.
    var listIdentities: String { get }
    /// One user's link rows, by provider and subject: binds the user id.
    var listUserIdentities: String { get }
}
