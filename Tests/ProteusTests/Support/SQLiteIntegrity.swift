// `PRAGMA integrity_check` (and foreign_key_check) of a SQLite file from the
// test process, through Debian's libsqlite3 loaded with dlopen: the test
// target links no plugin code and needs no sqlite3 CLI. Opening the file
// read-write lets SQLite recover a WAL left behind by a killed writer,
// exactly as the store would.
import Glibc

enum SQLiteIntegrity {
    private typealias OpenFn = @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<OpaquePointer?>?, Int32, UnsafePointer<CChar>?) -> Int32
    private typealias PrepareFn = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32, UnsafeMutablePointer<OpaquePointer?>?, UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32
    private typealias StepFn = @convention(c) (OpaquePointer?) -> Int32
    private typealias ColumnTextFn = @convention(c) (OpaquePointer?, Int32) -> UnsafePointer<UInt8>?
    private typealias FinalizeFn = @convention(c) (OpaquePointer?) -> Int32
    private typealias CloseFn = @convention(c) (OpaquePointer?) -> Int32
    private typealias BusyFn = @convention(c) (OpaquePointer?, Int32) -> Int32
    nonisolated(unsafe) private static let library = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_LOCAL)

    private static func symbol<T>(_ name: String, _: T.Type) -> T {
        unsafeBitCast(dlsym(library, name), to: T.self)
    }

    /// Every row of `sql` (first column), or nil with a reason.
    static func query(_ path: String, _ sql: String) -> Result<[String], TestFailure> {
        guard library != nil else { return .failure(TestFailure("libsqlite3.so.0 cannot be loaded")) }
        var db: OpaquePointer?
        let SQLITE_OPEN_READWRITE: Int32 = 0x2
        guard symbol("sqlite3_open_v2", OpenFn.self)(path, &db, SQLITE_OPEN_READWRITE, nil) == 0 else {
            _ = symbol("sqlite3_close", CloseFn.self)(db)
            return .failure(TestFailure("cannot open \(path)"))
        }
        defer { _ = symbol("sqlite3_close", CloseFn.self)(db) }
        _ = symbol("sqlite3_busy_timeout", BusyFn.self)(db, 5000)
        var statement: OpaquePointer?
        guard symbol("sqlite3_prepare_v2", PrepareFn.self)(db, sql, -1, &statement, nil) == 0 else {
            return .failure(TestFailure("cannot prepare \(sql)"))
        }
        defer { _ = symbol("sqlite3_finalize", FinalizeFn.self)(statement) }
        var rows: [String] = []
        while true {
            let rc = symbol("sqlite3_step", StepFn.self)(statement)
            if rc == 100 /* SQLITE_ROW */ {
                let text = symbol("sqlite3_column_text", ColumnTextFn.self)(statement, 0)
                rows.append(text.map { String(cString: $0) } ?? "NULL")
            } else if rc == 101 /* SQLITE_DONE */ {
                return .success(rows)
            } else {
                return .failure(TestFailure("\(sql) failed with SQLite code \(rc)"))
            }
        }
    }

    /// "ok" when the database passes integrity_check and has no foreign-key
    /// violations; otherwise what SQLite reported.
    static func check(_ path: String) -> String {
        switch query(path, "PRAGMA integrity_check") {
        case .failure(let e): return e.description
        case .success(let rows) where rows != ["ok"]: return rows.joined(separator: "\n")
        case .success: break
        }
        switch query(path, "PRAGMA foreign_key_check") {
        case .failure(let e): return e.description
        case .success(let rows) where !rows.isEmpty: return "foreign_key_check: " + rows.joined(separator: ", ")
        case .success: return "ok"
        }
    }
}
