// Reading an original AIOStreams database, read-only: its SQLite file
// (libsqlite3) or its PostgreSQL database (libpq).
//
// The original's schema (packages/core/src/db/migrations/0001_baseline.ts,
// the same on both databases; 0004_user_indexes.ts adds indexes only):
//
//   users(uuid TEXT PRIMARY KEY, password_hash TEXT NOT NULL,
//         config TEXT NOT NULL, config_salt TEXT NOT NULL,
//         created_at, updated_at, accessed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)
//
// uuid is crypto.randomUUID() (lowercase, dashed); the timestamps are UTC:
// SQLite's CURRENT_TIMESTAMP text ("YYYY-MM-DD HH:MM:SS"), PostgreSQL's
// `timestamp` (without time zone) as the server's session wrote it. The
// original opens SQLite in WAL mode (db/driver/sqlite.ts); its DATABASE_URI
// is `sqlite://PATH` or `postgres://...` (utils/env.ts). Other tables
// (config_profiles: saved install URLs of signed-in accounts, caches,
// analytics, usenet) are not users and are not read.
import CPostgres
import CSQLite
import Glibc
import PluginKit

/// One row of the original's users table, as text.
struct OriginalRow {
    /// Where the row is, for notes: "rowid 7" (SQLite) or "row 7" (PostgreSQL, by uuid).
    var position: String
    var uuid: String?
    var passwordHash: String?
    var config: String?
    var configSalt: String?
    var createdAt: String?
    var accessedAt: String?
}

/// The rows of a source, streamed in a stable order.
protocol OriginalSource: AnyObject {
    /// The number of rows (for progress).
    var count: Int { get }
    /// The next row, nil at the end.
    func next() throws(PluginError) -> OriginalRow?
    func close()
}

enum OriginalDatabase {
    /// Opens `source`: `postgres://…`/`postgresql://…` (a libpq URI), or a
    /// SQLite file (a path, or the original's `sqlite://PATH`).
    static func open(_ source: String) throws(PluginError) -> OriginalSource {
        if source.hasPrefix("postgres://") || source.hasPrefix("postgresql://") {
            return try PostgresOriginal(source)
        }
        var path = source
        if path.hasPrefix("sqlite://") { path.removeFirst("sqlite://".count) }
        return try SQLiteOriginal(path)
    }

    /// Milliseconds since the epoch of a timestamp as the original stores
    /// it: "YYYY-MM-DD[ T]HH:MM[:SS[.fff]]" in UTC, optionally followed by
    /// "Z" or an offset (±HH[:MM]); or a number of seconds (milliseconds
    /// when it is above 10^11). Nil for anything else.
    static func millis(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        if !b.isEmpty, b.count <= 16, b.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int64(text) {
            return n > 100_000_000_000 ? n : n * 1000
        }
        var i = 0
        func number(_ digits: Int) -> Int? {
            guard i + digits <= b.count else { return nil }
            var n = 0
            for k in i..<(i + digits) {
                guard b[k] >= 48 && b[k] <= 57 else { return nil }
                n = n * 10 + Int(b[k] - 48)
            }
            i += digits
            return n
        }
        func expect(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var hour = 0, minute = 0, second = 0, millis = 0
        if i < b.count {
            guard expect(" ") || expect("T") else { return nil }
            guard let h = number(2), expect(":"), let m = number(2), h < 24, m < 60 else { return nil }
            hour = h; minute = m
            if expect(":") {
                guard let s = number(2), s < 61 else { return nil }
                second = s
                if expect(".") {
                    var scale = 100
                    var digits = 0
                    while i < b.count, b[i] >= 48, b[i] <= 57 {
                        millis += Int(b[i] - 48) * scale
                        scale /= 10
                        digits += 1
                        i += 1
                    }
                    guard digits > 0 else { return nil }
                }
            }
        }
        var offsetMinutes = 0
        if i < b.count {
            if expect("Z") {
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let h = number(2) else { return nil }
                var m = 0
                if expect(":") { guard let mm = number(2) else { return nil }; m = mm } else if i < b.count { guard let mm = number(2) else { return nil }; m = mm }
                offsetMinutes = sign * (h * 60 + m)
            }
            guard i == b.count else { return nil }
        }
        // Days from 1970-01-01 (the proleptic Gregorian calendar).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }
}

// MARK: SQLite

final class SQLiteOriginal: OriginalSource {
    private var db: OpaquePointer?
    private var statement: OpaquePointer?
    let count: Int

    init(_ path: String) throws(PluginError) {
        var s = stat()
        guard stat(path, &s) == 0 else {
            throw PluginError.invalid("cannot read \(path): \(String(cString: strerror(errno))) (expected the original's SQLite file, e.g. data/db.sqlite, or a postgres:// URL)")
        }
        guard (s.st_mode & S_IFMT) == S_IFREG else { throw PluginError.invalid("\(path) is not a file (expected the original's SQLite file, e.g. data/db.sqlite, or a postgres:// URL)") }
        // Read-only: nothing in the original's database is ever changed.
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw PluginError.invalid("cannot open \(path) as a SQLite database: \(message)")
        }
        sqlite3_busy_timeout(db, 5000)
        var counted: OpaquePointer?
        guard sqlite3_prepare_v2(db, "SELECT count(*) FROM users", -1, &counted, nil) == SQLITE_OK else {
            let message = String(cString: sqlite3_errmsg(db))
            sqlite3_close(db)
            throw PluginError.invalid("\(path) is not an AIOStreams database (\(message))")
        }
        let rc = sqlite3_step(counted)
        let total = rc == SQLITE_ROW ? Int(sqlite3_column_int64(counted, 0)) : 0
        sqlite3_finalize(counted)
        guard rc == SQLITE_ROW else {
            let message = String(cString: sqlite3_errmsg(db))
            sqlite3_close(db)
            throw PluginError.invalid("cannot read \(path): \(message)")
        }
        count = total
        let sql = "SELECT rowid, uuid, password_hash, config, config_salt, created_at, accessed_at FROM users ORDER BY rowid"
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else {
            let message = String(cString: sqlite3_errmsg(db))
            sqlite3_close(db)
            throw PluginError.invalid("\(path) is not an AIOStreams database: its users table lacks a column (\(message))")
        }
        self.db = db
    }

    func next() throws(PluginError) -> OriginalRow? {
        guard let statement else { return nil }
        let rc = sqlite3_step(statement)
        if rc == SQLITE_DONE { return nil }
        guard rc == SQLITE_ROW else {
            throw PluginError.unavailable("reading the users table failed: \(String(cString: sqlite3_errmsg(db)))")
        }
        func text(_ column: Int32) -> String? {
            guard sqlite3_column_type(statement, column) != SQLITE_NULL, let p = sqlite3_column_text(statement, column) else { return nil }
            let length = Int(sqlite3_column_bytes(statement, column))
            return String(decoding: UnsafeBufferPointer(start: p, count: length), as: UTF8.self)
        }
        return OriginalRow(position: "rowid \(sqlite3_column_int64(statement, 0))", uuid: text(1), passwordHash: text(2),
                           config: text(3), configSalt: text(4), createdAt: text(5), accessedAt: text(6))
    }

    func close() {
        sqlite3_finalize(statement)
        statement = nil
        sqlite3_close(db)
        db = nil
    }

    deinit { close() }
}

// MARK: PostgreSQL

final class PostgresOriginal: OriginalSource {
    private var connection: OpaquePointer?
    private var buffered: [OriginalRow] = []
    private var fetched = 0
    private var finished = false
    private(set) var count = 0
    static let fetchSize = 500

    init(_ url: String) throws(PluginError) {
        guard let c = PQconnectdb(url) else { throw PluginError.unavailable("cannot connect to PostgreSQL: out of memory") }
        guard PQstatus(c) == CONNECTION_OK else {
            let message = Self.trimmed(String(cString: PQerrorMessage(c)))
            PQfinish(c)
            throw PluginError.invalid("cannot connect to the original's PostgreSQL database: \(message)")
        }
        connection = c
        do {
            // Read-only, in one snapshot; timestamps as ISO text.
            try run("SET default_transaction_read_only = on")
            try run("SET DateStyle = 'ISO, YMD'")
            try run("SET TimeZone = 'UTC'")
            try run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            let counted = try query("SELECT count(*) FROM users")
            count = Int(counted.first?.first.flatMap { $0 } ?? "0") ?? 0
            try run("""
                DECLARE aiostreams_users NO SCROLL CURSOR FOR
                SELECT uuid, password_hash, config, config_salt, created_at::text, accessed_at::text
                FROM users ORDER BY uuid
                """)
        } catch {
            close()
            throw PluginError.invalid("the PostgreSQL database is not an AIOStreams database: \(error.message)")
        }
    }

    func next() throws(PluginError) -> OriginalRow? {
        if buffered.isEmpty && !finished {
            let rows = try query("FETCH \(Self.fetchSize) FROM aiostreams_users")
            if rows.count < Self.fetchSize { finished = true }
            var batch: [OriginalRow] = []
            for r in rows {
                fetched += 1
                batch.append(OriginalRow(position: "row \(fetched)", uuid: r[0], passwordHash: r[1], config: r[2],
                                         configSalt: r[3], createdAt: r[4], accessedAt: r[5]))
            }
            buffered = batch.reversed()
        }
        return buffered.popLast()
    }

    func close() {
        if let connection { PQfinish(connection) }
        connection = nil
    }

    deinit { close() }

    private func run(_ sql: String) throws(PluginError) { _ = try query(sql) }

    /// The rows of one statement as text (nil for NULL).
    private func query(_ sql: String) throws(PluginError) -> [[String?]] {
        guard let connection else { throw PluginError.unavailable("the connection is closed") }
        guard let result = PQexec(connection, sql) else {
            throw PluginError.unavailable(Self.trimmed(String(cString: PQerrorMessage(connection))))
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            let message = Self.trimmed(String(cString: PQresultErrorMessage(result)))
            if PQstatus(connection) != CONNECTION_OK { throw PluginError.unavailable(message) }
            throw PluginError.invalid(message)
        }
        var rows: [[String?]] = []
        let columns = PQnfields(result)
        for row in 0..<PQntuples(result) {
            rows.append((0..<columns).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            })
        }
        return rows
    }

    private static func trimmed(_ s: String) -> String {
        var t = s
        while let last = t.last, last == "\n" || last == " " { t.removeLast() }
        return t
    }
}
