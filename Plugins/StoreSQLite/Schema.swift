// The database schema, as a list of migrations. Migration n brings a
// database from user_version n-1 to n; each runs in one transaction.
// Never edit a shipped migration: append a new one.

enum Schema {
    /// PRAGMA application_id of a Proteus store: "PRTS".
    static let applicationID: Int64 = 0x5052_5453

    /// The newest schema version this plugin knows.
    static var latestVersion: Int64 { Int64(migrations.count) }

    static let migrations: [String] = [
        // 1: the directory.
        """
        CREATE TABLE groups (
            id          BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
            version     INTEGER NOT NULL,
            name        TEXT NOT NULL UNIQUE,
            description TEXT,
            policy_json TEXT,
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL
        );

        CREATE TABLE roles (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            slug            TEXT NOT NULL UNIQUE,
            name            TEXT,
            attributes_json TEXT
        );

        -- seq: an integer key for the username trigram index (external content).
        CREATE TABLE users (
            seq           INTEGER PRIMARY KEY,
            id            BLOB NOT NULL UNIQUE CHECK (length(id) = 16),
            version       INTEGER NOT NULL,
            flags         INTEGER NOT NULL,
            created_at    INTEGER NOT NULL,
            updated_at    INTEGER NOT NULL,
            accessed_at   INTEGER NOT NULL,
            login_at      INTEGER NOT NULL,
            username      TEXT UNIQUE,            -- BINARY collation: byte-exact
            email         TEXT,
            display_name  TEXT,
            password_hash TEXT,
            mfa_secret    BLOB,
            mfa_last_step INTEGER NOT NULL,
            group_id      BLOB REFERENCES groups(id) ON DELETE SET NULL
        );
        -- Email lookups: ASCII case-insensitive (NOCASE folds A-Z only), earliest first.
        CREATE INDEX users_email ON users(email COLLATE NOCASE, created_at, id) WHERE email IS NOT NULL;
        CREATE INDEX users_created ON users(created_at, id);
        CREATE INDEX users_group ON users(group_id);

        CREATE TABLE user_roles (
            user_id   BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            role_slug TEXT NOT NULL REFERENCES roles(slug) ON DELETE CASCADE,
            PRIMARY KEY (user_id, role_slug)
        ) WITHOUT ROWID;
        CREATE INDEX user_roles_role ON user_roles(role_slug, user_id);

        CREATE TABLE documents (
            user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            ns      TEXT NOT NULL,
            json    TEXT NOT NULL,
            PRIMARY KEY (user_id, ns)
        );

        CREATE TABLE sessions (
            token_hash BLOB PRIMARY KEY NOT NULL,
            user_id    BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            ns         TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,        -- 0 = never
            data_json  TEXT
        );
        CREATE INDEX sessions_user ON sessions(user_id, ns);
        CREATE INDEX sessions_expiry ON sessions(expires_at) WHERE expires_at > 0;

        CREATE TABLE api_keys (
            key_hash     BLOB PRIMARY KEY NOT NULL,
            user_id      BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            ns           TEXT NOT NULL,
            label        TEXT,
            created_at   INTEGER NOT NULL,
            last_used_at INTEGER NOT NULL
        );
        CREATE INDEX api_keys_user ON api_keys(user_id, created_at);

        CREATE TABLE identities (
            provider TEXT NOT NULL,
            subject  TEXT NOT NULL,
            user_id  BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            PRIMARY KEY (provider, subject)
        ) WITHOUT ROWID;
        CREATE INDEX identities_user ON identities(user_id);

        -- Case-sensitive substring search on usernames: a trigram index over
        -- users.username (external content, rowid = users.seq). It is kept in
        -- step by the store's own statements (UsernameIndex), in the same
        -- transaction as every change of a username: FTS5 rows written from
        -- triggers flush the index once per row, which made bulk imports
        -- three times slower.
        CREATE VIRTUAL TABLE users_fts USING fts5(
            username, content = 'users', content_rowid = 'seq',
            tokenize = 'trigram case_sensitive 1'
        );
        """,
        // 2: fixed-window counters shared by every process and host on the
        // store (ABI 1.3 counter_hit/counter_clear). window_ends: unix ms;
        // the index finds expired rows for the bounded clean-up.
        """
        CREATE TABLE counters (
            key         BLOB PRIMARY KEY NOT NULL,
            count       INTEGER NOT NULL,
            window_ends INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX counters_expiry ON counters(window_ends);
        """,
    ]
}
