// A prepared statement: values bound in placeholder order (borrowed ABI
// values without copying), rows stepped, typed column reads. Values are
// always bound, never spliced into SQL text.
import CSQLite
import PluginAPI
import PluginKit
import StoreCore

/// SQLITE_TRANSIENT: SQLite copies the bound value.
let sqliteTransient = unsafeBitCast(Int(-1), to: sqlite3_destructor_type.self)

final class Statement: StoreStatement {
    let handle: OpaquePointer
    unowned let connection: Connection
    private var finalized = false
    /// Inside Connection.with: never evicted from the cache meanwhile.
    var inUse = false
    /// What the current execution is doing, for error messages.
    var context = ""
    /// The placeholder the next bind fills (1-based).
    private var next: Int32 = 1

    init(handle: OpaquePointer, connection: Connection) {
        self.handle = handle
        self.connection = connection
    }

    func finalize() {
        guard !finalized else { return }
        finalized = true
        sqlite3_finalize(handle)
    }

    /// Ready to run again, with no values bound (borrowed input buffers must
    /// not stay bound after the call).
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        next = 1
    }

    // MARK: values

    @inline(__always) private func position() -> Int32 {
        defer { next += 1 }
        return next
    }

    func bind(_ value: Int64) { sqlite3_bind_int64(handle, position(), value) }

    /// Borrowed text (NULL when absent), valid until reset.
    func bind(_ text: proteus_str) {
        let i = position()
        guard let p = text.ptr else { sqlite3_bind_null(handle, i); return }
        sqlite3_bind_text64(handle, i, p, sqlite3_uint64(text.len), nil, UInt8(SQLITE_UTF8))
    }

    /// Borrowed bytes (NULL when absent; present-empty binds an empty blob).
    func bind(_ bytes: proteus_bytes) {
        let i = position()
        guard let p = bytes.ptr else { sqlite3_bind_null(handle, i); return }
        if bytes.len == 0 { sqlite3_bind_zeroblob(handle, i, 0); return }
        sqlite3_bind_blob64(handle, i, p, sqlite3_uint64(bytes.len), nil)
    }

    /// A 16-byte id as a blob, copied.
    func bind(_ id: proteus_id) {
        let i = position()
        var copy = id.bytes
        withUnsafeBytes(of: &copy) { raw in
            _ = sqlite3_bind_blob64(handle, i, raw.baseAddress, 16, sqliteTransient)
        }
    }

    func bind(idOrNull id: proteus_id?) {
        guard let id else { sqlite3_bind_null(handle, position()); return }
        bind(id)
    }

    /// A Swift string, copied.
    func bind(text: String?) {
        let i = position()
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

    func bind(bytes: [UInt8]?) {
        let i = position()
        guard let bytes else { sqlite3_bind_null(handle, i); return }
        if bytes.isEmpty { sqlite3_bind_zeroblob(handle, i, 0); return }
        bytes.withUnsafeBytes { raw in
            _ = sqlite3_bind_blob64(handle, i, raw.baseAddress, sqlite3_uint64(raw.count), sqliteTransient)
        }
    }

    /// One placeholder per item (SQLite has no array values).
    func bind(texts: UnsafeBufferPointer<proteus_str>) {
        for t in texts { bind(t) }
    }

    // MARK: stepping

    func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw connection.failure(rc, context)
    }

    func run() throws -> Int64 {
        while try step() {}
        return connection.changes
    }

    // MARK: columns

    func isNull(_ c: Int) -> Bool { sqlite3_column_type(handle, Int32(c)) == SQLITE_NULL }
    func int64(_ c: Int) -> Int64 { sqlite3_column_int64(handle, Int32(c)) }

    func text(_ c: Int) -> String? {
        let c = Int32(c)
        guard sqlite3_column_type(handle, c) != SQLITE_NULL else { return nil }
        guard let p = sqlite3_column_text(handle, c) else { return "" }
        let n = Int(sqlite3_column_bytes(handle, c))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    func bytes(_ c: Int) -> [UInt8]? {
        let c = Int32(c)
        guard sqlite3_column_type(handle, c) != SQLITE_NULL else { return nil }
        let n = Int(sqlite3_column_bytes(handle, c))
        guard n > 0, let p = sqlite3_column_blob(handle, c) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    /// SQLite rows carry no lists (its user details are queried).
    func texts(_ c: Int) -> [String?]? { nil }
}
