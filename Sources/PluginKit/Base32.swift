// Base32 (RFC 4648 §6 alphabet) as authenticator apps read and show a TOTP
// secret. Decoding (the totp auth plugin): letters in either case, spaces
// anywhere ignored, '=' padding ignored at the end; like Google
// Authenticator, bits left over after the last whole byte are dropped (so
// secrets of any length from common generators work). Encoding (the
// LISTEN.moe dialect's otpauth:// URIs): upper case, no padding, as the
// Key URI Format asks.
public enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Upper-case base32 without '=' padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 8 + 4) / 5)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8 | UInt32(byte)) & 0xFFFF
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[Int(buffer >> UInt32(bits)) & 31])
            }
        }
        if bits > 0 { out.append(alphabet[Int(buffer << UInt32(5 - bits)) & 31]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The decoded bytes and the number of base32 characters read, or nil
    /// when `text` holds anything else (a character outside the alphabet,
    /// '=' followed by anything but '=' or spaces).
    public static func decode(_ text: UnsafeRawBufferPointer) -> (bytes: [UInt8], characters: Int)? {
        var out: [UInt8] = []
        out.reserveCapacity(text.count * 5 / 8)
        var buffer: UInt32 = 0
        var bits = 0
        var characters = 0
        var padding = false
        for c in text {
            if c == UInt8(ascii: " ") { continue }
            if c == UInt8(ascii: "=") { padding = true; continue }
            guard !padding, let v = value(c) else { return nil }
            characters += 1
            buffer = (buffer << 5 | UInt32(v)) & 0xFFFF
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return (out, characters)
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - UInt8(ascii: "a")
        case UInt8(ascii: "2")...UInt8(ascii: "7"): return c - UInt8(ascii: "2") + 26
        default: return nil
        }
    }
}
