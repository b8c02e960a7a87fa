// Groups. "A group row": id, version, created_at, updated_at, name,
// description, policy_json, member count.

public protocol GroupSQL: Sendable {
    /// Binds id, name, description, policy_json, created_at, updated_at (version 1).
    var createGroup: String { get }
    /// A group row: binds the id.
    var getGroup: String { get }
    /// Every group row, by name (byte order).
    var listGroups: String { get }
    /// Reads (and locks where the backend locks rows) the version: binds the id.
    var lockGroupVersion: String { get }
    /// Binds id, name, description, policy_json, updated_at; version + 1.
    var updateGroup: String { get }
    /// A row when the group exists (locked like lockGroupVersion): binds the id.
    var lockGroup: String { get }
    /// Ungroups the group's members (each member's version + 1): binds the
    /// id and updated_at.
    var ungroupMembers: String { get }
    /// Binds the id.
    var deleteGroup: String { get }
}
