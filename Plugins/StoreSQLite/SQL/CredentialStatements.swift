// Sessions, API keys and identity links.
import StoreCore

extension SQLiteSQL {
    var createSession: String {
        "INSERT INTO sessions (token_hash, user_id, ns, created_at, expires_at, data_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    }
    var getSession: String {
        "SELECT token_hash, user_id, ns, created_at, expires_at, data_json FROM sessions WHERE token_hash = ?1 AND (expires_at = 0 OR expires_at > ?2)"
    }
    var deleteSession: String { "DELETE FROM sessions WHERE token_hash = ?1" }
    var deleteUserSessions: String { "DELETE FROM sessions WHERE user_id = ?1" }
    var deleteUserSessionsInNamespace: String { "DELETE FROM sessions WHERE user_id = ?1 AND ns = ?2" }
    // Over sessions_user (user_id, ns): every namespace of the user.
    var countUserSessions: String { "SELECT count(*) FROM sessions WHERE user_id = ?1 AND (expires_at = 0 OR expires_at > ?2)" }
    var purgeExpiredSessions: String { "DELETE FROM sessions WHERE expires_at > 0 AND expires_at <= ?1" }

    static let keyColumns = "key_hash, user_id, ns, label, created_at, last_used_at"
    var createAPIKey: String {
        "INSERT INTO api_keys (key_hash, user_id, ns, label, created_at, last_used_at) VALUES (?1, ?2, ?3, ?4, ?5, 0)"
    }
    static let getAPIKey = "SELECT \(keyColumns) FROM api_keys WHERE key_hash = ?1"
    var getAPIKey: String { Self.getAPIKey }
    var touchAPIKey: String { "UPDATE api_keys SET last_used_at = ?2 WHERE key_hash = ?1 AND last_used_at < ?2" }
    static let listAPIKeys = "SELECT \(keyColumns) FROM api_keys ORDER BY created_at, rowid"
    var listAPIKeys: String { Self.listAPIKeys }
    static let listUserAPIKeys = "SELECT \(keyColumns) FROM api_keys WHERE user_id = ?1 ORDER BY created_at, rowid"
    var listUserAPIKeys: String { Self.listUserAPIKeys }
    var deleteAPIKey: String { "DELETE FROM api_keys WHERE key_hash = ?1" }
    var deleteUserAPIKeys: String { "DELETE FROM api_keys WHERE user_id = ?1" }
    var deleteUserAPIKeysInNamespace: String { "DELETE FROM api_keys WHERE user_id = ?1 AND ns = ?2" }
    /// Roles and documents follow by query (UserDetails.queried), in the
    /// same snapshot.
    static let apiKeyOwner = """
        SELECT \(userColumns), k.key_hash, k.user_id, k.ns, k.label, k.created_at, k.last_used_at \
        FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = ?1
        """
    func apiKeyOwner(documents: StoreInput.DocSelection) -> String { Self.apiKeyOwner }
    /// The ids split from the one blob by a recursive CTE (one statement
    /// text for any count); each probes the api_keys_user index.
    var apiKeyPresence: String {
        """
        WITH RECURSIVE ids(n, id) AS (SELECT 0, substr(?1, 1, 16) \
        UNION ALL SELECT n + 1, substr(?1, (n + 1) * 16 + 1, 16) FROM ids WHERE (n + 2) * 16 <= length(?1)) \
        SELECT n FROM ids WHERE EXISTS (SELECT 1 FROM api_keys k WHERE k.user_id = ids.id AND (?2 IS NULL OR k.ns = ?2))
        """
    }

    var linkIdentity: String { "INSERT INTO identities (provider, subject, user_id) VALUES (?1, ?2, ?3)" }
    var getIdentity: String { "SELECT user_id FROM identities WHERE provider = ?1 AND subject = ?2" }
    var unlinkIdentity: String { "DELETE FROM identities WHERE provider = ?1 AND subject = ?2" }
    var listIdentities: String { "SELECT provider, subject, user_id FROM identities ORDER BY provider, subject" }
    var listUserIdentities: String { "SELECT provider, subject, user_id FROM identities WHERE user_id = ?1 ORDER BY provider, subject" }
}
