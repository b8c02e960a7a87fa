// users_import and users_export.

public protocol UserTransferSQL: Sendable {
    /// Per item: the user values. Inserts.
    var importUsers: String { get }
    /// Per item: the user values. Inserts, or overwrites the user with that id.
    var upsertUsers: String { get }
    /// Run (best effort) after an import committed; nil: nothing to do.
    var afterImport: String? { get }
    /// Returns the number of users.
    var countUsers: String { get }
    /// User rows by id, every document selected: binds the id to start
    /// after (when `after`), then the limit.
    func exportUsers(after: Bool) -> String
}
