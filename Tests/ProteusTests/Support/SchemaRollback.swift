// Taking a store's schema back, as an older plugin left it, to test the
// migrations forward from there: one step per version, run from the newest
// down to the version asked for.
enum SchemaRollback {
    /// The newest schema version of each store (the steps below start there).
    static let sqliteLatest = 11
    static let postgresLatest = 10

    /// SQLite steps: [v] takes schema v to v - 1.
    private static let sqliteSteps: [Int: String] = [
        // 11 → 10: postings without facets, their triggers as schema 7 and 9 made them.
        11: """
            DROP TRIGGER users_postings_facet;
            DROP TRIGGER users_trigrams_insert; DROP TRIGGER users_trigrams_update;
            DROP TRIGGER users_grams_insert; DROP TRIGGER users_grams_update;
            ALTER TABLE username_trigrams DROP COLUMN role_set; ALTER TABLE username_trigrams DROP COLUMN flags;
            ALTER TABLE username_grams DROP COLUMN role_set; ALTER TABLE username_grams DROP COLUMN flags;
            CREATE TRIGGER users_trigrams_insert AFTER INSERT ON users WHEN NEW.username IS NOT NULL BEGIN
                INSERT OR IGNORE INTO username_trigrams
                    SELECT substr(lower(NEW.username), o.i, 3), NEW.created_at, NEW.id
                    FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(NEW.username) - 2;
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
            CREATE TRIGGER users_grams_insert AFTER INSERT ON users WHEN NEW.username IS NOT NULL BEGIN
                INSERT OR IGNORE INTO username_grams
                    SELECT substr(lower(NEW.username), o.i, 8), NEW.seq
                    FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(NEW.username) - 3;
            END;
            CREATE TRIGGER users_grams_update AFTER UPDATE OF username ON users WHEN OLD.username IS NOT NEW.username BEGIN
                DELETE FROM username_grams WHERE seq = OLD.seq AND gram IN (
                    SELECT substr(lower(OLD.username), o.i, 8) FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(OLD.username) - 3);
                INSERT OR IGNORE INTO username_grams
                    SELECT substr(lower(NEW.username), o.i, 8), NEW.seq
                    FROM gram_offsets o WHERE o.len = 3 AND o.i <= length(NEW.username) - 3;
            END;
            """,
        // 10 → 9: user_positions at three levels.
        10: "DROP TRIGGER user_count_changes_positions; DELETE FROM user_positions WHERE level IN (15, 25);",
        // 9 → 8: no username grams.
        9: """
            DROP TRIGGER users_grams_insert; DROP TRIGGER users_grams_delete; DROP TRIGGER users_grams_update;
            DROP TABLE username_grams;
            """,
        // 8 → 7: no list of users out of seq order.
        8: """
            DROP TRIGGER users_seq_order_insert; DROP TRIGGER users_seq_order_update; DROP TRIGGER users_seq_order_delete;
            DROP TABLE seq_order_exceptions;
            """,
        // 7 → 6: no folded gram corrections (the counting trigger, which
        // writes them, is made again by the migration), no trigrams.
        7: """
            DROP TABLE folded_gram_corrections;
            DROP TRIGGER users_trigrams_insert; DROP TRIGGER users_trigrams_delete; DROP TRIGGER users_trigrams_update;
            DROP TABLE username_trigrams;
            """,
        // 6 → 5: no audit log.
        6: "DROP TABLE audit_events; DELETE FROM sqlite_sequence WHERE name = 'audit_events';",
        // 5 → 4: no folded trigram index.
        5: "DROP TABLE users_fts_folded; DROP VIEW users_folded_names;",
        // 4 → 3: no plugin entries, no folded username index.
        4: """
            DROP INDEX users_username_nocase;
            DROP TABLE plugin_entries;
            """,
        // 3 → 2: no search counts, no users.role_set.
        3: """
            DROP TRIGGER users_count_insert; DROP TRIGGER users_count_delete; DROP TRIGGER users_count_update;
            DROP TRIGGER user_roles_set_insert; DROP TRIGGER user_roles_set_delete;
            DROP VIEW user_count_changes;
            DROP INDEX users_facet_walk;
            DROP TABLE gram_offsets; DROP TABLE user_facets; DROP TABLE user_positions; DROP TABLE gram_counts;
            ALTER TABLE users DROP COLUMN role_set;
            """,
        // 2 → 1: no counters.
        2: "DROP TABLE counters;",
    ]

    /// A SQLite database of the newest schema back to `version`.
    static func sqlite(downTo version: Int) -> String {
        stride(from: sqliteLatest, to: version, by: -1).map { sqliteSteps[$0]! }.joined(separator: "\n")
            + "\nPRAGMA user_version = \(version);"
    }

    /// PostgreSQL steps in `schema`: [v] takes schema v to v - 1.
    private static func postgresStep(_ v: Int, _ schema: String) -> String {
        switch v {
        case 10:
            // Postings without facets. The functions writing them stay as
            // migration 10 made them, so a store left at 9 takes no writes:
            // the tests roll further back, and the migrations make them again.
            return """
                DROP FUNCTION \(schema).proteus_reface_postings(bytea[], bigint[], text[], text[], bigint[]);
                ALTER TABLE \(schema).username_trigrams DROP COLUMN role_set, DROP COLUMN flags, ADD PRIMARY KEY (gram, created_at, id);
                ALTER TABLE \(schema).username_grams DROP COLUMN role_set, DROP COLUMN flags, ADD PRIMARY KEY (gram, created_at, id);
                """
        case 9:
            // The counting function, which writes them, is made again by the migration.
            return "DELETE FROM \(schema).user_positions WHERE level IN (15, 25);"
        case 8:
            return """
                DROP TABLE \(schema).username_grams;
                DROP FUNCTION \(schema).proteus_username_grams_added() CASCADE;
                DROP FUNCTION \(schema).proteus_username_grams_removed() CASCADE;
                DROP FUNCTION \(schema).proteus_username_grams_moved() CASCADE;
                DROP FUNCTION \(schema).proteus_username_grams(text);
                """
        case 7:
            // The counting functions, which write them, are made again by the migration.
            return "DROP TABLE \(schema).folded_gram_corrections, \(schema).username_trigrams;"
        case 6:
            return "DROP TABLE \(schema).audit_events;"
        case 5:
            return """
                DROP INDEX \(schema).users_username_folded;
                CREATE INDEX users_username_folded ON \(schema).users (\(schema).proteus_fold(username) COLLATE "C") INCLUDE (username);
                """
        case 4:
            return """
                DROP INDEX \(schema).users_username_folded;
                DROP FUNCTION \(schema).proteus_fold(text);
                DROP TABLE \(schema).plugin_entries;
                """
        case 3:
            return """
                DROP FUNCTION \(schema).proteus_users_counted() CASCADE;
                DROP FUNCTION \(schema).proteus_users_recounted() CASCADE;
                DROP FUNCTION \(schema).proteus_user_roles_set() CASCADE;
                DROP FUNCTION \(schema).proteus_apply_counts(text[], bigint[], bigint[], text[], bigint[]);
                DROP TABLE \(schema).user_facets, \(schema).user_positions, \(schema).gram_counts;
                ALTER TABLE \(schema).users DROP COLUMN role_set;
                """
        case 2:
            return "DROP TABLE \(schema).counters;"
        default:
            preconditionFailure("no rollback step for schema \(v)")
        }
    }

    /// A PostgreSQL store of the newest schema in `schema` back to `version`.
    static func postgres(_ schema: String, downTo version: Int) -> String {
        stride(from: postgresLatest, to: version, by: -1).map { postgresStep($0, schema) }.joined(separator: "\n")
            + "\nUPDATE \(schema).proteus_meta SET value = '\(version)' WHERE key = 'schema_version';"
    }
}
