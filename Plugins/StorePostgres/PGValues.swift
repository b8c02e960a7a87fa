// Statement parameters and results in PostgreSQL's binary format: values
// are always sent as parameters of prepared statements (never spliced into
// SQL text), and read back without text parsing.
//
// Binary formats used: int8 = 8 bytes big-endian; text = the UTF-8 bytes;
// bytea = the bytes; arrays = ndim, hasnull, element oid, (size, lower
// bound) per dimension, then (length, bytes) per element; numeric (what
// sum() of integers gives) = ndigits, weight, sign, dscale (int16 each), then
// base-10000 digits.
import CPostgres
import PluginAPI
import PluginKit

enum PGType {
    static let bool: Oid = 16
    static let bytea: Oid = 17
    static let int8: Oid = 20
    static let int4: Oid = 23
    static let text: Oid = 25
    static let byteaArray: Oid = 1001
    static let textArray: Oid = 1009
    static let int8Array: Oid = 1016
    static let numeric: Oid = 1700
}

/// The parameters of one statement execution, in order ($1, $2, ...).
/// Values are copied into one buffer, so borrowed inputs need only live
/// until the statement is sent.
struct PGParams {
    private(set) var types: [Oid] = []
    private(set) var data: [UInt8] = [0]      // never empty: empty values need a valid pointer
    private(set) var offsets: [Int] = []
    private(set) var lengths: [Int32] = []
    private(set) var nulls: [Bool] = []

    init() {}

    var count: Int { types.count }

    private mutating func append(_ type: Oid, _ bytes: UnsafeRawBufferPointer?) {
        types.append(type)
        offsets.append(data.count)
        guard let bytes else {
            lengths.append(0)
            nulls.append(true)
            return
        }
        data.append(contentsOf: bytes)
        lengths.append(Int32(bytes.count))
        nulls.append(false)
    }

    mutating func null(_ type: Oid) { append(type, nil) }

    // MARK: text

    mutating func text(_ s: proteus_str) {
        guard s.ptr != nil else { return null(PGType.text) }
        append(PGType.text, s.buffer)
    }

    mutating func text(_ s: String?) {
        guard var s else { return null(PGType.text) }
        s.withUTF8 { append(PGType.text, UnsafeRawBufferPointer($0)) }
    }

    // MARK: bytea

    mutating func bytes(_ b: proteus_bytes) {
        guard b.ptr != nil else { return null(PGType.bytea) }
        append(PGType.bytea, b.buffer)
    }

    mutating func bytes(_ b: [UInt8]?) {
        guard let b else { return null(PGType.bytea) }
        b.withUnsafeBytes { append(PGType.bytea, $0) }
    }

    mutating func id(_ id: proteus_id) {
        var copy = id.bytes
        withUnsafeBytes(of: &copy) { append(PGType.bytea, $0) }
    }

    // MARK: integers

    mutating func int64(_ v: Int64) {
        var be = v.bigEndian
        withUnsafeBytes(of: &be) { append(PGType.int8, $0) }
    }

    // MARK: arrays

    /// A one-dimensional array parameter from its elements, already
    /// encoded as (length, bytes) each (length -1: NULL).
    mutating func array(_ arrayType: Oid, _ elementType: Oid, count: Int32, hasNull: Bool, elements: [UInt8]) {
        var out: [UInt8] = []
        out.reserveCapacity(20 + elements.count)
        func put(_ v: Int32) { withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) } }
        if count == 0 {
            put(0); put(0); put(Int32(bitPattern: elementType))
        } else {
            put(1)
            put(hasNull ? 1 : 0)
            put(Int32(bitPattern: elementType))
            put(count)
            put(1)
            out.append(contentsOf: elements)
        }
        out.withUnsafeBytes { append(arrayType, $0) }
    }

    /// text[] of borrowed strings (absent = NULL element).
    mutating func textArray(_ items: UnsafeBufferPointer<proteus_str>) {
        var elements = PGArrayElements()
        for s in items { elements.add(s.ptr == nil ? nil : s.buffer) }
        array(PGType.textArray, PGType.text, count: elements.count, hasNull: elements.hasNull, elements: elements.bytes)
    }

    /// Empties the parameters, keeping their storage for the next statement.
    mutating func removeAll() {
        types.removeAll(keepingCapacity: true)
        data.removeAll(keepingCapacity: true)
        data.append(0)
        offsets.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        nulls.removeAll(keepingCapacity: true)
    }

    /// Runs `body` with libpq's parallel arrays (values, lengths, formats).
    func withArrays<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<Int32>, UnsafePointer<Int32>) throws -> R) rethrows -> R {
        try data.withUnsafeBytes { raw in
            let base = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            var values: [UnsafePointer<CChar>?] = []
            values.reserveCapacity(count)
            for i in 0..<count { values.append(nulls[i] ? nil : base + offsets[i]) }
            let formats = [Int32](repeating: 1, count: max(count, 1))
            return try values.withUnsafeBufferPointer { v in
                try lengths.withUnsafeBufferPointer { l in
                    try formats.withUnsafeBufferPointer { f in
                        // Empty parameter lists still need non-NULL array pointers.
                        let dummy: [UnsafePointer<CChar>?] = [nil]
                        let zero: [Int32] = [0]
                        return try dummy.withUnsafeBufferPointer { d in
                            try zero.withUnsafeBufferPointer { z in
                                try body(count == 0 ? d.baseAddress! : v.baseAddress!,
                                         count == 0 ? z.baseAddress! : l.baseAddress!, f.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The elements of a one-dimensional array value, encoded as they go.
struct PGArrayElements {
    private(set) var bytes: [UInt8] = []
    private(set) var count: Int32 = 0
    private(set) var hasNull = false

    mutating func add(_ element: UnsafeRawBufferPointer?) {
        count += 1
        guard let element else {
            hasNull = true
            withUnsafeBytes(of: Int32(-1).bigEndian) { bytes.append(contentsOf: $0) }
            return
        }
        withUnsafeBytes(of: Int32(element.count).bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: element)
    }
}

/// A result set (binary format). Frees the libpq result when released.
final class PGResult {
    let handle: OpaquePointer

    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { PQclear(handle) }

    var rows: Int { Int(PQntuples(handle)) }

    /// Rows affected by an INSERT/UPDATE/DELETE.
    var affected: Int64 {
        guard let p = PQcmdTuples(handle), p.pointee != 0 else { return 0 }
        return Int64(String(cString: p)) ?? 0
    }

    var commandStatus: String { PQcmdStatus(handle).map { String(cString: $0) } ?? "" }

    func isNull(_ row: Int, _ col: Int) -> Bool { PQgetisnull(handle, Int32(row), Int32(col)) == 1 }

    /// The raw bytes of a value (empty when NULL).
    func raw(_ row: Int, _ col: Int) -> UnsafeRawBufferPointer {
        let n = Int(PQgetlength(handle, Int32(row), Int32(col)))
        guard n > 0, let p = PQgetvalue(handle, Int32(row), Int32(col)) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: p, count: n)
    }

    /// An integer of any width (int2/int4/int8), or the integer part of a
    /// numeric (sum() of bigints); 0 when NULL.
    func int64(_ row: Int, _ col: Int) -> Int64 {
        PQftype(handle, Int32(col)) == PGType.numeric ? PGResult.numericInteger(raw(row, col)) : PGResult.integer(raw(row, col))
    }

    /// The integer part of a binary numeric, clamped to Int64; 0 for NaN,
    /// infinities or a malformed value.
    static func numericInteger(_ b: UnsafeRawBufferPointer) -> Int64 {
        func int16(_ at: Int) -> Int { Int(Int16(bitPattern: UInt16(b[at]) << 8 | UInt16(b[at + 1]))) }
        guard b.count >= 8 else { return 0 }
        let ndigits = int16(0), weight = int16(2), sign = UInt16(truncatingIfNeeded: int16(4))
        guard ndigits >= 0, b.count >= 8 + 2 * ndigits, sign == 0 || sign == 0x4000 else { return 0 }
        var value: Int64 = 0
        var k = 0
        while k <= weight {
            let digit = k < ndigits ? Int64(int16(8 + 2 * k)) : 0
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10_000)
            guard !overflow, shifted <= Int64.max - digit else { return sign == 0 ? .max : .min }
            value = shifted + digit
            k += 1
        }
        return sign == 0 ? value : -value
    }

    static func integer(_ b: UnsafeRawBufferPointer) -> Int64 {
        var v: Int64 = 0
        for byte in b { v = (v << 8) | Int64(byte) }
        switch b.count {
        case 2: return Int64(Int16(truncatingIfNeeded: v))
        case 4: return Int64(Int32(truncatingIfNeeded: v))
        default: return v
        }
    }

    func bool(_ row: Int, _ col: Int) -> Bool { raw(row, col).first == 1 }

    func text(_ row: Int, _ col: Int) -> String? {
        if isNull(row, col) { return nil }
        return String(decoding: raw(row, col), as: UTF8.self)
    }

    func bytes(_ row: Int, _ col: Int) -> [UInt8]? {
        if isNull(row, col) { return nil }
        return Array(raw(row, col))
    }

    /// The elements of a one-dimensional text array value (nil = a NULL element).
    func texts(_ row: Int, _ col: Int) -> [String?] {
        PGResult.elements(raw(row, col)) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// The elements of a one-dimensional array value, each converted as it
    /// is read (one array allocated).
    static func elements<T>(_ b: UnsafeRawBufferPointer, _ convert: (UnsafeRawBufferPointer?) -> T) -> [T] {
        guard b.count >= 12 else { return [] }
        var at = 0
        func int32() -> Int32? {
            guard at + 4 <= b.count else { return nil }
            var v: UInt32 = 0
            for i in 0..<4 { v = (v << 8) | UInt32(b[at + i]) }
            at += 4
            return Int32(bitPattern: v)
        }
        guard let ndim = int32(), ndim >= 0, int32() != nil, int32() != nil else { return [] }
        if ndim == 0 { return [] }
        var total = 1
        for _ in 0..<ndim {
            guard let size = int32(), int32() != nil else { return [] }
            total = total.multipliedReportingOverflow(by: Int(max(size, 0))).partialValue
        }
        var out: [T] = []
        out.reserveCapacity(min(total, b.count / 4))   // every element takes 4 bytes at least
        for _ in 0..<total {
            guard let len = int32() else { break }
            if len < 0 { out.append(convert(nil)); continue }
            guard at + Int(len) <= b.count else { break }
            out.append(convert(UnsafeRawBufferPointer(rebasing: b[at..<(at + Int(len))])))
            at += Int(len)
        }
        return out
    }
}
