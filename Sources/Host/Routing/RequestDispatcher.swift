// The host's HTTPHandler: routes each request to a dialect, hands it over as
// a proteus_request, counts it in the metrics region (by dialect and route
// pattern, never the raw path) and writes the access-log line.
import Glibc
import HTTPTransport
import PluginAPI
import PluginKit

final class RequestDispatcher: HTTPHandler, @unchecked Sendable {
    private let router: Router
    private let trustedProxies: TrustedProxies
    private let logRequests: Bool
    private let series: RequestSeries?

    init(router: Router, trustedProxies: TrustedProxies, logRequests: Bool = true) {
        self.router = router
        self.trustedProxies = trustedProxies
        self.logRequests = logRequests
        series = MetricsRecorder.region.map { RequestSeries(router: router, region: $0) }
    }

    func handle(_ request: HTTPRequest, _ response: HTTPResponseWriter) {
        let scratch = ThreadScratch.current
        defer { scratch.arena.reset() }
        let method = request.method.string
        scratch.retryAfterSeconds = 0
        let handledBy = handleRouted(request, method: method, response: response, scratch: scratch)
        if response.status == 503, scratch.retryAfterSeconds > 0, !response.hasHeader("retry-after") {
            response.addHeader("Retry-After", String(scratch.retryAfterSeconds))
        }
        if let series {
            // The transport's clock, as the access log's.
            series.count(handledBy, status: response.status, nanos: monotonicNanos() &- request.receivedAtNanos)
        }
        if logRequests {
            // The transport's clock: the one that took receivedAtNanos.
            let elapsed = Double(monotonicNanos() &- request.receivedAtNanos) / 1_000_000
            Logger.shared.access(AccessLogEntry(method: method, path: request.path.string, status: response.status,
                                                durationMs: elapsed, dialect: handledBy.dialectName))
        }
    }

    /// Answers the request; returns who answered it (for its metrics).
    private func handleRouted(_ request: HTTPRequest, method: String, response: HTTPResponseWriter, scratch: ThreadScratch) -> RequestSeries.Handler {
        var forcedStatus = UInt16(clamping: request.transportStatus)
        if percentDecodePath(request.path, into: &scratch.decodedPath) != nil {
            // Undecodable path: route on the raw bytes (mount prefixes are
            // plain ASCII) so the owning dialect answers 400 in its envelope.
            scratch.decodedPath.removeAll(keepingCapacity: true)
            scratch.decodedPath.append(contentsOf: request.path.buffer)
            forcedStatus = 400
        }
        return scratch.decodedPath.withUnsafeBufferPointer { path in
            let resolution = router.resolve(path: path, method: method, params: &scratch.params)
            switch resolution {
            case .none:
                Self.plain(response, forcedStatus == 400 ? 400 : 404, forcedStatus == 400 ? "Bad Request" : "Not Found")
                return .host
            case .route(let mounted, let route, let start):
                call(mounted, route: route.index, hostStatus: forcedStatus, request, path: path, relativeStart: start, response: response, scratch: scratch)
                return .route(mounted.dialect, route.index)
            case .refused(let mounted, let status, let start):
                scratch.params.removeAll(keepingCapacity: true)
                call(mounted, route: -1, hostStatus: forcedStatus != 0 ? forcedStatus : status, request, path: path, relativeStart: start, response: response, scratch: scratch)
                return .unmatched(mounted.dialect)
            }
        }
    }

    private func call(_ mounted: Router.Mounted, route: Int32, hostStatus: UInt16, _ request: HTTPRequest,
                      path: UnsafeBufferPointer<UInt8>, relativeStart: Int, response: HTTPResponseWriter, scratch: ThreadScratch) {
        let dialect = mounted.dialect
        let arena = scratch.arena
        // What the request points to lives in `request`'s buffers, `path`,
        // the dialect binding, static text, or the arena (RequestFields).
        guard let headers = arena.headerList(request.headers),
              let params = arena.parameterList(scratch.params, in: path),
              let clientIP = clientAddress(request, arena: arena) else {
            Logger.shared.error("dialect \(dialect.name): out of memory building the request for \(request.method.string) \(request.path.string)")
            Self.plain(response, 500, "Internal Server Error")
            return
        }
        var r = proteus_request()
        r.struct_size = UInt32(MemoryLayout<proteus_request>.size)
        r.route = route
        r.host_status = hostStatus
        r.host_reason = hostStatus == 0 ? .absent : proteus_str(Self.reason(hostStatus))
        r.method = request.method.str
        if let base = path.baseAddress, relativeStart >= 0, relativeStart < path.count {
            r.path = proteus_str(ptr: UnsafeRawPointer(base + relativeStart).assumingMemoryBound(to: CChar.self), len: path.count - relativeStart)
        } else {
            r.path = proteus_str(Self.slash)
        }
        r.query = request.query.map { $0.str } ?? .absent
        r.headers = headers
        r.header_count = UInt32(clamping: request.headers.count)
        r.body = proteus_bytes(ptr: request.body.base ?? Self.emptyByte, len: request.body.count)
        r.client_ip = clientIP
        r.params = params
        r.param_count = UInt32(clamping: scratch.params.count)
        r.arena = arena.opaque
        r.mount = dialect.mountText
        r.scheme = proteus_str(isHTTPS(request) ? Self.https : Self.http)
        let responsePointer = OpaquePointer(Unmanaged.passUnretained(response).toOpaque())
        // In a worker process: the route this thread is in, for the
        // master's log line should the dialect crash.
        RouteRecorder.begin(method: request.method, path: request.path)
        // host->audit reads the client address of the request this thread handles.
        scratch.clientAddress = clientIP
        let status = withUnsafePointer(to: &r) { dialect.handle(dialect.instance.instance, $0, responsePointer) }
        scratch.clientAddress = .absent
        RouteRecorder.end()
        if status != PROTEUS_OK {
            Logger.shared.error("dialect \(dialect.name): handle failed (\(Status.name(status))) for \(request.method.string) \(request.path.string)")
            response.reset()
            Self.plain(response, 500, "Internal Server Error")
        }
    }

    /// The socket peer's address as received, or (behind a trusted proxy)
    /// the forwarded client's, copied into the arena; nil when out of memory.
    private func clientAddress(_ request: HTTPRequest, arena: Arena) -> proteus_str? {
        guard !trustedProxies.isEmpty else { return request.peerAddress.str }
        var forwarded: [String] = []
        for field in request.headers where field.name.equalsLowercased("x-forwarded-for") {
            forwarded.append(field.value.string)
        }
        return arena.str(copying: trustedProxies.clientAddress(peer: request.peerAddress.string, forwardedFor: forwarded))
    }

    /// Whether the client spoke HTTPS (ABI 2.5, proteus_request.scheme):
    /// only a trusted proxy can say so (the host listens in plain HTTP),
    /// by the last value of its last X-Forwarded-Proto header.
    private func isHTTPS(_ request: HTTPRequest) -> Bool {
        guard !trustedProxies.isEmpty else { return false }
        var last: ByteView?
        for field in request.headers where field.name.equalsLowercased("x-forwarded-proto") { last = field.value }
        guard let last, trustedProxies.contains(request.peerAddress.string) else { return false }
        let value = last.string.split(separator: ",", omittingEmptySubsequences: false).last.map { $0.trimmingSpaces } ?? ""
        return value.lowercased() == "https"
    }

    static func plain(_ response: HTTPResponseWriter, _ status: Int, _ text: String) {
        response.status = status
        response.addHeader("Content-Type", "text/plain; charset=utf-8")
        response.appendBody(Array(text.utf8))
    }

    private static func reason(_ status: UInt16) -> StaticString {
        switch status {
        case 0: return ""
        case 400: return "Bad Request: malformed path"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 413: return "Payload Too Large"
        case 415: return "Unsupported Media Type"
        case 503: return "Service Unavailable"
        default: return "Error"
        }
    }

    private static let slash: StaticString = "/"
    private static let http: StaticString = "http"
    private static let https: StaticString = "https"

    nonisolated(unsafe) private static let emptyByte: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()
}

private extension proteus_str {
    /// Static text as a present proteus_str.
    init(_ text: StaticString) {
        self.init(ptr: UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self), len: text.utf8CodeUnitCount)
    }
}

/// Per-serving-thread buffers reused across requests (no per-request
/// allocation in the steady state).
final class ThreadScratch {
    let arena = Arena()
    var params: [Range<Int>] = []
    var decodedPath: [UInt8] = []
    /// Set when a host service refused work of this request for load
    /// (seconds until the backlog clears); added to a 503 as Retry-After.
    var retryAfterSeconds = 0
    /// The client address of the request this thread's dialect is handling
    /// (request->client_ip, in the request's arena); absent outside `handle`.
    var clientAddress = proteus_str.absent

    init() {
        params.reserveCapacity(4)
        decodedPath.reserveCapacity(256)
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<ThreadScratch>.fromOpaque(pointer).release() }
        }
        return key
    }()

    /// Records a Retry-After for the request this thread serves (none when
    /// the thread serves no request: commands, start-up).
    static func noteRetryAfter(seconds: Int) {
        guard let existing = pthread_getspecific(key) else { return }
        let scratch = Unmanaged<ThreadScratch>.fromOpaque(existing).takeUnretainedValue()
        scratch.retryAfterSeconds = max(scratch.retryAfterSeconds, seconds)
    }

    /// The client address of the request this thread is handling, if it
    /// handles one (host->audit); never creates the thread's scratch.
    static var currentClientAddress: String? {
        guard let existing = pthread_getspecific(key) else { return nil }
        return Unmanaged<ThreadScratch>.fromOpaque(existing).takeUnretainedValue().clientAddress.string
    }

    static var current: ThreadScratch {
        if let existing = pthread_getspecific(key) {
            return Unmanaged<ThreadScratch>.fromOpaque(existing).takeUnretainedValue()
        }
        let scratch = ThreadScratch()
        pthread_setspecific(key, Unmanaged.passRetained(scratch).toOpaque())
        return scratch
    }
}
