// proteus_id: 128-bit ids, formatted the way each dialect needs.
import PluginAPI

extension proteus_id {
    /// All sixteen bytes as a Swift array.
    public var byteArray: [UInt8] {
        withUnsafeBytes(of: bytes) { Array($0) }
    }

    public init(byteArray: [UInt8]) {
        precondition(byteArray.count == 16, "proteus_id needs 16 bytes")
        var id = proteus_id()
        withUnsafeMutableBytes(of: &id.bytes) { raw in
            for i in 0..<16 { raw[i] = byteArray[i] }
        }
        self = id
    }

    /// A random version-4 UUID from bytes the caller got from a CSPRNG.
    public init(randomBytes: [UInt8]) {
        var b = randomBytes
        b[6] = (b[6] & 0x0F) | 0x40
        b[8] = (b[8] & 0x3F) | 0x80
        self.init(byteArray: b)
    }

    /// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", lowercase.
    public var dashedUUID: String { withUnsafeBytes(of: bytes) { Hex.encode($0, dashesAt: Hex.uuidDashes) } }

    /// 32 lowercase hex digits.
    public var compactHex: String { withUnsafeBytes(of: bytes) { Hex.encode($0) } }

    /// Parses a dashed UUID (8-4-4-4-12) in either case. Nil for anything else.
    public init?(dashedUUID text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 36 else { return nil }
        var hex: [UInt8] = []
        hex.reserveCapacity(32)
        for (i, c) in utf8.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard c == UInt8(ascii: "-") else { return nil }
            } else {
                hex.append(c)
            }
        }
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(byteArray: bytes)
    }

    /// Parses 32 hex digits in either case. Nil for anything else.
    public init?(compactHex text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 32, let bytes = Hex.decode(utf8) else { return nil }
        self.init(byteArray: bytes)
    }

    /// Byte equality. (No Equatable conformance: conformances on C types
    /// would be duplicated in every plugin that links this kit.)
    public func isSame(as other: proteus_id) -> Bool { byteArray == other.byteArray }
}

/// Lowercase hexadecimal.
///
/// The work is done on contiguous bytes, never through a generic
/// Collection: unspecialized across modules, the generic loop looked up
/// type metadata at run time for every byte, and was 18 % of a SCIM list's
/// CPU (each user's id is formatted several times).
public enum Hex {
    /// The dash positions of a UUID (8-4-4-4-12 digits).
    public static let uuidDashes = [4, 6, 8, 10]

    /// `bytes` as lowercase hex digits, with a "-" before each byte whose
    /// index is in `dashes` (ascending).
    public static func encode(_ bytes: UnsafeRawBufferPointer, dashesAt dashes: [Int] = []) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2 + dashes.count) { out in
            var o = 0, d = 0
            for i in 0..<bytes.count {
                if d < dashes.count && dashes[d] == i {
                    out[o] = UInt8(ascii: "-")
                    o += 1
                    d += 1
                }
                let b = bytes[i]
                out[o] = digit(b >> 4)
                out[o + 1] = digit(b & 0x0F)
                o += 2
            }
            return o
        }
    }

    public static func encode(_ bytes: [UInt8], dashesAt dashes: [Int] = []) -> String {
        bytes.withUnsafeBytes { encode($0, dashesAt: dashes) }
    }

    public static func encode<C: Collection<UInt8>>(_ bytes: C, dashesAt dashes: [Int] = []) -> String {
        encode(Array(bytes), dashesAt: dashes)
    }

    private static func digit(_ v: UInt8) -> UInt8 { v < 10 ? v + 48 : v + 87 }

    /// Decodes an even number of hex digits (either case); nil on anything else.
    public static func decode(_ hex: [UInt8]) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(hex.count / 2)
        var i = 0
        while i < hex.count {
            guard let high = value(hex[i]), let low = value(hex[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }

    public static func decode<C: Collection<UInt8>>(_ hex: C) -> [UInt8]? { decode(Array(hex)) }

    public static func decode(_ text: String) -> [UInt8]? { decode(Array(text.utf8)) }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}
