// One store instance: its options, its connection pool and the host
// services it was given. Operations live in the *Operations.swift files as
// extensions; every one of them is safe to call from many threads at once,
// and from several processes or hosts sharing one database.
import CPostgres
import PluginAPI
import PluginKit

final class PostgresStore: StoreOperations, @unchecked Sendable {
    let host: Host
    let options: StoreOptions
    let target: ConnectionTarget
    let pool: ConnectionPool

    init(host: UnsafePointer<proteus_host_api>, options pluginOptions: PluginOptions) throws(PluginError) {
        guard PQisthreadsafe() == 1 else {
            throw .internal("the linked libpq was built without thread safety")
        }
        self.host = Host(host)
        let options = try StoreOptions.parse(pluginOptions)
        self.options = options
        let target = try ConnectionTarget.parse(options.url, source: options.urlSource)
        self.target = target
        let settings = ConnectSettings(target: target, url: options.url, connectTimeoutSeconds: options.connectTimeoutSeconds,
                                       statementTimeoutMs: options.statementTimeoutMs, schema: options.schema)
        pool = ConnectionPool(settings: settings, size: options.poolSize)
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

    /// Wall clock from the host, unix milliseconds.
    @inline(__always) func now() -> Int64 { host.nowMillis() }

    /// Where outputs of one call go.
    func arenaWriter(_ arena: OpaquePointer?) throws(PluginError) -> ArenaWriter {
        guard let arena else { throw .invalid("no arena was given for the output") }
        return ArenaWriter(host: host.api, arena: arena)
    }

    /// The store behind an instance pointer (extensions get the instance).
    static func from(_ pointer: UnsafeMutableRawPointer?) -> PostgresStore {
        StoreBox.store(pointer) as! PostgresStore
    }

    // MARK: units of work

    /// A read: `body` runs on one connection; several statements run in one
    /// REPEATABLE READ READ ONLY transaction when `snapshot` (one consistent
    /// view). Re-run once on a fresh connection when the connection broke
    /// (reads change nothing).
    func read<R>(_ context: String, snapshot: Bool = false, _ body: (PGConnection) throws -> R) throws -> R {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try pool.withConnection(context) { c in
                    if snapshot {
                        return try c.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", context) { try body(c) }
                    }
                    return try body(c)
                }
            } catch let f as PGFailure where attempt == 1 && (f.kind == .connection || f.isRetryable) && f.sqlState != "28000" {
                continue
            }
        }
    }

    /// A write: `body` runs inside BEGIN ... COMMIT (READ COMMITTED; rows
    /// that decide anything are locked with FOR UPDATE). Deadlocks and
    /// serialization failures re-run the whole transaction (nothing of a
    /// failed attempt was kept); a connection that broke before BEGIN was
    /// answered is replaced once. Any other failure rolls back and throws.
    func write<R>(_ context: String, _ body: (PGConnection) throws -> R) throws -> R {
        var attempt = 0
        while true {
            attempt += 1
            var begun = false
            do {
                return try pool.withConnection(context) { c in
                    try c.simple("BEGIN", context)
                    begun = true
                    do {
                        let result = try body(c)
                        let commit = try c.simple("COMMIT", context)
                        guard commit.commandStatus == "COMMIT" else {
                            throw PGFailure(kind: .server, sqlState: "40000", message: "the transaction was rolled back", context: context)
                        }
                        return result
                    } catch {
                        if !c.broken, let conn = c.conn, PQtransactionStatus(conn) != PQTRANS_IDLE {
                            do { try c.simple("ROLLBACK", context) } catch { c.close() }
                        }
                        throw error
                    }
                }
            } catch let f as PGFailure where f.isRetryable && attempt < 8 {
                continue
            } catch let f as PGFailure where !begun && f.kind == .connection && attempt == 1 && f.sqlState != "28000" {
                continue
            }
        }
    }
}

/// The store's input checks are PluginKit's, shared with every store.
typealias Input = StoreInput
