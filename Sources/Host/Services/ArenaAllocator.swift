// The allocator behind `proteus_arena`: bump allocation in chunks, freed at
// once, and the C entry points of the arena services.
import Glibc
import PluginAPI

/// A region outputs are allocated from (see the ABI's ownership rule).
/// One thread at a time. `reset()` keeps the first chunk for reuse, so a
/// per-thread request arena allocates nothing in the steady state.
final class Arena {
    private var chunks: [UnsafeMutableRawPointer] = []
    private var current: UnsafeMutableRawPointer?
    private var used = 0
    private var capacity = 0
    private static let chunkSize = 16 * 1024

    deinit { for c in chunks { free(c) } }

    func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
        let aligned = (size + 15) & ~15
        if aligned < 0 || aligned > Int.max / 2 { return nil }
        if current == nil || used + aligned > capacity {
            let chunkCapacity = max(Self.chunkSize, aligned)
            var raw: UnsafeMutableRawPointer?
            guard posix_memalign(&raw, 16, chunkCapacity) == 0, let raw else { return nil }
            chunks.append(raw)
            current = raw
            used = 0
            capacity = chunkCapacity
        }
        let p = current! + used
        used += aligned
        memset(p, 0, aligned)
        return p
    }

    /// Frees every chunk but the first, which is kept empty for reuse.
    func reset() {
        guard let first = chunks.first else { return }
        for c in chunks.dropFirst() { free(c) }
        chunks = [first]
        current = first
        used = 0
        capacity = Self.chunkSize
    }

    /// The opaque pointer handed across the ABI (unretained: the owner keeps it alive).
    var opaque: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static func from(_ p: OpaquePointer?) -> Arena? {
        guard let p else { return nil }
        return Unmanaged<Arena>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }
}

/// C entry points of the arena services.
enum ArenaServices {
    static let create: @convention(c) (UnsafeMutableRawPointer?) -> OpaquePointer? = { _ in
        OpaquePointer(Unmanaged.passRetained(Arena()).toOpaque())
    }
    static let alloc: @convention(c) (OpaquePointer?, Int) -> UnsafeMutableRawPointer? = { arena, size in
        Arena.from(arena)?.allocate(size)
    }
    static let destroy: @convention(c) (OpaquePointer?) -> Void = { arena in
        guard let arena else { return }
        Unmanaged<Arena>.fromOpaque(UnsafeRawPointer(arena)).release()
    }
}
