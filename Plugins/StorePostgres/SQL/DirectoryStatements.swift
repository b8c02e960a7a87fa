// Groups and roles.
import StoreCore

extension PostgresSQL {
    static let groupColumns = """
        g.id, g.version, g.created_at, g.updated_at, g.name, g.description, g.policy_json, \
        (SELECT count(*) FROM users m WHERE m.group_id = g.id)
        """

    var createGroup: String {
        "INSERT INTO groups (id, version, name, description, policy_json, created_at, updated_at) VALUES ($1, 1, $2, $3, $4, $5, $6)"
    }
    static let getGroup = "SELECT \(groupColumns) FROM groups g WHERE g.id = $1"
    var getGroup: String { Self.getGroup }
    static let listGroups = "SELECT \(groupColumns) FROM groups g ORDER BY g.name"
    var listGroups: String { Self.listGroups }
    var lockGroupVersion: String { "SELECT version FROM groups WHERE id = $1 FOR UPDATE" }
    var updateGroup: String {
        "UPDATE groups SET name = $2, description = $3, policy_json = $4, updated_at = $5, version = version + 1 WHERE id = $1"
    }
    var lockGroup: String { "SELECT 1 FROM groups WHERE id = $1 FOR UPDATE" }
    var ungroupMembers: String { "UPDATE users SET group_id = NULL, version = version + 1, updated_at = $2 WHERE group_id = $1" }
    var deleteGroup: String { "DELETE FROM groups WHERE id = $1" }

    var updateRole: String { "UPDATE roles SET name = $2, attributes_json = $3 WHERE slug = $1 RETURNING id" }
    var insertRole: String {
        """
        INSERT INTO roles (slug, name, attributes_json) VALUES ($1, $2, $3) \
        ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, attributes_json = EXCLUDED.attributes_json \
        RETURNING id
        """
    }
    var getRole: String { "SELECT id, slug, name, attributes_json FROM roles WHERE slug = $1" }
    var listRoles: String { "SELECT id, slug, name, attributes_json FROM roles ORDER BY id" }
    var lockRole: String { "SELECT 1 FROM roles WHERE slug = $1 FOR UPDATE" }
    var touchRoleHolders: String {
        "UPDATE users SET version = version + 1, updated_at = $2 WHERE id IN (SELECT user_id FROM user_roles WHERE role_slug = $1)"
    }
    var deleteRole: String { "DELETE FROM roles WHERE slug = $1" }
}
