// Users: the row, its roles and documents (queried per user: the database
// is in process, so a second query costs no round trip), transfers. The
// username trigram indexes (users_fts, users_fts_folded: external content) are kept in step by
// StoreCore through `usernameIndex`, in the same transaction as every
// change of a username: FTS5 rows written from triggers flush the index
// once per row, which made bulk imports three times slower.
import PluginKit
import StoreCore

extension SQLiteSQL {
    /// The columns of a user row (table alias `u`).
    /// The 14 user columns, then role_set (the roles: UserDetailQueries.roles is nil).
    static let userColumns = """
        u.id, u.flags, u.version, u.created_at, u.updated_at, u.accessed_at, u.login_at, \
        u.username, u.email, u.display_name, u.password_hash, u.mfa_secret, u.mfa_last_step, u.group_id, u.role_set
        """

    /// The lookups' WHERE clauses, by UserLookup.rawValue: the id, the
    /// username, or the email (NOCASE folds ASCII only; the earliest created
    /// user wins).
    static let userConditions = [
        "u.id = ?1",
        "u.username = ?1",
        "u.email = ?1 COLLATE NOCASE ORDER BY u.created_at, u.id LIMIT 1",
    ]
    static let userSelects = userConditions.map { "SELECT \(userColumns) FROM users u WHERE \($0)" }

    /// selectUser's statements with the key presence after role_set (the
    /// namespace is ?2: SQLite's documents are queried, never bound here).
    static let keyPresenceColumn = ", EXISTS (SELECT 1 FROM api_keys k WHERE k.user_id = u.id AND (?2 IS NULL OR k.ns = ?2))"
    static let userWithKeySelects = userConditions.map { "SELECT \(userColumns)\(keyPresenceColumn) FROM users u WHERE \($0)" }

    func selectUser(by lookup: UserLookup, documents: StoreInput.DocSelection) -> String {
        Self.userSelects[lookup.rawValue]
    }

    func selectUserWithKeyPresence(by lookup: UserLookup, documents: StoreInput.DocSelection) -> String {
        Self.userWithKeySelects[lookup.rawValue]
    }

    private static let batchIDs = (1...UserDetailQueries.documentBatch).map { "?\($0)" }.joined(separator: ", ")
    static let details = UserDetails.queried(UserDetailQueries(
        roles: nil,
        allDocuments: "SELECT ns, json FROM documents WHERE user_id = ?1 ORDER BY ns",
        oneDocument: "SELECT ns, json FROM documents WHERE user_id = ?1 AND ns = ?2",
        allDocumentsBatch: "SELECT user_id, ns, json FROM documents WHERE user_id IN (\(batchIDs))",
        oneDocumentBatch: "SELECT user_id, ns, json FROM documents WHERE user_id IN (\(batchIDs)) AND ns = ?\(UserDetailQueries.documentBatch + 1)"))
    var userDetails: UserDetails { Self.details }

    static let insertUser = """
        INSERT INTO users (id, version, flags, created_at, updated_at, accessed_at, login_at, username, email, \
        display_name, password_hash, mfa_secret, mfa_last_step, group_id) \
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
        """
    var insertUser: String { Self.insertUser }
    var replaceUser: String {
        """
        UPDATE users SET version = ?2, flags = ?3, created_at = ?4, updated_at = ?5, accessed_at = ?6, \
        login_at = ?7, username = ?8, email = ?9, display_name = ?10, password_hash = ?11, mfa_secret = ?12, \
        mfa_last_step = ?13, group_id = ?14 WHERE id = ?1
        """
    }
    func updateUser(setting assignments: String) -> String {
        "UPDATE users SET version = version + 1, updated_at = ?2\(assignments) WHERE id = ?1"
    }
    var deleteUser: String { "DELETE FROM users WHERE id = ?1" }
    // One writer at a time: reading is locking enough.
    var lockUser: String { "SELECT version, username FROM users WHERE id = ?1" }
    var userExists: String { "SELECT 1 FROM users WHERE id = ?1" }
    var lockGuardRole: String? { nil }
    var isEnabledHolder: String {
        "SELECT 1 FROM users u JOIN user_roles r ON r.user_id = u.id WHERE u.id = ?1 AND r.role_slug = ?2 AND (u.flags & ?3) = 0"
    }
    var anyEnabledHolder: String {
        "SELECT 1 FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.role_slug = ?1 AND (u.flags & ?2) = 0 LIMIT 1"
    }
    /// Every user has an index row, also without a username (NULL has no
    /// trigrams), so the index's document table matches users row for row;
    /// 'delete' must be given exactly the text that was indexed. VALUES, not
    /// INSERT ... SELECT: FTS5 takes rows from a SELECT twice as slowly.
    /// users_fts_folded indexes the names folded as its content view
    /// (users_folded_names) folds them.
    static let index = UsernameIndexSQL(
        remove: [("users_fts", "?2"), ("users_fts_folded", "lower(?2)")].map { table, name in
            "INSERT INTO \(table) (\(table), rowid, username) VALUES ('delete', (SELECT seq FROM users WHERE id = ?1), \(name))"
        },
        add: [("users_fts", "?2"), ("users_fts_folded", "lower(?2)")].map { table, name in
            "INSERT INTO \(table) (rowid, username) VALUES ((SELECT seq FROM users WHERE id = ?1), \(name))"
        })
    var usernameIndex: UsernameIndexSQL? { Self.index }

    // MARK: roles and documents (one execution per item)

    var addUserRoles: String { "INSERT OR IGNORE INTO user_roles (user_id, role_slug) VALUES (?1, ?2)" }
    var deleteUserRoles: String { "DELETE FROM user_roles WHERE user_id = ?1" }
    var writeDocuments: String {
        "INSERT INTO documents (user_id, ns, json) VALUES (?1, ?2, ?3) ON CONFLICT (user_id, ns) DO UPDATE SET json = excluded.json"
    }
    var deleteDocuments: String { "DELETE FROM documents WHERE user_id = ?1 AND ns = ?2" }
    var deleteAllDocuments: String { "DELETE FROM documents WHERE user_id = ?1" }

    // MARK: transfers

    var importUsers: String { Self.insertUser }
    var upsertUsers: String {
        Self.insertUser + """
             ON CONFLICT (id) DO UPDATE SET version = excluded.version, flags = excluded.flags, \
            created_at = excluded.created_at, updated_at = excluded.updated_at, accessed_at = excluded.accessed_at, \
            login_at = excluded.login_at, username = excluded.username, email = excluded.email, \
            display_name = excluded.display_name, password_hash = excluded.password_hash, \
            mfa_secret = excluded.mfa_secret, mfa_last_step = excluded.mfa_last_step, group_id = excluded.group_id
            """
    }
    var afterImport: String? { nil }
    var countUsers: String { "SELECT count(*) FROM users" }
    static let exportFirst = "SELECT \(userColumns) FROM users u ORDER BY u.id LIMIT ?1"
    static let exportAfter = "SELECT \(userColumns) FROM users u WHERE u.id > ?1 ORDER BY u.id LIMIT ?2"
    func exportUsers(after: Bool) -> String { after ? Self.exportAfter : Self.exportFirst }
}
