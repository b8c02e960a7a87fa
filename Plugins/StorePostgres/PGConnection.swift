// One libpq connection, used by one thread at a time (the pool guarantees
// it). Statements are prepared once per connection (PQprepare) and run with
// binary parameters (PQsendQueryPrepared). Everything runs in non-blocking
// mode with poll() and a client-side deadline, so a dead or hung server
// can never block a caller past the configured timeouts: the server-side
// statement_timeout normally answers first; the client deadline (statement
// timeout + a grace period) drops the connection when nothing answers.
import CPostgres
import Glibc
import PluginKit
import StoreCore

/// What every connection of a store is opened with.
struct ConnectSettings: Sendable {
    let target: ConnectionTarget
    let url: String
    let connectTimeoutSeconds: Int
    let statementTimeoutMs: Int
    let schema: String

    /// Client-side deadline per round trip: the server's statement_timeout
    /// plus time for its answer to arrive.
    var clientDeadlineMs: Int { statementTimeoutMs + 2000 }
}

/// libpq prints notices to stderr by default; the store has no use for them.
private let ignoreNotice: PQnoticeReceiver = { _, _ in }

final class PGConnection: StoreConnection {
    private(set) var conn: OpaquePointer?
    /// The client-side deadline per round trip (settings.clientDeadlineMs).
    private lazy var deadlineMs = settings.clientDeadlineMs
    let settings: ConnectSettings
    private var prepared: [String: String] = [:]
    private var nextStatement = 0
    /// Set when the connection can no longer be used (error, timeout).
    private(set) var broken = false
    /// A read-only snapshot's BEGIN (and its settings), not sent yet: it
    /// goes with the snapshot's first statement, in one round trip.
    private var deferredBegin: [String] = []
    /// A read-only snapshot's COMMIT, sent but not answered yet: the next
    /// use of the connection reads the answer (by then it has arrived).
    private var commitInFlight = false

    /// The statement StoreCore's next `with` uses (reused, see PGStatement).
    private var spare: PGStatement?
    /// Dynamic statements (search filters, update masks) are cached too, up to this many.
    private static let cacheLimit = 512

    private init(conn: OpaquePointer, settings: ConnectSettings) {
        self.conn = conn
        self.settings = settings
    }

    deinit { close() }

    func close() {
        if let conn { PQfinish(conn) }
        conn = nil
        broken = true
    }

    /// Opens a connection and prepares the session (statement timeout,
    /// search path). Failures name the target, never the password.
    static func open(_ settings: ConnectSettings) throws -> PGConnection {
        let keywords = ["dbname", "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
                        "keepalives_count", "tcp_user_timeout", "application_name", "client_encoding"]
        let values = [settings.url, String(max(settings.connectTimeoutSeconds, 1)), "1", "5", "2", "3",
                      String(max(settings.connectTimeoutSeconds, 1) * 1000 + settings.statementTimeoutMs),
                      "proteus", "UTF8"]
        let handle: OpaquePointer? = withCStrings(keywords) { k in
            withCStrings(values) { v in PQconnectdbParams(k, v, 1) }
        }
        guard let handle else {
            throw PGFailure(kind: .connection, message: "out of memory creating a connection", context: "connecting")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let raw = PQerrorMessage(handle).map { String(cString: $0) } ?? "unknown error"
            PQfinish(handle)
            throw settings.target.connectFailure(raw)
        }
        PQsetNoticeReceiver(handle, ignoreNotice, nil)
        guard PQsetnonblocking(handle, 1) == 0 else {
            PQfinish(handle)
            throw PGFailure(kind: .connection, message: "cannot switch the connection to non-blocking mode", context: "connecting")
        }
        let c = PGConnection(conn: handle, settings: settings)
        // Session settings: identifiers and numbers from validated options, no input values.
        // Generic plans: every statement outside a snapshot has the plan its
        // text fixes (lookups by key, a counted search page), and re-planning
        // each execution was a quarter of the database's time in the SCIM
        // search bench; snapshots of value-dependent searches set auto.
        // No JIT: the counting triggers' statements (schema 3, 7) are
        // estimated costly enough to be compiled, which took 200-300 ms per
        // statement; a directory's short statements never gain from it.
        // No parallel workers, for the same reason: starting them took 5 ms
        // of a 0.3 ms search (a generic plan of a substring's grams with a
        // role, estimated at 35,000 candidates).
        let idleTimeout = max(settings.statementTimeoutMs * 2, 10_000)
        try c.simple("""
            SET statement_timeout = \(settings.statementTimeoutMs); \
            SET lock_timeout = \(settings.statementTimeoutMs); \
            SET idle_in_transaction_session_timeout = \(idleTimeout); \
            SET search_path = \(quoteIdentifier(settings.schema)); \
            SET synchronous_commit = on; \
            SET plan_cache_mode = force_generic_plan; \
            SET jit = off; \
            SET max_parallel_workers_per_gather = 0
            """, "preparing the session")
        return c
    }

    // MARK: running statements

    /// A prepared statement for `sql` (prepared on first use on this connection).
    private func statementName(_ sql: String, _ types: [Oid], _ context: String) throws -> String {
        if let name = prepared[sql] { return name }
        if prepared.count >= Self.cacheLimit {
            // Forget everything: the fixed statements are re-prepared cheaply.
            try simple("DEALLOCATE ALL", "clearing prepared statements")
            prepared.removeAll()
        }
        nextStatement += 1
        let name = "p\(nextStatement)"
        let sent = types.withUnsafeBufferPointer { t in
            PQsendPrepare(conn, name, sql, Int32(types.count), types.isEmpty ? nil : t.baseAddress)
        }
        _ = try finish(sent, context)
        prepared[sql] = name
        return name
    }

    /// Runs one prepared statement with `params`; returns its result
    /// (binary format).
    @discardableResult
    func execute(_ sql: String, _ params: PGParams = PGParams(), _ context: @autoclosure () -> String) throws -> PGResult {
        guard !broken, conn != nil else { throw PGFailure(kind: .connection, message: "the connection is closed", context: context()) }
        try settleCommit(context())
        if !deferredBegin.isEmpty { return try executeAfterBegin(sql, params, context()) }
        let name = try statementName(sql, params.types, context())
        let sent = params.withArrays { values, lengths, formats in
            PQsendQueryPrepared(conn, name, Int32(params.count), values, lengths, formats, 1)
        }
        return try finish(sent, context())
    }

    /// StoreCore's statements (StoreConnection): prepared once per
    /// connection, values sent as binary parameters.
    func with<R>(_ sql: String, _ context: String, _ body: (any StoreStatement) throws -> R) throws -> R {
        let s = spare ?? PGStatement(connection: self)
        spare = nil
        s.start(sql, context)
        defer {
            s.finish()
            spare = s
        }
        return try body(s)
    }

    /// A batch is one statement over array parameters (PGBatchValues).
    func batch(_ sql: String, count: Int, _ context: String, _ bind: (any StoreValues, Int) -> Void) throws {
        let values = PGBatchValues()
        for i in 0..<count {
            values.startItem()
            bind(values, i)
        }
        try execute(sql, values.params, context)
    }

    /// Runs SQL without parameters through the simple protocol (session
    /// settings, BEGIN/COMMIT, DDL). Never pass text built from input here.
    @discardableResult
    func simple(_ sql: String, _ context: @autoclosure () -> String) throws -> PGResult {
        guard !broken, conn != nil else { throw PGFailure(kind: .connection, message: "the connection is closed", context: context()) }
        try settleCommit(context())
        // A deferred BEGIN goes first, in the same round trip.
        let text = deferredBegin.isEmpty ? sql : (deferredBegin + [sql]).joined(separator: "; ")
        deferredBegin = []
        return try finish(PQsendQuery(conn, text), context())
    }

    /// The snapshot's deferred BEGIN, then `sql`, in one round trip: libpq's
    /// pipeline mode (BEGIN, its settings, the statement's PREPARE on first
    /// use, the statement, one Sync). Returns the statement's result.
    private func executeAfterBegin(_ sql: String, _ params: PGParams, _ context: String) throws -> PGResult {
        let begin = deferredBegin
        deferredBegin = []
        if prepared[sql] == nil && prepared.count >= Self.cacheLimit {
            try simple((begin + ["DEALLOCATE ALL"]).joined(separator: "; "), context)
            prepared.removeAll()
            return try execute(sql, params, context)
        }
        guard PQenterPipelineMode(conn) == 1 else { throw connectionFailure(context) }
        var queries = 0
        for command in begin {
            guard PQsendQueryParams(conn, command, 0, nil, nil, nil, nil, 1) == 1 else { throw connectionFailure(context) }
            queries += 1
        }
        let known = prepared[sql]
        let name = known ?? "p\(nextStatement + 1)"
        if known == nil {
            let sent = params.types.withUnsafeBufferPointer { t in
                PQsendPrepare(conn, name, sql, Int32(params.count), params.types.isEmpty ? nil : t.baseAddress)
            }
            guard sent == 1 else { throw connectionFailure(context) }
            queries += 1
        }
        let sent = params.withArrays { values, lengths, formats in
            PQsendQueryPrepared(conn, name, Int32(params.count), values, lengths, formats, 1)
        }
        guard sent == 1, PQpipelineSync(conn) == 1 else { throw connectionFailure(context) }
        queries += 1
        let result = try finish(1, context, queries: queries)
        if known == nil {
            nextStatement += 1
            prepared[sql] = name
        }
        return result
    }

    /// Reads the answer to a COMMIT sent unanswered (transaction): a
    /// snapshot's reads were answered before it was sent and a touch's
    /// outcome is not awaited, so a failure here only says whether the
    /// connection can go on.
    private func settleCommit(_ context: @autoclosure () -> String) throws {
        guard commitInFlight else { return }
        commitInFlight = false
        _ = try? finish(1, "ending a transaction")
        if broken { throw PGFailure(kind: .connection, message: "the connection broke", context: context()) }
    }

    /// Runs `body` with `ms` as the client-side deadline of each round trip
    /// (a schema migration, which runs without statement_timeout).
    func withDeadline<R>(ms: Int, _ body: () throws -> R) rethrows -> R {
        let saved = deadlineMs
        deadlineMs = ms
        defer { deadlineMs = saved }
        return try body()
    }

    /// Flushes what was sent and collects the results within the deadline:
    /// of one query, or in pipeline mode of `queries` queries and their
    /// Sync (then leaves pipeline mode). Returns the last query's last
    /// result; throws the first error.
    private func finish(_ sent: Int32, _ context: String, queries: Int? = nil) throws -> PGResult {
        guard sent == 1 else { throw connectionFailure(context) }
        let deadline = Monotonic.now() + Int64(deadlineMs) * 1_000_000
        try flush(until: deadline, context)
        var failure: PGFailure?
        var last: PGResult?
        /// The next result, once it has arrived.
        func next() throws -> OpaquePointer? {
            while PQisBusy(conn) == 1 {
                _ = try wait(for: Int16(POLLIN), until: deadline, context)
                if PQconsumeInput(conn) == 0 { throw connectionFailure(context) }
            }
            return PQgetResult(conn)
        }
        for _ in 0..<(queries ?? 1) {
            // One query's results end with NULL.
            while let r = try next() {
                let result = PGResult(r)
                switch PQresultStatus(r) {
                case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
                    last = result
                case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR, PGRES_BAD_RESPONSE:
                    if failure == nil { failure = serverFailure(result, context) }
                case PGRES_PIPELINE_ABORTED:
                    break   // after the failure already kept
                default:
                    if failure == nil {
                        failure = PGFailure(kind: .server, sqlState: "XX000", message: "unexpected result status \(PQresultStatus(r).rawValue)", context: context)
                    }
                }
            }
        }
        if queries != nil {
            guard let sync = try next(), PQresultStatus(sync) == PGRES_PIPELINE_SYNC else { throw connectionFailure(context) }
            PQclear(sync)
            guard PQexitPipelineMode(conn) == 1 else { throw connectionFailure(context) }
        }
        if PQstatus(conn) != CONNECTION_OK {
            broken = true
            throw failure.map { f in
                PGFailure(kind: .connection, sqlState: f.sqlState, message: f.message, context: context)
            } ?? connectionFailure(context)
        }
        if let failure {
            if failure.isConnectionLoss { broken = true }
            throw failure
        }
        guard let last else { throw PGFailure(kind: .server, sqlState: "XX000", message: "no result", context: context) }
        return last
    }

    /// Sends everything queued (large documents may not fit the socket buffer).
    private func flush(until deadline: Int64, _ context: String) throws {
        while true {
            let r = PQflush(conn)
            if r == 0 { return }
            if r < 0 { throw connectionFailure(context) }
            let ready = try wait(for: Int16(POLLOUT | POLLIN), until: deadline, context)
            if ready & Int16(POLLIN) != 0, PQconsumeInput(conn) == 0 { throw connectionFailure(context) }
        }
    }

    /// poll() on the connection's socket until one of `events` or the deadline.
    private func wait(for events: Int16, until deadline: Int64, _ context: String) throws -> Int16 {
        let fd = PQsocket(conn)
        guard fd >= 0 else { throw connectionFailure(context) }
        while true {
            let remaining = deadline - Monotonic.now()
            if remaining <= 0 {
                // Nothing answered: this connection's state is unknown; drop it.
                close()
                throw PGFailure(kind: .timeout, message: "no answer within \(deadlineMs) ms", context: context)
            }
            var p = pollfd(fd: fd, events: events, revents: 0)
            let n = poll(&p, 1, Int32(min(remaining / 1_000_000 + 1, 1000)))
            if n > 0 { return p.revents }
            if n < 0 && errno != EINTR { throw connectionFailure(context) }
        }
    }

    private func connectionFailure(_ context: String) -> PGFailure {
        broken = true
        let raw = conn.flatMap { PQerrorMessage($0) }.map { String(cString: $0) } ?? "the connection is closed"
        return PGFailure(kind: .connection, message: settings.target.scrub(ConnectionTarget.tidy(raw)), context: context)
    }

    private func serverFailure(_ result: PGResult, _ context: String) -> PGFailure {
        func field(_ code: Character) -> String? {
            PQresultErrorField(result.handle, Int32(code.asciiValue!)).map { String(cString: $0) }
        }
        let message = field("M") ?? PQresultErrorMessage(result.handle).map { String(cString: $0) } ?? "unknown error"
        return PGFailure(kind: .server, sqlState: field("C") ?? "XX000", message: settings.target.scrub(message),
                         detail: field("D").map { settings.target.scrub($0) }, constraint: field("n"), context: context)
    }

    // MARK: transactions

    /// BEGIN ... COMMIT around `body`; ROLLBACK when it throws. A COMMIT the
    /// server turned into a rollback is a failure too.
    ///
    /// `pipelined` (a transaction whose outcome nobody waits for: a
    /// snapshot that writes nothing, a best-effort touch): BEGIN goes with
    /// the first statement, and COMMIT is sent without waiting for its
    /// answer (read on the connection's next use), so the transaction costs
    /// no round trip of its own; a body that runs nothing opens none.
    func transaction<R>(_ begin: String = "BEGIN", pipelined: Bool = false, _ context: String, _ body: () throws -> R) throws -> R {
        if pipelined {
            try settleCommit(context)
            // One command each: pipeline mode sends no multi-command text.
            deferredBegin = begin.split(separator: ";").map { String($0.drop { $0 == " " }) }
        } else {
            try simple(begin, context)
        }
        do {
            let result = try body()
            if pipelined {
                if !deferredBegin.isEmpty {
                    deferredBegin = []
                    return result
                }
                guard PQsendQuery(conn, "COMMIT") == 1 else { throw connectionFailure(context) }
                try flush(until: Monotonic.now() + Int64(deadlineMs) * 1_000_000, context)
                commitInFlight = true
                return result
            }
            let commit = try simple("COMMIT", context)
            guard commit.commandStatus == "COMMIT" else {
                throw PGFailure(kind: .server, sqlState: "40000", message: "the transaction was rolled back", context: context)
            }
            return result
        } catch {
            deferredBegin = []
            if !broken, conn != nil, PQtransactionStatus(conn) != PQTRANS_IDLE {
                do { try simple("ROLLBACK", context) } catch { close() }
            }
            throw error
        }
    }

    /// True when the connection can be lent out: open, idle, outside a
    /// transaction, and nothing arrived on it unasked (a server that shut
    /// down sends an error and closes the socket).
    var isHealthy: Bool {
        if commitInFlight { try? settleCommit("lending a connection") }
        guard !broken, let conn, PQstatus(conn) == CONNECTION_OK, PQtransactionStatus(conn) == PQTRANS_IDLE else { return false }
        var p = pollfd(fd: PQsocket(conn), events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) == 0
    }
}

/// A double-quoted SQL identifier (options are validated before use too).
func quoteIdentifier(_ name: String) -> String {
    "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
}

/// Monotonic clock in nanoseconds.
enum Monotonic {
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

/// Runs `body` with a NULL-terminated array of C strings.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { for c in copies { free(c) } }
    var pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
