// One execution of a prepared statement on a PGConnection, as StoreCore
// drives it (StoreStatement): values collect into binary parameters, the
// first step sends them and fetches the whole result (one round trip), and
// columns read the current row. One instance per connection is reused, so
// a statement costs no allocation of its own.
import CPostgres
import PluginAPI
import PluginKit
import StoreCore

final class PGStatement: StoreStatement {
    unowned let connection: PGConnection
    private var sql = ""
    private var context = ""
    private var params = PGParams()
    private var result: PGResult?
    private var row = -1

    init(connection: PGConnection) { self.connection = connection }

    func start(_ sql: String, _ context: String) {
        self.sql = sql
        self.context = context
    }

    /// Done: forget the values and the result (its memory goes back to libpq).
    func finish() {
        params.removeAll()
        result = nil
        row = -1
    }

    // MARK: values

    func bind(_ value: Int64) { params.int64(value) }
    func bind(_ text: proteus_str) { params.text(text) }
    func bind(_ bytes: proteus_bytes) { params.bytes(bytes) }
    func bind(_ id: proteus_id) { params.id(id) }
    func bind(idOrNull id: proteus_id?) {
        if let id { params.id(id) } else { params.null(PGType.bytea) }
    }
    func bind(text: String?) { params.text(text) }
    func bind(bytes: [UInt8]?) { params.bytes(bytes) }
    /// One text[] parameter.
    func bind(texts: UnsafeBufferPointer<proteus_str>) { params.textArray(texts) }

    // MARK: running

    private func executed() throws -> PGResult {
        if let result { return result }
        let r = try connection.execute(sql, params, context)
        result = r
        return r
    }

    func step() throws -> Bool {
        let r = try executed()
        row += 1
        return row < r.rows
    }

    func run() throws -> Int64 { try executed().affected }

    // MARK: columns of the current row

    /// The result while a row is current.
    private var current: PGResult? {
        guard let result, row >= 0, row < result.rows else { return nil }
        return result
    }

    func isNull(_ c: Int) -> Bool { current?.isNull(row, c) ?? true }
    func int64(_ c: Int) -> Int64 { current?.int64(row, c) ?? 0 }
    func text(_ c: Int) -> String? { current?.text(row, c) }
    func bytes(_ c: Int) -> [UInt8]? { current?.bytes(row, c) }

    func texts(_ c: Int) -> [String?]? {
        guard let r = current, !r.isNull(row, c) else { return nil }
        return r.texts(row, c)
    }
}

/// The values of a batch (StoreConnection.batch): placeholder k of every
/// item goes into array parameter k, one element per item, so the whole
/// batch is one statement whose SQL unnests the arrays.
final class PGBatchValues: StoreValues {
    private struct Column {
        let arrayType: Oid
        let elementType: Oid
        var elements = PGArrayElements()
    }

    private var columns: [Column] = []
    private var position = 0

    /// The next item's values start at placeholder 1 again.
    func startItem() { position = 0 }

    private func add(_ elementType: Oid, _ arrayType: Oid, _ element: UnsafeRawBufferPointer?) {
        if position == columns.count { columns.append(Column(arrayType: arrayType, elementType: elementType)) }
        columns[position].elements.add(element)
        position += 1
    }

    func bind(_ value: Int64) {
        withUnsafeBytes(of: value.bigEndian) { add(PGType.int8, PGType.int8Array, $0) }
    }
    func bind(_ text: proteus_str) { add(PGType.text, PGType.textArray, text.ptr == nil ? nil : text.buffer) }
    func bind(_ bytes: proteus_bytes) { add(PGType.bytea, PGType.byteaArray, bytes.ptr == nil ? nil : bytes.buffer) }
    func bind(_ id: proteus_id) {
        withUnsafeBytes(of: id.bytes) { add(PGType.bytea, PGType.byteaArray, $0) }
    }
    func bind(idOrNull id: proteus_id?) {
        guard let id else { add(PGType.bytea, PGType.byteaArray, nil); return }
        bind(id)
    }
    func bind(text: String?) {
        guard var text else { add(PGType.text, PGType.textArray, nil); return }
        text.withUTF8 { add(PGType.text, PGType.textArray, UnsafeRawBufferPointer($0)) }
    }
    func bind(bytes: [UInt8]?) {
        guard let bytes else { add(PGType.bytea, PGType.byteaArray, nil); return }
        bytes.withUnsafeBytes { add(PGType.bytea, PGType.byteaArray, $0) }
    }

    /// One array parameter per placeholder.
    var params: PGParams {
        var p = PGParams()
        for c in columns {
            p.array(c.arrayType, c.elementType, count: c.elements.count, hasNull: c.elements.hasNull, elements: c.elements.bytes)
        }
        return p
    }
}
