// Limits how many serving threads take part in event processing at once.
//
// Handlers may block, so there are many serving threads; but if all of them
// waited in epoll_wait, every event would wake a sleeping thread (a context
// switch per request). The gate lets only `limit` threads (default: one per
// core) poll and serve; the others are parked. A monitor thread notices
// permit holders stuck in a handler for longer than a threshold and lets
// that many extra threads in, so a blocking handler never stalls other
// connections by more than the threshold plus one monitor tick. When the
// stuck handlers return, the surplus threads park again.

import Glibc
import Synchronization

final class HTTPPollingGate: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    /// Permits when no handler is stuck.
    let limit: Int
    /// Guarded by mutex.
    private var holders = 0
    private var extra = 0
    private var closed = false
    /// Mirror of limit + extra, readable without the lock.
    private let allowed: Atomic<Int>
    private let holderCount = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = max(1, limit)
        allowed = Atomic(self.limit)
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Blocks until a permit is free. False when the gate was closed.
    func acquire() -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !closed && holders >= limit + extra {
            pthread_cond_wait(condition, mutex)
        }
        if closed { return false }
        holders += 1
        holderCount.store(holders, ordering: .relaxed)
        return true
    }

    func release() {
        pthread_mutex_lock(mutex)
        holders -= 1
        holderCount.store(holders, ordering: .relaxed)
        if holders < limit + extra { pthread_cond_signal(condition) }
        pthread_mutex_unlock(mutex)
    }

    /// Cheap check after each event: more threads hold permits than are
    /// allowed now (a stuck handler came back) — the caller should release.
    @inline(__always)
    var isOversubscribed: Bool {
        holderCount.load(ordering: .relaxed) > allowed.load(ordering: .relaxed)
    }

    /// Monitor: `stuck` permit holders are blocked in handlers.
    func setStuck(_ stuck: Int) {
        pthread_mutex_lock(mutex)
        if stuck != extra {
            let grow = stuck > extra
            extra = stuck
            allowed.store(limit + extra, ordering: .relaxed)
            if grow { pthread_cond_broadcast(condition) }
        }
        pthread_mutex_unlock(mutex)
    }

    /// Wakes every parked thread for good (shutdown).
    func close() {
        pthread_mutex_lock(mutex)
        closed = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }
}

/// What the monitor knows about one serving thread.
final class HTTPThreadActivity: Sendable {
    /// Coarse monotonic time the current event started; 0 when not serving.
    let busySince = Atomic<UInt64>(0)
}
