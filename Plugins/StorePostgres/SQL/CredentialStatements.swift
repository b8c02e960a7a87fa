// Sessions, API keys and identity links.
import StoreCore

extension PostgresSQL {
    var createSession: String {
        "INSERT INTO sessions (token_hash, user_id, ns, created_at, expires_at, data_json) VALUES ($1, $2, $3, $4, $5, $6)"
    }
    var getSession: String {
        "SELECT token_hash, user_id, ns, created_at, expires_at, data_json FROM sessions WHERE token_hash = $1 AND (expires_at = 0 OR expires_at > $2)"
    }
    var deleteSession: String { "DELETE FROM sessions WHERE token_hash = $1" }
    var deleteUserSessions: String { "DELETE FROM sessions WHERE user_id = $1" }
    var deleteUserSessionsInNamespace: String { "DELETE FROM sessions WHERE user_id = $1 AND ns = $2" }
    var purgeExpiredSessions: String { "DELETE FROM sessions WHERE expires_at > 0 AND expires_at <= $1" }

    static let keyColumns = "key_hash, user_id, ns, label, created_at, last_used_at"
    var createAPIKey: String {
        "INSERT INTO api_keys (key_hash, user_id, ns, label, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, 0)"
    }
    static let getAPIKey = "SELECT \(keyColumns) FROM api_keys WHERE key_hash = $1"
    var getAPIKey: String { Self.getAPIKey }
    /// A key row another caller holds is skipped, never waited for.
    var touchAPIKey: String {
        """
        UPDATE api_keys SET last_used_at = $2 WHERE key_hash = (SELECT key_hash FROM api_keys \
        WHERE key_hash = $1 AND last_used_at < $2 FOR UPDATE SKIP LOCKED)
        """
    }
    static let listAPIKeys = "SELECT \(keyColumns) FROM api_keys ORDER BY created_at, seq"
    var listAPIKeys: String { Self.listAPIKeys }
    static let listUserAPIKeys = "SELECT \(keyColumns) FROM api_keys WHERE user_id = $1 ORDER BY created_at, seq"
    var listUserAPIKeys: String { Self.listUserAPIKeys }
    var deleteAPIKey: String { "DELETE FROM api_keys WHERE key_hash = $1" }
    var deleteUserAPIKeys: String { "DELETE FROM api_keys WHERE user_id = $1" }
    var deleteUserAPIKeysInNamespace: String { "DELETE FROM api_keys WHERE user_id = $1 AND ns = $2" }

    var linkIdentity: String { "INSERT INTO identities (provider, subject, user_id) VALUES ($1, $2, $3)" }
    var getIdentity: String { "SELECT user_id FROM identities WHERE provider = $1 AND subject = $2" }
    var unlinkIdentity: String { "DELETE FROM identities WHERE provider = $1 AND subject = $2" }
    var listIdentities: String { "SELECT provider, subject, user_id FROM identities ORDER BY provider, subject" }
    var listUserIdentities: String { "SELECT provider, subject, user_id FROM identities WHERE user_id = $1 ORDER BY provider, subject" }
}
