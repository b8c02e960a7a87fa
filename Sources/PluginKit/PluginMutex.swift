// A pthread mutex (and a condition variable to wait on it) for plugins that
// keep shared state between the host's threads, e.g. connection pools.
import Glibc

/// A pthread mutex on the heap (it must not move).
public final class PluginMutex: @unchecked Sendable {
    public let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    public init() { pthread_mutex_init(mutex, nil) }
    deinit { pthread_mutex_destroy(mutex); mutex.deallocate() }

    @inline(__always) public func lock() { pthread_mutex_lock(mutex) }
    @inline(__always) public func unlock() { pthread_mutex_unlock(mutex) }

    /// Locks within `milliseconds`; false when the lock stayed taken.
    public func lock(timeoutMs milliseconds: Int) -> Bool {
        var deadline = PluginMutex.deadline(afterMs: milliseconds)
        return pthread_mutex_timedlock(mutex, &deadline) == 0
    }

    @inline(__always) public func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock(); defer { unlock() }
        return try body()
    }

    /// CLOCK_REALTIME `milliseconds` from now (what the timed pthread calls take).
    public static func deadline(afterMs milliseconds: Int) -> timespec {
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        let nanos = Int(deadline.tv_nsec) + (milliseconds % 1000) * 1_000_000
        deadline.tv_sec += milliseconds / 1000 + nanos / 1_000_000_000
        deadline.tv_nsec = nanos % 1_000_000_000
        return deadline
    }
}

/// A condition variable used with one PluginMutex.
public final class PluginCondition: @unchecked Sendable {
    public let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() { pthread_cond_init(cond, nil) }
    deinit { pthread_cond_destroy(cond); cond.deallocate() }

    /// Waits (the mutex held by the caller) until signalled.
    public func wait(_ mutex: PluginMutex) { pthread_cond_wait(cond, mutex.mutex) }

    /// Waits until signalled or the absolute CLOCK_REALTIME deadline passes;
    /// false on timeout.
    public func wait(_ mutex: PluginMutex, until deadline: timespec) -> Bool {
        var d = deadline
        return pthread_cond_timedwait(cond, mutex.mutex, &d) == 0
    }

    public func signal() { pthread_cond_signal(cond) }
    public func broadcast() { pthread_cond_broadcast(cond) }
}
