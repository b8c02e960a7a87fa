// A user's roles and documents: every statement a batch
// (StoreConnection.batch), so one user and a whole import share them.

public protocol UserPartsSQL: Sendable {
    /// Per item: user id, role slug. Adds the role; a role the user holds
    /// already is no error; an unknown slug is a foreign-key failure.
    var addUserRoles: String { get }
    /// Per item: user id. Removes every role of the user.
    var deleteUserRoles: String { get }
    /// Per item: user id, namespace, JSON text. Inserts or replaces.
    var writeDocuments: String { get }
    /// Per item: user id, namespace. Deletes that document.
    var deleteDocuments: String { get }
    /// Per item: user id. Deletes every document of the user.
    var deleteAllDocuments: String { get }
}
