// Tunables of the HTTP transport. Every limit and timeout has a default
// suitable for production; tests shrink them.

import Glibc

struct HTTPServerConfiguration: Sendable {
    /// Serving threads sharing one epoll instance. Handlers may block
    /// (store, password hashing), so there are more threads than cores.
    var threadCount: Int = HTTPServerConfiguration.defaultThreadCount
    /// Serving threads allowed to poll and serve at once while no handler
    /// blocks (default: one per core). The other threads stand by and are
    /// let in when handlers block (see `blockedHandlerThreshold`), which
    /// avoids a context switch per request.
    var pollingThreads: Int = HTTPServerConfiguration.coreCount
    /// A handler running longer than this counts as blocked: another
    /// standby thread starts serving in its place.
    var blockedHandlerThreshold: Duration = .milliseconds(2)
    /// Open connections at most; further ones are answered with a minimal
    /// 503 and closed.
    var maxConnections: Int = 10_000
    /// Keep-alive connection with no request in progress.
    var idleTimeout: Duration = .seconds(60)
    /// From the first byte of a request until it is complete (→ 408, close).
    var requestTimeout: Duration = .seconds(30)
    /// Unsent output with no write progress for this long → close.
    var writeTimeout: Duration = .seconds(30)
    /// After a response with `Connection: close` the write side is shut and
    /// input is drained (so the client sees the response, not a reset) for
    /// at most this long.
    var lingerTimeout: Duration = .seconds(2)
    /// Default grace period of `beginShutdown()`: after it, remaining
    /// connections are closed. nil = wait for them indefinitely.
    var shutdownGracePeriod: Duration? = .seconds(10)
    /// How often the sweeper looks for expired connections.
    var sweepInterval: Duration = .seconds(1)

    var maxRequestLineBytes: Int = 8 * 1024
    var maxHeaderBytes: Int = 16 * 1024
    var maxHeaderCount: Int = 100
    var maxBodyBytes: Int = 1 << 20
    var maxChunkLineBytes: Int = 1024

    /// Stop processing further (pipelined) requests of a connection while
    /// this much of its output is unsent.
    var maxPendingOutputBytes: Int = 1 << 20
    /// Read buffer given to a new connection (grows on demand up to what the
    /// limits allow, shrinks back afterwards).
    var initialReadBufferBytes: Int = 4096
    /// Connections accepted per wake-up of the listener (an own listener;
    /// a shared one is drained until EAGAIN, see `sharedListener`).
    var acceptBatch: Int = 64
    /// The listening socket is shared with other processes (worker
    /// processes inheriting the master's socket). It is then registered
    /// EPOLLEXCLUSIVE | EPOLLET instead of EPOLLONESHOT: a new connection
    /// wakes one waiting epoll instance (one worker) rather than every
    /// worker (no thundering herd), edge-triggered because EPOLLEXCLUSIVE
    /// cannot be combined with EPOLLONESHOT nor re-armed with EPOLL_CTL_MOD.
    var sharedListener: Bool = false

    init() {}

    static var coreCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    static var defaultThreadCount: Int { max(4, 4 * coreCount) }

    var parserLimits: HTTPParserLimits {
        HTTPParserLimits(maxRequestLineBytes: maxRequestLineBytes, maxHeaderBytes: maxHeaderBytes,
                         maxHeaderCount: maxHeaderCount, maxBodyBytes: maxBodyBytes,
                         maxChunkLineBytes: maxChunkLineBytes)
    }
}
