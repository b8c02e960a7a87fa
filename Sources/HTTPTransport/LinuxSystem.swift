// Linux system calls with their real types and constants (the CLinux
// module: epoll, eventfd, accept4, ioctl), under the transport's names.
// Also: clocks and a pthread mutex/thread helper used by the transport.

import CLinux
import Glibc

enum Epoll {
    static let input = EPOLLIN.rawValue
    static let output = EPOLLOUT.rawValue
    static let error = EPOLLERR.rawValue
    static let hangUp = EPOLLHUP.rawValue
    static let oneShot = EPOLLONESHOT.rawValue
    static let exclusive = EPOLLEXCLUSIVE.rawValue
    static let edgeTriggered = EPOLLET.rawValue
    static let ctlAdd = EPOLL_CTL_ADD
    static let ctlDel = EPOLL_CTL_DEL
    static let ctlMod = EPOLL_CTL_MOD

    /// A new close-on-exec epoll instance, or -1 (errno set).
    static func create() -> Int32 { epoll_create1(Int32(EPOLL_CLOEXEC)) }

    /// epoll_ctl with a 64-bit token as the event data.
    @inline(__always)
    static func control(_ epfd: Int32, _ op: Int32, _ fd: Int32, events: UInt32, token: UInt64) -> Int32 {
        var event = epoll_event(events: events, data: epoll_data_t(u64: token))
        return epoll_ctl(epfd, op, fd, &event)
    }

    /// Waits without a timeout for one event: 1, or -1 (errno set).
    @inline(__always)
    static func waitOne(_ epfd: Int32, _ event: inout epoll_event) -> Int32 {
        epoll_wait(epfd, &event, 1, -1)
    }
}

/// A non-blocking, close-on-exec eventfd starting at 0, or -1 (errno set).
func makeEventFD() -> Int32 { eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK)) }

/// accept4(2) on `fd`.
@inline(__always)
func acceptConnection(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: UnsafeMutablePointer<socklen_t>?, flags: Int32) -> Int32 {
    proteus_accept4(fd, address, length, flags)
}

/// True when everything sent on the socket has been acknowledged and
/// nothing received is unread (SIOCOUTQ and SIOCINQ both 0): closing
/// then cannot destroy a response with a reset.
func socketQueuesEmpty(_ fd: Int32) -> Bool {
    var unsent: Int32 = 0
    var unread: Int32 = 0
    guard proteus_ioctl_int(fd, UInt(SIOCOUTQ), &unsent) == 0,
          proteus_ioctl_int(fd, UInt(SIOCINQ), &unread) == 0 else { return false }
    return unsent == 0 && unread == 0
}

// MARK: - Clocks

@inline(__always)
package func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// Cheap (jiffy-resolution) monotonic clock for timeouts.
@inline(__always)
package func coarseMonotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

extension Duration {
    /// Whole nanoseconds, saturating; negative durations count as zero.
    package var saturatingNanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        if seconds < 0 { return 0 }
        let (s, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return UInt64.max }
        let (total, overflow2) = s.addingReportingOverflow(UInt64(max(0, attoseconds) / 1_000_000_000))
        return overflow2 ? UInt64.max : total
    }
}

// MARK: - Locks and threads

/// A heap-allocated pthread mutex with tryLock (the sweeper must never block
/// on a connection a serving thread is working on).
package final class PThreadMutex: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    package init() {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    @inline(__always) package func lock() { pthread_mutex_lock(mutex) }
    @inline(__always) package func unlock() { pthread_mutex_unlock(mutex) }
    @inline(__always) package func tryLock() -> Bool { pthread_mutex_trylock(mutex) == 0 }
}

private final class ThreadStart {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// Starts a joinable pthread running `body`. Returns nil when the system
/// refuses (resource limits).
package func startThread(stackBytes: Int = 4 << 20, _ body: @escaping @Sendable () -> Void) -> pthread_t? {
    let context = Unmanaged.passRetained(ThreadStart(body)).toOpaque()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstacksize(&attributes, stackBytes)
    var thread = pthread_t()
    let rc = pthread_create(&thread, &attributes, { raw in
        guard let raw else { return nil }
        let start = Unmanaged<ThreadStart>.fromOpaque(raw).takeRetainedValue()
        start.body()
        return nil
    }, context)
    if rc != 0 {
        Unmanaged<ThreadStart>.fromOpaque(context).release()
        return nil
    }
    return thread
}

package func joinThread(_ thread: pthread_t) {
    _ = pthread_join(thread, nil)
}

package func errnoDescription(_ code: Int32) -> String {
    guard let s = strerror(code) else { return "error \(code)" }
    return String(cString: s)
}
