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
        // 3: counts for search (StoreCore FacetSearch): a user's facet is
        // (role_set, flags), role_set its sorted slugs as ",a,b," ("," for
        // none). Triggers keep, per facet, the users (user_facets), the users
        // whose username holds each distinct 1-3 character gram
        // (gram_counts) and the users per created_at bucket of 2^10, 2^20 and
        // 2^30 ms (user_positions). Counts that reach 0 stay as rows of 0.
        // Usernames are at most 1024 characters (gram_offsets), which the
        // store checks on every write. The grams' queries bound o.i by the
        // length alone too: that is the range the primary key can seek.
        """
        ALTER TABLE users ADD COLUMN role_set TEXT NOT NULL DEFAULT ',';
        UPDATE users SET role_set = ',' || (SELECT group_concat(role_slug, ',') FROM user_roles r WHERE r.user_id = users.id) || ','
            WHERE id IN (SELECT user_id FROM user_roles);
        CREATE INDEX users_facet_walk ON users(role_set, flags, created_at, id, username);

        CREATE TABLE gram_offsets (
            i   INTEGER NOT NULL,
            len INTEGER NOT NULL,
            PRIMARY KEY (i, len)
        ) WITHOUT ROWID;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1024)
        INSERT INTO gram_offsets SELECT i, len FROM n, (SELECT 1 AS len UNION ALL SELECT 2 UNION ALL SELECT 3);

        CREATE TABLE user_facets (
            role_set TEXT NOT NULL,
            flags    INTEGER NOT NULL,
            n        INTEGER NOT NULL,
            PRIMARY KEY (role_set, flags)
        ) WITHOUT ROWID;
        CREATE TABLE user_positions (
            level    INTEGER NOT NULL,
            bucket   INTEGER NOT NULL,
            role_set TEXT NOT NULL,
            flags    INTEGER NOT NULL,
            n        INTEGER NOT NULL,
            PRIMARY KEY (level, bucket, role_set, flags)
        ) WITHOUT ROWID;
        CREATE TABLE gram_counts (
            gram     TEXT NOT NULL,
            role_set TEXT NOT NULL,
            flags    INTEGER NOT NULL,
            n        INTEGER NOT NULL,
            PRIMARY KEY (gram, role_set, flags)
        ) WITHOUT ROWID;

        INSERT INTO user_facets SELECT role_set, flags, count(*) FROM users GROUP BY role_set, flags;
        INSERT INTO user_positions
            SELECT l.level, created_at >> l.level, role_set, flags, count(*)
            FROM users, (SELECT 10 AS level UNION ALL SELECT 20 UNION ALL SELECT 30) l
            GROUP BY 1, 2, 3, 4;
        INSERT INTO gram_counts
            SELECT gram, role_set, flags, count(*) FROM (
                SELECT DISTINCT u.seq, substr(u.username, o.i, o.len) AS gram, u.role_set, u.flags
                FROM users u JOIN gram_offsets o ON o.i <= length(u.username) AND o.i <= length(u.username) - o.len + 1
                WHERE u.username IS NOT NULL)
            GROUP BY 1, 2, 3;

        -- The counting, written once: inserting (role_set, flags, created_at,
        -- username, d) here adds d (1 or -1) to that user's counts. A view
        -- with an INSTEAD OF trigger is SQLite's stored procedure.
        CREATE VIEW user_count_changes AS
            SELECT role_set, flags, created_at, username, 0 AS d FROM users WHERE 0;
        CREATE TRIGGER user_count_changes_apply INSTEAD OF INSERT ON user_count_changes BEGIN
            INSERT INTO user_facets VALUES (NEW.role_set, NEW.flags, NEW.d)
                ON CONFLICT (role_set, flags) DO UPDATE SET n = n + excluded.n;
            INSERT INTO user_positions
                SELECT l.level, NEW.created_at >> l.level, NEW.role_set, NEW.flags, NEW.d
                FROM (SELECT 10 AS level UNION ALL SELECT 20 UNION ALL SELECT 30) l WHERE true
                ON CONFLICT (level, bucket, role_set, flags) DO UPDATE SET n = n + excluded.n;
            INSERT INTO gram_counts
                SELECT DISTINCT substr(NEW.username, o.i, o.len), NEW.role_set, NEW.flags, NEW.d
                FROM gram_offsets o WHERE o.i <= length(NEW.username) AND o.i <= length(NEW.username) - o.len + 1
                ON CONFLICT (gram, role_set, flags) DO UPDATE SET n = n + excluded.n;
        END;

        CREATE TRIGGER users_count_insert AFTER INSERT ON users BEGIN
            INSERT INTO user_count_changes VALUES (NEW.role_set, NEW.flags, NEW.created_at, NEW.username, 1);
        END;
        CREATE TRIGGER users_count_delete AFTER DELETE ON users BEGIN
            INSERT INTO user_count_changes VALUES (OLD.role_set, OLD.flags, OLD.created_at, OLD.username, -1);
        END;
        -- An update moves the user: out of its old counts, into its new ones.
        CREATE TRIGGER users_count_update AFTER UPDATE OF role_set, flags, created_at, username ON users
            WHEN OLD.role_set IS NOT NEW.role_set OR OLD.flags IS NOT NEW.flags
                OR OLD.created_at IS NOT NEW.created_at OR OLD.username IS NOT NEW.username
        BEGIN
            INSERT INTO user_count_changes VALUES (OLD.role_set, OLD.flags, OLD.created_at, OLD.username, -1);
            INSERT INTO user_count_changes VALUES (NEW.role_set, NEW.flags, NEW.created_at, NEW.username, 1);
        END;

        -- role_set follows user_roles (the primary key walks a user's slugs in order).
        CREATE TRIGGER user_roles_set_insert AFTER INSERT ON user_roles BEGIN
            UPDATE users SET role_set = ',' || (SELECT group_concat(role_slug, ',') FROM user_roles r WHERE r.user_id = NEW.user_id) || ','
                WHERE id = NEW.user_id;
        END;
        CREATE TRIGGER user_roles_set_delete AFTER DELETE ON user_roles BEGIN
            UPDATE users SET role_set = coalesce(',' || (SELECT group_concat(role_slug, ',') FROM user_roles r WHERE r.user_id = OLD.user_id) || ',', ',')
                WHERE id = OLD.user_id;
        END;
        """,
        // 4 (ABI 2.3): plugin entries, a key -> JSON table per owner
        // namespace that is no user's (entry_put...); BINARY collation, so
        // keys compare and sort byte-exact. Values may be up to 64 KiB: a
        // rowid table, not WITHOUT ROWID (which suits small rows only).
        // And user_search's username_folded: usernames with A-Z folded to
        // a-z (NOCASE folds ASCII only), for equality and prefix ranges.
        """
        CREATE TABLE plugin_entries (
            ns         TEXT NOT NULL,
            key        TEXT NOT NULL,
            json       TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (ns, key)
        );
        CREATE INDEX users_username_nocase ON users(username COLLATE NOCASE);
        """,
        // 5 (ABI 2.4): user_search's folded CONTAINS: a trigram index of
        // the usernames with A-Z folded to a-z (lower() folds ASCII only,
        // as FoldedUsername does), case-sensitive over that text, so a
        // phrase of its trigrams is exactly the folded substring and it
        // counts alone. Its external content is a view of the folded names;
        // the store's own statements keep it in step with users_fts
        // (UsernameIndex). Built here from every user, as users_fts was.
        """
        CREATE VIEW users_folded_names AS SELECT seq, lower(username) AS username FROM users;
        CREATE VIRTUAL TABLE users_fts_folded USING fts5(
            username, content = 'users_folded_names', content_rowid = 'seq',
            tokenize = 'trigram case_sensitive 1'
        );
        INSERT INTO users_fts_folded (users_fts_folded) VALUES ('rebuild');
        """,
        // 6 (ABI 2.5): the audit log, append-only. AUTOINCREMENT: ids only
        // grow, also past deleted rows (the cursor of audit_list). No
        // foreign keys: events outlive the users and groups they name.
        // Indexes for the filters, each ending in id so a filtered page
        // walks newest first; the time index serves since/until.
        """
        CREATE TABLE audit_events (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            occurred_at INTEGER NOT NULL,
            actor_id    BLOB CHECK (actor_id IS NULL OR length(actor_id) = 16),
            actor_name  TEXT NOT NULL,
            source      TEXT NOT NULL,
            address     TEXT NOT NULL,
            action      TEXT NOT NULL,              -- BINARY: a prefix is a range
            target_kind TEXT,
            target_id   BLOB CHECK (target_id IS NULL OR length(target_id) = 16),
            target_name TEXT,
            detail_json TEXT
        );
        CREATE INDEX audit_events_time ON audit_events(occurred_at, id);
        CREATE INDEX audit_events_actor ON audit_events(actor_id, id) WHERE actor_id IS NOT NULL;
        CREATE INDEX audit_events_target ON audit_events(target_id, id) WHERE target_id IS NOT NULL;
        CREATE INDEX audit_events_action ON audit_events(action, id);
        """,
        // 7: folded_gram_corrections (StoreCore FacetSearch): with
        // gram_counts, the users of a facet whose username folded (lower()
        // folds A-Z only, as FoldedUsername does) holds each distinct 1-3
        // character gram. Only a username with a letter A-Z has
        // corrections: +d for each gram of its folded name, -d for each of
        // its own; grams that cancel are not written. The counting trigger
        // is made again with them; the users already there are counted here.
        // And username_trigrams: each distinct 3-character gram of each
        // folded username, in created order, so that a folded text of three
        // characters is paged from its own users, wherever they lie in the
        // created order; kept by the triggers below.
        """
        CREATE TABLE username_trigrams (
            gram       TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            id         BLOB NOT NULL,
            PRIMARY KEY (gram, created_at, id)
        ) WITHOUT ROWID;
        INSERT INTO username_trigrams
            SELECT DISTINCT substr(lower(u.username), o.i, 3), u.created_at, u.id
            FROM users u JOIN gram_offsets o ON o.len = 3 AND o.i <= length(u.username) - 2
            WHERE u.username IS NOT NULL;
        CREATE TRIGGER users_trigrams_insert AFTER INSERT ON users WHEN NEW.username IS NOT NULL BEGIN
            INSERT OR IGNORE INTO username_trigrams
                SELECT substr(lower(NEW.username), o.i, 3), NEW.created_at, NEW.id
                FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(NEW.username) - 2;
        END;
        CREATE TRIGGER users_trigrams_delete AFTER DELETE ON users WHEN OLD.username IS NOT NULL BEGIN
            DELETE FROM username_trigrams WHERE created_at = OLD.created_at AND id = OLD.id AND gram IN (
                SELECT substr(lower(OLD.username), o.i, 3) FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(OLD.username) - 2);
        END;
        CREATE TRIGGER users_trigrams_update AFTER UPDATE OF username, created_at ON users
            WHEN OLD.username IS NOT NEW.username OR OLD.created_at IS NOT NEW.created_at
        BEGIN
            DELETE FROM username_trigrams WHERE created_at = OLD.created_at AND id = OLD.id AND gram IN (
                SELECT substr(lower(OLD.username), o.i, 3) FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(OLD.username) - 2);
            INSERT OR IGNORE INTO username_trigrams
                SELECT substr(lower(NEW.username), o.i, 3), NEW.created_at, NEW.id
                FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(NEW.username) - 2;
        END;

        CREATE TABLE folded_gram_corrections (
            gram     TEXT NOT NULL,
            role_set TEXT NOT NULL,
            flags    INTEGER NOT NULL,
            n        INTEGER NOT NULL,
            PRIMARY KEY (gram, role_set, flags)
        ) WITHOUT ROWID;
        INSERT INTO folded_gram_corrections
            SELECT gram, role_set, flags, sum(d) FROM (
                SELECT DISTINCT u.seq, substr(lower(u.username), o.i, o.len) AS gram, u.role_set, u.flags, 1 AS d
                FROM users u JOIN gram_offsets o ON o.i <= length(u.username) AND o.i <= length(u.username) - o.len + 1
                WHERE u.username <> lower(u.username)
                UNION ALL
                SELECT DISTINCT u.seq, substr(u.username, o.i, o.len), u.role_set, u.flags, -1
                FROM users u JOIN gram_offsets o ON o.i <= length(u.username) AND o.i <= length(u.username) - o.len + 1
                WHERE u.username <> lower(u.username))
            GROUP BY 1, 2, 3 HAVING sum(d) <> 0;

        DROP TRIGGER user_count_changes_apply;
        CREATE TRIGGER user_count_changes_apply INSTEAD OF INSERT ON user_count_changes BEGIN
            INSERT INTO user_facets VALUES (NEW.role_set, NEW.flags, NEW.d)
                ON CONFLICT (role_set, flags) DO UPDATE SET n = n + excluded.n;
            INSERT INTO user_positions
                SELECT l.level, NEW.created_at >> l.level, NEW.role_set, NEW.flags, NEW.d
                FROM (SELECT 10 AS level UNION ALL SELECT 20 UNION ALL SELECT 30) l WHERE true
                ON CONFLICT (level, bucket, role_set, flags) DO UPDATE SET n = n + excluded.n;
            INSERT INTO gram_counts
                SELECT DISTINCT substr(NEW.username, o.i, o.len), NEW.role_set, NEW.flags, NEW.d
                FROM gram_offsets o WHERE o.i <= length(NEW.username) AND o.i <= length(NEW.username) - o.len + 1
                ON CONFLICT (gram, role_set, flags) DO UPDATE SET n = n + excluded.n;
            INSERT INTO folded_gram_corrections
                SELECT gram, NEW.role_set, NEW.flags, sum(d) FROM (
                    SELECT DISTINCT substr(lower(NEW.username), o.i, o.len) AS gram, NEW.d AS d
                    FROM gram_offsets o WHERE NEW.username <> lower(NEW.username)
                        AND o.i <= length(NEW.username) AND o.i <= length(NEW.username) - o.len + 1
                    UNION ALL
                    SELECT DISTINCT substr(NEW.username, o.i, o.len), -NEW.d
                    FROM gram_offsets o WHERE NEW.username <> lower(NEW.username)
                        AND o.i <= length(NEW.username) AND o.i <= length(NEW.username) - o.len + 1)
                WHERE true
                GROUP BY gram HAVING sum(d) <> 0
                ON CONFLICT (gram, role_set, flags) DO UPDATE SET n = n + excluded.n;
        END;
        """,
        // 8: where users.seq (the trigram indexes' rowid) disagrees with the
        // created order. A user is written here when, as it is inserted,
        // some user already sorts after it by (created_at, id), and when
        // its created_at changes. Every other user came after all users
        // there were, with a larger seq (SQLite gives max(seq) + 1), so
        // among themselves seq order is created order: a substring's page
        // in created order is read from its trigram index in rowid order,
        // merged with its matches listed here (SearchPlan.countedPage),
        // without reading every match. Users already there are listed as
        // they are out of order by seq; a tie in created_at counts as out
        // of order (listing too many is safe, too few is not).
        """
        CREATE TABLE seq_order_exceptions (seq INTEGER PRIMARY KEY);
        INSERT INTO seq_order_exceptions
            SELECT seq FROM (
                SELECT seq, created_at, max(created_at) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
                FROM users)
            WHERE before >= created_at;
        CREATE TRIGGER users_seq_order_insert AFTER INSERT ON users
            WHEN EXISTS (SELECT 1 FROM users v WHERE (v.created_at, v.id) > (NEW.created_at, NEW.id))
        BEGIN
            INSERT OR IGNORE INTO seq_order_exceptions (seq) VALUES (NEW.seq);
        END;
        CREATE TRIGGER users_seq_order_update AFTER UPDATE OF created_at ON users
            WHEN OLD.created_at IS NOT NEW.created_at
        BEGIN
            INSERT OR IGNORE INTO seq_order_exceptions (seq) VALUES (NEW.seq);
        END;
        CREATE TRIGGER users_seq_order_delete AFTER DELETE ON users BEGIN
            DELETE FROM seq_order_exceptions WHERE seq = OLD.seq;
        END;
        """,
        // 9: username_grams (FoldedUsername.gramRange): for each character
        // of a folded username with at least four characters from there
        // on, the up to eight characters there, with the user's seq. A
        // folded text of four to eight characters (or a case-sensitive one
        // without letters) is then a range of the key: its users, however
        // few, without FTS5 reading each of its trigrams' lists (a
        // six-digit needle read four lists of some 4,000 users each at a
        // million users). Kept by the triggers below; users.seq never
        // changes.
        """
        CREATE TABLE username_grams (
            gram TEXT NOT NULL,
            seq  INTEGER NOT NULL,
            PRIMARY KEY (gram, seq)
        ) WITHOUT ROWID;
        INSERT INTO username_grams
            SELECT DISTINCT substr(lower(u.username), o.i, 8), u.seq
            FROM users u JOIN gram_offsets o ON o.len = 3 AND o.i <= length(u.username) - 3
            WHERE u.username IS NOT NULL
            ORDER BY 1, 2;
        CREATE TRIGGER users_grams_insert AFTER INSERT ON users WHEN NEW.username IS NOT NULL BEGIN
            INSERT OR IGNORE INTO username_grams
                SELECT substr(lower(NEW.username), o.i, 8), NEW.seq
                FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(NEW.username) - 3;
        END;
        CREATE TRIGGER users_grams_delete AFTER DELETE ON users WHEN OLD.username IS NOT NULL BEGIN
            DELETE FROM username_grams WHERE seq = OLD.seq AND gram IN (
                SELECT substr(lower(OLD.username), o.i, 8) FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(OLD.username) - 3);
        END;
        CREATE TRIGGER users_grams_update AFTER UPDATE OF username ON users WHEN OLD.username IS NOT NEW.username BEGIN
            DELETE FROM username_grams WHERE seq = OLD.seq AND gram IN (
                SELECT substr(lower(OLD.username), o.i, 8) FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(OLD.username) - 3);
            INSERT OR IGNORE INTO username_grams
                SELECT substr(lower(NEW.username), o.i, 8), NEW.seq
                FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(NEW.username) - 3;
        END;
        """,
        // 10: user_positions at two more levels, created_at >> 15 and >> 25
        // (StoreCore FacetSearch): a page's start is found level by level,
        // each within the bucket the level above found, so a level now reads
        // at most 32 buckets' rows, where 1,024 were read before (2,000 rows
        // for a million users created within ten minutes). A second INSTEAD
        // OF trigger on the counting view adds them; the counting trigger
        // stays as it was.
        """
        DELETE FROM user_positions WHERE level IN (15, 25);
        INSERT INTO user_positions
            SELECT 15, bucket >> 5, role_set, flags, sum(n) FROM user_positions WHERE level = 10 GROUP BY 2, 3, 4;
        INSERT INTO user_positions
            SELECT 25, bucket >> 5, role_set, flags, sum(n) FROM user_positions WHERE level = 20 GROUP BY 2, 3, 4;
        CREATE TRIGGER user_count_changes_positions INSTEAD OF INSERT ON user_count_changes BEGIN
            INSERT INTO user_positions
                SELECT l.level, NEW.created_at >> l.level, NEW.role_set, NEW.flags, NEW.d
                FROM (SELECT 15 AS level UNION ALL SELECT 25) l WHERE true
                ON CONFLICT (level, bucket, role_set, flags) DO UPDATE SET n = n + excluded.n;
        END;
        """,
        // 11: the postings carry their user's facet (role_set, flags), so a
        // search filtered by roles or flags tests each posting where it
        // lies instead of looking its user up (a role and a three-digit
        // needle probed some 200 users for a page at a million users, 400
        // B-tree seeks). Added columns read their default, so only the
        // postings of users with roles or flags are written here; the
        // insert and move triggers are made again with the facet, and
        // users_postings_facet follows a user's facet changes.
        """
        ALTER TABLE username_trigrams ADD COLUMN role_set TEXT NOT NULL DEFAULT ',';
        ALTER TABLE username_trigrams ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE username_grams ADD COLUMN role_set TEXT NOT NULL DEFAULT ',';
        ALTER TABLE username_grams ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;
        UPDATE username_trigrams AS t SET role_set = x.role_set, flags = x.flags FROM (
            SELECT DISTINCT substr(lower(u.username), o.i, 3) AS gram, u.created_at, u.id, u.role_set, u.flags
            FROM users u JOIN gram_offsets o ON o.len = 3 AND o.i <= length(u.username) - 2
            WHERE u.username IS NOT NULL AND (u.role_set <> ',' OR u.flags <> 0)) x
        WHERE t.gram = x.gram AND t.created_at = x.created_at AND t.id = x.id;
        UPDATE username_grams AS g SET role_set = x.role_set, flags = x.flags FROM (
            SELECT DISTINCT substr(lower(u.username), o.i, 8) AS gram, u.seq, u.role_set, u.flags
            FROM users u JOIN gram_offsets o ON o.len = 3 AND o.i <= length(u.username) - 3
            WHERE u.username IS NOT NULL AND (u.role_set <> ',' OR u.flags <> 0)) x
        WHERE g.gram = x.gram AND g.seq = x.seq;

        DROP TRIGGER users_trigrams_insert;
        CREATE TRIGGER users_trigrams_insert AFTER INSERT ON users WHEN NEW.username IS NOT NULL BEGIN
            INSERT OR IGNORE INTO username_trigrams
                SELECT substr(lower(NEW.username), o.i, 3), NEW.created_at, NEW.id, NEW.role_set, NEW.flags
                FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(NEW.username) - 2;
        END;
        DROP TRIGGER users_trigrams_update;
        CREATE TRIGGER users_trigrams_update AFTER UPDATE OF username, created_at ON users
            WHEN OLD.username IS NOT NEW.username OR OLD.created_at IS NOT NEW.created_at
        BEGIN
            DELETE FROM username_trigrams WHERE created_at = OLD.created_at AND id = OLD.id AND gram IN (
                SELECT substr(lower(OLD.username), o.i, 3) FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(OLD.username) - 2);
            INSERT OR IGNORE INTO username_trigrams
                SELECT substr(lower(NEW.username), o.i, 3), NEW.created_at, NEW.id, NEW.role_set, NEW.flags
                FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(NEW.username) - 2;
        END;
        DROP TRIGGER users_grams_insert;
        CREATE TRIGGER users_grams_insert AFTER INSERT ON users WHEN NEW.username IS NOT NULL BEGIN
            INSERT OR IGNORE INTO username_grams
                SELECT substr(lower(NEW.username), o.i, 8), NEW.seq, NEW.role_set, NEW.flags
                FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(NEW.username) - 3;
        END;
        DROP TRIGGER users_grams_update;
        CREATE TRIGGER users_grams_update AFTER UPDATE OF username ON users WHEN OLD.username IS NOT NEW.username BEGIN
            DELETE FROM username_grams WHERE seq = OLD.seq AND gram IN (
                SELECT substr(lower(OLD.username), o.i, 8) FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(OLD.username) - 3);
            INSERT OR IGNORE INTO username_grams
                SELECT substr(lower(NEW.username), o.i, 8), NEW.seq, NEW.role_set, NEW.flags
                FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(NEW.username) - 3;
        END;
        -- Whichever of these and the move triggers runs first, the postings
        -- end with the new name's keys and the new facet.
        CREATE TRIGGER users_postings_facet AFTER UPDATE OF role_set, flags ON users
            WHEN NEW.username IS NOT NULL AND (OLD.role_set IS NOT NEW.role_set OR OLD.flags IS NOT NEW.flags)
        BEGIN
            UPDATE username_trigrams SET role_set = NEW.role_set, flags = NEW.flags
                WHERE created_at = NEW.created_at AND id = NEW.id AND gram IN (
                    SELECT substr(lower(NEW.username), o.i, 3) FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(NEW.username) - 2);
            UPDATE username_grams SET role_set = NEW.role_set, flags = NEW.flags
                WHERE seq = NEW.seq AND gram IN (
                    SELECT substr(lower(NEW.username), o.i, 8) FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(NEW.username) - 3);
        END;
        """,
    ]
}
