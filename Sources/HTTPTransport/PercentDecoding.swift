// Percent-decoding of a request path (RFC 3986 §2.1) for the router.

package enum PercentDecodeResult: Equatable, Sendable {
    /// The decoded bytes (valid UTF-8, no NUL).
    case decoded([UInt8])
    /// "%" not followed by two hex digits.
    case malformedEscape
    /// "%00".
    case encodedNUL
    /// The decoded bytes are not valid UTF-8.
    case invalidUTF8
}

/// Decodes %XX escapes of a raw path. "+" is left as is (it means space only
/// in form-encoded queries). The parser has already refused raw bytes
/// outside RFC 3986, so the input is ASCII.
package func percentDecodePath(_ raw: ByteView) -> PercentDecodeResult {
    var output = [UInt8]()
    if let failure = percentDecodePath(raw, into: &output) { return failure }
    return .decoded(output)
}

/// The same into a caller's reusable buffer (the router's per-thread one):
/// nil on success, else the failure (`.decoded` is never returned).
package func percentDecodePath(_ raw: ByteView, into output: inout [UInt8]) -> PercentDecodeResult? {
    let input = raw.buffer
    output.removeAll(keepingCapacity: true)
    output.reserveCapacity(input.count)
    var i = 0
    let n = input.count
    var sawNonASCII = false
    while i < n {
        let c = input[i]
        if c == 37 /* % */ {
            guard n - i >= 3 else { return .malformedEscape }
            guard let hi = HTTPChar.hexValue(input[i + 1]), let lo = HTTPChar.hexValue(input[i + 2]) else {
                return .malformedEscape
            }
            let byte = UInt8(hi << 4 | lo)
            if byte == 0 { return .encodedNUL }
            if byte >= 0x80 { sawNonASCII = true }
            output.append(byte)
            i += 3
        } else {
            if c >= 0x80 { sawNonASCII = true }
            output.append(c)
            i += 1
        }
    }
    if sawNonASCII && !isValidUTF8(output) { return .invalidUTF8 }
    return nil
}

/// Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates,
/// nothing above U+10FFFF.
package func isValidUTF8(_ bytes: [UInt8]) -> Bool {
    var i = 0
    let n = bytes.count
    while i < n {
        let b0 = bytes[i]
        if b0 < 0x80 { i += 1; continue }
        let length: Int
        var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: return false
        }
        if n - i < length { return false }
        let b1 = bytes[i + 1]
        if b1 < lower || b1 > upper { return false }
        var k = 2
        while k < length {
            let b = bytes[i + k]
            if b < 0x80 || b > 0xBF { return false }
            k += 1
        }
        i += length
    }
    return true
}
