// Taking a store's schema back a version, as an older plugin left it, to
// test the migrations forward from there.
enum SchemaRollback {
    /// SQLite schema 3 → 2: no search counts, no users.role_set.
    static let sqlite3To2 = """
        DROP TRIGGER users_count_insert; DROP TRIGGER users_count_delete; DROP TRIGGER users_count_update;
        DROP TRIGGER user_roles_set_insert; DROP TRIGGER user_roles_set_delete;
        DROP VIEW user_count_changes;
        DROP INDEX users_facet_walk;
        DROP TABLE gram_offsets; DROP TABLE user_facets; DROP TABLE user_positions; DROP TABLE gram_counts;
        ALTER TABLE users DROP COLUMN role_set;
        PRAGMA user_version = 2;
        """

    /// PostgreSQL schema 3 → 2 in `schema`.
    static func postgres3To2(_ schema: String) -> String {
        """
        DROP FUNCTION \(schema).proteus_users_counted() CASCADE;
        DROP FUNCTION \(schema).proteus_users_recounted() CASCADE;
        DROP FUNCTION \(schema).proteus_user_roles_set() CASCADE;
        DROP FUNCTION \(schema).proteus_apply_counts(text[], bigint[], bigint[], text[], bigint[]);
        DROP TABLE \(schema).user_facets, \(schema).user_positions, \(schema).gram_counts;
        ALTER TABLE \(schema).users DROP COLUMN role_set;
        UPDATE \(schema).proteus_meta SET value = '2' WHERE key = 'schema_version';
        """
    }
}
