// The metrics series of the requests a worker answers: one per dialect and
// route pattern (mount + pattern, e.g. "/api/auth/{uuid}"), one per dialect
// for the requests no route of it serves (route "unmatched": its 404s and
// 405s), and one for requests under no mount at all (dialect "none"). They
// are claimed in the metrics region once, at start, so counting a request
// is a lookup and a few atomic adds.
import HTTPTransport

final class RequestSeries: @unchecked Sendable {
    enum Handler {
        case route(DialectBinding, Int32)
        case unmatched(DialectBinding)
        case host

        /// The plugin that answered (nil: no mount matched), as the access log names it.
        var dialectName: String? {
            switch self {
            case .route(let dialect, _), .unmatched(let dialect): dialect.name
            case .host: nil
            }
        }
    }

    static let unmatchedRoute = "unmatched"
    static let noDialect = "none"

    private struct DialectSeries {
        var routes: [Int32: Int?] = [:]
        var unmatched: Int?
    }

    private let region: MetricsRegion
    private let dialects: [ObjectIdentifier: DialectSeries]
    private let host: Int?

    init(router: Router, region: MetricsRegion) {
        self.region = region
        var dialects: [ObjectIdentifier: DialectSeries] = [:]
        for mounted in router.allMounts {
            var s = DialectSeries()
            for route in mounted.routes {
                s.routes.updateValue(region.claimRoute(dialect: mounted.dialect.name, route: Router.join(mounted.prefix, route.text)), forKey: route.index)
            }
            s.unmatched = region.claimRoute(dialect: mounted.dialect.name, route: Self.unmatchedRoute)
            dialects[ObjectIdentifier(mounted.dialect)] = s
        }
        self.dialects = dialects
        host = region.claimRoute(dialect: Self.noDialect, route: Self.unmatchedRoute)
        let uncounted = dialects.values.reduce(0) { $0 + $1.routes.values.filter { $0 == nil }.count + ($1.unmatched == nil ? 1 : 0) }
        if uncounted > 0 {
            // The table is full (more distinct routes than it holds, e.g.
            // after many reloads with new mounts) or a label is too long.
            Logger.shared.log(.warning, "\(uncounted) routes are not counted in /metrics: the metrics region holds \(MetricsRegion.routeCapacity) route series with labels of at most \(MetricsRegion.routeLabelCapacity) bytes")
        }
    }

    func count(_ handler: Handler, status: Int, nanos: UInt64) {
        let slot: Int?
        switch handler {
        case .route(let dialect, let index): slot = dialects[ObjectIdentifier(dialect)]?.routes[index].flatMap { $0 }
        case .unmatched(let dialect): slot = dialects[ObjectIdentifier(dialect)]?.unmatched.flatMap { $0 }
        case .host: slot = host
        }
        guard let slot else { return }
        region.countRequest(series: slot, status: status, nanos: nanos)
    }
}
