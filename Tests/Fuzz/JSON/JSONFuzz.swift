// Fuzz target: ProteusJSON, the strict RFC 8259 parser every request body
// and config file goes through, and its serialiser.
//
// Input: the document bytes.
//
// Checked: no crash, over-read or leak; the error offset lies within the
// input; accept/reject and the parsed value agree with a small recursive
// reference parser written from RFC 8259 (so the parser accepts nothing
// the grammar refuses and refuses nothing it allows, e.g. lone surrogate
// escapes, overlong UTF-8, leading zeros); an accepted document is UTF-8;
// the compact serialisation parses back to an equal value and re-serialises
// to the same bytes; pretty and sorted-key serialisations parse back equal;
// maxDepth accepts exactly the documents no deeper than it; and every
// number's accessors agree (int64/uint64 imply isInteger and the same
// Double; JavaScript formatting of the Double round-trips).
import FuzzSupport
import ProteusJSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let parsed: JSONValue
    do {
        parsed = try JSONParser.parse(input)
    } catch {
        fuzzCheck(error.offset >= 0 && error.offset <= size, "error offset \(error.offset) of \(size): \(error.message)")
        var reference = ReferenceParser(UnsafeBufferPointer(start: data, count: size))
        if let value = reference.document(), reference.depth <= JSONParseOptions().maxDepth {
            fuzzFail("refused (\(error.message) at \(error.offset)) but the grammar allows it: \(value.serialized().prefix(200))")
        }
        return 0
    }
    fuzzCheck(String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self) != nil,
              "accepted a document that is not UTF-8")
    var reference = ReferenceParser(UnsafeBufferPointer(start: data, count: size))
    guard let expected = reference.document() else {
        fuzzFail("accepted but the grammar refuses it: \(escaped(UnsafeBufferPointer(start: data, count: size)))")
    }
    fuzzCheck(parsed == expected, "parsed \(parsed.serialized().prefix(200)) but the reference has \(expected.serialized().prefix(200))")

    // Serialise, parse back.
    var compact: [UInt8] = []
    parsed.write(into: &compact)
    guard let again = try? JSONParser.parse(compact) else {
        fuzzFail("own output does not parse: \(escaped(compact))")
    }
    fuzzCheck(again == parsed, "compact round trip changed the value: \(escaped(compact))")
    var compactAgain: [UInt8] = []
    again.write(into: &compactAgain)
    fuzzCheck(compactAgain == compact, "re-serialising changed the bytes: \(escaped(compact)) vs \(escaped(compactAgain))")
    for (pretty, sorted) in [(true, false), (false, true), (true, true)] {
        var out: [UInt8] = []
        parsed.write(into: &out, pretty: pretty, sortedKeys: sorted)
        let back = try? JSONParser.parse(out)
        fuzzCheck(back == parsed, "pretty \(pretty) sorted \(sorted) output does not parse back equal: \(escaped(out))")
    }

    // maxDepth: exactly the documents no deeper than the limit. Depth is
    // the text's nesting: a deep value later replaced by a duplicate key
    // still counts, so the value may be shallower.
    let depth = reference.depth
    fuzzCheck(depthOf(parsed) <= depth, "value depth \(depthOf(parsed)) over the text's \(depth)")
    if depth > 0 {
        fuzzCheck((try? JSONParser.parse(input, options: JSONParseOptions(maxDepth: depth))) != nil,
                  "refused at maxDepth \(depth) = its depth")
        fuzzCheck((try? JSONParser.parse(input, options: JSONParseOptions(maxDepth: depth - 1))) == nil,
                  "accepted at maxDepth \(depth - 1) < its depth \(depth)")
    }

    forEachNumber(parsed, checkNumber)
    return 0
}

func depthOf(_ value: JSONValue) -> Int {
    switch value {
    case .array(let items): return 1 + (items.map(depthOf).max() ?? 0)
    case .object(let o): return 1 + (o.values.map(depthOf).max() ?? 0)
    default: return 0
    }
}

func forEachNumber(_ value: JSONValue, _ body: (JSONNumber) -> Void) {
    switch value {
    case .number(let n): body(n)
    case .array(let items): for item in items { forEachNumber(item, body) }
    case .object(let o): for (_, v) in o { forEachNumber(v, body) }
    default: break
    }
}

func checkNumber(_ n: JSONNumber) {
    fuzzCheck(JSONNumber(n.text) != nil, "number \(n.text) fails its own grammar")
    let double = n.double
    if let i = n.int64 {
        fuzzCheck(n.isInteger, "\(n.text): int64 \(i) but not isInteger")
        fuzzCheck(double == nil || double == Double(i), "\(n.text): int64 \(i) but double \(String(describing: double))")
        fuzzCheck(n.int == Int(exactly: i), "\(n.text): int vs int64")
    }
    if let u = n.uint64 {
        fuzzCheck(n.isInteger, "\(n.text): uint64 \(u) but not isInteger")
        fuzzCheck(double == nil || double == Double(u), "\(n.text): uint64 \(u) but double \(String(describing: double))")
    }
    if !n.isInteger {
        fuzzCheck(n.int64 == nil && n.uint64 == nil, "\(n.text): not an integer but has an integer value")
    }
    if let d = double {
        guard let formatted = JSONNumber(d) else { fuzzFail("\(n.text): finite \(d) has no JSONNumber") }
        fuzzCheck(formatted.double == d || (d == 0 && formatted.double == 0),
                  "\(n.text): \(d) formats as \(formatted.text), which reads as \(String(describing: formatted.double))")
        fuzzCheck(JSONNumber(formatted.text) != nil, "JavaScript text \(formatted.text) fails the grammar")
    }
}

/// RFC 8259 as a direct recursive-descent parser. Builds the same JSONValue: strings
/// with escapes decoded, numbers as their text, duplicate keys as
/// JSONObject's subscript stores them. nil when the grammar refuses.
struct ReferenceParser {
    let s: UnsafeBufferPointer<UInt8>
    var i = 0
    var depth = 0
    private var level = 0

    init(_ s: UnsafeBufferPointer<UInt8>) { self.s = s }

    mutating func document() -> JSONValue? {
        // A byte order mark is not JSON text (RFC 8259 §8.1 allows ignoring
        // it; this parser refuses it, and so does the reference).
        ws()
        guard let v = value() else { return nil }
        ws()
        // Not `? v : nil`: JSONValue is ExpressibleByNilLiteral.
        if i != s.count { return Optional.none }
        return v
    }

    private mutating func ws() {
        while i < s.count, [0x20, 0x09, 0x0A, 0x0D].contains(s[i]) { i += 1 }
    }

    private mutating func literal(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard s.count - i >= bytes.count, Array(s[i..<(i + bytes.count)]) == bytes else { return false }
        i += bytes.count
        return true
    }

    private mutating func value() -> JSONValue? {
        // Far deeper than the parser's limit: refused either way, and the
        // recursion stays shallow enough for AddressSanitizer's frames.
        guard i < s.count, level < 1000 else { return nil }
        switch s[i] {
        case UInt8(ascii: "{"):
            i += 1
            level += 1; depth = max(depth, level); defer { level -= 1 }
            var object = JSONObject()
            ws()
            if i < s.count && s[i] == UInt8(ascii: "}") { i += 1; return .object(object) }
            while true {
                ws()
                guard i < s.count, s[i] == UInt8(ascii: "\""), let key = string() else { return nil }
                ws()
                guard i < s.count, s[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                ws()
                guard let v = value() else { return nil }
                object[key] = v
                ws()
                guard i < s.count else { return nil }
                if s[i] == UInt8(ascii: ",") { i += 1; continue }
                if s[i] == UInt8(ascii: "}") { i += 1; return .object(object) }
                return nil
            }
        case UInt8(ascii: "["):
            i += 1
            level += 1; depth = max(depth, level); defer { level -= 1 }
            var items: [JSONValue] = []
            ws()
            if i < s.count && s[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                ws()
                guard let v = value() else { return nil }
                items.append(v)
                ws()
                guard i < s.count else { return nil }
                if s[i] == UInt8(ascii: ",") { i += 1; continue }
                if s[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                return nil
            }
        case UInt8(ascii: "\""):
            return string().map(JSONValue.string)
        case UInt8(ascii: "t"): if literal("true") { return .bool(true) } else { return Optional.none }
        case UInt8(ascii: "f"): if literal("false") { return .bool(false) } else { return Optional.none }
        case UInt8(ascii: "n"): if literal("null") { return JSONValue.null } else { return Optional.none }
        default:
            return number().flatMap { JSONNumber($0) }.map(JSONValue.number)
        }
    }

    /// number = [ minus ] int [ frac ] [ exp ]
    private mutating func number() -> String? {
        let start = i
        func digit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        if i < s.count && s[i] == UInt8(ascii: "-") { i += 1 }
        guard i < s.count, digit(s[i]) else { return nil }
        if s[i] == UInt8(ascii: "0") { i += 1 } else { while i < s.count && digit(s[i]) { i += 1 } }
        if i < s.count && s[i] == UInt8(ascii: ".") {
            i += 1
            guard i < s.count, digit(s[i]) else { return nil }
            while i < s.count && digit(s[i]) { i += 1 }
        }
        if i < s.count && (s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E")) {
            i += 1
            if i < s.count && (s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < s.count, digit(s[i]) else { return nil }
            while i < s.count && digit(s[i]) { i += 1 }
        }
        return String(decoding: s[start..<i], as: UTF8.self)
    }

    private mutating func hex4() -> UInt32? {
        guard s.count - i >= 4 else { return nil }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = s[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: return nil
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    /// At the opening quote.
    private mutating func string() -> String? {
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < s.count else { return nil }
            let c = s[i]
            if c == UInt8(ascii: "\"") { i += 1; break }
            if c < 0x20 { return nil }
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            i += 1
            guard i < s.count else { return nil }
            let e = s[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard let u = hex4() else { return nil }
                var scalar = u
                if u >= 0xD800 && u <= 0xDBFF {
                    guard s.count - i >= 2, s[i] == UInt8(ascii: "\\"), s[i + 1] == UInt8(ascii: "u") else { return nil }
                    i += 2
                    guard let low = hex4(), low >= 0xDC00 && low <= 0xDFFF else { return nil }
                    scalar = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00)
                } else if u >= 0xDC00 && u <= 0xDFFF {
                    return nil
                }
                guard let us = Unicode.Scalar(scalar) else { return nil }
                out.append(contentsOf: Array(String(Character(us)).utf8))
            default:
                return nil
            }
        }
        return String(validating: out, as: UTF8.self)
    }
}
