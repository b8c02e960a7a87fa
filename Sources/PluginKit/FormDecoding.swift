// application/x-www-form-urlencoded (and query strings): name=value pairs
// joined by '&', percent-decoded, '+' meaning space. Malformed escapes are
// kept literally (as browsers and Node's querystring do).

public enum FormDecoding {
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> [(name: String, value: String)] {
        guard bytes.count > 0 else { return [] }
        var items: [(name: String, value: String)] = []
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "&") { end += 1 }
            if end > start {
                var eq = start
                while eq < end && bytes[eq] != UInt8(ascii: "=") { eq += 1 }
                let name = decodeComponent(bytes, start, eq)
                let value = eq < end ? decodeComponent(bytes, eq + 1, end) : ""
                items.append((name, value))
            }
            start = end + 1
        }
        return items
    }

    public static func decode(_ text: String) -> [(name: String, value: String)] {
        var t = text
        return t.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    static func decodeComponent(_ bytes: UnsafeRawBufferPointer, _ from: Int, _ to: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(to - from)
        var i = from
        while i < to {
            let c = bytes[i]
            if c == UInt8(ascii: "+") {
                out.append(32); i += 1
            } else if c == UInt8(ascii: "%"), i + 2 < to, let h = hex(bytes[i + 1]), let l = hex(bytes[i + 2]) {
                out.append(h << 4 | l); i += 3
            } else {
                out.append(c); i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }
}
