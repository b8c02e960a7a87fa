// Roles. "A role row": id, slug, name, attributes_json.

public protocol RoleSQL: Sendable {
    /// Updates an existing role: binds slug, name, attributes_json; returns
    /// its id (no row when there is no such role).
    var updateRole: String { get }
    /// Inserts a role (or, when another writer inserted it meanwhile,
    /// updates it): binds slug, name, attributes_json; returns its id.
    var insertRole: String { get }
    /// A role row: binds the slug.
    var getRole: String { get }
    /// Every role row, by id.
    var listRoles: String { get }
    /// A row when the role exists (locked where the backend locks rows): binds the slug.
    var lockRole: String { get }
    /// version + 1 and updated_at of every holder: binds the slug and updated_at.
    var touchRoleHolders: String { get }
    /// Binds the slug; removes it from every holder too.
    var deleteRole: String { get }
}
