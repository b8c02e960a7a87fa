// Reading users out of the database into PluginKit's UserRecord, and the
// column list every user query selects.
import PluginAPI
import PluginKit

enum UserRows {
    /// Columns 0...13 of every user SELECT (table alias `u`).
    static let columns = """
        u.id, u.flags, u.version, u.created_at, u.updated_at, u.accessed_at, u.login_at, \
        u.username, u.email, u.display_name, u.password_hash, u.mfa_secret, u.mfa_last_step, u.group_id
        """

    static func read(_ s: Statement) -> UserRecord {
        var r = UserRecord(id: s.id(0) ?? [UInt8](repeating: 0, count: 16))
        r.flags = UInt32(truncatingIfNeeded: s.int64(1))
        r.version = UInt64(bitPattern: s.int64(2))
        r.createdAt = s.int64(3)
        r.updatedAt = s.int64(4)
        r.accessedAt = s.int64(5)
        r.loginAt = s.int64(6)
        r.username = s.text(7)
        r.email = s.text(8)
        r.displayName = s.text(9)
        r.passwordHash = s.text(10)
        r.mfaSecret = s.blob(11)
        r.mfaLastStep = s.int64(12)
        r.groupID = s.id(13)
        return r
    }

    /// Adds roles (sorted by slug) and the selected documents (sorted by namespace).
    static func complete(_ c: Connection, _ r: inout UserRecord, docs: Input.DocSelection) throws {
        r.roles = try c.with("SELECT role_slug FROM user_roles WHERE user_id = ? ORDER BY role_slug") { s in
            s.bind(1, blob: r.id)
            var roles: [String] = []
            while try s.step("reading a user's roles") { roles.append(s.text(0) ?? "") }
            return roles
        }
        switch docs {
        case .none:
            r.documents = []
        case .all:
            r.documents = try c.with("SELECT ns, json FROM documents WHERE user_id = ? ORDER BY ns") { s in
                s.bind(1, blob: r.id)
                var docs: [DocumentRecord] = []
                while try s.step("reading a user's documents") {
                    docs.append(DocumentRecord(namespace: s.text(0) ?? "", json: s.text(1)))
                }
                return docs
            }
        case .one(let ns):
            r.documents = try c.with("SELECT ns, json FROM documents WHERE user_id = ? AND ns = ?") { s in
                s.bind(1, blob: r.id)
                s.bind(2, ns)
                guard try s.step("reading a user's document") else { return [] }
                return [DocumentRecord(namespace: s.text(0) ?? "", json: s.text(1))]
            }
        }
    }
}
