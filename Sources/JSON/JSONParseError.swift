/// Why a document was rejected, and where.
///
/// `message` is a complete sentence for humans (it already contains the offset
/// when one is meaningful), e.g. `Unexpected character '}' at offset 17`.
/// `offset` is the byte offset into the input (the input's length for
/// "Unexpected end of input").
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { message }
}

extension JSONParseError {
    static func unexpectedEnd(at offset: Int) -> JSONParseError {
        JSONParseError(message: "Unexpected end of input", offset: offset)
    }

    /// Names the byte as a character when it is printable ASCII, else as hex.
    static func unexpected(_ byte: UInt8, at offset: Int) -> JSONParseError {
        let shown: String
        if byte >= 0x21 && byte <= 0x7E {
            shown = "character '\(Character(Unicode.Scalar(byte)))'"
        } else {
            shown = "byte 0x\(hex2(byte))"
        }
        return JSONParseError(message: "Unexpected \(shown) at offset \(offset)", offset: offset)
    }

    static func invalidNumber(at offset: Int) -> JSONParseError {
        JSONParseError(message: "Invalid number at offset \(offset)", offset: offset)
    }

    static func invalidLiteral(at offset: Int) -> JSONParseError {
        JSONParseError(message: "Invalid literal at offset \(offset)", offset: offset)
    }

    static func unterminatedString(at offset: Int) -> JSONParseError {
        JSONParseError(message: "Unterminated string at offset \(offset)", offset: offset)
    }

    static func controlCharacter(_ byte: UInt8, at offset: Int) -> JSONParseError {
        JSONParseError(
            message: "Unescaped control character U+00\(hex2(byte)) in string at offset \(offset)",
            offset: offset)
    }

    static func invalidEscape(at offset: Int) -> JSONParseError {
        JSONParseError(message: "Invalid escape sequence at offset \(offset)", offset: offset)
    }

    static func loneSurrogate(at offset: Int) -> JSONParseError {
        JSONParseError(message: "Unpaired surrogate escape at offset \(offset)", offset: offset)
    }

    static func invalidUTF8(at offset: Int) -> JSONParseError {
        JSONParseError(message: "Invalid UTF-8 in string at offset \(offset)", offset: offset)
    }

    static func tooDeep(_ limit: Int, at offset: Int) -> JSONParseError {
        JSONParseError(message: "Nesting deeper than \(limit) levels", offset: offset)
    }

    static func trailing(at offset: Int) -> JSONParseError {
        JSONParseError(message: "Trailing characters after JSON value at offset \(offset)", offset: offset)
    }

    static func byteOrderMark() -> JSONParseError {
        JSONParseError(message: "Byte order mark (U+FEFF) is not allowed at offset 0", offset: 0)
    }

    private static func hex2(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
