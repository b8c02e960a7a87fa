// The scoreboard: a shared-memory table with one slot per worker process,
// created by the master and inherited by every worker (fd 7). A worker's
// dispatcher writes the route of each request into its serving thread's
// entry before calling the dialect and clears it afterwards; a fatal-signal
// handler marks the entry of the thread that crashed. The master reads the
// slot only after the worker is dead (waitpid), so no lock is needed: the
// dead process cannot write any more.
//
// Layout (all little-endian, offsets in bytes):
//   header   64: "PRTSCORE", UInt32 version, UInt32 slotCount,
//                UInt32 entriesPerSlot, UInt32 entrySize
//   slot[i]  slotHeaderSize + entriesPerSlot * entrySize, at
//            headerSize + i * slotSize:
//     +0  UInt32 pid (set by the master at spawn)
//     +4  UInt32 culprit: 1 + index of the entry whose thread took a fatal
//                signal, 0 = unknown
//     +64 entry[e] (128 bytes): +0 UInt8 active (0/1), +2 UInt8 path was
//                cut, +4 UInt16 method length, +6 UInt16 path length,
//                +8 16 bytes method, +24 104 bytes path (the raw request
//                path without the query)
import Glibc
import HTTPTransport
import Synchronization

final class Scoreboard: @unchecked Sendable {
    static let slotCount = 256
    /// Serving threads of one worker with an entry: the base threads and a
    /// full waiting lane at the defaults (4 × cores + 512) up to 128 cores.
    /// A thread's entry is given back when it ends (lane threads come and
    /// go); threads beyond this many record nothing.
    static let entriesPerSlot = 1024
    static let entrySize = 128
    static let slotHeaderSize = 64
    static let headerSize = 64
    static let methodCapacity = 16
    static let pathCapacity = entrySize - 8 - methodCapacity
    static var slotSize: Int { slotHeaderSize + entriesPerSlot * entrySize }
    static var byteSize: Int { headerSize + slotCount * slotSize }
    private static let magic: UInt64 = 0x4552_4F43_5354_5250   // "PRTSCORE"
    private static let version: UInt32 = 2

    /// The shared-memory object (passed to workers).
    let fd: Int32
    let base: UnsafeMutableRawPointer
    private var free: [Int]

    /// Creates a zeroed table in an unlinked POSIX shared-memory object.
    init() throws {
        (fd, base) = try SharedMemory.create("worker scoreboard", bytes: Self.byteSize)
        base.storeBytes(of: Self.magic, as: UInt64.self)
        base.storeBytes(of: Self.version, toByteOffset: 8, as: UInt32.self)
        base.storeBytes(of: UInt32(Self.slotCount), toByteOffset: 12, as: UInt32.self)
        base.storeBytes(of: UInt32(Self.entriesPerSlot), toByteOffset: 16, as: UInt32.self)
        base.storeBytes(of: UInt32(Self.entrySize), toByteOffset: 20, as: UInt32.self)
        free = Array((0..<Self.slotCount).reversed())
    }

    /// Maps an inherited table (worker side) after checking its header.
    init(adopting fd: Int32) throws {
        base = try SharedMemory.adopt(fd, "worker scoreboard", bytes: Self.byteSize, magic: Self.magic, version: Self.version)
        self.fd = fd
        free = []
    }

    func slot(_ index: Int) -> UnsafeMutableRawPointer {
        base + Self.headerSize + index * Self.slotSize
    }

    /// [master] Takes a free slot, zeroed, with `pid` unset.
    func allocate() -> Int? {
        guard let index = free.popLast() else { return nil }
        memset(slot(index), 0, Self.slotSize)
        return index
    }

    /// [master] Gives a slot back (after its worker was reaped).
    func release(_ index: Int) {
        free.append(index)
    }

    func setPID(_ pid: pid_t, slot index: Int) {
        slot(index).storeBytes(of: UInt32(bitPattern: pid), as: UInt32.self)
    }

    /// [master, after the worker died] The routes that were in flight:
    /// the crashing thread's first (when the fatal-signal handler marked
    /// it), then the others.
    func inFlight(slot index: Int) -> (culprit: String?, others: [String]) {
        let s = slot(index)
        let culprit = Int(s.load(fromByteOffset: 4, as: UInt32.self))
        var culpritRoute: String?
        var others: [String] = []
        for e in 0..<Self.entriesPerSlot {
            let entry = s + Self.slotHeaderSize + e * Self.entrySize
            guard entry.load(as: UInt8.self) == 1 else { continue }
            let methodLength = min(Int(entry.load(fromByteOffset: 4, as: UInt16.self)), Self.methodCapacity)
            let pathLength = min(Int(entry.load(fromByteOffset: 6, as: UInt16.self)), Self.pathCapacity)
            let method = Self.printable(UnsafeRawBufferPointer(start: entry + 8, count: methodLength))
            var path = Self.printable(UnsafeRawBufferPointer(start: entry + 8 + Self.methodCapacity, count: pathLength))
            if entry.load(fromByteOffset: 2, as: UInt8.self) != 0 { path += "..." }
            let route = method + " " + path
            if e + 1 == culprit { culpritRoute = route } else { others.append(route) }
        }
        return (culpritRoute, others)
    }

    /// Bytes for a log line: printable ASCII kept, anything else as %XX.
    private static func printable(_ bytes: UnsafeRawBufferPointer) -> String {
        var out = ""
        for b in bytes {
            if b > 0x20 && b < 0x7F && b != 0x25 {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 15)]], as: UTF8.self)
            }
        }
        return out
    }
}

/// Worker side: records the route each serving thread is handling into the
/// worker's scoreboard slot. Without a slot (single-process mode) every
/// call is a no-op.
enum RouteRecorder {
    nonisolated(unsafe) private static var slot: UnsafeMutableRawPointer?
    /// Entries no live thread holds, lowest last (taken first).
    nonisolated(unsafe) private static var freeEntries = Array((0..<Scoreboard.entriesPerSlot).reversed())
    private static let freeEntriesLock = PThreadMutex()
    /// Per thread: 1 + its entry index; `noEntry` when every entry is taken.
    /// A thread that ends gives its entry back.
    static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { value in
            let held = Int(bitPattern: value)
            guard held > 0, held <= Scoreboard.entriesPerSlot else { return }
            RouteRecorder.giveBack(entry: held - 1)
        }
        return key
    }()

    private static func giveBack(entry index: Int) {
        freeEntriesLock.lock()
        freeEntries.append(index)
        freeEntriesLock.unlock()
    }
    private static let noEntry = Scoreboard.entriesPerSlot + 1

    /// [worker start, before any serving thread] Records into `slot`.
    static func install(slot: UnsafeMutableRawPointer) {
        _ = key
        self.slot = slot
        CrashMarker.install(slot: slot)
    }

    /// The calling thread's entry, or nil (no scoreboard or no entry left).
    @inline(__always)
    private static func entry() -> UnsafeMutableRawPointer? {
        guard let slot else { return nil }
        var value = Int(bitPattern: pthread_getspecific(key))
        if value == 0 {
            freeEntriesLock.lock()
            let index = freeEntries.popLast()
            freeEntriesLock.unlock()
            value = index.map { $0 + 1 } ?? noEntry
            pthread_setspecific(key, UnsafeRawPointer(bitPattern: value))
        }
        guard value != noEntry else { return nil }
        return slot + Scoreboard.slotHeaderSize + (value - 1) * Scoreboard.entrySize
    }

    /// Before the dialect runs: method and raw path (no query).
    @inline(__always)
    static func begin(method: ByteView, path: ByteView) {
        guard let entry = entry() else { return }
        Scoreboard.record(method: method, path: path, into: entry)
    }

    /// After the dialect returned.
    @inline(__always)
    static func end() {
        guard let entry = entry() else { return }
        entry.storeBytes(of: 0, as: UInt8.self)
    }
}

extension Scoreboard {
    /// The address of entry `index` of slot `slot`.
    func entry(_ index: Int, slot: Int) -> UnsafeMutableRawPointer {
        self.slot(slot) + Self.slotHeaderSize + index * Self.entrySize
    }

    /// Fills an entry (method, path cut to the capacity) and marks it active
    /// last.
    @inline(__always)
    static func record(method: ByteView, path: ByteView, into entry: UnsafeMutableRawPointer) {
        let m = min(method.count, Scoreboard.methodCapacity)
        let p = min(path.count, Scoreboard.pathCapacity)
        if let b = method.base, m > 0 { (entry + 8).copyMemory(from: b, byteCount: m) }
        if let b = path.base, p > 0 { (entry + 8 + Scoreboard.methodCapacity).copyMemory(from: b, byteCount: p) }
        entry.storeBytes(of: UInt16(m), toByteOffset: 4, as: UInt16.self)
        entry.storeBytes(of: UInt16(p), toByteOffset: 6, as: UInt16.self)
        entry.storeBytes(of: path.count > p ? 1 : 0, toByteOffset: 2, as: UInt8.self)
        entry.storeBytes(of: 1, as: UInt8.self)
    }
}

/// A handler for fatal signals that writes "this thread crashed" into the
/// scoreboard slot, then lets the previous disposition (the default, or
/// the Swift runtime's backtracer) take the signal: the process still dies
/// with the same signal. Only async-signal-safe work happens in it.
enum CrashMarker {
    static let signals: [Int32] = [SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS]
    nonisolated(unsafe) private static var slot: UnsafeMutableRawPointer?
    nonisolated(unsafe) private static var previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)

    static func install(slot: UnsafeMutableRawPointer) {
        self.slot = slot
        _ = previous
        for sig in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in CrashMarker.handle(sig) }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(sig, &action, previous + Int(sig))
        }
    }

    private static func handle(_ sig: Int32) {
        if let slot {
            let value = Int(bitPattern: pthread_getspecific(RouteRecorder.key))
            if value > 0 && value <= Scoreboard.entriesPerSlot {
                slot.storeBytes(of: UInt32(value), toByteOffset: 4, as: UInt32.self)
            }
        }
        // Back to what was there before; the re-raised signal is delivered
        // when this handler returns (a fault re-executes and faults again).
        sigaction(sig, previous + Int(sig), nil)
        raise(sig)
    }
}
