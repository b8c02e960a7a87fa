// Writing outputs into a caller's arena (the ABI's one ownership rule).
import PluginAPI

/// Allocates output values in a caller-owned `proteus_arena` through the
/// host's `arena_alloc`. Cheap to copy; valid while the arena lives.
public struct ArenaWriter {
    public let arena: OpaquePointer
    public let allocFunction: @convention(c) (OpaquePointer?, Int) -> UnsafeMutableRawPointer?

    public init(host: UnsafePointer<proteus_host_api>, arena: OpaquePointer) {
        self.arena = arena
        self.allocFunction = host.pointee.arena_alloc
    }

    /// Raw zeroed memory; throws when the arena is out of memory.
    public func allocate(bytes: Int) throws -> UnsafeMutableRawPointer {
        guard let p = allocFunction(arena, max(bytes, 1)) else {
            throw PluginError.internal("out of memory")
        }
        return p
    }

    /// Zeroed storage for `count` values of a C struct type.
    public func allocate<T>(_ type: T.Type, count: Int) throws -> UnsafeMutablePointer<T> {
        try allocate(bytes: MemoryLayout<T>.stride * count).bindMemory(to: T.self, capacity: count)
    }

    /// A copy of `text` in the arena (absent when nil).
    public func str(_ text: String?) throws -> proteus_str {
        guard var text else { return .absent }
        return try text.withUTF8 { try str(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// A copy of raw UTF-8 bytes as a present string.
    public func str(bytes: UnsafeRawBufferPointer) throws -> proteus_str {
        let p = try allocate(bytes: bytes.count + 1)
        if bytes.count > 0 { p.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        return proteus_str(ptr: p.assumingMemoryBound(to: CChar.self), len: bytes.count)
    }

    /// A copy of an existing proteus_str (absent stays absent).
    public func str(copying s: proteus_str) throws -> proteus_str {
        guard s.ptr != nil else { return .absent }
        return try str(bytes: s.buffer)
    }

    /// A copy of binary data (absent when nil).
    public func bytes(_ data: [UInt8]?) throws -> proteus_bytes {
        guard let data else { return .absent }
        return try data.withUnsafeBytes { try bytes(raw: $0) }
    }

    public func bytes(raw: UnsafeRawBufferPointer) throws -> proteus_bytes {
        let p = try allocate(bytes: raw.count)
        if raw.count > 0 { p.copyMemory(from: raw.baseAddress!, byteCount: raw.count) }
        return proteus_bytes(ptr: p.assumingMemoryBound(to: UInt8.self), len: raw.count)
    }
}
