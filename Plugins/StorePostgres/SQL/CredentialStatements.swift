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
    // Over sessions_user (user_id, ns): every namespace of the user.
    var countUserSessions: String { "SELECT count(*) FROM sessions WHERE user_id = $1 AND (expires_at = 0 OR expires_at > $2)" }
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
    /// One round trip: the key, the user row and its details (the
    /// namespace of one selected document is $2), from one snapshot.
    static let apiKeyOwners: [String] = [StoreInput.DocSelection.none, .all, .one(.absent)].map {
        """
        SELECT \(userColumns($0, nsParam: 2)), k.key_hash, k.user_id, k.ns, k.label, k.created_at, k.last_used_at \
        FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = $1
        """
    }
    func apiKeyOwner(documents: StoreInput.DocSelection) -> String {
        switch documents {
        case .none: Self.apiKeyOwners[0]
        case .all: Self.apiKeyOwners[1]
        case .one: Self.apiKeyOwners[2]
        }
    }
    /// The ids split from the one bytea by position; each probes the
    /// api_keys_user index.
    var apiKeyPresence: String {
        """
        SELECT g::int8 FROM generate_series(0, length($1::bytea) / 16 - 1) AS g \
        WHERE EXISTS (SELECT 1 FROM api_keys k WHERE k.user_id = substring($1::bytea FROM g * 16 + 1 FOR 16) \
        AND ($2::text IS NULL OR k.ns = $2))
        """
    }

    var linkIdentity: String { "INSERT INTO identities (provider, subject, user_id) VALUES ($1, $2, $3)" }
    var getIdentity: String { "SELECT user_id FROM identities WHERE provider = $1 AND subject = $2" }
    var unlinkIdentity: String { "DELETE FROM identities WHERE provider = $1 AND subject = $2" }
    var listIdentities: String { "SELECT provider, subject, user_id FROM identities ORDER BY provider, subject" }
    var listUserIdentities: String { "SELECT provider, subject, user_id FROM identities WHERE user_id = $1 ORDER BY provider, subject" }
}
