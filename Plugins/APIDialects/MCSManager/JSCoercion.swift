// JavaScript's loose conversions (Number(x), String(x), truthiness): the
// panel runs on Node and validates input with them. Clients written for it
// send numbers as strings ("10"), booleans as "true", and so on; matching
// its coercions keeps them working. Package access: the unit tests and fuzz
// targets call it too.
import ProteusJSON

package enum JSCoercion {
    /// `Number(text)`: surrounding whitespace ignored, "" is 0, decimal with
    /// optional sign, fraction and exponent, `Infinity` with optional sign,
    /// and unsigned `0x`/`0o`/`0b` integers. Anything else is NaN.
    package static func number(_ text: String) -> Double {
        let trimmed = trimWhitespace(text)
        if trimmed.isEmpty { return 0 }
        let bytes = Array(trimmed.utf8)
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0") {
            let radix: Int?
            switch bytes[1] | 0x20 {
            case UInt8(ascii: "x"): radix = 16
            case UInt8(ascii: "o"): radix = 8
            case UInt8(ascii: "b"): radix = 2
            default: radix = nil
            }
            if let radix {
                var value = 0.0
                for c in bytes[2...] {
                    guard let digit = digitValue(c), digit < radix else { return .nan }
                    value = value * Double(radix) + Double(digit)
                }
                return value
            }
        }
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-") {
            negative = bytes[0] == UInt8(ascii: "-")
            i = 1
        }
        let rest = bytes[i...]
        if rest.elementsEqual("Infinity".utf8) { return negative ? -.infinity : .infinity }
        // StrUnsignedDecimalLiteral: digits [. digits] [e[+-]digits] | . digits [exponent]
        var j = i
        var intDigits = 0, fracDigits = 0
        while j < bytes.count, isDigit(bytes[j]) { j += 1; intDigits += 1 }
        if j < bytes.count, bytes[j] == UInt8(ascii: ".") {
            j += 1
            while j < bytes.count, isDigit(bytes[j]) { j += 1; fracDigits += 1 }
        }
        guard intDigits + fracDigits > 0 else { return .nan }
        if j < bytes.count, bytes[j] | 0x20 == UInt8(ascii: "e") {
            j += 1
            if j < bytes.count, bytes[j] == UInt8(ascii: "+") || bytes[j] == UInt8(ascii: "-") { j += 1 }
            var expDigits = 0
            while j < bytes.count, isDigit(bytes[j]) { j += 1; expDigits += 1 }
            guard expDigits > 0 else { return .nan }
        }
        guard j == bytes.count else { return .nan }
        // Swift's parser accepts this grammar (plus forms we already excluded).
        var literal = String(decoding: bytes[i...], as: UTF8.self)
        if literal.hasPrefix(".") { literal = "0" + literal }
        if literal.hasSuffix(".") { literal += "0" }
        literal = literal.replacingDotBeforeExponent()
        guard let magnitude = Double(literal) else { return .nan }
        return negative ? -magnitude : magnitude
    }

    /// `Number(value)` for a JSON value: null → 0, booleans → 0/1, strings as
    /// above, arrays through their string form, objects → NaN.
    package static func number(_ value: JSONValue) -> Double {
        switch value {
        case .null: return 0
        case .bool(let b): return b ? 1 : 0
        case .number(let n): return Double(n.text) ?? .nan
        case .string(let s): return number(s)
        case .array: return number(string(value))
        case .object: return .nan
        }
    }

    /// `String(value)`: numbers as JavaScript prints them, arrays joined
    /// with ",", objects as "[object Object]".
    package static func string(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n):
            if let d = Double(n.text) { return numberText(d) }
            return n.text
        case .string(let s): return s
        case .array(let items):
            return items.map { item -> String in
                if case .null = item { return "" }
                return string(item)
            }.joined(separator: ",")
        case .object: return "[object Object]"
        }
    }

    /// JavaScript's text for a number: "NaN", "Infinity", "-Infinity", or
    /// the shortest round-tripping form.
    package static func numberText(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return JSONNumber(d)?.text ?? "NaN"
    }

    /// JavaScript truthiness.
    package static func truthy(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return false
        case .bool(let b): return b
        case .number(let n):
            guard let d = Double(n.text) else { return true }
            return d != 0 && !d.isNaN
        case .string(let s): return !s.isEmpty
        case .array, .object: return true
        }
    }

    /// A boolean the way form-friendly validators read one: JSON booleans
    /// as they are; "1"/"true"/"yes"/"on" and "0"/"false"/"no"/"off"/""
    /// (any case); numbers by non-zero. Nil for anything else.
    package static func boolean(_ value: JSONValue) -> Bool? {
        switch value {
        case .bool(let b): return b
        case .number(let n): return (Double(n.text) ?? 1) != 0
        case .string(let s):
            switch s.lowercased() {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off", "": return false
            default: return nil
            }
        case .null: return false
        default: return nil
        }
    }

    /// JavaScript's String.prototype.trim whitespace set.
    package static func trimWhitespace(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars[...]
        while let f = scalars.first, isJSWhitespace(f) { scalars = scalars.dropFirst() }
        while let l = scalars.last, isJSWhitespace(l) { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    static func isJSWhitespace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A,
             0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
            return true
        default:
            return false
        }
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    private static func digitValue(_ c: UInt8) -> Int? {
        switch c {
        case 48...57: return Int(c - 48)
        case 65...90: return Int(c - 55)
        case 97...122: return Int(c - 87)
        default: return nil
        }
    }
}

extension String {
    /// "1.e5" → "1.0e5" (Swift's Double parser wants a digit after the dot).
    fileprivate func replacingDotBeforeExponent() -> String {
        var out = ""
        var previous: Character? = nil
        for c in self {
            if (c == "e" || c == "E") && previous == "." { out.append("0") }
            out.append(c)
            previous = c
        }
        return out
    }
}
