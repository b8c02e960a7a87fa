// The PostgreSQL backend of StoreCore: a pool of libpq connections
// (several processes and hosts may share the database), the SQL text of
// every operation (SQL/), and what PostgreSQL's failures mean. The store
// contract itself is StoreCore's.
import CPostgres
import PluginAPI
import PluginKit
import StoreCore

final class PostgresBackend: StoreBackend, @unchecked Sendable {
    let options: StoreOptions
    let target: ConnectionTarget
    let pool: ConnectionPool
    let sql: any StoreSQL = PostgresSQL()
    var authCacheMillis: Int { options.authCacheMs }

    init(options pluginOptions: PluginOptions, host: Host) throws(PluginError) {
        guard PQisthreadsafe() == 1 else {
            throw .internal("the linked libpq was built without thread safety")
        }
        let options = try StoreOptions.parse(pluginOptions)
        self.options = options
        let target = try ConnectionTarget.parse(options.url, source: options.urlSource)
        self.target = target
        let settings = ConnectSettings(target: target, url: options.url, connectTimeoutSeconds: options.connectTimeoutSeconds,
                                       statementTimeoutMs: options.statementTimeoutMs, schema: options.schema)
        pool = ConnectionPool(settings: settings, size: options.poolSize, warn: { host.warn($0) })
        // The first connection proves the URL and credentials; then the schema.
        let place = "the schema \"\(options.schema)\" of \(target.description)"
        if options.dropSchemaOnClose { ScratchSchemas.opened(target, options.schema) }
        do {
            try pool.withConnection("starting") { c in
                try Migrations.run(c, schema: options.schema, where_: place)
            }
        } catch let f as PGFailure {
            close()
            throw Self.startupError(f, target)
        } catch let e as PluginError {
            close()
            throw e
        } catch {
            close()
            throw .internal("starting: \(error)")
        }
    }

    /// Why create failed, naming the target (never the password).
    static func startupError(_ f: PGFailure, _ target: ConnectionTarget) -> PluginError {
        let prefix = "cannot connect to PostgreSQL at \(target.description)"
        switch f.kind {
        case .connection where f.sqlState == "28000":
            return .invalid("\(prefix): \(f.message)")
        case .connection, .timeout, .pool:
            return .unavailable("\(prefix): \(f.message)")
        case .server:
            let e = f.pluginError
            return PluginError(e.code, "PostgreSQL at \(target.description): \(e.message)")
        }
    }

    /// [shutdown] Drops a scratch schema when this is its last instance,
    /// then closes every connection.
    func close() {
        if options.dropSchemaOnClose && ScratchSchemas.closed(target, options.schema) {
            _ = try? pool.withConnection("dropping the scratch schema") { c in try ScratchSchemas.drop(c, options.schema) }
        }
        pool.close()
    }

    /// A read is one statement on its own (autocommit, one round trip, its
    /// generic plan). A touch is a transaction whose outcome nobody waits
    /// for: BEGIN sent with its statement, its COMMIT not waited for and
    /// not waiting for the WAL to reach the disk, so that a best-effort
    /// record (a key's use) never adds a disk flush to the request that
    /// made it (SQLite's touch likewise syncs NORMAL); a crash may lose
    /// the last moment's records. A snapshot runs in REPEATABLE READ READ
    /// ONLY (planned for its values unless its plans are fixed), its BEGIN
    /// sent with its first statement and its COMMIT not waited for
    /// (PGConnection.transaction, pipelined); a write in BEGIN ... COMMIT
    /// (READ COMMITTED; rows that decide anything are locked with FOR
    /// UPDATE by the SQL), rolled back when the body throws.
    func perform<R>(_ unit: UnitOfWork, _ context: String, _ body: (any StoreConnection) throws -> R) throws -> R {
        switch unit {
        case .read:
            return try pool.withConnection(context) { try body($0) }
        case .touch:
            return try pool.withConnection(context) { c in
                try c.transaction("BEGIN; SET LOCAL synchronous_commit = off", pipelined: true, context) { try body(c) }
            }
        case .snapshot:
            // Planned for the values (the session's mode is generic plans,
            // PGConnection.open).
            return try pool.withConnection(context) { c in
                try c.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL plan_cache_mode = auto", pipelined: true, context) { try body(c) }
            }
        case .snapshotOfFixedPlans:
            return try pool.withConnection(context) { c in
                try c.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", pipelined: true, context) { try body(c) }
            }
        case .write:
            var begun = false
            do {
                return try pool.withConnection(context) { c in
                    try c.transaction("BEGIN", context) {
                        begun = true
                        return try body(c)
                    }
                }
            } catch var f as PGFailure where !begun {
                f.beforeBegin = true
                throw f
            }
        }
    }

    /// Reads run again once on a fresh connection when the connection broke
    /// (they change nothing). Deadlocks and serialization failures re-run a
    /// whole write (nothing of the failed run was kept); a connection that
    /// broke before BEGIN was answered is replaced once. A refused login
    /// (28000) never runs again.
    func mayRetry(_ error: any Error, after unit: UnitOfWork, attempt: Int) -> Bool {
        guard let f = error as? PGFailure, f.sqlState != "28000" else { return false }
        switch unit {
        case .read, .snapshot, .snapshotOfFixedPlans:
            return attempt == 1 && (f.kind == .connection || f.isRetryable)
        case .write:
            return f.isRetryable || (f.beforeBegin && f.kind == .connection && attempt == 1)
        case .touch:
            return false
        }
    }

    func violation(in error: any Error) -> ConstraintViolation? { (error as? PGFailure)?.violation }

    func isRefusal(_ error: any Error) -> Bool { (error as? PGFailure)?.isRefusal ?? false }
}
