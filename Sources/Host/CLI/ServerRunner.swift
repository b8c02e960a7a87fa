// Serving: bind, run the transport until SIGTERM/SIGINT, drain, then close
// the plugins (the store last).
import Glibc

enum ServerRunner {
    static func run(_ assembly: HostAssembly) throws -> Int32 {
        let c = assembly.configuration
        let listener: HTTPListener
        do { listener = try HTTPListener.bind(host: c.listenHost, port: c.listenPort) } catch {
            assembly.close()
            throw ConfigError(message: "key \"listen\": \(error)")
        }
        var http = HTTPServerConfiguration()
        if let threads = c.servingThreads { http.threadCount = threads }
        http.maxConnections = c.limits.maxConnections
        http.maxBodyBytes = c.limits.maxBodyBytes
        http.maxHeaderBytes = c.limits.maxHeaderBytes
        http.maxHeaderCount = c.limits.maxHeaderCount
        http.idleTimeout = .seconds(c.limits.idleTimeoutSeconds)
        http.requestTimeout = .seconds(c.limits.requestTimeoutSeconds)
        http.writeTimeout = .seconds(c.limits.writeTimeoutSeconds)
        http.shutdownGracePeriod = .seconds(c.shutdownGraceSeconds)

        let dispatcher = RequestDispatcher(router: assembly.router, trustedProxies: try TrustedProxies(c.trustedProxies), logRequests: c.logRequests)
        let server: HTTPServer
        do { server = try HTTPServer(listener: listener, configuration: http, handler: dispatcher) } catch {
            listener.close()
            assembly.close()
            throw error
        }
        try server.start()
        let shown = c.listenHost.contains(":") ? "[\(c.listenHost)]" : c.listenHost
        Logger.shared.line("listening on http://\(shown):\(server.port)", flushNow: true)
        Signals.onShutdown { signal in
            Logger.shared.line("received \(signal), shutting down (grace \(c.shutdownGraceSeconds)s)", flushNow: true)
            server.beginShutdown()
        }
        server.wait()
        assembly.close()
        Logger.shared.line("stopped", flushNow: true)
        return 0
    }
}
