// The SQLite backend of StoreCore: one database file, one writer connection
// behind a mutex and a pool of WAL readers (ConnectionPool), the SQL text
// of every operation (SQL/) and what SQLite's failures mean. The store
// contract itself is StoreCore's.
import CSQLite
import PluginAPI
import PluginKit
import StoreCore

final class SQLiteBackend: StoreBackend, @unchecked Sendable {
    let options: StoreOptions
    let pool: ConnectionPool
    let sql: any StoreSQL = SQLiteSQL()
    var authCacheMillis: Int { options.authCacheMs }

    init(host: Host, options pluginOptions: PluginOptions) throws(PluginError) {
        guard sqlite3_threadsafe() != 0 else {
            throw .internal("the linked SQLite library was built without thread support")
        }
        let options = try StoreOptions.parse(pluginOptions, dataDirectory: host.dataDirectory)
        self.options = options
        let writer = try DatabaseOpener.openWriter(options)
        var readers: [Connection] = []
        do {
            for _ in 0..<options.readConnections { readers.append(try DatabaseOpener.openReader(options)) }
        } catch {
            for r in readers { r.close() }
            writer.close()
            throw error
        }
        self.pool = ConnectionPool(writer: writer, readers: readers)
    }

    /// [shutdown] Finalizes statements and closes every connection.
    func close() { pool.close() }

    /// Reads run in a read transaction on an idle reader (one consistent
    /// snapshot, whatever the unit); writes in BEGIN IMMEDIATE on the writer.
    /// A touch runs on the writer without a transaction, only if this
    /// process's writer is free at once and the file lock within
    /// `touchWaitMs`, and without syncing (synchronous NORMAL: a touch lost
    /// to a power cut is redone by the next use): at a million users a
    /// thousand API keys recorded their use within a second (each key's use
    /// is recorded once a minute, and their first uses came together), and
    /// requests queued behind those writes and their syncs: p99 of a role
    /// listing 21 ms instead of 8-13.
    func perform<R>(_ unit: UnitOfWork, _ context: String, _ body: (any StoreConnection) throws -> R) throws -> R {
        switch unit {
        case .read, .snapshot, .snapshotOfFixedPlans:
            return try pool.read(context) { try body($0) }
        case .write:
            return try pool.write(context) { try body($0) }
        case .touch:
            let done: R? = try pool.tryWithWriter(timeoutMs: 0) { c in
                c.setBusyTimeout(min(options.busyTimeoutMs, Self.touchWaitMs))
                let syncs = options.synchronous == .full
                if syncs { try c.execute("PRAGMA synchronous = NORMAL", context) }
                defer {
                    c.setBusyTimeout(options.busyTimeoutMs)
                    if syncs { try? c.execute("PRAGMA synchronous = FULL", context) }
                }
                return try body(c)
            }
            guard let done else { throw SQLiteFailure(code: SQLITE_BUSY, message: "the writer stayed busy", context: context) }
            return done
        }
    }

    /// How long a touch waits for another process's write lock.
    static let touchWaitMs: Int32 = 5

    /// SQLite's busy handler already waited out other writers; nothing
    /// that failed would succeed by running again at once.
    func mayRetry(_ error: any Error, after unit: UnitOfWork, attempt: Int) -> Bool { false }

    func violation(in error: any Error) -> ConstraintViolation? { (error as? SQLiteFailure)?.violation }

    func isRefusal(_ error: any Error) -> Bool { (error as? SQLiteFailure)?.isRefusal ?? false }
}
