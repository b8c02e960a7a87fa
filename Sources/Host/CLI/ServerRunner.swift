// Serving: the transport around a built HostAssembly.
//   * `run`: single-process mode (`workers: 0`): bind, serve until
//     SIGTERM/SIGINT, drain, then close the plugins (the store last); its
//     metrics region (always there: host->metrics_text reads it) counts
//     this one process, and the admin listener, when configured, shows it.
//   * `makeServer`: the same server on a given listener, used by worker
//     processes on the socket inherited from the master
//     (Supervision/WorkerProcess.swift).
import Glibc
import HTTPTransport

enum ServerRunner {
    static func run(_ assembly: HostAssembly) throws -> Int32 {
        let c = assembly.configuration
        let listener: HTTPListener
        do { listener = try HTTPListener.bind(host: c.listenHost, port: c.listenPort) } catch {
            assembly.close()
            throw ConfigError(message: "key \"listen\": \(error)")
        }
        let server: HTTPServer
        do { server = try makeServer(assembly, listener: listener, sharedListener: false) } catch {
            listener.close()
            assembly.close()
            throw error
        }
        var admin: AdminListener?
        do {
            if let region = MetricsRecorder.region {
                admin = try AdminListener(c, region: region,
                                          documents: DialectDocuments(DialectDocuments.fromDialects(assembly.dialects)))
            }
            try admin?.start()
        } catch {
            listener.close()
            assembly.close()
            throw error
        }
        try server.start()
        MetricsRecorder.startStoreProbe(assembly.store)
        // One process: the pool is full once it serves.
        if let region = MetricsRecorder.region {
            Readiness.publish(Readiness.Workers(wanted: 1, serving: [MetricsRecorder.slot], stopping: false), to: region)
        }
        Logger.shared.line("listening on \(displayURL(c, port: server.port))", level: .notice, flushNow: true)
        Signals.onShutdown { signal in
            Logger.shared.line("received \(signal), shutting down (grace \(c.shutdownGraceSeconds)s)", level: .notice, flushNow: true)
            if let region = MetricsRecorder.region {
                Readiness.publish(Readiness.Workers(wanted: 1, serving: [], stopping: true), to: region)
            }
            server.beginShutdown()
        }
        server.wait()
        MetricsRecorder.stopStoreProbe()
        assembly.close()
        Logger.shared.line("stopped", level: .notice, flushNow: true)
        return 0
    }

    /// The HTTP server for an assembly on `listener` (not started).
    static func makeServer(_ assembly: HostAssembly, listener: HTTPListener, sharedListener: Bool) throws -> HTTPServer {
        let c = assembly.configuration
        var http = HTTPServerConfiguration()
        if let threads = c.servingThreads { http.threadCount = threads }
        http.waitingThreads = c.waitingThreads
        http.maxConnections = c.limits.maxConnections
        http.maxBodyBytes = c.limits.maxBodyBytes
        http.maxHeaderBytes = c.limits.maxHeaderBytes
        http.maxHeaderCount = c.limits.maxHeaderCount
        http.idleTimeout = .seconds(c.limits.idleTimeoutSeconds)
        http.requestTimeout = .seconds(c.limits.requestTimeoutSeconds)
        http.writeTimeout = .seconds(c.limits.writeTimeoutSeconds)
        http.shutdownGracePeriod = .seconds(c.shutdownGraceSeconds)
        http.sharedListener = sharedListener
        let dispatcher = RequestDispatcher(router: assembly.router, trustedProxies: try TrustedProxies(c.trustedProxies), logRequests: c.logRequests)
        return try HTTPServer(listener: listener, configuration: http, handler: dispatcher)
    }

    /// "http://127.0.0.1:8080", "http://[::1]:8080".
    static func displayURL(_ c: Configuration, port: UInt16) -> String {
        let shown = c.listenHost.contains(":") ? "[\(c.listenHost)]" : c.listenHost
        return "http://\(shown):\(port)"
    }
}
