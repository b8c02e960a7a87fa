// Bringing the schema up to date at start-up, safely with several hosts
// starting at once: the missing migrations run in one transaction holding
// pg_advisory_xact_lock, and the version is re-read under the lock. A schema
// that holds other tables (not a Proteus store), or a newer Proteus schema,
// is refused before anything is written.
import PluginKit

enum Migrations {
    struct State {
        var schemaExists: Bool
        var hasMeta: Bool
        var tableCount: Int64
        var application: String?
        var version: Int
    }

    static func readState(_ c: PGConnection, schema: String) throws -> State {
        var p = PGParams()
        p.text(schema)
        let r = try c.execute("""
            SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1), \
            EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'proteus_meta'), \
            (SELECT count(*) FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace \
             WHERE n.nspname = $1 AND k.relkind IN ('r', 'p', 'v', 'm', 'f'))
            """, p, "reading the schema")
        var state = State(schemaExists: r.bool(0, 0), hasMeta: r.bool(0, 1), tableCount: r.int64(0, 2), application: nil, version: 0)
        if state.hasMeta {
            let meta = try c.execute("SELECT key, value FROM proteus_meta WHERE key IN ('application', 'schema_version')", PGParams(),
                                     "reading the schema version")
            for i in 0..<meta.rows {
                switch meta.text(i, 0) {
                case "application": state.application = meta.text(i, 1)
                case "schema_version": state.version = Int(meta.text(i, 1) ?? "") ?? -1
                default: break
                }
            }
        }
        return state
    }

    static func check(_ state: State, _ where_: String) throws(PluginError) {
        if state.hasMeta {
            guard state.application == Schema.application, state.version >= 0 else {
                throw .invalid("\(where_) has a proteus_meta table that does not belong to a Proteus store; refusing to use it")
            }
            if state.version > Schema.latestVersion {
                throw .invalid("\(where_) has schema version \(state.version), newer than this plugin supports (\(Schema.latestVersion)); refusing to use it (upgrade the postgres store plugin)")
            }
            return
        }
        if state.tableCount > 0 {
            throw .invalid("\(where_) already contains tables that are not a Proteus store; refusing to use it (choose another \"schema\" option or database)")
        }
    }

    /// Migrates when needed. `where_` names the schema and database for messages.
    static func run(_ c: PGConnection, schema: String, where_: String) throws {
        let first = try readState(c, schema: schema)
        try check(first, where_)
        if first.hasMeta && first.version == Schema.latestVersion { return }
        // A migration fills its tables from every user (schema 3's counts,
        // schema 7's trigrams: minutes at a million users), and another host
        // waits for it: no statement or lock timeout, and the client waits
        // up to `migrationDeadlineMs` for each answer.
        try c.withDeadline(ms: Self.migrationDeadlineMs) {
            try c.transaction("BEGIN", "migrating the schema") {
                try c.simple("SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0", "migrating the schema")
                var lock = PGParams()
                lock.int64(Schema.migrationLockKey)
                try c.execute("SELECT pg_advisory_xact_lock($1)", lock, "waiting for the migration lock")
                let state = try readState(c, schema: schema)
                try check(state, where_)
                if state.hasMeta && state.version == Schema.latestVersion { return }
                if !state.schemaExists {
                    try c.simple("CREATE SCHEMA \(quoteIdentifier(schema))", "creating the schema \(schema)")
                }
                let trgm = try trigramSchema(c, ourSchema: schema)
                for version in state.version..<Schema.latestVersion {
                    let sql = Schema.migrations[version].split(separator: "{trgm}", omittingEmptySubsequences: false)
                        .joined(separator: quoteIdentifier(trgm))
                    try c.simple(sql, "running schema migration \(version + 1)")
                }
                var p = PGParams()
                p.text(Schema.application)
                p.text(String(Schema.latestVersion))
                try c.execute("""
                    INSERT INTO proteus_meta (key, value) VALUES ('application', $1), ('schema_version', $2) \
                    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
                    """, p, "recording the schema version")
            }
        }
    }

    /// How long a migration's statement may take (an hour: tens of millions of users).
    static let migrationDeadlineMs = 3_600_000

    /// The schema of the pg_trgm extension, creating the extension when the
    /// database does not have it yet: in "public" when possible (so dropping
    /// one store's schema never takes the extension, and with it other
    /// schemas' indexes, along), else in our schema.
    static func trigramSchema(_ c: PGConnection, ourSchema: String) throws -> String {
        let find = "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
        var r = try c.execute(find, PGParams(), "looking for the pg_trgm extension")
        if r.rows == 0 && ourSchema != "public" {
            try c.simple("SAVEPOINT proteus_trgm", "creating the pg_trgm extension")
            do {
                try c.simple("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public", "creating the pg_trgm extension")
                try c.simple("RELEASE SAVEPOINT proteus_trgm", "creating the pg_trgm extension")
            } catch let f as PGFailure where f.kind == .server {
                try c.simple("ROLLBACK TO SAVEPOINT proteus_trgm", "creating the pg_trgm extension")
            }
            r = try c.execute(find, PGParams(), "looking for the pg_trgm extension")
        }
        if r.rows == 0 {
            do {
                try c.simple("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA \(quoteIdentifier(ourSchema))", "creating the pg_trgm extension")
            } catch let f as PGFailure where f.kind == .server {
                throw PluginError.invalid("cannot create the pg_trgm extension (\(f.message)); it needs the postgresql-contrib package on the database server and CREATE privilege on the database (or have an administrator run CREATE EXTENSION pg_trgm)")
            }
            r = try c.execute(find, PGParams(), "looking for the pg_trgm extension")
        }
        guard r.rows > 0, let name = r.text(0, 0) else {
            throw PluginError.internal("the pg_trgm extension is missing after CREATE EXTENSION")
        }
        return name
    }
}
