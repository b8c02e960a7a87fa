// What a statement the database refused broke, in StoreCore's terms: the
// backend classifies its own error (SQLite's extended result code and
// message, PostgreSQL's SQLSTATE and constraint name) and StoreCore says
// what it means for the caller, with the same message on every backend.

public struct ConstraintViolation: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A unique or primary key.
        case unique
        /// A reference to a row that does not exist.
        case foreignKey
        /// Any other rule (CHECK, NOT NULL).
        case other
    }

    /// The keys StoreCore tells apart in its messages.
    public enum Key: Sendable, Equatable {
        case userID      // users.id
        case username    // users.username
        case groupID     // groups.id
    }

    public var kind: Kind
    /// Which key broke, when the backend can tell (nil otherwise).
    public var key: Key?
    /// The offending value, when the backend reports it (PostgreSQL's
    /// "Key (role_slug)=(x) is not present" detail).
    public var value: String?
    /// Which item of a batch failed, when the backend ran them one by one.
    public var item: Int?

    public init(kind: Kind, key: Key? = nil, value: String? = nil, item: Int? = nil) {
        self.kind = kind
        self.key = key
        self.value = value
        self.item = item
    }
}
