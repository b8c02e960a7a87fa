// The serving loop: one epoll instance shared by N serving threads, one
// sweeper thread for timeouts and shutdown, and (when there are more serving
// threads than polling permits) a monitor thread for the polling gate
// (HTTPPollingGate.swift).
//
// Ownership: every connection is registered EPOLLONESHOT, so an event goes to
// exactly one serving thread, which takes the connection's lock, reads,
// parses, calls the handler inline, writes, and re-arms the registration
// before unlocking. The sweeper only try-locks, so it never waits for a
// busy handler. Closing bumps the connection's generation, which is part of
// the epoll token: events for a closed connection (or a reused fd number /
// slot) are recognised as stale and ignored.

import CLinux
import Glibc
import Synchronization

package final class HTTPServer: @unchecked Sendable {
    package let configuration: HTTPServerConfiguration
    /// The port being served (the real one for an ephemeral bind).
    package let port: UInt16

    let handler: any HTTPHandler
    let limits: HTTPParserLimits
    let epfd: Int32
    /// eventfd in the epoll set (level-triggered): readable = threads exit.
    let exitFD: Int32
    /// eventfd the sweeper polls: wakes it on shutdown / last close.
    let sweeperWakeFD: Int32
    let listener: HTTPListener
    let connections: [HTTPConnection]

    // Timeouts in nanoseconds.
    let idleNanos: UInt64
    let requestNanos: UInt64
    let writeNanos: UInt64
    let lingerNanos: UInt64

    /// Guards the listener registration and `listenerActive`, `spareFD`.
    let listenerLock = PThreadMutex()
    var listenerActive = true
    var listenerClosed = false
    var spareFD: Int32 = -1

    let slotLock = PThreadMutex()
    var freeSlots: [Int]
    let highestSlot = Atomic<Int>(-1)

    let activeConnections = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
    let forceClosing = Atomic<Bool>(false)
    let threadsExit = Atomic<Bool>(false)
    /// Monotonic deadline after which everything is closed; 0 = none.
    let shutdownDeadline = Atomic<UInt64>(0)

    let gate: HTTPPollingGate
    /// One per base serving thread, then one per lane thread slot.
    let activities: [HTTPThreadActivity]
    let baseThreadCount: Int
    let stuckNanos: UInt64

    let lifecycleLock = PThreadMutex()
    var started = false
    var finished = false
    var threads: [pthread_t] = []

    static let listenerToken: UInt64 = .max
    static let exitToken: UInt64 = .max - 1

    package init(listener: HTTPListener, configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
         handler: any HTTPHandler) throws {
        self.configuration = configuration
        self.listener = listener
        self.port = listener.port
        self.handler = handler
        self.limits = configuration.parserLimits
        self.idleNanos = configuration.idleTimeout.saturatingNanoseconds
        self.requestNanos = configuration.requestTimeout.saturatingNanoseconds
        self.writeNanos = configuration.writeTimeout.saturatingNanoseconds
        self.lingerNanos = configuration.lingerTimeout.saturatingNanoseconds

        let threadCount = max(1, configuration.threadCount)
        let laneCapacity = max(0, configuration.waitingThreads)
        gate = HTTPPollingGate(limit: min(threadCount, max(1, configuration.pollingThreads)),
                               laneSlots: threadCount..<(threadCount + laneCapacity),
                               surplusIdle: configuration.laneThreadIdle)
        baseThreadCount = threadCount
        activities = (0..<(threadCount + laneCapacity)).map { _ in HTTPThreadActivity() }
        stuckNanos = max(100_000, configuration.blockedHandlerThreshold.saturatingNanoseconds)

        let maxConnections = max(1, configuration.maxConnections)
        connections = (0..<maxConnections).map { HTTPConnection(slot: $0) }
        freeSlots = Array((0..<maxConnections).reversed())
        HTTPServer.raiseDescriptorLimit(wanted: maxConnections + 64)

        epfd = Epoll.create()
        if epfd < 0 {
            throw HTTPListenerError(message: "epoll_create1: \(errnoDescription(errno))")
        }
        exitFD = makeEventFD()
        sweeperWakeFD = makeEventFD()
        if exitFD < 0 || sweeperWakeFD < 0 {
            let e = errno
            if exitFD >= 0 { Glibc.close(exitFD) }
            if sweeperWakeFD >= 0 { Glibc.close(sweeperWakeFD) }
            Glibc.close(epfd)
            throw HTTPListenerError(message: "eventfd: \(errnoDescription(e))")
        }
        spareFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
        if Epoll.control(epfd, Epoll.ctlAdd, exitFD, events: Epoll.input, token: Self.exitToken) != 0
            || Epoll.control(epfd, Epoll.ctlAdd, listener.fd, events: Self.listenerEvents(configuration),
                             token: Self.listenerToken) != 0 {
            let e = errno
            Glibc.close(exitFD)
            Glibc.close(sweeperWakeFD)
            Glibc.close(epfd)
            if spareFD >= 0 { Glibc.close(spareFD) }
            throw HTTPListenerError(message: "epoll_ctl: \(errnoDescription(e))")
        }
    }

    deinit {
        // Normally done by wait(); here for a server that never ran.
        if !finished {
            Glibc.close(exitFD)
            Glibc.close(sweeperWakeFD)
            Glibc.close(epfd)
            if !listenerClosed { listener.close() }
        }
        if spareFD >= 0 { Glibc.close(spareFD) }
    }

    /// How the listener is registered: one-shot (re-armed after each accept
    /// batch) for an own socket; exclusive and edge-triggered for a socket
    /// shared by several worker processes (see `sharedListener`).
    static func listenerEvents(_ configuration: HTTPServerConfiguration) -> UInt32 {
        configuration.sharedListener
            ? Epoll.input | Epoll.exclusive | Epoll.edgeTriggered
            : Epoll.input | Epoll.oneShot
    }

    /// Raises the soft RLIMIT_NOFILE towards `wanted` (up to the hard limit).
    static func raiseDescriptorLimit(wanted: Int) {
        var limit = rlimit()
        guard getrlimit(RLIMIT_NOFILE_VALUE, &limit) == 0 else { return }
        let want = rlim_t(wanted)
        if limit.rlim_cur < want {
            limit.rlim_cur = min(want, limit.rlim_max)
            _ = setrlimit(RLIMIT_NOFILE_VALUE, &limit)
        }
    }

    // MARK: - Lifecycle

    /// Starts the serving threads and the sweeper, then blocks until
    /// shutdown has completed and every thread has stopped.
    package func run() throws {
        try start()
        wait()
    }

    /// Starts the threads and returns.
    package func start() throws {
        lifecycleLock.lock()
        defer { lifecycleLock.unlock() }
        guard !started else { return }
        started = true
        for index in 0..<baseThreadCount {
            let activity = activities[index]
            guard let t = startThread({ [self] in self.servingLoop(activity, laneThread: false) }) else {
                abortStart()
                throw HTTPListenerError(message: "cannot start serving thread: \(errnoDescription(errno))")
            }
            threads.append(t)
        }
        guard let s = startThread(stackBytes: 256 << 10, { [self] in self.sweeperLoop() }) else {
            abortStart()
            throw HTTPListenerError(message: "cannot start sweeper thread: \(errnoDescription(errno))")
        }
        threads.append(s)
        // The monitor: compensates stuck handlers, joins ended lane threads.
        guard let m = startThread(stackBytes: 256 << 10, { [self] in self.monitorLoop() }) else {
            abortStart()
            throw HTTPListenerError(message: "cannot start monitor thread: \(errnoDescription(errno))")
        }
        threads.append(m)
    }

    private func abortStart() {
        stopThreads()
        for t in threads { joinThread(t) }
        threads.removeAll()
        joinLaneThreads()
    }

    /// After the gate closed: every lane thread has ended and is joined.
    private func joinLaneThreads() {
        gate.waitForLaneThreads()
        for t in gate.takeFinished() { joinThread(t) }
    }

    /// Waits until every thread has stopped (after `beginShutdown`), then
    /// releases the epoll instance and (when owned) the listening socket.
    package func wait() {
        lifecycleLock.lock()
        let toJoin = threads
        threads.removeAll()
        lifecycleLock.unlock()
        for t in toJoin { joinThread(t) }
        joinLaneThreads()
        lifecycleLock.lock()
        defer { lifecycleLock.unlock() }
        if !finished && started {
            finished = true
            listenerLock.lock()
            if listenerActive {
                listenerActive = false
                _ = Epoll.control(epfd, Epoll.ctlDel, listener.fd, events: 0, token: 0)
            }
            if !listenerClosed {
                listenerClosed = true
                listener.close()
            }
            listenerLock.unlock()
            Glibc.close(exitFD)
            Glibc.close(sweeperWakeFD)
            Glibc.close(epfd)
        }
    }

    /// Stops accepting, lets in-flight requests finish (their responses carry
    /// `Connection: close`), closes idle connections, and after the
    /// configured grace period closes everything. Safe from any thread.
    package func beginShutdown() {
        beginShutdown(gracePeriod: configuration.shutdownGracePeriod)
    }

    package func beginShutdown(gracePeriod: Duration?) {
        listenerLock.lock()
        if listenerActive {
            listenerActive = false
            _ = Epoll.control(epfd, Epoll.ctlDel, listener.fd, events: 0, token: 0)
            if listener.ownsDescriptor && !listenerClosed {
                // Closed now so new connection attempts are refused at once.
                listenerClosed = true
                listener.close()
            }
        }
        listenerLock.unlock()
        if let gracePeriod {
            let deadline = coarseMonotonicNanos() &+ max(1, gracePeriod.saturatingNanoseconds)
            var current = shutdownDeadline.load(ordering: .acquiring)
            while current == 0 || deadline < current {
                let (exchanged, original) = shutdownDeadline.compareExchange(
                    expected: current, desired: deadline, ordering: .acquiringAndReleasing)
                if exchanged { break }
                current = original
            }
        }
        stopping.store(true, ordering: .sequentiallyConsistent)
        signal(sweeperWakeFD)
    }

    /// Connections currently open.
    package var activeConnectionCount: Int { activeConnections.load(ordering: .relaxed) }

    private func stopThreads() {
        threadsExit.store(true, ordering: .sequentiallyConsistent)
        signal(exitFD)
        gate.close()
    }

    func signal(_ eventFD: Int32) {
        var one: UInt64 = 1
        _ = Glibc.write(eventFD, &one, 8)
    }

    // MARK: - Serving threads

    private func servingLoop(_ activity: HTTPThreadActivity, laneThread: Bool) {
        let context = HTTPServingContext(headerCapacity: limits.maxHeaderCount)
        let thread = HTTPServingThread(server: self, activity: activity)
        thread.attach()
        defer { thread.detach() }
        // A lane thread leaves only through acquire (.exit), which counts it
        // out; base threads are joined.
        while gate.acquire(laneThread: laneThread) == .serve {
            serveEvents(activity, context)
            gate.release()
            if !laneThread && threadsExit.load(ordering: .acquiring) { return }
        }
    }

    // MARK: - The waiting lane (HTTPWaitingLane)

    /// `thread` is about to wait on slow work: another thread takes its
    /// place. False when the lane is full.
    func lend(_ thread: HTTPServingThread) -> Bool {
        switch gate.lend() {
        case .full:
            return false
        case .woken:
            break
        case .spawn(let slot):
            guard startLaneThread(slot: slot) else {
                gate.spawnFailed(slot: slot)
                return false
            }
        }
        thread.activity.busySince.store(0, ordering: .relaxed)   // replaced: not "stuck"
        return true
    }

    func giveBack(_ thread: HTTPServingThread) {
        gate.giveBack()
        thread.activity.busySince.store(monotonicNanos() | 1, ordering: .relaxed)
    }

    /// A serving thread for the lane, on activity `slot`; it ends by itself
    /// when idle and is joined by the monitor (or at shutdown).
    private func startLaneThread(slot: Int) -> Bool {
        let activity = activities[slot]
        return startThread({ [self] in
            self.servingLoop(activity, laneThread: true)
            activity.busySince.store(0, ordering: .relaxed)
            self.gate.laneThreadExited(pthread_self(), slot: slot)
        }) != nil
    }

    /// Threads waiting in the lane now (for stats and tests).
    package var waitingThreadCount: Int { gate.waiting }

    /// Waits for and serves events while holding a polling permit; returns
    /// when the thread should give the permit back (or exit).
    private func serveEvents(_ activity: HTTPThreadActivity, _ context: HTTPServingContext) {
        var event = epoll_event()
        while true {
            if gate.isOversubscribed { return }
            let n = Epoll.waitOne(epfd, &event)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            if n == 0 { continue }
            let mask = event.events
            let token = event.data.u64
            switch token {
            case Self.listenerToken:
                acceptConnections()
            case Self.exitToken:
                if threadsExit.load(ordering: .acquiring) { return }
            default:
                let slot = Int(token & 0xFFFF_FFFF)
                guard slot < connections.count else { continue }
                activity.busySince.store(monotonicNanos() | 1, ordering: .relaxed)
                handleEvent(connections[slot], generation: UInt32(truncatingIfNeeded: token >> 32),
                            mask: mask, context)
                activity.busySince.store(0, ordering: .relaxed)
            }
        }
    }

    /// Lets extra threads poll while permit holders are stuck in handlers.
    private func monitorLoop() {
        var idleTicks = 0
        while !threadsExit.load(ordering: .acquiring) {
            // Fast ticks while handlers run; slower when all is idle.
            let micros: UInt32 = idleTicks > 50 ? 20_000 : 1_000
            usleep(micros)
            let now = monotonicNanos()
            var stuck = 0
            var busy = false
            for activity in activities {
                let since = activity.busySince.load(ordering: .relaxed)
                if since == 0 { continue }
                busy = true
                if now > since && now - since > stuckNanos { stuck += 1 }
            }
            idleTicks = busy ? 0 : idleTicks + 1
            gate.setStuck(stuck)
            let ended = gate.takeFinished()
            for t in ended { joinThread(t) }
            // The last lane thread of a burst is gone: give the memory the
            // burst's threads used (their buffers, freed to the allocator's
            // per-thread arenas) back to the system.
            if !ended.isEmpty && gate.laneThreadCount == 0 { trimHeap() }
        }
    }

    // MARK: - Accepting

    private func acceptConnections() {
        listenerLock.lock()
        defer { listenerLock.unlock() }
        guard listenerActive else { return }
        var storage = sockaddr_storage()
        var attempts = 0
        // Edge-triggered (shared listener): accept until EAGAIN, or a
        // pending connection would wait for the next arrival's edge.
        let shared = configuration.sharedListener
        var stoppedOn = EAGAIN
        while shared || attempts < max(1, configuration.acceptBatch) {
            attempts += 1
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    acceptConnection(listener.fd, $0, &length, flags: Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
            }
            if fd < 0 {
                let e = errno
                if e == EINTR || e == ECONNABORTED || e == EPROTO { continue }
                if e == EMFILE || e == ENFILE {
                    // Out of descriptors: use the spare to accept and drop one
                    // pending connection, so the listener does not spin.
                    if spareFD >= 0 {
                        Glibc.close(spareFD)
                        let victim = acceptConnection(listener.fd, nil, nil, flags: Int32(SOCK_CLOEXEC.rawValue))
                        if victim >= 0 { Glibc.close(victim) }
                        spareFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
                        continue
                    }
                }
                stoppedOn = e
                break
            }
            adopt(fd: fd, peer: &storage)
        }
        if shared {
            // Stopped by an error other than EAGAIN (out of memory or
            // descriptors): connections may still be pending and no new edge
            // will come for them; re-adding the registration re-checks
            // readiness (as the one-shot re-arm below does).
            if stoppedOn != EAGAIN && stoppedOn != EWOULDBLOCK {
                _ = Epoll.control(epfd, Epoll.ctlDel, listener.fd, events: 0, token: 0)
                if Epoll.control(epfd, Epoll.ctlAdd, listener.fd, events: Self.listenerEvents(configuration),
                                 token: Self.listenerToken) != 0 {
                    listenerActive = false
                }
            }
            return
        }
        if Epoll.control(epfd, Epoll.ctlMod, listener.fd, events: Epoll.input | Epoll.oneShot,
                         token: Self.listenerToken) != 0 {
            listenerActive = false
        }
    }

    private func adopt(fd: Int32, peer storage: inout sockaddr_storage) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        guard let slot = takeSlot() else {
            let busy: StaticString = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            _ = send(fd, busy.utf8Start, busy.utf8CodeUnitCount, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL))
            Glibc.close(fd)
            return
        }
        let connection = connections[slot]
        connection.lock.lock()
        defer { connection.lock.unlock() }
        connection.open(fd: fd, now: coarseMonotonicNanos())
        connection.peerLength = withUnsafePointer(to: &storage) {
            HTTPListener.formatAddress($0, into: connection.peer, capacity: HTTPConnection.peerCapacity)
        }
        activeConnections.wrappingAdd(1, ordering: .relaxed)
        guard connection.input.reserveFree(max(256, configuration.initialReadBufferBytes)),
              Epoll.control(epfd, Epoll.ctlAdd, fd, events: Epoll.input | Epoll.oneShot, token: connection.token) == 0
        else {
            closeConnection(connection)
            return
        }
    }

    private func takeSlot() -> Int? {
        slotLock.lock()
        let slot = freeSlots.popLast()
        slotLock.unlock()
        if let slot {
            var highest = highestSlot.load(ordering: .relaxed)
            while slot > highest {
                let (done, original) = highestSlot.compareExchange(expected: highest, desired: slot, ordering: .relaxed)
                if done { break }
                highest = original
            }
        }
        return slot
    }

    /// Closes the socket and frees the slot. Lock held.
    func closeConnection(_ connection: HTTPConnection) {
        guard connection.isOpen else { return }
        Glibc.close(connection.fd)
        connection.isOpen = false
        connection.fd = -1
        connection.generation &+= 1
        connection.input.release()
        connection.pending.release()
        connection.phase = .head
        slotLock.lock()
        freeSlots.append(connection.slot)
        slotLock.unlock()
        let (_, now) = activeConnections.wrappingSubtract(1, ordering: .acquiringAndReleasing)
        if now == 0 && stopping.load(ordering: .acquiring) { signal(sweeperWakeFD) }
    }

    // MARK: - Sweeper

    private func sweeperLoop() {
        let intervalMillis = Int32(clamping: max(10, configuration.sweepInterval.saturatingNanoseconds / 1_000_000))
        var date = HTTPDateCache()
        var scratch = ByteBuffer(capacity: 256)
        var wake = pollfd(fd: sweeperWakeFD, events: Int16(POLLIN), revents: 0)
        while true {
            let shuttingDown = stopping.load(ordering: .acquiring)
            wake.revents = 0
            _ = poll(&wake, 1, shuttingDown ? min(intervalMillis, 20) : intervalMillis)
            if wake.revents != 0 {
                var value: UInt64 = 0
                _ = Glibc.read(sweeperWakeFD, &value, 8)
            }
            if threadsExit.load(ordering: .acquiring) { return }
            let now = coarseMonotonicNanos()
            if stopping.load(ordering: .acquiring) {
                let deadline = shutdownDeadline.load(ordering: .acquiring)
                if deadline != 0 && now >= deadline { forceClosing.store(true, ordering: .releasing) }
            }
            sweep(now: now, date: &date, scratch: &scratch)
            if stopping.load(ordering: .acquiring) && activeConnections.load(ordering: .acquiring) == 0 {
                stopThreads()
                return
            }
        }
    }

    private func sweep(now: UInt64, date: inout HTTPDateCache, scratch: inout ByteBuffer) {
        let highest = highestSlot.load(ordering: .relaxed)
        guard highest >= 0 else { return }
        let force = forceClosing.load(ordering: .acquiring)
        let shuttingDown = stopping.load(ordering: .acquiring)
        for slot in 0...min(highest, connections.count - 1) {
            let connection = connections[slot]
            guard connection.lock.tryLock() else { continue }
            defer { connection.lock.unlock() }
            guard connection.isOpen else { continue }
            if force { closeConnection(connection); continue }
            switch connection.phase {
            case .lingering:
                // Close once the client has everything (or at the deadline).
                if now >= connection.lingerDeadlineNanos || socketQueuesEmpty(connection.fd) {
                    closeConnection(connection)
                }
            case .closingAfterWrite:
                if now &- connection.lastWriteProgressNanos > writeNanos { closeConnection(connection) }
            case .head, .body, .chunked:
                if !connection.pending.isEmpty {
                    if now &- connection.lastWriteProgressNanos > writeNanos { closeConnection(connection) }
                } else if connection.phase == .head && connection.input.isEmpty {
                    if shuttingDown || now &- connection.lastActivityNanos > idleNanos {
                        closeConnection(connection)
                    }
                } else if connection.requestStartNanos != 0 && now &- connection.requestStartNanos > requestNanos {
                    // Slow or stalled request (slowloris): 408, then close.
                    date.refresh()
                    scratch.clear()
                    HTTPResponseFraming.appendError(408, date: date, to: &scratch)
                    if let p = scratch.readPointer {
                        _ = send(connection.fd, p, scratch.count, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL))
                    }
                    scratch.clear()
                    startLingering(connection)
                }
            }
        }
    }
}

/// glibc's malloc_trim(0): returns free heap memory of every arena to the
/// system.
private func trimHeap() {
    _ = malloc_trim(0)
}

/// RLIMIT_NOFILE as the type setrlimit expects on Glibc.
private let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
