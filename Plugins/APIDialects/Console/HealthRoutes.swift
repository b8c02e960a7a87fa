// GET /api/health: the Health page's numbers, read from the same counters
// as the admin listener's /metrics (host->metrics_text, ABI 2.6: every
// worker of this host) and summed into a compact JSON the page polls and
// charts: readiness, workers, the KDF queue, requests by status class and
// by dialect, sign-ins by result, store calls. Counters are totals since
// the host started; the page draws rates from the differences between polls.
import PluginAPI
import PluginKit
import ProteusJSON

final class HealthRoutes: @unchecked Sendable {
    let host: Host
    let sessions: ConsoleSessions

    init(host: Host, sessions: ConsoleSessions) {
        self.host = host
        self.sessions = sessions
    }

    func health(_ request: Request, _ response: Response) throws {
        _ = try sessions.authorize(request, change: false)
        let text: String
        do { text = try host.metricsText() } catch let e where e.code == PROTEUS_E_UNSUPPORTED {
            throw ConsoleFailure(501, "unsupported", "This host offers no metrics to the console (it was built before ABI 2.6).")
        }
        ConsoleDialect.send(response, Self.view(PrometheusText.samples(text), time: host.nowMillis()))
    }

    /// The summary of one scrape, taken at `time` (unix ms).
    static func view(_ samples: [PrometheusText.Sample], time: Int64) -> JSONValue {
        func sum(_ name: String, where match: ([String: String]) -> Bool = { _ in true }) -> Double {
            samples.reduce(0) { $1.name == name && match($1.labels) ? $0 + $1.value : $0 }
        }
        func count(_ value: Double) -> JSONValue { .number(JSONNumber(value.isFinite ? Int64(value) : 0)) }

        var byClass: [(String, JSONValue)] = []
        for digit in 1...5 {
            byClass.append(("\(digit)xx", count(sum("proteus_http_requests_total") { $0["status"]?.first == Character("\(digit)") })))
        }
        var dialects: [String: Double] = [:]
        for s in samples where s.name == "proteus_http_requests_total" {
            dialects[s.labels["dialect"] ?? "", default: 0] += s.value
        }
        let results = ["success", "failure", "mfa_required", "refused"]
        let storeCalls = sum("proteus_store_call_duration_seconds_count")
        let storeSeconds = sum("proteus_store_call_duration_seconds_sum")
        let state = samples.first { $0.name == "proteus_readiness" && $0.value == 1 }?.labels["state"] ?? "unknown"
        let wanted = sum("proteus_workers") { $0["state"] == "wanted" }
        let serving = sum("proteus_workers") { $0["state"] == "serving" }
        let ready = sum("proteus_ready") == 1
        let build = samples.first { $0.name == "proteus_build_info" }?.labels ?? [:]

        return .object(JSONObject([
            ("time", .number(JSONNumber(time))),
            ("ready", .bool(ready)),
            ("state", .string(state)),
            ("reason", ready ? .null : .string(reason(state, serving: serving, wanted: wanted))),
            ("workers", .object(JSONObject([("wanted", count(wanted)), ("serving", count(serving)),
                                            ("restarts", count(sum("proteus_worker_restarts_total")))]))),
            ("kdf", .object(JSONObject([("queued", count(sum("proteus_kdf_queue_depth"))),
                                        ("rejections", count(sum("proteus_kdf_rejections_total")))]))),
            ("requests", .object(JSONObject([
                ("total", count(sum("proteus_http_requests_total"))),
                ("byClass", .object(JSONObject(byClass))),
                ("byDialect", .object(JSONObject(dialects.sorted { $0.key < $1.key }.map { ($0.key, count($0.value)) }))),
            ]))),
            ("logins", .object(JSONObject(results.map { result in (result, count(sum("proteus_logins_total") { $0["result"] == result })) }))),
            ("store", .object(JSONObject([
                ("calls", count(storeCalls)),
                ("micros", count((storeSeconds * 1e6).rounded())),
                ("meanMs", storeCalls > 0 ? .number(JSONNumber((storeSeconds / storeCalls * 1e6).rounded() / 1e3) ?? 0) : .null),
            ]))),
            ("version", .string(build["version"] ?? "")),
            ("abi", .string(build["abi"] ?? "")),
        ]))
    }

    /// The words of /readyz for a proteus_readiness state.
    static func reason(_ state: String, serving: Double, wanted: Double) -> String {
        switch state {
        case "shutting_down": return "shutting down"
        case "workers_starting": return "\(Int(serving)) of \(Int(wanted)) workers serving"
        case "store_unchecked": return "the store has not been checked yet"
        case "store_silent": return "the store has not answered for more than 5 s"
        case "store_failing": return "the store does not answer"
        default: return "not ready (\(state))"
        }
    }
}
