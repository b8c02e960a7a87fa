// Users: the row, its roles and documents (in the row, as arrays: a user is
// read from one snapshot in one round trip), transfers. Rows that decide a
// change are locked with FOR UPDATE.
import PluginKit
import StoreCore

extension PostgresSQL {
    static let baseColumns = """
        u.id, u.flags, u.version, u.created_at, u.updated_at, u.accessed_at, u.login_at, \
        u.username, u.email, u.display_name, u.password_hash, u.mfa_secret, u.mfa_last_step, u.group_id, \
        string_to_array(trim(BOTH ',' FROM u.role_set), ',')
        """

    /// The columns of a user row with its details (table alias `u`). For
    /// one namespace, that namespace is parameter `nsParam`.
    static func userColumns(_ docs: StoreInput.DocSelection, nsParam: Int = 0) -> String {
        switch docs {
        case .none:
            return baseColumns + ", NULL::text[], NULL::text[]"
        case .all:
            return baseColumns + """
                , ARRAY(SELECT d.ns FROM documents d WHERE d.user_id = u.id ORDER BY d.ns), \
                ARRAY(SELECT d.json FROM documents d WHERE d.user_id = u.id ORDER BY d.ns)
                """
        case .one:
            return baseColumns + """
                , ARRAY(SELECT d.ns FROM documents d WHERE d.user_id = u.id AND d.ns = $\(nsParam)), \
                ARRAY(SELECT d.json FROM documents d WHERE d.user_id = u.id AND d.ns = $\(nsParam))
                """
        }
    }

    /// user_get's statements, [UserLookup.rawValue][documents none, all,
    /// one] (the namespace is $2).
    static let userConditions = [
        "u.id = $1",
        "u.username = $1",
        // lower() under the "C" collation folds ASCII only; the earliest created wins.
        "lower(u.email COLLATE \"C\") = lower($1 COLLATE \"C\") ORDER BY u.created_at, u.id LIMIT 1",
    ]
    static let userSelects: [[String]] = userConditions.map { condition in
        [StoreInput.DocSelection.none, .all, .one(.absent)].map { "SELECT \(userColumns($0, nsParam: 2)) FROM users u WHERE \(condition)" }
    }

    /// A column after a user row (alias `u`): whether the user holds an API
    /// key of the namespace parameter `nsParam` (NULL: any), one probe of
    /// api_keys_user per row. OFFSET 0 keeps the planner from turning the
    /// EXISTS into a hashed subplan: a page's generic plan (estimating
    /// thousands of rows for LIMIT $n) read and hashed every API key for
    /// each page of 20 users (0.27 of 1.2 ms with 1,000 keys, growing with
    /// the keys).
    static func keyPresenceColumn(nsParam: Int) -> String {
        ", EXISTS (SELECT 1 FROM api_keys k WHERE k.user_id = u.id AND ($\(nsParam)::text IS NULL OR k.ns = $\(nsParam)) OFFSET 0)"
    }

    /// userSelects with the key presence after the details: its namespace
    /// is the parameter after the ones bound before it ($3 when one
    /// document namespace is $2, else $2).
    static let userWithKeySelects: [[String]] = userConditions.map { condition in
        [StoreInput.DocSelection.none, .all, .one(.absent)].map { docs in
            let ns = if case .one = docs { 3 } else { 2 }
            return "SELECT \(userColumns(docs, nsParam: 2))\(keyPresenceColumn(nsParam: ns)) FROM users u WHERE \(condition)"
        }
    }

    func selectUser(by lookup: UserLookup, documents: StoreInput.DocSelection) -> String {
        Self.pick(Self.userSelects, lookup, documents)
    }

    func selectUserWithKeyPresence(by lookup: UserLookup, documents: StoreInput.DocSelection) -> String {
        Self.pick(Self.userWithKeySelects, lookup, documents)
    }

    private static func pick(_ statements: [[String]], _ lookup: UserLookup, _ documents: StoreInput.DocSelection) -> String {
        let byLookup = statements[lookup.rawValue]
        return switch documents {
        case .none: byLookup[0]
        case .all: byLookup[1]
        case .one: byLookup[2]
        }
    }

    var userDetails: UserDetails { .inRow }

    static let columnList = """
        id, version, flags, created_at, updated_at, accessed_at, login_at, username, email, display_name, \
        password_hash, mfa_secret, mfa_last_step, group_id
        """
    var insertUser: String {
        "INSERT INTO users (\(Self.columnList)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    }
    var replaceUser: String {
        """
        UPDATE users SET version = $2, flags = $3, created_at = $4, updated_at = $5, accessed_at = $6, \
        login_at = $7, username = $8, email = $9, display_name = $10, password_hash = $11, mfa_secret = $12, \
        mfa_last_step = $13, group_id = $14 WHERE id = $1
        """
    }
    func updateUser(setting assignments: String) -> String {
        "UPDATE users SET version = version + 1, updated_at = $2\(assignments) WHERE id = $1"
    }
    var deleteUser: String { "DELETE FROM users WHERE id = $1" }
    var lockUser: String { "SELECT version, username FROM users WHERE id = $1 FOR UPDATE" }
    var userExists: String { "SELECT 1 FROM users WHERE id = $1 FOR UPDATE" }
    var lockGuardRole: String? { "SELECT 1 FROM roles WHERE slug = $1 FOR NO KEY UPDATE" }
    var isEnabledHolder: String {
        "SELECT 1 FROM users u JOIN user_roles r ON r.user_id = u.id WHERE u.id = $1 AND r.role_slug = $2 AND (u.flags & $3) = 0"
    }
    var anyEnabledHolder: String {
        "SELECT 1 FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.role_slug = $1 AND (u.flags & $2) = 0 LIMIT 1"
    }
    /// The trigram index on users.username is PostgreSQL's own.
    var usernameIndex: UsernameIndexSQL? { nil }

    // MARK: roles and documents (one statement per batch)

    var addUserRoles: String {
        "INSERT INTO user_roles (user_id, role_slug) SELECT * FROM unnest($1::bytea[], $2::text[]) ON CONFLICT DO NOTHING"
    }
    var deleteUserRoles: String { "DELETE FROM user_roles WHERE user_id = ANY($1::bytea[])" }
    var writeDocuments: String {
        """
        INSERT INTO documents (user_id, ns, json) SELECT * FROM unnest($1::bytea[], $2::text[], $3::text[]) \
        ON CONFLICT (user_id, ns) DO UPDATE SET json = EXCLUDED.json
        """
    }
    var deleteDocuments: String {
        "DELETE FROM documents d USING unnest($1::bytea[], $2::text[]) AS x(user_id, ns) WHERE d.user_id = x.user_id AND d.ns = x.ns"
    }
    var deleteAllDocuments: String { "DELETE FROM documents WHERE user_id = ANY($1::bytea[])" }

    // MARK: transfers

    static let importUsers = """
        INSERT INTO users (\(columnList)) SELECT * FROM unnest($1::bytea[], $2::int8[], $3::int8[], $4::int8[], $5::int8[], \
        $6::int8[], $7::int8[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bytea[], $13::int8[], $14::bytea[])
        """
    var importUsers: String { Self.importUsers }
    var upsertUsers: String {
        Self.importUsers + """
             ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, flags = EXCLUDED.flags, created_at = EXCLUDED.created_at, \
            updated_at = EXCLUDED.updated_at, accessed_at = EXCLUDED.accessed_at, login_at = EXCLUDED.login_at, \
            username = EXCLUDED.username, email = EXCLUDED.email, display_name = EXCLUDED.display_name, \
            password_hash = EXCLUDED.password_hash, mfa_secret = EXCLUDED.mfa_secret, mfa_last_step = EXCLUDED.mfa_last_step, \
            group_id = EXCLUDED.group_id
            """
    }
    /// Moves the trigram index's pending entries into the index proper
    /// (imports fill the pending list, searches scan it).
    static let mergeUsernameIndex = "SELECT gin_clean_pending_list('users_username_trgm'::regclass)"
    var afterImport: String? { Self.mergeUsernameIndex }
    var countUsers: String { "SELECT count(*) FROM users" }
    static let exportFirst = "SELECT \(userColumns(.all)) FROM users u ORDER BY u.id LIMIT $1"
    static let exportAfter = "SELECT \(userColumns(.all)) FROM users u WHERE u.id > $1 ORDER BY u.id LIMIT $2"
    func exportUsers(after: Bool) -> String { after ? Self.exportAfter : Self.exportFirst }
}
