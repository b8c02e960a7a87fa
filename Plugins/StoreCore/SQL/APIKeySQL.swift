// API keys. "A key row": key_hash, user_id, ns, label, created_at,
// last_used_at.

public protocol APIKeySQL: Sendable {
    /// Binds key_hash, user_id, ns, label, created_at (last_used_at 0).
    var createAPIKey: String { get }
    /// A key row: binds key_hash.
    var getAPIKey: String { get }
    /// Records a use: binds key_hash and now; changes the row only when its
    /// last_used_at is older than now, and never waits for a row another
    /// writer holds where the backend locks rows.
    var touchAPIKey: String { get }
    /// Every key row, by creation.
    var listAPIKeys: String { get }
    /// One user's key rows, by creation: binds the user id.
    var listUserAPIKeys: String { get }
    /// Binds key_hash.
    var deleteAPIKey: String { get }
    /// Binds the user id.
    var deleteUserAPIKeys: String { get }
    /// Binds the user id and ns.
    var deleteUserAPIKeysInNamespace: String { get }

    /// The key with key_hash and its owner in one row: the owner's user row
    /// (UserSQL's, with the details `documents` selects where the backend
    /// has them in the row), then the six columns of a key row. Binds
    /// key_hash, then, with UserDetails.inRow and one selected namespace,
    /// that namespace.
    func apiKeyOwner(documents: StoreInput.DocSelection) -> String
    /// Which users hold a key: binds the user ids as one bytes value (16
    /// bytes each, concatenated; 1...PROTEUS_APIKEY_PRESENCE_MAX ids) and
    /// ns (NULL: any namespace); one row per id whose user holds a key of
    /// ns, with the id's 0-based position among the ids as an integer.
    var apiKeyPresence: String { get }
}
