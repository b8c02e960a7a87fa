/// A JSON number, stored as its exact decimal text.
///
/// Keeping the text (instead of converting to `Double`) means a parsed document
/// re-serialises without changing any number: `1.0` stays `1.0`, `1e400` stays
/// `1e400` and `12345678901234567890` keeps every digit.
///
/// - Equality (and hashing) compares the **text**: `1`, `1.0` and `1e0` are three
///   different numbers for `==`. Compare `int` or `double` when a numeric
///   comparison is meant.
/// - Numbers built from a `Double` are formatted exactly like JavaScript's
///   `Number.prototype.toString`: shortest digits that round-trip, integers below
///   1e21 written out in full (`3.0` → `3`), `-0.0` → `0`, otherwise exponent
///   form (`1e+21`, `1.5e-7`).
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number's text; always valid per the RFC 8259 number grammar.
    public let text: String

    /// Wraps text already known to match the grammar (the parser's path).
    init(unchecked text: String) {
        self.text = text
    }

    /// Validates `text` against the RFC 8259 number grammar; nil if it does not match
    /// (no leading `+`, no leading zeros, no `.5` or `1.`, no `NaN`/`Infinity`, no spaces).
    public init?(_ text: String) {
        var copy = text
        let valid = copy.withUTF8 { JSONNumber.grammarLength(of: $0, from: 0) == $0.count }
        guard valid else { return nil }
        self.text = text
    }

    public init(_ value: Int) { text = String(value) }
    public init(_ value: Int64) { text = String(value) }
    public init(_ value: UInt64) { text = String(value) }

    /// Formats a finite `Double` the way JavaScript does (`3.0` → `3`, `0.1` → `0.1`,
    /// `1e21` → `1e+21`, `-0.0` → `0`). Returns nil for NaN and ±infinity, which JSON
    /// cannot represent.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        text = JSONNumber.javaScriptText(of: value)
    }

    public var description: String { text }

    // MARK: - Accessors

    /// The value as an `Int` if it is exactly an integer in range. Fraction and
    /// exponent forms count when they denote an integer: `1.0` → 1, `1e2` → 100,
    /// `1.50e1` → 15, `-0` → 0. `1.5`, `1e-1` and out-of-range values → nil.
    public var int: Int? {
        guard let v = int64 else { return nil }
        return Int(exactly: v)
    }

    /// Like `int`, for `Int64`.
    public var int64: Int64? {
        guard let (negative, magnitude) = exactInteger() else { return nil }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return Int64.min }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// Like `int`, for `UInt64` (`-0` → 0; other negatives → nil).
    public var uint64: UInt64? {
        guard let (negative, magnitude) = exactInteger() else { return nil }
        if negative && magnitude != 0 { return nil }
        return magnitude
    }

    /// The nearest `Double` (correctly rounded); nil if the magnitude overflows
    /// `Double` (e.g. `1e400`). Tiny values round to zero (`1e-400` → 0.0).
    public var double: Double? {
        guard let d = Double(text), d.isFinite else { return nil }
        return d
    }

    /// Whether the number denotes a mathematical integer, whatever its size or form
    /// (`1.0`, `1e2`, `1e400` and `12345678901234567890123` are integers; `1.5` is not).
    public var isInteger: Bool {
        var copy = text
        return copy.withUTF8 { buf in
            let parts = DecimalParts(buf)
            return parts.isZero || parts.scale >= 0
        }
    }

    // MARK: - Exact integer conversion

    /// (isNegative, magnitude) if the number is an integer whose magnitude fits `UInt64`.
    private func exactInteger() -> (Bool, UInt64)? {
        var copy = text
        return copy.withUTF8 { buf -> (Bool, UInt64)? in
            let parts = DecimalParts(buf)
            if parts.isZero { return (parts.negative, 0) }
            guard parts.scale >= 0 else { return nil }
            let significantCount = parts.lastSignificant - parts.firstSignificant + 1
            // UInt64.max has 20 digits; bail out before looping over huge exponents.
            guard significantCount + parts.scale <= 20 else { return nil }
            var magnitude: UInt64 = 0
            for k in parts.firstSignificant...parts.lastSignificant {
                let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt64(parts.digit(buf, k)))
                if o1 || o2 { return nil }
                magnitude = a
            }
            for _ in 0..<parts.scale {
                let (m, o) = magnitude.multipliedReportingOverflow(by: 10)
                if o { return nil }
                magnitude = m
            }
            return (parts.negative, magnitude)
        }
    }

    // MARK: - Grammar

    /// Length of the longest RFC 8259 number starting at `start`, or nil if none does.
    /// (The caller decides whether what follows is acceptable.)
    static func grammarLength(of b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var p = start
        let n = b.count
        if p < n && b[p] == UInt8(ascii: "-") { p += 1 }
        guard p < n else { return nil }
        if b[p] == UInt8(ascii: "0") {
            p += 1
        } else if b[p] &- 0x31 < 9 {
            p += 1
            while p < n && b[p] &- 0x30 < 10 { p += 1 }
        } else {
            return nil
        }
        if p < n && b[p] == UInt8(ascii: ".") {
            p += 1
            guard p < n && b[p] &- 0x30 < 10 else { return nil }
            while p < n && b[p] &- 0x30 < 10 { p += 1 }
        }
        if p < n && (b[p] | 0x20) == UInt8(ascii: "e") {
            p += 1
            if p < n && (b[p] == UInt8(ascii: "+") || b[p] == UInt8(ascii: "-")) { p += 1 }
            guard p < n && b[p] &- 0x30 < 10 else { return nil }
            while p < n && b[p] &- 0x30 < 10 { p += 1 }
        }
        return p - start
    }

    // MARK: - Double formatting

    /// JavaScript `Number.prototype.toString` for a finite double (ECMA-262
    /// Number::toString), built on Swift's shortest round-trip `description`.
    static func javaScriptText(of value: Double) -> String {
        if value == 0 { return "0" }  // also -0, as in JavaScript
        // Below 2^53 an integral double's shortest digits are its exact digits.
        // (Integrality via Int64 rather than `rounded()`, which needs libm.)
        if abs(value) < 9_007_199_254_740_992 && Double(Int64(value)) == value {
            return String(Int64(value))
        }
        // Swift prints e.g. "-1.2345e+16", "1e-07", "0.001", "123.5": split that into
        // significant digits and the position of the decimal point.
        let swiftText = Array(value.description.utf8)
        var p = 0
        let negative = swiftText.first == UInt8(ascii: "-")
        if negative { p = 1 }
        var digits: [UInt8] = []
        var pointPosition = 0
        var sawPoint = false
        while p < swiftText.count && (swiftText[p] | 0x20) != UInt8(ascii: "e") {
            if swiftText[p] == UInt8(ascii: ".") {
                sawPoint = true
            } else {
                digits.append(swiftText[p])
                if !sawPoint { pointPosition += 1 }
            }
            p += 1
        }
        if p < swiftText.count {
            p += 1
            var expNegative = false
            if swiftText[p] == UInt8(ascii: "+") || swiftText[p] == UInt8(ascii: "-") {
                expNegative = swiftText[p] == UInt8(ascii: "-")
                p += 1
            }
            var exponent = 0
            while p < swiftText.count {
                exponent = exponent * 10 + Int(swiftText[p] &- 0x30)
                p += 1
            }
            pointPosition += expNegative ? -exponent : exponent
        }
        while digits.first == UInt8(ascii: "0") {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }

        // ECMA-262 layout: value = 0.d1d2…dk × 10^n.
        let k = digits.count
        let n = pointPosition
        var out: [UInt8] = negative ? [UInt8(ascii: "-")] : []
        if k <= n && n <= 21 {
            out += digits
            out += repeatElement(UInt8(ascii: "0"), count: n - k)
        } else if 0 < n && n <= 21 {
            out += digits[0..<n]
            out.append(UInt8(ascii: "."))
            out += digits[n...]
        } else if -6 < n && n <= 0 {
            out += [UInt8(ascii: "0"), UInt8(ascii: ".")]
            out += repeatElement(UInt8(ascii: "0"), count: -n)
            out += digits
        } else {
            out.append(digits[0])
            if k > 1 {
                out.append(UInt8(ascii: "."))
                out += digits[1...]
            }
            out.append(UInt8(ascii: "e"))
            out.append(n - 1 >= 0 ? UInt8(ascii: "+") : UInt8(ascii: "-"))
            out += String(abs(n - 1)).utf8
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A grammar-valid number split into sign, significant digits and power of ten,
/// so exact integer questions can be answered without floating point.
private struct DecimalParts {
    var negative = false
    var isZero = true
    /// Logical digit positions (int part followed by fraction part, no `.`).
    var firstSignificant = 0
    var lastSignificant = 0
    /// value = digits[firstSignificant...lastSignificant] × 10^scale
    var scale = 0
    private var intStart = 0, intCount = 0, fracStart = 0

    init(_ b: UnsafeBufferPointer<UInt8>) {
        var p = 0
        if p < b.count && b[p] == UInt8(ascii: "-") { negative = true; p += 1 }
        intStart = p
        while p < b.count && b[p] &- 0x30 < 10 { p += 1 }
        intCount = p - intStart
        fracStart = p
        if p < b.count && b[p] == UInt8(ascii: ".") {
            p += 1
            fracStart = p
            while p < b.count && b[p] &- 0x30 < 10 { p += 1 }
        }
        let fracCount = p - fracStart
        var exponent = 0
        if p < b.count && (b[p] | 0x20) == UInt8(ascii: "e") {
            p += 1
            var expNegative = false
            if p < b.count && (b[p] == UInt8(ascii: "+") || b[p] == UInt8(ascii: "-")) {
                expNegative = b[p] == UInt8(ascii: "-")
                p += 1
            }
            while p < b.count && b[p] &- 0x30 < 10 {
                // Saturate: beyond ±1e12 every question we ask has the same answer.
                exponent = min(exponent * 10 + Int(b[p] &- 0x30), 1_000_000_000_000)
                p += 1
            }
            if expNegative { exponent = -exponent }
        }
        let total = intCount + fracCount
        var k = 0
        while k < total && digit(b, k) == 0 { k += 1 }
        guard k < total else { return }
        isZero = false
        firstSignificant = k
        var last = total - 1
        while digit(b, last) == 0 { last -= 1 }
        lastSignificant = last
        scale = exponent - fracCount + (total - 1 - last)
    }

    /// Digit value at logical position `k`.
    func digit(_ b: UnsafeBufferPointer<UInt8>, _ k: Int) -> UInt8 {
        k < intCount ? b[intStart + k] &- 0x30 : b[fracStart + k - intCount] &- 0x30
    }
}

extension JSONNumber: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    public init(integerLiteral value: Int) { self.init(value) }

    /// Float literals are finite in practice; a non-finite one traps.
    public init(floatLiteral value: Double) {
        guard let number = JSONNumber(value) else {
            preconditionFailure("JSON cannot represent \(value)")
        }
        self = number
    }
}
