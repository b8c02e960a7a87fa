// Reference decoders shared by the targets: written independently of the
// code under test, simple rather than fast.
import HTTPTransport

/// The value of one hexadecimal digit (either case).
package func referenceHexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
    default: return nil
    }
}

/// RFC 3986 percent-decoding, the reference for percentDecodePath: the
/// first malformed escape or %00 (left to right) fails, then the result
/// must be UTF-8 (Swift's validating decoder is the reference for that).
package func referencePercentDecode(_ input: [UInt8]) -> PercentDecodeResult {
    var out: [UInt8] = []
    var i = 0
    while i < input.count {
        if input[i] == UInt8(ascii: "%") {
            guard i + 2 < input.count, let h = referenceHexValue(input[i + 1]), let l = referenceHexValue(input[i + 2]) else {
                return .malformedEscape
            }
            let b = h << 4 | l
            if b == 0 { return .encodedNUL }
            out.append(b)
            i += 3
        } else {
            out.append(input[i])
            i += 1
        }
    }
    return String(validating: out, as: UTF8.self) == nil ? .invalidUTF8 : .decoded(out)
}
