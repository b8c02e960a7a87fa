// The metrics region: counters of every worker of this host in one
// shared-memory object the master creates next to the scoreboard and each
// worker inherits (fd 9). Workers add to it with atomic adds (no lock on a
// request's path); the master (or the single process) reads it to answer
// /metrics. It belongs to the master, so the counts survive a worker's
// restart and a reload.
//
// The master loads no plugin, so it cannot know the routes: a series is
// claimed by its label text ("dialect\0route") in an open-addressed table
// (slot = hash of the text, probing on), with a compare-and-swap on the
// slot's key word. Two workers registering the same labels end in the same
// slot; a reader shows only slots whose labels are complete.
//
// Layout (all little-endian UInt64 words unless said, offsets in bytes):
//   header     64: "PRTMETRC", UInt32 version, UInt32 routeCapacity,
//                  UInt32 loginCapacity, UInt32 storeOpCapacity
//   globals    64 at 64: +0 worker restarts, +8 KDF rejections,
//                  +16 the workers the master (or the single process) last
//                  published for readiness: bit 63 set once published, bit
//                  62 shutting down, bits 0-31 the workers wanted; +24 four
//                  words: the serving workers' slots, a bit per scoreboard
//                  slot (slot n = word n / 64, bit n % 64)
//   workers    Scoreboard.slotCount × 64, one per scoreboard slot:
//                  +0 KDF jobs queued (gauge), +8 the store probe's monotonic
//                  time (ns; 0 = not yet), +16 its status (0 = answered, else
//                  the proteus_status it failed with, negated)
//   store ops  storeOpCapacity × 128: a histogram each (below)
//   logins     loginCapacity × 128: series slot header (48 bytes of labels),
//                  +64 four counters: success, failure, mfa_required, refused
//   routes     routeCapacity × 4608: series slot header (232 bytes of labels),
//                  +256 a histogram, +384 500 counters: statuses 100...599
// A series slot header: +0 key (label hash | 1; 0 = free), +8 ready (1 once
// the labels are written), +16 UInt32 label length, +24 label bytes.
// A histogram: 13 counters (one per bucket of `bucketBounds`, then +Inf;
// not cumulative), +104 the sum of the observations in nanoseconds.
import CLinux
import Glibc

final class MetricsRegion: @unchecked Sendable {
    static let routeCapacity = 512
    static let loginCapacity = 64
    static let storeOpCapacity = 64
    static let workerSlots = Scoreboard.slotCount

    /// Upper bounds of the duration histograms, in seconds (Prometheus's
    /// usual ones, 1 ms to 5 s).
    static let bucketBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
    private static let bucketNanos: [UInt64] = bucketBounds.map { UInt64($0 * 1e9) }
    static let histogramWords = 14
    static let sumWord = 13

    enum LoginResult: Int, CaseIterable {
        case success, failure, mfaRequired, refused
        var label: String {
            switch self {
            case .success: return "success"
            case .failure: return "failure"
            case .mfaRequired: return "mfa_required"
            case .refused: return "refused"
            }
        }
    }

    static let statusRange = 100...599

    private static let headerSize = 64
    private static let globalsOffset = 64
    private static let workersOffset = 128
    private static let workerEntrySize = 64
    private static let storeOpsOffset = workersOffset + workerSlots * workerEntrySize
    private static let storeOpSize = 128
    private static let loginsOffset = storeOpsOffset + storeOpCapacity * storeOpSize
    private static let loginSize = 128
    private static let loginLabelCapacity = 40
    private static let loginCountersOffset = 64
    private static let routesOffset = loginsOffset + loginCapacity * loginSize
    private static let routeSize = 4608
    static let routeLabelCapacity = 232
    private static let routeHistogramOffset = 256
    private static let routeStatusOffset = 384
    static let byteSize = routesOffset + routeCapacity * routeSize

    private static let magic: UInt64 = 0x4352_5445_4D54_5250   // "PRTMETRC"
    private static let version: UInt32 = 2

    /// The shared-memory object (passed to workers).
    let fd: Int32
    let base: UnsafeMutableRawPointer

    /// [master, or a single process] A zeroed region.
    init() throws {
        (fd, base) = try SharedMemory.create("metrics region", bytes: Self.byteSize)
        base.storeBytes(of: Self.magic, as: UInt64.self)
        base.storeBytes(of: Self.version, toByteOffset: 8, as: UInt32.self)
        base.storeBytes(of: UInt32(Self.routeCapacity), toByteOffset: 12, as: UInt32.self)
        base.storeBytes(of: UInt32(Self.loginCapacity), toByteOffset: 16, as: UInt32.self)
        base.storeBytes(of: UInt32(Self.storeOpCapacity), toByteOffset: 20, as: UInt32.self)
    }

    /// [worker] The master's region, after checking its header.
    init(adopting fd: Int32) throws {
        base = try SharedMemory.adopt(fd, "metrics region", bytes: Self.byteSize, magic: Self.magic, version: Self.version)
        self.fd = fd
    }

    // MARK: - Words

    @inline(__always)
    private func word(_ offset: Int) -> UnsafeMutablePointer<UInt64> {
        (base + offset).assumingMemoryBound(to: UInt64.self)
    }

    @inline(__always)
    private func add(_ offset: Int, _ amount: UInt64 = 1) { proteus_atomic_add_u64(word(offset), amount) }

    @inline(__always)
    private func load(_ offset: Int) -> UInt64 { proteus_atomic_load_u64(word(offset)) }

    // MARK: - Globals and per-worker values

    func countWorkerRestart() { add(Self.globalsOffset) }
    var workerRestarts: UInt64 { load(Self.globalsOffset) }

    func countKDFRejection() { add(Self.globalsOffset + 8) }
    var kdfRejections: UInt64 { load(Self.globalsOffset + 8) }

    // Readiness's inputs, published by the master so a worker can tell too.

    private static let publishedWord = globalsOffset + 16
    private static let servingWords = globalsOffset + 24
    private static let servingWordCount = (workerSlots + 63) / 64
    private static let publishedBit: UInt64 = 1 << 63
    private static let stoppingBit: UInt64 = 1 << 62

    /// [master, or the single process] The workers the configuration wants,
    /// the slots of those that serve, and whether it is shutting down. The
    /// slots are written first: a reader between the two sees the older
    /// count with the newer slots for a moment, never a torn word.
    func publishWorkers(wanted: Int, serving: [Int], stopping: Bool) {
        var words = [UInt64](repeating: 0, count: Self.servingWordCount)
        for slot in serving where (0..<Self.workerSlots).contains(slot) { words[slot / 64] |= 1 << UInt64(slot % 64) }
        for (i, w) in words.enumerated() { proteus_atomic_store_u64(word(Self.servingWords + i * 8), w) }
        let state = Self.publishedBit | (stopping ? Self.stoppingBit : 0) | UInt64(UInt32(clamping: max(0, wanted)))
        proteus_atomic_store_u64(word(Self.publishedWord), state)
    }

    /// What was last published; nil before the first publication.
    var publishedWorkers: (wanted: Int, serving: [Int], stopping: Bool)? {
        let state = load(Self.publishedWord)
        guard state & Self.publishedBit != 0 else { return nil }
        var serving: [Int] = []
        for i in 0..<Self.servingWordCount {
            let w = load(Self.servingWords + i * 8)
            for bit in 0..<64 where w & (1 << UInt64(bit)) != 0 { serving.append(i * 64 + bit) }
        }
        return (Int(state & 0xFFFF_FFFF), serving, state & Self.stoppingBit != 0)
    }

    private static func workerOffset(_ slot: Int) -> Int { workersOffset + slot * workerEntrySize }

    func setKDFQueueDepth(_ depth: Int, slot: Int) {
        guard (0..<Self.workerSlots).contains(slot) else { return }
        proteus_atomic_store_u64(word(Self.workerOffset(slot)), UInt64(max(0, depth)))
    }

    /// The jobs queued in every worker's KDF pool.
    var kdfQueueDepth: UInt64 {
        (0..<Self.workerSlots).reduce(0) { $0 &+ load(Self.workerOffset($1)) }
    }

    /// [worker] What the store answered to the readiness probe just now.
    func recordStoreProbe(status: Int32, slot: Int, at nanos: UInt64) {
        guard (0..<Self.workerSlots).contains(slot) else { return }
        let entry = Self.workerOffset(slot)
        proteus_atomic_store_u64(word(entry + 16), UInt64(bitPattern: Int64(status)))
        proteus_atomic_store_u64(word(entry + 8), nanos)
    }

    /// The last probe of a worker: its time (0 = none yet) and status.
    func storeProbe(slot: Int) -> (at: UInt64, status: Int32) {
        guard (0..<Self.workerSlots).contains(slot) else { return (0, 0) }
        let entry = Self.workerOffset(slot)
        return (load(entry + 8), Int32(truncatingIfNeeded: Int64(bitPattern: load(entry + 16))))
    }

    /// [master] A slot's values start afresh with each worker that takes it
    /// (a dead worker's queue is gone with it).
    func clearWorker(slot: Int) {
        guard (0..<Self.workerSlots).contains(slot) else { return }
        for w in 0..<3 { proteus_atomic_store_u64(word(Self.workerOffset(slot) + w * 8), 0) }
    }

    // MARK: - Histograms

    @inline(__always)
    private func observe(histogramAt offset: Int, nanos: UInt64) {
        var bucket = Self.bucketNanos.count
        for (i, bound) in Self.bucketNanos.enumerated() where nanos <= bound { bucket = i; break }
        add(offset + bucket * 8)
        add(offset + Self.sumWord * 8, nanos)
    }

    private func histogram(at offset: Int) -> [UInt64] {
        (0..<Self.histogramWords).map { load(offset + $0 * 8) }
    }

    func observeStoreCall(op: Int, nanos: UInt64) {
        guard (0..<Self.storeOpCapacity).contains(op) else { return }
        observe(histogramAt: Self.storeOpsOffset + op * Self.storeOpSize, nanos: nanos)
    }

    /// Bucket counts (13, the last +Inf) and the sum in ns of store function `op`.
    func storeCallHistogram(op: Int) -> [UInt64] { histogram(at: Self.storeOpsOffset + op * Self.storeOpSize) }

    // MARK: - Series claimed by label

    /// The slot of the series labelled `labels` in a table, claiming a free
    /// one if no slot has them; nil when the table is full (nothing is
    /// recorded then) or the labels are too long.
    private func claim(_ labels: [UInt8], table: Int, capacity: Int, size: Int, labelCapacity: Int) -> Int? {
        guard !labels.isEmpty, labels.count <= labelCapacity else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325   // FNV-1a
        for b in labels { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
        let key = hash | 1
        let start = Int(hash % UInt64(capacity))
        for probe in 0..<capacity {
            let index = (start + probe) % capacity
            let slot = table + index * size
            if proteus_atomic_claim_u64(word(slot), 0, key) {
                (base + slot + 16).storeBytes(of: UInt32(labels.count), as: UInt32.self)
                labels.withUnsafeBytes { bytes in
                    if let from = bytes.baseAddress { (base + slot + 24).copyMemory(from: from, byteCount: bytes.count) }
                }
                proteus_atomic_store_u64(word(slot + 8), 1)
                return index
            }
            guard load(slot) == key else { continue }
            // Same hash: the same labels unless a rare collision. Whoever
            // claimed it writes the labels right after; wait for them
            // (bounded: a claimer that died mid-way leaves the slot unused).
            var spins = 0
            while load(slot + 8) == 0 && spins < 100_000 { spins += 1; sched_yield() }
            if label(at: slot) == labels { return index }
        }
        return nil
    }

    private func label(at slot: Int) -> [UInt8]? {
        guard load(slot + 8) == 1 else { return nil }
        let length = Int((base + slot + 16).load(as: UInt32.self))
        guard length <= Self.routeLabelCapacity else { return nil }
        return Array(UnsafeRawBufferPointer(start: base + slot + 24, count: length))
    }

    /// The labels of every complete series of a table: (index, dialect, second label).
    private func series(table: Int, capacity: Int, size: Int) -> [(index: Int, first: String, second: String)] {
        var found: [(Int, String, String)] = []
        for index in 0..<capacity {
            guard let text = label(at: table + index * size) else { continue }
            let parts = text.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
            found.append((index, String(decoding: parts[0], as: UTF8.self),
                          parts.count > 1 ? String(decoding: parts[1], as: UTF8.self) : ""))
        }
        return found
    }

    private static func labels(_ first: String, _ second: String) -> [UInt8] {
        Array(first.utf8) + [0] + Array(second.utf8)
    }

    // Requests, by (dialect, route pattern).

    func claimRoute(dialect: String, route: String) -> Int? {
        claim(Self.labels(dialect, route), table: Self.routesOffset, capacity: Self.routeCapacity,
              size: Self.routeSize, labelCapacity: Self.routeLabelCapacity)
    }

    /// One answered request of route series `series`.
    @inline(__always)
    func countRequest(series: Int, status: Int, nanos: UInt64) {
        guard (0..<Self.routeCapacity).contains(series) else { return }
        let slot = Self.routesOffset + series * Self.routeSize
        if Self.statusRange.contains(status) {
            add(slot + Self.routeStatusOffset + (status - Self.statusRange.lowerBound) * 8)
        }
        observe(histogramAt: slot + Self.routeHistogramOffset, nanos: nanos)
    }

    var routeSeries: [(index: Int, dialect: String, route: String)] {
        series(table: Self.routesOffset, capacity: Self.routeCapacity, size: Self.routeSize).map { ($0.index, $0.first, $0.second) }
    }

    /// The non-zero status counts of a route series.
    func statusCounts(series: Int) -> [(status: Int, count: UInt64)] {
        let slot = Self.routesOffset + series * Self.routeSize + Self.routeStatusOffset
        return Self.statusRange.compactMap { status in
            let n = load(slot + (status - Self.statusRange.lowerBound) * 8)
            return n == 0 ? nil : (status, n)
        }
    }

    func requestHistogram(series: Int) -> [UInt64] {
        histogram(at: Self.routesOffset + series * Self.routeSize + Self.routeHistogramOffset)
    }

    // Sign-ins, by dialect.

    func countLogin(dialect: String, result: LoginResult) {
        guard let index = claim(Array(dialect.utf8), table: Self.loginsOffset, capacity: Self.loginCapacity,
                                size: Self.loginSize, labelCapacity: Self.loginLabelCapacity) else { return }
        add(Self.loginsOffset + index * Self.loginSize + Self.loginCountersOffset + result.rawValue * 8)
    }

    /// Every dialect that counted a sign-in, with its counts by result.
    var logins: [(dialect: String, counts: [UInt64])] {
        series(table: Self.loginsOffset, capacity: Self.loginCapacity, size: Self.loginSize).map { entry in
            let counters = Self.loginsOffset + entry.index * Self.loginSize + Self.loginCountersOffset
            return (entry.first, LoginResult.allCases.map { load(counters + $0.rawValue * 8) })
        }
    }
}
