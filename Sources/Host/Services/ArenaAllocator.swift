// The allocator behind `proteus_arena`: bump allocation in chunks, freed at
// once; the pool arena_destroy returns arenas to; and the C entry points of
// the arena services.
import Glibc
import PluginAPI
import PluginKit

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

/// Arenas arena_destroy gave back, emptied and kept for the next
/// arena_create. Plugins make short-lived arenas all the time (PluginKit's
/// StoreClient one per store call, so two or three per authenticated
/// request; the Swift faces of seal, verify...): without the pool each
/// cost an object and a 16 KiB chunk from malloc and back.
final class ArenaPool: @unchecked Sendable {
    static let shared = ArenaPool()
    /// Idle arenas kept at most (16 KiB each once used): 1 MiB per process.
    static let limit = 64

    private let lock = PluginMutex()
    private var idle: [Arena] = []

    func take() -> Arena {
        lock.withLock { idle.popLast() } ?? Arena()
    }

    /// Empties `arena` (its first chunk kept) and keeps it, unless the pool
    /// is full (then it is freed).
    func give(_ arena: Arena) {
        arena.reset()
        lock.withLock { if idle.count < Self.limit { idle.append(arena) } }
    }

    var idleCount: Int { lock.withLock { idle.count } }
}

/// C entry points of the arena services.
enum ArenaServices {
    static let create: @convention(c) (UnsafeMutableRawPointer?) -> OpaquePointer? = { _ in
        OpaquePointer(Unmanaged.passRetained(ArenaPool.shared.take()).toOpaque())
    }
    static let alloc: @convention(c) (OpaquePointer?, Int) -> UnsafeMutableRawPointer? = { arena, size in
        Arena.from(arena)?.allocate(size)
    }
    static let destroy: @convention(c) (OpaquePointer?) -> Void = { arena in
        guard let arena else { return }
        ArenaPool.shared.give(Unmanaged<Arena>.fromOpaque(UnsafeRawPointer(arena)).takeRetainedValue())
    }
}
