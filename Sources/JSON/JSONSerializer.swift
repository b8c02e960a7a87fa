/// Serialisation, matching JavaScript's `JSON.stringify` byte for byte:
///
/// - compact form has no whitespace: `{"a":1,"b":[true,null]}`;
/// - pretty form is `JSON.stringify(value, null, 2)`: two-space indent,
///   `"key": value`, empty containers as `[]`/`{}`, no trailing newline;
/// - strings escape `"` and `\`, write U+0008/0C/0A/0D/09 as `\b \f \n \r \t`
///   and other controls below U+0020 as `\u00xx` (lowercase hex); `/`, DEL and
///   all non-ASCII (including U+2028/2029) are written raw as UTF-8;
/// - numbers are written as their stored text; objects in their key order.
extension JSONValue {
    /// Appends the compact form to `out` (reuse one buffer across calls).
    public func write(into out: inout [UInt8]) {
        switch self {
        case .null:
            appendNull(&out)
        case .bool(let b):
            appendBool(b, &out)
        case .number(let n):
            out.append(contentsOf: n.text.utf8)
        case .string(let s):
            JSONValue.writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                element.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in object {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                JSONValue.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Appends the value to `out`, compact or pretty (see the type notes).
    /// `sortedKeys` orders object keys by their UTF-8 bytes (= code point order),
    /// for stable human-facing output; insertion order is used otherwise.
    public func write(into out: inout [UInt8], pretty: Bool, sortedKeys: Bool) {
        if !pretty && !sortedKeys {
            write(into: &out)
        } else {
            writeFormatted(into: &out, indent: pretty ? 0 : -1, sortedKeys: sortedKeys)
        }
    }

    /// The compact form, as `JSON.stringify(value)` would write it.
    public func serialized() -> String {
        var out: [UInt8] = []
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The compact or pretty form; see `write(into:pretty:sortedKeys:)`.
    public func serialized(pretty: Bool, sortedKeys: Bool = false) -> String {
        var out: [UInt8] = []
        write(into: &out, pretty: pretty, sortedKeys: sortedKeys)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `s` as a quoted, escaped JSON string (the escaping of `JSON.stringify`).
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s  // withUTF8 is mutating; native strings are not copied
        s.withUTF8 { bytes in
            // Copy runs of bytes that need no escaping in one go.
            var runStart = 0
            for i in 0..<bytes.count {
                let b = bytes[i]
                guard b < 0x20 || b == 0x22 || b == 0x5C else { continue }
                if runStart < i {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                }
                appendEscaped(b, &out)
                runStart = i + 1
            }
            if runStart < bytes.count {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// indent < 0: compact (used for sorted-but-compact output); else the current depth.
    private func writeFormatted(into out: inout [UInt8], indent: Int, sortedKeys: Bool) {
        let pretty = indent >= 0
        func newline(_ depth: Int) {
            guard pretty else { return }
            out.append(0x0A)
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
        }
        let inner = pretty ? indent + 1 : -1
        switch self {
        case .array(let elements) where !elements.isEmpty:
            out.append(UInt8(ascii: "["))
            for (n, element) in elements.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                element.writeFormatted(into: &out, indent: inner, sortedKeys: sortedKeys)
            }
            newline(indent)
            out.append(UInt8(ascii: "]"))
        case .object(let object) where !object.isEmpty:
            var members = Array(object)
            if sortedKeys {
                members.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            }
            out.append(UInt8(ascii: "{"))
            for (n, member) in members.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                JSONValue.writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                if pretty { out.append(UInt8(ascii: " ")) }
                member.value.writeFormatted(into: &out, indent: inner, sortedKeys: sortedKeys)
            }
            newline(indent)
            out.append(UInt8(ascii: "}"))
        default:
            write(into: &out)
        }
    }
}

@inline(__always)
private func appendNull(_ out: inout [UInt8]) {
    out.append(contentsOf: "null".utf8)
}

@inline(__always)
private func appendBool(_ b: Bool, _ out: inout [UInt8]) {
    if b {
        out.append(contentsOf: "true".utf8)
    } else {
        out.append(contentsOf: "false".utf8)
    }
}

private func appendEscaped(_ b: UInt8, _ out: inout [UInt8]) {
    out.append(UInt8(ascii: "\\"))
    switch b {
    case 0x22: out.append(0x22)
    case 0x5C: out.append(0x5C)
    case 0x08: out.append(UInt8(ascii: "b"))
    case 0x0C: out.append(UInt8(ascii: "f"))
    case 0x0A: out.append(UInt8(ascii: "n"))
    case 0x0D: out.append(UInt8(ascii: "r"))
    case 0x09: out.append(UInt8(ascii: "t"))
    default:
        let hex: StaticString = "0123456789abcdef"
        out.append(UInt8(ascii: "u"))
        out.append(UInt8(ascii: "0"))
        out.append(UInt8(ascii: "0"))
        out.append(hex.utf8Start[Int(b >> 4)])
        out.append(hex.utf8Start[Int(b & 0xF)])
    }
}
