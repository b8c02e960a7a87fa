// Tunables of the HTTP transport. Every limit and timeout has a default
// suitable for production; tests shrink them.

import Glibc

package struct HTTPServerConfiguration: Sendable {
    /// Serving threads sharing one epoll instance. Handlers may block
    /// (store, password hashing), so there are more threads than cores.
    package var threadCount: Int = HTTPServerConfiguration.defaultThreadCount
    /// Serving threads allowed to poll and serve at once while no handler
    /// blocks (default: one per core). The other threads stand by and are
    /// let in when handlers block (see `blockedHandlerThreshold`), which
    /// avoids a context switch per request.
    package var pollingThreads: Int = HTTPServerConfiguration.coreCount
    /// Serving threads that may wait on slow work (HTTPWaitingLane: KDF
    /// jobs, outbound calls) at once, beyond `threadCount`. Each waiting
    /// thread's place is taken by another at once, so waiting requests
    /// never take the threads cheap requests use; the lane's threads are
    /// started on demand and end after `laneThreadIdle` without work.
    /// One more waiter than this is refused (503).
    package var waitingThreads: Int = 512
    package var laneThreadIdle: Duration = .seconds(10)
    /// A handler running longer than this counts as blocked: another
    /// standby thread starts serving in its place.
    package var blockedHandlerThreshold: Duration = .milliseconds(2)
    /// Open connections at most; further ones are answered with a minimal
    /// 503 and closed.
    package var maxConnections: Int = 10_000
    /// Keep-alive connection with no request in progress.
    package var idleTimeout: Duration = .seconds(60)
    /// From the first byte of a request until it is complete (→ 408, close).
    package var requestTimeout: Duration = .seconds(30)
    /// Unsent output with no write progress for this long → close.
    package var writeTimeout: Duration = .seconds(30)
    /// After a response with `Connection: close` the write side is shut and
    /// input is drained (so the client sees the response, not a reset) for
    /// at most this long.
    package var lingerTimeout: Duration = .seconds(2)
    /// Default grace period of `beginShutdown()`: after it, remaining
    /// connections are closed. nil = wait for them indefinitely.
    package var shutdownGracePeriod: Duration? = .seconds(10)
    /// How often the sweeper looks for expired connections.
    package var sweepInterval: Duration = .seconds(1)

    package var maxRequestLineBytes: Int = 8 * 1024
    package var maxHeaderBytes: Int = 16 * 1024
    package var maxHeaderCount: Int = 100
    package var maxBodyBytes: Int = 1 << 20
    package var maxChunkLineBytes: Int = 1024

    /// Stop processing further (pipelined) requests of a connection while
    /// this much of its output is unsent.
    package var maxPendingOutputBytes: Int = 1 << 20
    /// Pipelined requests one connection may have answered per turn: then
    /// its output is written and it goes back to the end of the epoll ready
    /// list, so a client pipelining thousands of requests cannot hold a
    /// serving thread (and delay everyone else) for as long as they last.
    package var maxRequestsPerTurn: Int = 32
    /// Read buffer given to a new connection (grows on demand up to what the
    /// limits allow, shrinks back afterwards).
    package var initialReadBufferBytes: Int = 4096
    /// Connections accepted per wake-up of the listener (an own listener;
    /// a shared one is drained until EAGAIN, see `sharedListener`).
    package var acceptBatch: Int = 64
    /// The listening socket is shared with other processes (worker
    /// processes inheriting the master's socket). It is then registered
    /// EPOLLEXCLUSIVE | EPOLLET instead of EPOLLONESHOT: a new connection
    /// wakes one waiting epoll instance (one worker) rather than every
    /// worker (no thundering herd), edge-triggered because EPOLLEXCLUSIVE
    /// cannot be combined with EPOLLONESHOT nor re-armed with EPOLL_CTL_MOD.
    package var sharedListener: Bool = false

    package init() {}

    package static var coreCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    package static var defaultThreadCount: Int { max(4, 4 * coreCount) }

    package var parserLimits: HTTPParserLimits {
        HTTPParserLimits(maxRequestLineBytes: maxRequestLineBytes, maxHeaderBytes: maxHeaderBytes,
                         maxHeaderCount: maxHeaderCount, maxBodyBytes: maxBodyBytes,
                         maxChunkLineBytes: maxChunkLineBytes)
    }
}
