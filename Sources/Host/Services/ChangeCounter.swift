// host->change_counter: one number shared by the master and every worker of
// this host, in a small shared-memory region the master creates and each
// worker inherits (as the rate-limit table). A store bumps it after each
// write that may change an answer it caches, and a cache that sees it move
// forgets what it holds: a key revoked through one worker is refused by
// every other worker of the host at once.
import CLinux
import Glibc

final class ChangeCounter: @unchecked Sendable {
    /// The region's descriptor (passed to workers).
    let fd: Int32
    private let word: UnsafeMutablePointer<UInt64>

    /// One cache line: the counter alone on it.
    private static let byteSize = 64

    /// A fresh counter at 0 (the master, or a process on its own).
    init() throws {
        let (fd, base) = try SharedMemory.create("change counter", bytes: Self.byteSize)
        self.fd = fd
        word = base.bindMemory(to: UInt64.self, capacity: 1)
    }

    /// The master's counter (worker side): the descriptor it inherited.
    init(adopting fd: Int32) throws {
        let base = try SharedMemory.adopt(fd, "change counter", bytes: Self.byteSize)
        self.fd = fd
        word = base.bindMemory(to: UInt64.self, capacity: 1)
    }

    var value: UInt64 { proteus_atomic_load_u64(word) }

    /// Counts one change; returns the new value.
    func bump() -> UInt64 { proteus_atomic_increment_u64(word) }
}
