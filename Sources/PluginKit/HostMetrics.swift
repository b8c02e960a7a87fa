// host->metrics_text (ABI 2.6) as a Swift call: this host's /metrics text
// (Prometheus text format 0.0.4), for operators' views such as the console
// dialect's Health page.
import PluginAPI

extension Host {
    /// What the admin listener's /metrics would serve now, over every
    /// worker of this host. UNSUPPORTED on a host before 2.6; UNAVAILABLE
    /// in a process that keeps no counters (a command, not a server).
    public func metricsText() throws(PluginError) -> String {
        guard let metrics = service(\.metrics_text) else {
            throw .unsupported("the host's table is too short: it offers no metrics text (ABI 2.6)")
        }
        let result: Result<String, PluginError> = try withArena { arena in
            var out = proteus_bytes()
            var err = proteus_error()
            let status = metrics(ctx, arena, &out, &err)
            guard status == PROTEUS_OK else { return .failure(PluginError(status: status, from: err)) }
            guard out.ptr != nil || out.len == 0 else { return .failure(.internal("metrics_text: the host answered no text")) }
            return .success(String(decoding: out.buffer, as: UTF8.self))
        }
        return try result.get()
    }
}
