// /metrics: the metrics region rendered in Prometheus's text exposition
// format 0.0.4 (HELP and TYPE lines, base units, counters ending in
// _total, histograms as cumulative _bucket lines with _sum and _count).
import PluginAPI

enum MetricsText {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    static func render(_ region: MetricsRegion) -> String {
        var out = ""
        header(&out, "proteus_build_info", "gauge", "The running proteus: its version and the plugin ABI it speaks (always 1).")
        out += "proteus_build_info{version=\"\(escape(ProteusVersion.text))\",abi=\"\(PROTEUS_ABI_MAJOR).\(PROTEUS_ABI_MINOR)\"} 1\n"

        let routes = region.routeSeries.sorted { ($0.dialect, $0.route) < ($1.dialect, $1.route) }
        header(&out, "proteus_http_requests_total", "counter", "HTTP requests answered, by dialect, route pattern and status.")
        for series in routes {
            for (status, count) in region.statusCounts(series: series.index) {
                out += "proteus_http_requests_total{dialect=\"\(escape(series.dialect))\",route=\"\(escape(series.route))\",status=\"\(status)\"} \(count)\n"
            }
        }
        header(&out, "proteus_http_request_duration_seconds", "histogram", "Time from a request's arrival to its answer, by dialect and route pattern.")
        for series in routes {
            // Series appear once observed (the routes are claimed at start).
            let words = region.requestHistogram(series: series.index)
            guard words.contains(where: { $0 != 0 }) else { continue }
            histogram(&out, "proteus_http_request_duration_seconds",
                      labels: "dialect=\"\(escape(series.dialect))\",route=\"\(escape(series.route))\"", words)
        }

        header(&out, "proteus_store_call_duration_seconds", "histogram", "Time of each call a dialect makes to the store, by store function.")
        for (op, name) in TimedStoreTable.functionNames.enumerated() {
            let words = region.storeCallHistogram(op: op)
            guard words.contains(where: { $0 != 0 }) else { continue }
            histogram(&out, "proteus_store_call_duration_seconds", labels: "op=\"\(name)\"", words)
        }

        header(&out, "proteus_logins_total", "counter", "Sign-in attempts with a credential (host->auth_sign_in), by dialect and result.")
        for login in region.logins.sorted(by: { $0.dialect < $1.dialect }) {
            for result in MetricsRegion.LoginResult.allCases {
                out += "proteus_logins_total{dialect=\"\(escape(login.dialect))\",result=\"\(result.label)\"} \(login.counts[result.rawValue])\n"
            }
        }

        header(&out, "proteus_kdf_queue_depth", "gauge", "Credential jobs waiting for a KDF pool thread, over all workers.")
        out += "proteus_kdf_queue_depth \(region.kdfQueueDepth)\n"
        header(&out, "proteus_kdf_rejections_total", "counter", "Credential jobs refused for load (the KDF queue too long or the waiting lane full).")
        out += "proteus_kdf_rejections_total \(region.kdfRejections)\n"
        header(&out, "proteus_worker_restarts_total", "counter", "Worker processes restarted after dying unasked.")
        out += "proteus_worker_restarts_total \(region.workerRestarts)\n"

        // Readiness's inputs and verdict, as /readyz sees them.
        let published = region.publishedWorkers
        header(&out, "proteus_workers", "gauge", "Worker processes: wanted by the configuration, and serving it (plugins created); a single process (workers: 0) is one.")
        out += "proteus_workers{state=\"wanted\"} \(published?.wanted ?? 1)\n"
        out += "proteus_workers{state=\"serving\"} \(published?.serving.count ?? 0)\n"
        let state = Readiness.state(region)
        header(&out, "proteus_ready", "gauge", "1 when /readyz answers 200 (every wanted worker serves and its store answered its probe in the last 5 s), else 0.")
        out += "proteus_ready \(state == .ready ? 1 : 0)\n"
        header(&out, "proteus_readiness", "gauge", "Why /readyz answers as it does: 1 for the current state, 0 for the others.")
        for label in Readiness.State.labels {
            out += "proteus_readiness{state=\"\(label)\"} \(label == state.label ? 1 : 0)\n"
        }
        return out
    }

    private static func header(_ out: inout String, _ name: String, _ type: String, _ help: String) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    /// Cumulative buckets from the region's per-bucket counts.
    private static func histogram(_ out: inout String, _ name: String, labels: String, _ words: [UInt64]) {
        var cumulative: UInt64 = 0
        for (i, bound) in MetricsRegion.bucketBounds.enumerated() {
            cumulative &+= words[i]
            out += "\(name)_bucket{\(labels),le=\"\(bound)\"} \(cumulative)\n"
        }
        cumulative &+= words[MetricsRegion.bucketBounds.count]
        out += "\(name)_bucket{\(labels),le=\"+Inf\"} \(cumulative)\n"
        out += "\(name)_sum{\(labels)} \(seconds(words[MetricsRegion.sumWord]))\n"
        out += "\(name)_count{\(labels)} \(cumulative)\n"
    }

    /// Nanoseconds as seconds with nine decimals (exact, no floating point).
    private static func seconds(_ nanos: UInt64) -> String {
        let fraction = String(nanos % 1_000_000_000)
        return "\(nanos / 1_000_000_000).\(String(repeating: "0", count: 9 - fraction.count))\(fraction)"
    }

    /// A label value: backslash, double quote and newline escaped.
    static func escape(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
