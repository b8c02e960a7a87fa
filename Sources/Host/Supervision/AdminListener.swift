// The admin listener (`"admin": {"listen": ...}`): /healthz, /readyz,
// /metrics and the dialects' OpenAPI documents (/openapi/) on their own
// address, served by the master (or the single process) on a small
// HTTPServer of its own — never by the public listener, whose requests all
// go to dialects. It reads only the metrics region (readiness included)
// and DialectDocuments, so it needs no lock shared with supervision.
import HTTPTransport

final class AdminListener: @unchecked Sendable {
    private let region: MetricsRegion
    let documents: DialectDocuments
    private let server: HTTPServer
    private let host: String
    var port: UInt16 { server.port }

    /// Binds `configuration.adminListen` (a ConfigError naming the key when
    /// it cannot), not serving yet.
    init?(_ configuration: Configuration, region: MetricsRegion, documents: DialectDocuments) throws {
        guard let address = configuration.adminListen else { return nil }
        let listener: HTTPListener
        do { listener = try HTTPListener.bind(host: address.host, port: address.port) } catch {
            throw ConfigError(message: "key \"admin.listen\": \(error)")
        }
        var http = HTTPServerConfiguration()
        // A scraper and a health checker or two: a couple of threads.
        http.threadCount = 2
        http.pollingThreads = 1
        http.waitingThreads = 1
        http.maxConnections = 64
        http.maxBodyBytes = 1024
        http.shutdownGracePeriod = .seconds(1)
        self.region = region
        self.documents = documents
        host = address.host.contains(":") ? "[\(address.host)]" : address.host
        do {
            server = try HTTPServer(listener: listener, configuration: http, handler: AdminRoutes(region: region, documents: documents))
        } catch {
            listener.close()
            throw error
        }
    }

    func start() throws {
        try server.start()
        Logger.shared.line("admin listener on http://\(host):\(server.port) (/healthz, /readyz, /metrics, /openapi/)", level: .notice, flushNow: true)
    }
}

/// The admin paths; anything else is 404, another method 405.
final class AdminRoutes: HTTPHandler, @unchecked Sendable {
    private let region: MetricsRegion
    private let documents: DialectDocuments

    init(region: MetricsRegion, documents: DialectDocuments) {
        self.region = region
        self.documents = documents
    }

    func handle(_ request: HTTPRequest, _ response: HTTPResponseWriter) {
        let path = request.path.string
        let isDocument = path == "/openapi" || path.hasPrefix("/openapi/")
        guard isDocument || ["/healthz", "/readyz", "/metrics"].contains(path) else {
            return plain(response, 404, "not found: the admin listener serves /healthz, /readyz, /metrics and /openapi/\n")
        }
        let method = request.method.string
        guard method == "GET" || method == "HEAD" else {
            response.addHeader("Allow", "GET, HEAD")
            return plain(response, 405, "method not allowed\n")
        }
        switch path {
        case "/healthz":
            plain(response, 200, "ok\n")
        case "/readyz":
            if let reason = Readiness.notReadyReason(region) {
                plain(response, 503, "not ready: \(reason)\n")
            } else {
                plain(response, 200, "ready\n")
            }
        case "/metrics":
            response.status = 200
            response.addHeader("Content-Type", MetricsText.contentType)
            response.appendBody(Array(MetricsText.render(region).utf8))
        default:
            openAPI(path, response)
        }
    }

    /// /openapi and /openapi/: the index; /openapi/<file>: one document.
    private func openAPI(_ path: String, _ response: HTTPResponseWriter) {
        let entries: [DialectDocuments.Entry]
        do { entries = try documents.current() } catch {
            return plain(response, 503, "\(error)\n")
        }
        let file = path.dropFirst("/openapi".count).drop { $0 == "/" }
        if file.isEmpty { return json(response, DialectDocuments.index(entries)) }
        guard let entry = entries.first(where: { $0.file == file }) else {
            let files = entries.filter { $0.document != nil }.map(\.file)
            return plain(response, 404, "not found: no document \"\(file)\" (documents: \(files.joined(separator: ", ")); index at /openapi/)\n")
        }
        guard let document = entry.document else {
            return plain(response, 404, "dialect \"\(entry.plugin)\" at \(entry.mount) describes no routes (it offers no \"openapi.v1\" document)\n")
        }
        json(response, document)
    }

    private func json(_ response: HTTPResponseWriter, _ text: String) {
        response.status = 200
        response.addHeader("Content-Type", "application/json")
        response.appendBody(Array(text.utf8))
    }

    private func plain(_ response: HTTPResponseWriter, _ status: Int, _ text: String) {
        response.status = status
        response.addHeader("Content-Type", "text/plain; charset=utf-8")
        response.appendBody(Array(text.utf8))
    }
}
