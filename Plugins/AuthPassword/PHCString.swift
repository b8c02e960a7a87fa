// Parsing Argon2 PHC strings:
//   $argon2id$v=19$m=19456,t=2,p=1$<salt b64>$<hash b64>
// The layout libargon2's decoder accepts: the variant, an optional version
// (absent means 0x10, the pre-1.3 format), m, t and p in that order and
// nothing else, then unpadded standard base64 salt and hash.

/// The Argon2 variant named by a PHC string.
enum Argon2Variant: Sendable, Equatable {
    case argon2d, argon2i, argon2id

    var name: String {
        switch self {
        case .argon2d: return "argon2d"
        case .argon2i: return "argon2i"
        case .argon2id: return "argon2id"
        }
    }

    /// The variant whose `$<name>$` prefix starts `stored`, if any.
    static func detect(_ stored: UnsafeRawBufferPointer) -> Argon2Variant? {
        if hasPrefix(stored, "$argon2id$") { return .argon2id }
        if hasPrefix(stored, "$argon2i$") { return .argon2i }
        if hasPrefix(stored, "$argon2d$") { return .argon2d }
        return nil
    }
}

/// The parameters of a well-formed Argon2 PHC string.
struct PHCString: Sendable, Equatable {
    static let version10: UInt32 = 0x10
    static let version13: UInt32 = 0x13

    var variant: Argon2Variant
    var version: UInt32
    var memoryKiB: UInt32
    var iterations: UInt32
    var parallelism: UInt32
    /// Decoded lengths in bytes.
    var saltLength: Int
    var hashLength: Int

    /// Why a string is not a well-formed Argon2 PHC string. Never quotes the
    /// string itself.
    struct Malformed: Error, Sendable, Equatable {
        let reason: String
    }

    /// Parses `text`; throws `Malformed` when it does not follow the layout.
    static func parse(_ text: UnsafeRawBufferPointer) throws(Malformed) -> PHCString {
        guard let variant = Argon2Variant.detect(text) else {
            throw Malformed(reason: "not an argon2 PHC string")
        }
        // Split on '$': "", variant, [v=..], params, salt, hash
        let fields = text.split(separator: UInt8(ascii: "$"), omittingEmptySubsequences: false)
        guard fields.count == 5 || fields.count == 6 else {
            throw Malformed(reason: "expected 5 or 6 '$'-separated fields, found \(fields.count)")
        }
        var index = 2
        var version = version10
        if fields.count == 6 {
            let v = fields[index]
            guard startsWith(v, "v="), let n = decimal(v.dropFirst(2)) else {
                throw Malformed(reason: "bad version field")
            }
            guard n == version10 || n == version13 else {
                throw Malformed(reason: "unsupported argon2 version \(n)")
            }
            version = n
            index += 1
        }
        let params = fields[index].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard params.count == 3,
              startsWith(params[0], "m="), let m = decimal(params[0].dropFirst(2)),
              startsWith(params[1], "t="), let t = decimal(params[1].dropFirst(2)),
              startsWith(params[2], "p="), let p = decimal(params[2].dropFirst(2)) else {
            throw Malformed(reason: "parameters must be m=<int>,t=<int>,p=<int>")
        }
        guard let saltLength = base64DecodedLength(fields[index + 1]) else {
            throw Malformed(reason: "salt is not unpadded base64")
        }
        guard let hashLength = base64DecodedLength(fields[index + 2]) else {
            throw Malformed(reason: "hash is not unpadded base64")
        }
        guard saltLength >= 8 else { throw Malformed(reason: "salt shorter than 8 bytes") }
        guard hashLength >= 4 else { throw Malformed(reason: "hash shorter than 4 bytes") }
        guard t >= 1 else { throw Malformed(reason: "t must be at least 1") }
        guard p >= 1 else { throw Malformed(reason: "p must be at least 1") }
        guard UInt64(m) >= 8 * UInt64(p) else { throw Malformed(reason: "m must be at least 8 × p") }
        return PHCString(variant: variant, version: version, memoryKiB: m, iterations: t,
                         parallelism: p, saltLength: saltLength, hashLength: hashLength)
    }

    /// A decimal UInt32 without sign or leading zeros (as libargon2 writes it).
    static func decimal(_ digits: Slice<UnsafeRawBufferPointer>) -> UInt32? {
        guard !digits.isEmpty, digits.count <= 10 else { return nil }
        if digits.count > 1 && digits.first == UInt8(ascii: "0") { return nil }
        var n: UInt64 = 0
        for c in digits {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            n = n * 10 + UInt64(c - 0x30)
        }
        return n <= UInt64(UInt32.max) ? UInt32(n) : nil
    }

    /// Decoded length of unpadded standard base64, or nil when `text` is not.
    static func base64DecodedLength(_ text: Slice<UnsafeRawBufferPointer>) -> Int? {
        guard !text.isEmpty, text.count % 4 != 1 else { return nil }
        for c in text {
            let ok = (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
                || c == UInt8(ascii: "+") || c == UInt8(ascii: "/")
            guard ok else { return nil }
        }
        return text.count * 3 / 4
    }
}

func hasPrefix(_ bytes: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
    let n = prefix.utf8CodeUnitCount
    guard bytes.count >= n else { return false }
    for i in 0..<n where bytes[i] != prefix.utf8Start[i] { return false }
    return true
}

private func startsWith(_ bytes: Slice<UnsafeRawBufferPointer>, _ prefix: StaticString) -> Bool {
    let n = prefix.utf8CodeUnitCount
    guard bytes.count >= n else { return false }
    var i = 0
    for c in bytes.prefix(n) {
        if c != prefix.utf8Start[i] { return false }
        i += 1
    }
    return true
}
