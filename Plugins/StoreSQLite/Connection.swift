// A thin, safe wrapper over one sqlite3 connection: opening, pragmas,
// transactions and a cache of prepared statements. A Connection is used by
// one thread at a time (the store's writer lock or reader pool guarantees it),
// so it is opened with SQLITE_OPEN_NOMUTEX.
import CSQLite
import Glibc
import PluginAPI
import PluginKit
import StoreCore

final class Connection: StoreConnection {
    let db: OpaquePointer
    let path: String
    private var cache: [String: Statement] = [:]
    /// Dynamic statements (search, update masks) are cached too, up to this many.
    private static let cacheLimit = 256

    /// Opens `path`. `create`: allow SQLite to create the file.
    init(path: String, create: Bool) throws(SQLiteFailure) {
        var handle: OpaquePointer?
        var flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        if create { flags |= SQLITE_OPEN_CREATE }
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            if let handle { sqlite3_close_v2(handle) }
            throw SQLiteFailure(code: rc, message: message, context: "opening the database")
        }
        sqlite3_extended_result_codes(handle, 1)
        self.db = handle
        self.path = path
    }

    deinit { close() }

    private var closed = false

    /// Finalizes every cached statement and closes the connection.
    func close() {
        guard !closed else { return }
        closed = true
        for statement in cache.values { statement.finalize() }
        cache.removeAll()
        sqlite3_close_v2(db)
    }

    func failure(_ rc: Int32, _ context: String) -> SQLiteFailure {
        SQLiteFailure(code: sqlite3_extended_errcode(db) != 0 ? sqlite3_extended_errcode(db) : rc,
                      message: String(cString: sqlite3_errmsg(db)), context: context)
    }

    /// Runs SQL without values (pragmas, DDL, BEGIN/COMMIT). Never pass
    /// text built from input here.
    func execute(_ sql: String, _ context: String) throws(SQLiteFailure) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(message)
            let code = sqlite3_extended_errcode(db)
            throw SQLiteFailure(code: code != 0 && (code & 0xFF) == (rc & 0xFF) ? code : rc, message: text, context: context)
        }
    }

    /// A cached prepared statement for `sql` (reset and without bindings).
    func statement(_ sql: String) throws(SQLiteFailure) -> Statement {
        if let cached = cache[sql] { return cached }
        var handle: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard rc == SQLITE_OK, let handle else {
            throw failure(rc, "preparing a statement")
        }
        let statement = Statement(handle: handle, connection: self)
        if cache.count >= Self.cacheLimit {
            // Evict one entry not in use; fixed statements are re-prepared cheaply.
            if let victim = cache.first(where: { !$0.value.inUse }) {
                victim.value.finalize()
                cache.removeValue(forKey: victim.key)
            }
        }
        cache[sql] = statement
        return statement
    }

    /// Runs `body` with the statement for `sql`, then resets it and clears
    /// its bindings (borrowed input buffers are bound without copying and
    /// must not stay bound after the call).
    @inline(__always)
    func withStatement<R>(_ sql: String, _ context: String, _ body: (Statement) throws -> R) throws -> R {
        let s = try statement(sql)
        let outer = (s.inUse, s.context)
        s.inUse = true
        s.context = context
        defer {
            s.reset()
            (s.inUse, s.context) = outer
        }
        return try body(s)
    }

    func with<R>(_ sql: String, _ context: String, _ body: (any StoreStatement) throws -> R) throws -> R {
        try withStatement(sql, context) { try body($0) }
    }

    /// One execution per item, on the same prepared statement.
    func batch(_ sql: String, count: Int, _ context: String, _ bind: (any StoreValues, Int) -> Void) throws {
        try withStatement(sql, context) { s in
            for i in 0..<count {
                bind(s, i)
                do {
                    _ = try s.run()
                } catch var f as SQLiteFailure {
                    f.item = i
                    throw f
                }
                s.reset()
            }
        }
    }

    /// A single integer result of a query without values (pragmas, counts).
    func scalar(_ sql: String, _ context: String) throws -> Int64 {
        try withStatement(sql, context) { s in try s.step() ? s.int64(0) : 0 }
    }

    var changes: Int64 { Int64(sqlite3_changes64(db)) }
    var inTransaction: Bool { sqlite3_get_autocommit(db) == 0 }

    /// The busy timeout now in force (what `PRAGMA busy_timeout` would
    /// report for SQLite's own handler).
    private(set) var busyTimeoutMs: Int32 = 0

    /// Waits up to `milliseconds` for another process's lock. SQLite's own
    /// busy_timeout handler sleeps 25-100 ms between tries after the first
    /// few, so a writer blocked by another worker process for 1 ms could
    /// wait 100: this one polls every 0.1 ms growing to 2 ms.
    func setBusyTimeout(_ milliseconds: Int32) {
        busyTimeoutMs = max(0, milliseconds)
        sqlite3_busy_handler(db, shortSleepBusyHandler, UnsafeMutableRawPointer(bitPattern: Int(busyTimeoutMs)))
    }

    /// BEGIN [IMMEDIATE] ... COMMIT around `body`; ROLLBACK when it throws.
    /// (Prepared once and cached: sqlite3_exec would compile them every time.)
    func transaction<R>(immediate: Bool, _ context: String, _ body: () throws -> R) throws -> R {
        try withStatement(immediate ? "BEGIN IMMEDIATE" : "BEGIN", context) { _ = try $0.run() }
        do {
            let result = try body()
            try withStatement("COMMIT", context) { _ = try $0.run() }
            return result
        } catch {
            if inTransaction { _ = try? withStatement("ROLLBACK", context) { try $0.run() } }
            throw error
        }
    }
}

/// SQLite's busy handler: sleep before try `count + 1` (0.1 ms doubling up
/// to 2 ms); give up (BUSY) once the sleeps add up to the timeout, which
/// travels in the context pointer (milliseconds; nil = 0).
private func shortSleepBusyHandler(_ context: UnsafeMutableRawPointer?, _ count: Int32) -> Int32 {
    let timeoutMicros = Int64(Int(bitPattern: context)) * 1000
    func delay(_ n: Int64) -> Int64 { n >= 5 ? 2000 : min(100 << n, 2000) }
    // Slept so far: the first five delays (100 + 200 + 400 + 800 + 1600), then 2 ms each.
    let n = Int64(count)
    let slept = n <= 5 ? (0..<n).reduce(0) { $0 + delay($1) } : 3100 + (n - 5) * 2000
    guard slept < timeoutMicros else { return 0 }
    usleep(UInt32(min(delay(n), timeoutMicros - slept)))
    return 1
}
