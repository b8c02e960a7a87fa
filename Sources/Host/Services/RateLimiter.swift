// Fixed-window rate-limit counters in shared memory.
//
// The table lives in an unlinked POSIX shared-memory object mapped
// MAP_SHARED. The master creates it (with the seed and the process-shared
// mutexes, one per stripe) before any worker starts and passes the
// descriptor to every worker process (fd 5, see Supervision/), which maps
// the same pages with `init(adopting:)`: all workers count into the same
// slots, so a client cannot multiply its allowance by landing on different
// workers, and the counters survive worker restarts and reloads.
//
// A worker that dies while holding a stripe lock would leave it locked:
// the critical section is a few loads and stores of host code (no plugin
// code, nothing that can trap on input), so the only way to die there is
// SIGKILL at that instant; the mutexes are robust, so the next locker gets
// EOWNERDEAD, marks the stripe consistent and carries on (the counters are
// plain integers, valid whatever instant the owner died).
import Glibc

final class RateLimiter: @unchecked Sendable {
    struct Outcome {
        var allowed: Bool
        var limit: UInt32
        var remaining: UInt32
        var resetSeconds: UInt32
    }

    private struct Slot {
        var keyHash: UInt64
        var windowID: UInt64   // (window length << 40) | window index, 0 = empty
        var count: UInt32
        var pad: UInt32
    }

    private static let stripes = 64
    private static let slotsPerStripe = 2048
    private static let probe = 8

    /// The shared-memory object holding the table (inherited by workers).
    let fd: Int32
    private let base: UnsafeMutableRawPointer
    private let seed: UInt64

    private var locksBase: UnsafeMutablePointer<pthread_mutex_t> {
        (base + 16).assumingMemoryBound(to: pthread_mutex_t.self)
    }
    private var slotsBase: UnsafeMutablePointer<Slot> {
        let offset = 16 + MemoryLayout<pthread_mutex_t>.stride * Self.stripes
        let aligned = (offset + 63) & ~63
        return (base + aligned).assumingMemoryBound(to: Slot.self)
    }

    private static var byteSize: Int {
        let header = (16 + MemoryLayout<pthread_mutex_t>.stride * stripes + 63) & ~63
        return header + MemoryLayout<Slot>.stride * stripes * slotsPerStripe
    }

    /// Creates a fresh table (the master / single process).
    init() throws {
        (fd, base) = try SharedMemory.create("rate-limit table", bytes: Self.byteSize)
        var seed: UInt64 = 0
        _ = SecureRandom.fill(&seed, count: 8)
        base.storeBytes(of: seed, as: UInt64.self)
        self.seed = seed
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_setpshared(&attributes, Int32(PTHREAD_PROCESS_SHARED))
        pthread_mutexattr_setrobust(&attributes, Int32(PTHREAD_MUTEX_ROBUST))
        for i in 0..<Self.stripes { pthread_mutex_init(locksBase + i, &attributes) }
        pthread_mutexattr_destroy(&attributes)
    }

    /// Maps a table created by the master (worker side): the descriptor it
    /// inherited. The seed and the initialised mutexes are already there.
    init(adopting fd: Int32) throws {
        let mapping = try SharedMemory.adopt(fd, "rate-limit table", bytes: Self.byteSize)
        self.fd = fd
        self.base = mapping
        self.seed = mapping.load(as: UInt64.self)
    }

    private func lock(_ mutex: UnsafeMutablePointer<pthread_mutex_t>) {
        if pthread_mutex_lock(mutex) == EOWNERDEAD {
            // A worker died holding it (SIGKILL mid-update): the slots stay
            // usable as they are.
            pthread_mutex_consistent(mutex)
        }
    }

    /// Counts one hit for `key` in a window of `windowSeconds` starting at
    /// multiples of the window length.
    func hit(key: UnsafeRawBufferPointer, limit: UInt32, windowSeconds: UInt32, nowMillis: Int64) -> Outcome {
        let window = UInt64(max(windowSeconds, 1))
        let nowSeconds = UInt64(max(nowMillis, 0)) / 1000
        let index = nowSeconds / window
        let windowID = (window << 40) | (index & 0xFF_FFFF_FFFF) | (1 << 63)
        let reset = UInt32(clamping: (index + 1) * window - nowSeconds)
        let hash = Self.hash(key, seed: seed) ^ (window &* 0x9E37_79B9_7F4A_7C15)
        let stripe = Int(hash % UInt64(Self.stripes))
        let lock = locksBase + stripe
        self.lock(lock)
        defer { pthread_mutex_unlock(lock) }
        let slots = slotsBase + stripe * Self.slotsPerStripe
        let start = Int((hash >> 8) % UInt64(Self.slotsPerStripe))
        var chosen = -1
        var free = -1
        for step in 0..<Self.probe {
            let i = (start + step) % Self.slotsPerStripe
            let slot = slots[i]
            if slot.keyHash == hash && slot.windowID != 0 { chosen = i; break }
            if free < 0 && Self.isExpired(slot.windowID, nowSeconds: nowSeconds) { free = i }
        }
        if chosen < 0 {
            // A free or expired slot; when every probed slot is live, reuse
            // the first (bounded memory beats exactness under a flood).
            chosen = free >= 0 ? free : start
            slots[chosen] = Slot(keyHash: hash, windowID: windowID, count: 0, pad: 0)
        }
        if slots[chosen].windowID != windowID {
            slots[chosen].windowID = windowID
            slots[chosen].count = 0
        }
        let count = slots[chosen].count &+ (slots[chosen].count == UInt32.max ? 0 : 1)
        slots[chosen].count = count
        let allowed = count <= limit
        return Outcome(allowed: allowed, limit: limit,
                       remaining: allowed ? limit - count : 0, resetSeconds: max(reset, 1))
    }

    private static func isExpired(_ windowID: UInt64, nowSeconds: UInt64) -> Bool {
        if windowID == 0 { return true }
        let length = max((windowID >> 40) & 0x7F_FFFF, 1)
        return windowID & 0xFF_FFFF_FFFF < nowSeconds / length
    }

    /// FNV-1a, seeded per host so clients cannot aim at one stripe.
    private static func hash(_ key: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
        for b in key { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        h ^= h >> 33; h = h &* 0xff51_afd7_ed55_8ccd; h ^= h >> 33
        return h
    }

    /// The rate-limit key of a client address: IPv4 as is, IPv6 cut to /56.
    static func clientKey(_ address: String) -> [UInt8] {
        var v6 = in6_addr()
        if address.contains(":"), inet_pton(AF_INET6, address, &v6) == 1 {
            var bytes = withUnsafeBytes(of: &v6) { Array($0) }
            // IPv4-mapped addresses count as the IPv4 client.
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                return Array("\(bytes[12]).\(bytes[13]).\(bytes[14]).\(bytes[15])".utf8)
            }
            for i in 7..<16 { bytes[i] = 0 }
            return Array("v6:".utf8) + bytes[0..<7]
        }
        return Array(address.utf8)
    }
}

/// A host-level failure with a message for the operator.
struct HostError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
