// /readyz's answer: the worker pool is full (every worker of the serving
// configuration has started: its plugins are created), and each of those
// workers' stores answered its readiness probe within the last few seconds
// (MetricsRecorder.startStoreProbe writes it into the metrics region).
// The master's supervision loop (or the single process) publishes which
// workers serve; the admin listener's thread reads it.
import HTTPTransport
import PluginKit

final class Readiness: @unchecked Sendable {
    struct Workers {
        /// The worker processes the configuration asks for.
        var wanted = 1
        /// Metrics-region slots of the workers that serve it.
        var serving: [Int] = []
        var stopping = false
    }

    /// A probe older than this means the store is not answering (the probe
    /// runs every second; a lookup hung on a dead database never returns).
    static let probeFreshnessNanos: UInt64 = 5_000_000_000

    private let lock = PThreadMutex()
    private var workers = Workers(wanted: 1, serving: [], stopping: false)

    func publish(_ w: Workers) {
        lock.lock()
        workers = w
        lock.unlock()
    }

    private var current: Workers {
        lock.lock(); defer { lock.unlock() }
        return workers
    }

    /// nil when ready, else the reason it is not.
    func notReadyReason(_ region: MetricsRegion, now: UInt64 = Clock.monotonicNanos()) -> String? {
        let w = current
        if w.stopping { return "shutting down" }
        if w.serving.count < w.wanted { return "\(w.serving.count) of \(w.wanted) workers serving" }
        for slot in w.serving {
            let probe = region.storeProbe(slot: slot)
            if probe.at == 0 { return "the store has not been checked yet" }
            if now > probe.at && now - probe.at > Self.probeFreshnessNanos {
                return "the store has not answered for \((now - probe.at) / 1_000_000_000) s"
            }
            if probe.status != 0 { return "the store does not answer (\(Status.name(probe.status)))" }
        }
        return nil
    }
}
