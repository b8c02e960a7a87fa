// Linux system calls the Glibc module does not import (sys/epoll.h,
// sys/eventfd.h and accept4 need _GNU_SOURCE or are not in SwiftGlibc.h),
// resolved once with dlsym so the calls use the C calling convention.
// Also: clocks and a pthread mutex/thread helper used by the transport.

import Glibc

enum Epoll {
    static let input: UInt32 = 0x001        // EPOLLIN
    static let output: UInt32 = 0x004       // EPOLLOUT
    static let error: UInt32 = 0x008        // EPOLLERR
    static let hangUp: UInt32 = 0x010       // EPOLLHUP
    static let oneShot: UInt32 = 1 << 30    // EPOLLONESHOT
    static let exclusive: UInt32 = 1 << 28  // EPOLLEXCLUSIVE
    static let edgeTriggered: UInt32 = 1 << 31  // EPOLLET
    static let ctlAdd: Int32 = 1
    static let ctlDel: Int32 = 2
    static let ctlMod: Int32 = 3
    static let cloexec: Int32 = 0o2000000   // EPOLL_CLOEXEC == O_CLOEXEC
    /// struct epoll_event is packed (12 bytes) on x86_64 and naturally
    /// aligned (16 bytes) on other architectures.
    #if arch(x86_64)
    static let eventSize = 12
    static let dataOffset = 4
    #else
    static let eventSize = 16
    static let dataOffset = 8
    #endif
}

/// Function pointers for the calls Glibc's Swift module lacks.
struct LinuxSystem: @unchecked Sendable {
    typealias EpollCreate1 = @convention(c) (Int32) -> Int32
    typealias EpollCtl = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    typealias EpollWait = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32
    typealias EventFD = @convention(c) (UInt32, Int32) -> Int32
    typealias Accept4 = @convention(c) (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32) -> Int32
    /// ioctl(fd, request, int *): only used with integer out-parameters.
    typealias IoctlInt = @convention(c) (Int32, UInt, UnsafeMutablePointer<Int32>?) -> Int32

    let epollCreate1: EpollCreate1
    let epollCtlFn: EpollCtl
    let epollWaitFn: EpollWait
    let eventfd: EventFD
    let accept4: Accept4
    let ioctlInt: IoctlInt

    static let shared: LinuxSystem? = {
        guard let handle = dlopen(nil, RTLD_NOW),
              let c = dlsym(handle, "epoll_create1"),
              let ctl = dlsym(handle, "epoll_ctl"),
              let wait = dlsym(handle, "epoll_wait"),
              let efd = dlsym(handle, "eventfd"),
              let acc = dlsym(handle, "accept4"),
              let io = dlsym(handle, "ioctl")
        else { return nil }
        return LinuxSystem(
            epollCreate1: unsafeBitCast(c, to: EpollCreate1.self),
            epollCtlFn: unsafeBitCast(ctl, to: EpollCtl.self),
            epollWaitFn: unsafeBitCast(wait, to: EpollWait.self),
            eventfd: unsafeBitCast(efd, to: EventFD.self),
            accept4: unsafeBitCast(acc, to: Accept4.self),
            ioctlInt: unsafeBitCast(io, to: IoctlInt.self))
    }()

    /// True when everything sent on the socket has been acknowledged and
    /// nothing received is unread (SIOCOUTQ and SIOCINQ both 0): closing
    /// then cannot destroy a response with a reset.
    func socketQueuesEmpty(_ fd: Int32) -> Bool {
        var unsent: Int32 = 0
        var unread: Int32 = 0
        guard ioctlInt(fd, 0x5411 /* SIOCOUTQ */, &unsent) == 0,
              ioctlInt(fd, 0x541B /* SIOCINQ */, &unread) == 0 else { return false }
        return unsent == 0 && unread == 0
    }

    /// epoll_ctl with a 64-bit token as the event data.
    @inline(__always)
    func epollCtl(_ epfd: Int32, _ op: Int32, _ fd: Int32, events: UInt32, token: UInt64) -> Int32 {
        withUnsafeTemporaryAllocation(byteCount: Epoll.eventSize, alignment: 8) { raw in
            raw.storeBytes(of: events, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: token, toByteOffset: Epoll.dataOffset, as: UInt64.self)
            return epollCtlFn(epfd, op, fd, raw.baseAddress)
        }
    }
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
