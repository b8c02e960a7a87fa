// /readyz's answer: the worker pool is full (every worker of the serving
// configuration has started: its plugins are created), and each of those
// workers' stores answered its readiness probe within the last few seconds
// (MetricsRecorder.startStoreProbe writes it into the metrics region).
// The master's supervision loop (or the single process) publishes which
// workers serve into the metrics region too, so that every process reading
// the region — the admin listener's thread, a worker answering
// host->metrics_text — sees the same readiness.
import HTTPTransport
import PluginKit

enum Readiness {
    /// A probe older than this means the store is not answering (the probe
    /// runs every second; a lookup hung on a dead database never returns).
    static let probeFreshnessNanos: UInt64 = 5_000_000_000

    /// What readiness depends on, as the supervision loop sees it.
    struct Workers {
        /// The worker processes the configuration asks for.
        var wanted = 1
        /// Metrics-region slots of the workers that serve it.
        var serving: [Int] = []
        var stopping = false
    }

    static func publish(_ w: Workers, to region: MetricsRegion) {
        region.publishWorkers(wanted: w.wanted, serving: w.serving, stopping: w.stopping)
    }

    /// Ready, or why not: each case is a value of the `state` label of
    /// proteus_readiness in /metrics.
    enum State: Equatable {
        case ready
        case shuttingDown
        case workersStarting(serving: Int, wanted: Int)
        case storeUnchecked
        case storeSilent(seconds: UInt64)
        case storeFailing(status: Int32)

        /// Every label, in the order /metrics lists them.
        static let labels = ["ready", "shutting_down", "workers_starting", "store_unchecked", "store_silent", "store_failing"]

        var label: String {
            switch self {
            case .ready: return "ready"
            case .shuttingDown: return "shutting_down"
            case .workersStarting: return "workers_starting"
            case .storeUnchecked: return "store_unchecked"
            case .storeSilent: return "store_silent"
            case .storeFailing: return "store_failing"
            }
        }

        /// /readyz's words after "not ready: "; nil when ready.
        var reason: String? {
            switch self {
            case .ready: return nil
            case .shuttingDown: return "shutting down"
            case .workersStarting(let serving, let wanted): return "\(serving) of \(wanted) workers serving"
            case .storeUnchecked: return "the store has not been checked yet"
            case .storeSilent(let seconds): return "the store has not answered for \(seconds) s"
            case .storeFailing(let status): return "the store does not answer (\(Status.name(status)))"
            }
        }
    }

    static func state(_ region: MetricsRegion, now: UInt64 = Clock.monotonicNanos()) -> State {
        // Nothing published yet: the master has not started its loop.
        guard let w = region.publishedWorkers else { return .workersStarting(serving: 0, wanted: 1) }
        if w.stopping { return .shuttingDown }
        if w.serving.count < w.wanted { return .workersStarting(serving: w.serving.count, wanted: w.wanted) }
        for slot in w.serving {
            let probe = region.storeProbe(slot: slot)
            if probe.at == 0 { return .storeUnchecked }
            if now > probe.at && now - probe.at > probeFreshnessNanos {
                return .storeSilent(seconds: (now - probe.at) / 1_000_000_000)
            }
            if probe.status != 0 { return .storeFailing(status: probe.status) }
        }
        return .ready
    }

    /// nil when ready, else the reason it is not.
    static func notReadyReason(_ region: MetricsRegion) -> String? { state(region).reason }
}
