// Scratch schemas (option dropSchemaOnClose, used by `proteus check-store`):
// dropped with everything in them when the last instance of this process
// using one closes (the suite opens a second instance on the same schema).
// The pg_trgm extension is moved out first when it was created there, so
// other schemas' trigram indexes never go with it.
import PluginKit

enum ScratchSchemas {
    nonisolated(unsafe) private static var open: [String: Int] = [:]
    private static let mutex = PluginMutex()

    private static func key(_ target: ConnectionTarget, _ schema: String) -> String {
        "\(target.host):\(target.port)/\(target.database)/\(schema)"
    }

    static func opened(_ target: ConnectionTarget, _ schema: String) {
        mutex.withLock { open[key(target, schema), default: 0] += 1 }
    }

    /// True when this was the last open instance on the schema.
    static func closed(_ target: ConnectionTarget, _ schema: String) -> Bool {
        mutex.withLock {
            let k = key(target, schema)
            let n = (open[k] ?? 1) - 1
            open[k] = n > 0 ? n : nil
            return n <= 0
        }
    }

    static func drop(_ c: PGConnection, _ schema: String) throws {
        var p = PGParams()
        p.text(schema)
        let r = try c.execute("""
            SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace \
            WHERE e.extname = 'pg_trgm' AND n.nspname = $1
            """, p, "finding the pg_trgm extension")
        if r.rows > 0 {
            // Keep the extension for everyone else: move it to public (or
            // keep it and drop only our tables when it cannot move).
            do {
                try c.simple("ALTER EXTENSION pg_trgm SET SCHEMA public", "moving the pg_trgm extension")
            } catch {
                try c.simple("""
                    DROP TABLE IF EXISTS \(quoteIdentifier(schema)).identities, \(quoteIdentifier(schema)).api_keys, \
                    \(quoteIdentifier(schema)).sessions, \(quoteIdentifier(schema)).documents, \(quoteIdentifier(schema)).user_roles, \
                    \(quoteIdentifier(schema)).users, \(quoteIdentifier(schema)).roles, \(quoteIdentifier(schema)).groups, \
                    \(quoteIdentifier(schema)).proteus_meta
                    """, "dropping the scratch tables")
                return
            }
        }
        try c.simple("DROP SCHEMA IF EXISTS \(quoteIdentifier(schema)) CASCADE", "dropping the scratch schema")
    }
}
