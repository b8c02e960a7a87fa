// A prepared statement: typed binding of borrowed ABI values and typed
// column reads. Values are always bound, never spliced into SQL text.
import CSQLite
import PluginAPI
import PluginKit

final class Statement {
    let handle: OpaquePointer
    unowned let connection: Connection
    private var finalized = false
    /// Inside Connection.with: never evicted from the cache meanwhile.
    var inUse = false

    init(handle: OpaquePointer, connection: Connection) {
        self.handle = handle
        self.connection = connection
    }

    func finalize() {
        guard !finalized else { return }
        finalized = true
        sqlite3_finalize(handle)
    }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: binding (1-based indexes)

    func bind(_ i: Int32, _ value: Int64) { sqlite3_bind_int64(handle, i, value) }
    func bind(_ i: Int32, _ value: Int) { sqlite3_bind_int64(handle, i, Int64(value)) }
    func bind(_ i: Int32, _ value: UInt64) { sqlite3_bind_int64(handle, i, Int64(bitPattern: value)) }
    func bind(_ i: Int32, _ value: UInt32) { sqlite3_bind_int64(handle, i, Int64(value)) }
    func bindNull(_ i: Int32) { sqlite3_bind_null(handle, i) }

    /// Borrowed text (NULL when absent). The caller's buffer must stay valid
    /// until the statement is reset, which `Connection.with` guarantees
    /// within an ABI call.
    func bind(_ i: Int32, _ text: proteus_str) {
        guard let p = text.ptr else { sqlite3_bind_null(handle, i); return }
        sqlite3_bind_text64(handle, i, p, sqlite3_uint64(text.len), nil, UInt8(SQLITE_UTF8))
    }

    /// Borrowed bytes (NULL when absent; present-empty binds an empty blob).
    func bind(_ i: Int32, _ bytes: proteus_bytes) {
        guard let p = bytes.ptr else { sqlite3_bind_null(handle, i); return }
        if bytes.len == 0 { sqlite3_bind_zeroblob(handle, i, 0); return }
        sqlite3_bind_blob64(handle, i, p, sqlite3_uint64(bytes.len), nil)
    }

    /// A Swift string, copied.
    func bind(_ i: Int32, _ text: String?) {
        guard var text else { sqlite3_bind_null(handle, i); return }
        text.withUTF8 { u in
            if u.isEmpty {
                _ = sqlite3_bind_text64(handle, i, "", 0, sqliteTransient, UInt8(SQLITE_UTF8))
                return
            }
            _ = u.withMemoryRebound(to: CChar.self) {
                sqlite3_bind_text64(handle, i, $0.baseAddress, sqlite3_uint64($0.count), sqliteTransient, UInt8(SQLITE_UTF8))
            }
        }
    }

    /// A 16-byte id as a blob, copied.
    func bind(_ i: Int32, _ id: proteus_id) {
        var copy = id.bytes
        withUnsafeBytes(of: &copy) { raw in
            _ = sqlite3_bind_blob64(handle, i, raw.baseAddress, 16, sqliteTransient)
        }
    }

    /// UTF-8 bytes as text, copied.
    func bind(_ i: Int32, text bytes: [UInt8]) {
        if bytes.isEmpty {
            sqlite3_bind_text64(handle, i, "", 0, sqliteTransient, UInt8(SQLITE_UTF8))
            return
        }
        bytes.withUnsafeBytes { raw in
            _ = sqlite3_bind_text64(handle, i, raw.baseAddress!.assumingMemoryBound(to: CChar.self),
                                    sqlite3_uint64(raw.count), sqliteTransient, UInt8(SQLITE_UTF8))
        }
    }

    func bind(_ i: Int32, blob: [UInt8]?) {
        guard let blob else { sqlite3_bind_null(handle, i); return }
        if blob.isEmpty { sqlite3_bind_zeroblob(handle, i, 0); return }
        blob.withUnsafeBytes { raw in
            _ = sqlite3_bind_blob64(handle, i, raw.baseAddress, sqlite3_uint64(raw.count), sqliteTransient)
        }
    }

    // MARK: stepping

    /// Advances; true when a row is available, false when done.
    func step(_ context: @autoclosure () -> String) throws(SQLiteFailure) -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw connection.failure(rc, context())
    }

    /// Runs a statement that returns no rows.
    func run(_ context: @autoclosure () -> String) throws(SQLiteFailure) {
        while try step(context()) {}
    }

    // MARK: columns (0-based)

    func isNull(_ c: Int32) -> Bool { sqlite3_column_type(handle, c) == SQLITE_NULL }
    func int64(_ c: Int32) -> Int64 { sqlite3_column_int64(handle, c) }

    func text(_ c: Int32) -> String? {
        guard sqlite3_column_type(handle, c) != SQLITE_NULL else { return nil }
        guard let p = sqlite3_column_text(handle, c) else { return "" }
        let n = Int(sqlite3_column_bytes(handle, c))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    func blob(_ c: Int32) -> [UInt8]? {
        guard sqlite3_column_type(handle, c) != SQLITE_NULL else { return nil }
        let n = Int(sqlite3_column_bytes(handle, c))
        guard n > 0, let p = sqlite3_column_blob(handle, c) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    /// A 16-byte id column (nil when NULL or not 16 bytes).
    func id(_ c: Int32) -> [UInt8]? {
        guard let b = blob(c), b.count == 16 else { return nil }
        return b
    }
}
