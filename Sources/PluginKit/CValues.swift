// Conversions between the ABI's C value types and Swift values.
import PluginAPI

extension proteus_str {
    /// An absent string (NULL pointer).
    public static var absent: proteus_str { proteus_str(ptr: nil, len: 0) }

    /// True when the string is present (possibly empty).
    public var isPresent: Bool { ptr != nil }

    /// The text, or nil when absent. Invalid UTF-8 is repaired (U+FFFD).
    public var string: String? {
        guard let ptr else { return nil }
        return ptr.withMemoryRebound(to: UInt8.self, capacity: len) {
            String(decoding: UnsafeBufferPointer(start: $0, count: len), as: UTF8.self)
        }
    }

    /// The bytes as an unsafe buffer (empty when absent); valid as long as the string.
    public var buffer: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: ptr, count: ptr == nil ? 0 : len)
    }

    /// Byte-exact comparison with a Swift string.
    public func equals(_ other: String) -> Bool {
        guard let ptr else { return false }
        var other = other
        return other.withUTF8 { o in
            o.count == len && (len == 0 || memcmp(ptr, o.baseAddress!, len) == 0)
        }
    }
}

extension proteus_bytes {
    public static var absent: proteus_bytes { proteus_bytes(ptr: nil, len: 0) }
    public var isPresent: Bool { ptr != nil }
    public var array: [UInt8]? {
        guard let ptr else { return nil }
        return Array(UnsafeBufferPointer(start: ptr, count: len))
    }
    public var buffer: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: ptr, count: ptr == nil ? 0 : len)
    }
}

/// Runs `body` with a borrowed proteus_str view of `string` (absent when nil).
@inlinable
public func withProteusStr<R>(_ string: String?, _ body: (proteus_str) throws -> R) rethrows -> R {
    guard var string else { return try body(.absent) }
    return try string.withUTF8 { utf8 in
        // A present empty string still needs a non-NULL pointer.
        if utf8.isEmpty {
            return try "".withCString { try body(proteus_str(ptr: $0, len: 0)) }
        }
        return try utf8.withMemoryRebound(to: CChar.self) {
            try body(proteus_str(ptr: $0.baseAddress, len: $0.count))
        }
    }
}

/// Runs `body` with a borrowed proteus_bytes view of `bytes` (absent when nil).
@inlinable
public func withProteusBytes<R>(_ bytes: [UInt8]?, _ body: (proteus_bytes) throws -> R) rethrows -> R {
    guard let bytes else { return try body(.absent) }
    if bytes.isEmpty {
        var zero: UInt8 = 0
        return try withUnsafePointer(to: &zero) { try body(proteus_bytes(ptr: $0, len: 0)) }
    }
    return try bytes.withUnsafeBufferPointer { try body(proteus_bytes(ptr: $0.baseAddress, len: $0.count)) }
}

import Glibc
