// Percent-decoding of request paths, once, before routing. Refuses what no
// dialect should ever see: malformed escapes, an encoded NUL, invalid UTF-8.

enum PathDecoding {
    /// Decodes `raw` into `out` (reused buffer). Returns nil when refused.
    static func decode(_ raw: ByteView, into out: inout [UInt8]) -> Bool? {
        out.removeAll(keepingCapacity: true)
        let bytes = raw.buffer
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, let h = hexValue(bytes[i + 1]), let l = hexValue(bytes[i + 2]) else { return nil }
                let decoded = h << 4 | l
                if decoded == 0 { return nil }
                out.append(decoded)
                i += 3
            } else {
                out.append(c)
                i += 1
            }
        }
        guard String(validating: out, as: UTF8.self) != nil else { return nil }
        return true
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }
}
