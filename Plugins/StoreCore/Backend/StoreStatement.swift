// One prepared statement as StoreCore drives it: values bound in
// placeholder order, then rows stepped and columns read. Each backend wraps
// its own statements (SQLite's sqlite3_stmt; PostgreSQL's prepared
// statement with binary parameters) in this shape, so the meaning of an
// operation is written once, against these calls.
import PluginAPI

/// Values for one execution, bound in placeholder order: the first call
/// binds placeholder 1 (`?1`, `$1`), the next one 2, and so on. Borrowed
/// inputs (proteus_str, proteus_bytes) must stay valid until the statement
/// is reset, which every caller inside one ABI call guarantees.
public protocol StoreValues: AnyObject {
    func bind(_ value: Int64)
    /// Text; absent binds NULL.
    func bind(_ text: proteus_str)
    /// Bytes; absent binds NULL, present and empty an empty value.
    func bind(_ bytes: proteus_bytes)
    /// A 16-byte id.
    func bind(_ id: proteus_id)
    /// A 16-byte id, or NULL for nil (a user's group).
    func bind(idOrNull id: proteus_id?)
    /// Text from Swift (copied); nil binds NULL.
    func bind(text: String?)
    /// Bytes from Swift (copied); nil binds NULL.
    func bind(bytes: [UInt8]?)
}

extension StoreValues {
    @inline(__always) public func bind(_ value: UInt64) { bind(Int64(bitPattern: value)) }
    @inline(__always) public func bind(_ value: UInt32) { bind(Int64(value)) }
    @inline(__always) public func bind(_ value: Int) { bind(Int64(value)) }
}

/// A statement during one execution: its values, then its rows.
public protocol StoreStatement: StoreValues {
    /// A list of texts: one value where the backend has array parameters
    /// (PostgreSQL: text[], one placeholder), else one value per item
    /// (SQLite: as many placeholders as items). The backend's SQL text
    /// matches its own way.
    func bind(texts: UnsafeBufferPointer<proteus_str>)

    /// Runs the statement on the first call, then advances: true while a row
    /// is available.
    func step() throws -> Bool
    /// Runs the statement to its end; the number of rows it changed.
    func run() throws -> Int64

    // Columns of the current row, 0-based.
    func isNull(_ column: Int) -> Bool
    /// An integer; 0 when NULL.
    func int64(_ column: Int) -> Int64
    func text(_ column: Int) -> String?
    /// The raw bytes of a value (of a text value too); nil when NULL.
    func bytes(_ column: Int) -> [UInt8]?
    /// A list of texts in one column (nil when NULL). Only backends whose
    /// user rows carry their roles and documents as lists have such columns
    /// (UserDetails.inRow); others answer nil.
    func texts(_ column: Int) -> [String?]?
}

extension StoreStatement {
    /// A 16-byte id column (nil when NULL or not 16 bytes long).
    public func id(_ column: Int) -> [UInt8]? {
        guard let b = bytes(column), b.count == 16 else { return nil }
        return b
    }
}
