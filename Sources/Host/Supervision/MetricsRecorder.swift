// Where this process counts: the metrics region it was given (a worker's
// inherited one, or the single process's own) and its slot in it. Set once
// at start, before any serving thread exists, and read-only afterwards —
// in every serving process (the admin listener and host->metrics_text show
// the counts). Without a region (commands such as check-config) every call
// is a no-op.
import Glibc
import HTTPTransport
import PluginAPI
import PluginKit

enum MetricsRecorder {
    nonisolated(unsafe) private(set) static var region: MetricsRegion?
    nonisolated(unsafe) private(set) static var slot = 0

    /// [start, before serving threads] Counts into `region` as worker `slot`.
    static func install(_ region: MetricsRegion, slot: Int) {
        self.region = region
        self.slot = slot
    }

    static func countLogin(dialect: String, result: MetricsRegion.LoginResult) {
        region?.countLogin(dialect: dialect, result: result)
    }

    static func setKDFQueueDepth(_ depth: Int) { region?.setKDFQueueDepth(depth, slot: slot) }
    static func countKDFRejection() { region?.countKDFRejection() }

    /// The store readiness probe: every second, a lookup of a user id that
    /// does not exist (NOT_FOUND and OK both mean the store answered),
    /// recorded with its time so the reader can tell a probe that hangs.
    /// The first runs before this returns, so a worker that reports ready
    /// has a probe on record.
    static func startStoreProbe(_ store: StoreBinding) {
        guard region != nil, probe(store) else { return }
        let box = Unmanaged.passRetained(store).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { arg in
            guard let arg else { return nil }
            let store = Unmanaged<StoreBinding>.fromOpaque(arg).takeRetainedValue()
            while true {
                sleep(1)
                if !MetricsRecorder.probe(store) { return nil }
            }
        }, box)
        if started == 0 { pthread_detach(thread) } else { Unmanaged<StoreBinding>.fromOpaque(box).release() }
    }

    /// [shutdown, before the store is destroyed] No probe runs after this
    /// returns (one in flight is waited for).
    static func stopStoreProbe() {
        probeLock.lock()
        probeStopped = true
        probeLock.unlock()
    }

    private static let probeLock = PThreadMutex()
    nonisolated(unsafe) private static var probeStopped = false

    /// One probe; false once stopped.
    private static func probe(_ store: StoreBinding) -> Bool {
        probeLock.lock()
        defer { probeLock.unlock() }
        guard !probeStopped, let region, let userGet = store.api.user_get else { return false }
        let arena = Arena()
        var key = proteus_user_key()
        key.by = PROTEUS_LOOKUP_ID
        var out: UnsafeMutablePointer<proteus_user>?
        var err = proteus_error()
        let status = userGet(store.raw, &key, .absent, arena.opaque, &out, &err)
        let answered = status == PROTEUS_OK || status == PROTEUS_E_NOT_FOUND
        region.recordStoreProbe(status: answered ? 0 : (status == 0 ? -1 : status), slot: slot, at: Clock.monotonicNanos())
        return true
    }
}
