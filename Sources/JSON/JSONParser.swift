/// Options for `JSONParser`.
public struct JSONParseOptions: Sendable {
    /// Maximum nesting of arrays/objects; deeper input fails with
    /// "Nesting deeper than N levels". `[[1]]` has depth 2.
    ///
    /// The parser itself never recurses, but a `JSONValue` is a tree, and
    /// destroying, comparing or serialising it recurses once per level, so
    /// raising this far beyond a few thousand can overflow the stack later on.
    public var maxDepth: Int

    public init(maxDepth: Int = 512) {
        self.maxDepth = maxDepth
    }
}

/// Strict RFC 8259 parser.
///
/// Accepts exactly one JSON value surrounded only by JSON whitespace (space, tab,
/// LF, CR). Rejected: a leading UTF-8 byte order mark, anything after the value,
/// trailing commas, comments, single quotes, `NaN`/`Infinity`, leading zeros,
/// `+1`, `.5`, `1.`, raw control characters in strings, invalid escapes, unpaired
/// surrogate escapes, and invalid UTF-8 inside strings (overlong forms, encoded
/// surrogates, code points above U+10FFFF, truncated sequences).
/// Input size is the caller's concern; nesting is limited by `maxDepth`.
public enum JSONParser {
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, options: JSONParseOptions = .init()
    ) throws(JSONParseError) -> JSONValue {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw .unexpectedEnd(at: 0)
        }
        var parser = Parser(
            UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: bytes.count),
            maxDepth: options.maxDepth)
        return try parser.parseDocument()
    }

    public static func parse(
        _ bytes: [UInt8], options: JSONParseOptions = .init()
    ) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBytes { buffer in
            catching { () throws(JSONParseError) in try parse(buffer, options: options) }
        }.get()
    }

    /// Any byte collection; contiguous ones (arrays, slices, `Data`, UTF-8 views of
    /// native strings) are parsed in place, others are copied first.
    public static func parse(
        _ bytes: some Collection<UInt8>, options: JSONParseOptions = .init()
    ) throws(JSONParseError) -> JSONValue {
        let inPlace = bytes.withContiguousStorageIfAvailable { buffer in
            catching { () throws(JSONParseError) in
                try parse(UnsafeRawBufferPointer(buffer), options: options)
            }
        }
        if let inPlace { return try inPlace.get() }
        return try parse(Array(bytes), options: options)
    }

    public static func parse(
        _ text: String, options: JSONParseOptions = .init()
    ) throws(JSONParseError) -> JSONValue {
        var text = text
        return try text.withUTF8 { buffer in
            catching { () throws(JSONParseError) in
                try parse(UnsafeRawBufferPointer(buffer), options: options)
            }
        }.get()
    }

    /// Carries a typed error through the standard library's `rethrows` closures.
    private static func catching(
        _ body: () throws(JSONParseError) -> JSONValue
    ) -> Result<JSONValue, JSONParseError> {
        do { return .success(try body()) } catch { return .failure(error) }
    }
}

extension JSONValue {
    /// Parses `text` (see `JSONParser`).
    public init(parsing text: String, options: JSONParseOptions = .init()) throws(JSONParseError) {
        self = try JSONParser.parse(text, options: options)
    }

    /// Parses UTF-8 `bytes` (see `JSONParser`).
    public init(parsing bytes: some Collection<UInt8>, options: JSONParseOptions = .init())
        throws(JSONParseError)
    {
        self = try JSONParser.parse(bytes, options: options)
    }
}

// MARK: - Implementation

private let quote = UInt8(ascii: "\"")
private let backslash = UInt8(ascii: "\\")

/// One pass over the bytes with an index. Containers are tracked on explicit
/// stacks instead of recursion, so hostile nesting cannot overflow the stack:
/// the values (and object keys) of every open container sit on shared stacks
/// and are moved into their array/object when the container closes.
private struct Parser {
    let input: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var i = 0

    struct Frame {
        var isObject: Bool
        var firstValue: Int
        var firstKey: Int
    }
    var frames: [Frame] = []
    var values: [JSONValue] = []
    var keys: [String] = []
    /// Reused buffer for decoding strings that contain escapes.
    var scratch: [UInt8] = []

    init(_ input: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.input = input
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        if input.count >= 3 && input[0] == 0xEF && input[1] == 0xBB && input[2] == 0xBF {
            throw .byteOrderMark()
        }
        let value = try parseTree()
        skipWhitespace()
        if i < input.count { throw .trailing(at: i) }
        return value
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < input.count {
            let b = input[i]
            // space, \t, \n, \r
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            i += 1
        }
    }

    mutating func parseTree() throws(JSONParseError) -> JSONValue {
        var value: JSONValue
        nextValue: while true {
            // Parse one value, or open a container and go parse its first element.
            skipWhitespace()
            guard i < input.count else { throw .unexpectedEnd(at: i) }
            switch input[i] {
            case quote:
                value = .string(try parseString())
            case UInt8(ascii: "{"):
                // Checked before the empty-container shortcut: `[]` is a level too.
                guard frames.count < maxDepth else { throw .tooDeep(maxDepth, at: i) }
                i += 1
                skipWhitespace()
                if i < input.count && input[i] == UInt8(ascii: "}") {
                    i += 1
                    value = .object(JSONObject())
                } else {
                    pushFrame(isObject: true)
                    try parseKeyAndColon()
                    continue nextValue
                }
            case UInt8(ascii: "["):
                // Checked before the empty-container shortcut: `[]` is a level too.
                guard frames.count < maxDepth else { throw .tooDeep(maxDepth, at: i) }
                i += 1
                skipWhitespace()
                if i < input.count && input[i] == UInt8(ascii: "]") {
                    i += 1
                    value = .array([])
                } else {
                    pushFrame(isObject: false)
                    continue nextValue
                }
            case UInt8(ascii: "t"):
                try expectLiteral("true", length: 4)
                value = .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false", length: 5)
                value = .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null", length: 4)
                value = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = .number(try parseNumber())
            case let other:
                throw .unexpected(other, at: i)
            }

            // Hand the value to its container; close containers as they end.
            while let frame = frames.last {
                values.append(value)
                skipWhitespace()
                guard i < input.count else { throw .unexpectedEnd(at: i) }
                let b = input[i]
                i += 1
                if b == UInt8(ascii: ",") {
                    if frame.isObject {
                        skipWhitespace()
                        try parseKeyAndColon()
                    }
                    continue nextValue
                }
                if frame.isObject && b == UInt8(ascii: "}") {
                    value = .object(JSONObject(parsedMembers: popMembers(frame)))
                } else if !frame.isObject && b == UInt8(ascii: "]") {
                    value = .array(popValues(frame))
                } else {
                    throw .unexpected(b, at: i - 1)
                }
                frames.removeLast()
            }
            return value
        }
    }

    mutating func pushFrame(isObject: Bool) {
        if frames.capacity == 0 {
            // Skip the 1→2→4→8… regrowth for typical documents.
            frames.reserveCapacity(16)
            values.reserveCapacity(64)
            keys.reserveCapacity(32)
        }
        frames.append(Frame(isObject: isObject, firstValue: values.count, firstKey: keys.count))
    }

    /// Moves the closing array's elements off the value stack. Moving (and leaving
    /// trivial `.null`s behind) saves a retain/release pair per element.
    mutating func popValues(_ frame: Frame) -> [JSONValue] {
        let start = frame.firstValue
        let n = values.count - start
        let elements = values.withUnsafeMutableBufferPointer { stack in
            [JSONValue](unsafeUninitializedCapacity: n) { out, initialized in
                let source = stack.baseAddress! + start
                out.baseAddress!.moveInitialize(from: source, count: n)
                source.initialize(repeating: .null, count: n)
                initialized = n
            }
        }
        values.removeLast(n)
        return elements
    }

    /// Moves the closing object's keys and values off the stacks, paired up.
    mutating func popMembers(_ frame: Frame) -> [JSONObject.Element] {
        let n = keys.count - frame.firstKey
        let members = keys.withUnsafeMutableBufferPointer { keyStack in
            values.withUnsafeMutableBufferPointer { valueStack in
                [JSONObject.Element](unsafeUninitializedCapacity: n) { out, initialized in
                    let keySource = keyStack.baseAddress! + frame.firstKey
                    let valueSource = valueStack.baseAddress! + frame.firstValue
                    for j in 0..<n {
                        (out.baseAddress! + j).initialize(to: ((keySource + j).move(), (valueSource + j).move()))
                    }
                    keySource.initialize(repeating: "", count: n)
                    valueSource.initialize(repeating: .null, count: n)
                    initialized = n
                }
            }
        }
        keys.removeLast(n)
        values.removeLast(n)
        return members
    }

    /// Expects `"key"` then `:` (whitespace already skipped before the key).
    mutating func parseKeyAndColon() throws(JSONParseError) {
        guard i < input.count else { throw .unexpectedEnd(at: i) }
        guard input[i] == quote else { throw .unexpected(input[i], at: i) }
        keys.append(try parseString())
        skipWhitespace()
        guard i < input.count else { throw .unexpectedEnd(at: i) }
        guard input[i] == UInt8(ascii: ":") else { throw .unexpected(input[i], at: i) }
        i += 1
    }

    /// Compares the last four bytes of the literal as one word (no allocation).
    @inline(__always)
    mutating func expectLiteral(_ literal: StaticString, length: Int) throws(JSONParseError) {
        guard input.count - i >= length else { throw .invalidLiteral(at: i) }
        let tail = length - 4  // "false": its first byte already matched the switch
        let expected = UnsafeRawPointer(literal.utf8Start).loadUnaligned(fromByteOffset: tail, as: UInt32.self)
        let actual = UnsafeRawPointer(input.baseAddress!).loadUnaligned(fromByteOffset: i + tail, as: UInt32.self)
        guard expected == actual else { throw .invalidLiteral(at: i) }
        i += length
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
        let start = i
        guard let length = JSONNumber.grammarLength(of: input, from: start) else {
            throw .invalidNumber(at: start)
        }
        i += length
        // "01", "-01", "1.5.", "1e5e": the grammar stopped early on a number-ish byte.
        if i < input.count {
            let b = input[i]
            if b &- 0x30 < 10 || b == UInt8(ascii: ".") || (b | 0x20) == UInt8(ascii: "e")
                || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
            {
                throw .invalidNumber(at: start)
            }
        }
        return JSONNumber(unchecked: String(decoding: UnsafeBufferPointer(rebasing: input[start..<i]), as: UTF8.self))
    }

    /// Index of the first `"`, `\` or control byte at or after `from`, or
    /// `input.count`. ORs every byte it passes into `seen`, so the caller learns
    /// whether the string was pure ASCII without a second pass.
    @inline(__always)
    func findStringSpecial(from: Int, seen: inout UInt64) -> Int {
        var j = from
        let n = input.count
        let base = UnsafeRawPointer(input.baseAddress!)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        // Eight bytes at a time (SWAR); the "has a byte equal to / below" tests
        // are exact about whether some byte matches, which is all we need.
        while n - j >= 8 {
            let w = base.loadUnaligned(fromByteOffset: j, as: UInt64.self)
            let q = w ^ (ones &* 0x22)
            let s = w ^ (ones &* 0x5C)
            let special = ((q &- ones) & ~q) | ((s &- ones) & ~s) | ((w &- ones &* 0x20) & ~w)
            if special & highs != 0 { break }
            seen |= w
            j += 8
        }
        while j < n {
            let b = input[j]
            if b == quote || b == backslash || b < 0x20 { return j }
            seen |= UInt64(b)
            j += 1
        }
        return n
    }

    /// Parses a string whose opening quote is at `i`; leaves `i` after the closing quote.
    mutating func parseString() throws(JSONParseError) -> String {
        let openOffset = i
        var segmentStart = i + 1
        var usingScratch = false
        var seen: UInt64 = 0
        while true {
            let j = findStringSpecial(from: segmentStart, seen: &seen)
            guard j < input.count else { throw .unterminatedString(at: openOffset) }
            let b = input[j]
            if b == quote {
                i = j + 1
                // Escapes are ASCII and decode to whole scalars, so checking the raw
                // text between the quotes validates the decoded string too.
                if seen & 0x8080_8080_8080_8080 != 0 {
                    let raw = UnsafeBufferPointer(rebasing: input[(openOffset + 1)..<j])
                    let bad = firstInvalidUTF8(raw)
                    if bad < raw.count { throw .invalidUTF8(at: openOffset + 1 + bad) }
                }
                // (`String(validating:)` is unspecialised and several times slower.)
                if !usingScratch {
                    return String(decoding: UnsafeBufferPointer(rebasing: input[(openOffset + 1)..<j]), as: UTF8.self)
                }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[segmentStart..<j]))
                return String(decoding: scratch, as: UTF8.self)
            }
            if b == backslash {
                if !usingScratch {
                    usingScratch = true
                    scratch.removeAll(keepingCapacity: true)
                }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[segmentStart..<j]))
                i = j
                try parseEscape(stringStart: openOffset)
                segmentStart = i
                continue
            }
            throw .controlCharacter(b, at: j)
        }
    }

    /// Decodes the escape at `i` (a backslash) into `scratch`; leaves `i` after it.
    mutating func parseEscape(stringStart: Int) throws(JSONParseError) {
        let escapeStart = i
        guard i + 1 < input.count else { throw .unterminatedString(at: stringStart) }
        let e = input[i + 1]
        i += 2
        switch e {
        case quote, backslash, UInt8(ascii: "/"): scratch.append(e)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try readHex4(escapeStart: escapeStart)
            var scalar = UInt32(unit)
            if unit >= 0xD800 && unit < 0xDC00 {
                // A high surrogate must be followed by an escaped low surrogate.
                guard input.count - i >= 6, input[i] == backslash, input[i + 1] == UInt8(ascii: "u") else {
                    throw .loneSurrogate(at: escapeStart)
                }
                i += 2
                let low = try readHex4(escapeStart: i - 2)
                guard low >= 0xDC00 && low < 0xE000 else { throw .loneSurrogate(at: escapeStart) }
                scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            } else if unit >= 0xDC00 && unit < 0xE000 {
                throw .loneSurrogate(at: escapeStart)
            }
            appendUTF8(scalar)
        default:
            throw .invalidEscape(at: escapeStart)
        }
    }

    /// Reads four hex digits at `i`.
    mutating func readHex4(escapeStart: Int) throws(JSONParseError) -> UInt16 {
        guard input.count - i >= 4 else { throw .invalidEscape(at: escapeStart) }
        var unit: UInt16 = 0
        for _ in 0..<4 {
            let c = input[i]
            let digit: UInt8
            if c &- 0x30 < 10 {
                digit = c &- 0x30
            } else if (c | 0x20) &- 0x61 < 6 {
                digit = (c | 0x20) &- 0x61 &+ 10
            } else {
                throw .invalidEscape(at: escapeStart)
            }
            unit = unit << 4 | UInt16(digit)
            i += 1
        }
        return unit
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}

/// Offset of the first byte that starts an ill-formed UTF-8 sequence (Unicode
/// Table 3-7), or `bytes.count` if there is none. Only used to report errors.
func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    var p = 0
    let n = bytes.count
    while p < n {
        let lead = bytes[p]
        if lead < 0x80 {
            p += 1
            continue
        }
        var length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0  // no overlongs
        case 0xE1...0xEC, 0xEE, 0xEF: length = 3
        case 0xED: length = 3; high = 0x9F  // no surrogates
        case 0xF0: length = 4; low = 0x90  // no overlongs
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F  // nothing above U+10FFFF
        default: return p
        }
        guard p + 1 < n, bytes[p + 1] >= low, bytes[p + 1] <= high else { return p }
        for k in 2..<length {
            guard p + k < n, bytes[p + k] & 0xC0 == 0x80 else { return p }
        }
        p += length
    }
    return n
}
