// Plugin entries (ABI 2.3): a key -> JSON table per owner namespace. "An
// entry row": ns, key, json, created_at, updated_at. Keys compare and sort
// byte-exact.

public protocol EntrySQL: Sendable {
    /// Inserts the entry unless (ns, key) exists, in which case it changes
    /// no row: binds ns, key, json and now (created_at = updated_at).
    var insertEntry: String { get }
    /// Inserts the entry, or overwrites json and updated_at of the existing
    /// (ns, key), keeping its created_at: binds ns, key, json and now.
    var replaceEntry: String { get }
    /// An entry row: binds ns and key.
    var getEntry: String { get }
    /// The entry rows of one namespace, by key: binds ns and the most rows.
    var listEntries: String { get }
    /// Every entry row, by ns then key: binds the most rows.
    var listAllEntries: String { get }
    /// Binds ns and key.
    var deleteEntry: String { get }
}
