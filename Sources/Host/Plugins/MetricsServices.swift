// host->metrics_text (ABI 2.6): what the admin listener's /metrics would
// serve at this moment, rendered from this host's metrics region (every
// worker's counters, and the readiness the master publishes there), for
// operators' views such as the console dialect's Health page.
import PluginAPI
import PluginKit

enum MetricsServices {
    static let text: @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafeMutablePointer<proteus_bytes>?, UnsafeMutablePointer<proteus_error>?) -> proteus_status = { ctx, arena, out, err in
        guard PluginContext.from(ctx) != nil else { return PluginContext.missing(in: "metrics_text", err) }
        guard let arena = Arena.from(arena), let out else { return PluginError.invalid("metrics_text: missing arena or output").report(to: err) }
        guard let region = MetricsRecorder.region else {
            return PluginError.unavailable("metrics_text: this process keeps no counters (a command, not a server)").report(to: err)
        }
        let text = Array(MetricsText.render(region).utf8)
        guard let p = arena.allocate(max(text.count, 1)) else { return PluginError.internal("out of memory").report(to: err) }
        text.withUnsafeBytes { if let from = $0.baseAddress { p.copyMemory(from: from, byteCount: $0.count) } }
        out.pointee = proteus_bytes(ptr: p.assumingMemoryBound(to: UInt8.self), len: text.count)
        return PROTEUS_OK
    }
}
