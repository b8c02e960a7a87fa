// Limits how many serving threads take part in event processing at once,
// and lends a thread's place to another while it waits on slow work.
//
// Handlers may block, so there are many serving threads; but if all of them
// waited in epoll_wait, every event would wake a sleeping thread (a context
// switch per request). The gate lets only `limit` threads (default: one per
// core) poll and serve; the others are parked. Two things let more in:
//
// * Lending (the waiting lane): a handler about to wait on slow work (a KDF
//   job, an outbound HTTP call) declares it. Its permit stops counting at
//   once and a parked thread — or a new one, up to `laneCapacity` beyond the
//   base threads — takes its place, so waiting requests never occupy the
//   threads that cheap requests use. At most `laneCapacity` threads wait at
//   once; one more is refused, and its caller answers 503.
// * The monitor: permit holders stuck in a handler (a slow store call, say)
//   for longer than a threshold are compensated the same way, after the
//   threshold plus one monitor tick.
//
// When the wait or the stuck handler is over, the surplus threads park again;
// threads started for the lane exit after `surplusIdle` without work and are
// joined (by the monitor, or at shutdown).

import Glibc
import Synchronization

final class HTTPPollingGate: @unchecked Sendable {
    enum Lending {
        /// A parked thread was woken to take the lender's place.
        case woken
        /// None is parked: the caller starts a lane thread with this
        /// activity slot (and calls `spawnFailed` if it cannot).
        case spawn(slot: Int)
        /// The lane is full; nothing changed.
        case full
    }
    enum Turn { case serve, exit }

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private let threadsGone: UnsafeMutablePointer<pthread_cond_t>
    /// Permits when no handler is stuck or waiting.
    let limit: Int
    /// Threads waiting on slow work at once, at most.
    let laneCapacity: Int
    /// How long a lane thread stays parked without work before it exits.
    let surplusIdleNanos: UInt64
    /// Guarded by mutex.
    private var holders = 0
    private var extra = 0
    private var lent = 0
    private var parked = 0
    /// Parked threads signalled that have not left `acquire` yet.
    private var wakesPending = 0
    private var laneThreads = 0
    /// Activity slots free for lane threads.
    private var freeSlots: [Int]
    /// Lane threads that have ended their work, to be joined; the count is
    /// read without the lock by the monitor's every tick.
    private var finished: [pthread_t] = []
    private let finishedCount = Atomic<Int>(0)
    private var closed = false
    /// Mirror of limit + extra + lent, readable without the lock.
    private let allowed: Atomic<Int>
    private let holderCount = Atomic<Int>(0)
    private let lentCount = Atomic<Int>(0)

    /// `laneSlots`: the activity slots lane threads use (one per thread).
    init(limit: Int, laneSlots: Range<Int>, surplusIdle: Duration = .seconds(10)) {
        self.limit = max(1, limit)
        self.laneCapacity = laneSlots.count
        freeSlots = Array(laneSlots.reversed())
        // Bounded so that idleSince + surplusIdleNanos cannot wrap.
        self.surplusIdleNanos = min(max(1_000_000, surplusIdle.saturatingNanoseconds), 1 << 60)
        allowed = Atomic(self.limit)
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        threadsGone = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        threadsGone.initialize(to: pthread_cond_t())
        // Timed waits measure against CLOCK_MONOTONIC (wall-clock jumps
        // must not end or stretch an idle period).
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
        pthread_cond_init(threadsGone, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_cond_destroy(threadsGone)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        threadsGone.deallocate()
        mutex.deallocate()
    }

    private var permits: Int { limit + extra + lent }

    /// Mutex held.
    private func publishAllowed() { allowed.store(permits, ordering: .relaxed) }

    /// Mutex held: wakes up to `count` parked threads not already woken.
    private func wake(_ count: Int) {
        let n = min(count, parked - wakesPending)
        guard n > 0 else { return }
        wakesPending += n
        for _ in 0..<n { pthread_cond_signal(condition) }
    }

    /// Mutex held, after permits shrank: woken threads that find no permit
    /// park again, so they no longer count as pending wake-ups.
    private func forgetStaleWakes() {
        wakesPending = min(wakesPending, max(0, permits - holders))
    }

    /// Blocks until a permit is free. `.exit` when the gate was closed, or
    /// for a lane thread (`laneThread`) that stayed parked for
    /// `surplusIdle` with nothing to do: it must then end (and call
    /// `laneThreadExited` last).
    func acquire(laneThread: Bool) -> Turn {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        parked += 1
        var idleSince = laneThread ? monotonicNanos() : 0
        while !closed && holders >= permits {
            if laneThread {
                let deadline = idleSince &+ surplusIdleNanos
                var spec = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
                if pthread_cond_timedwait(condition, mutex, &spec) == ETIMEDOUT, holders >= permits {
                    parked -= 1
                    wakesPending = min(wakesPending, parked)
                    return .exit
                }
                if holders < permits { idleSince = monotonicNanos() }
            } else {
                pthread_cond_wait(condition, mutex)
            }
        }
        parked -= 1
        if wakesPending > 0 { wakesPending -= 1 }
        if closed { return .exit }
        holders += 1
        holderCount.store(holders, ordering: .relaxed)
        return .serve
    }

    func release() {
        pthread_mutex_lock(mutex)
        holders -= 1
        holderCount.store(holders, ordering: .relaxed)
        if holders < permits { wake(1) }
        pthread_mutex_unlock(mutex)
    }

    /// Cheap check after each event: more threads hold permits than are
    /// allowed now (a stuck or waiting handler came back) — the caller
    /// should release.
    @inline(__always)
    var isOversubscribed: Bool {
        holderCount.load(ordering: .relaxed) > allowed.load(ordering: .relaxed)
    }

    /// A permit holder is about to wait on slow work: its permit stops
    /// counting, and another thread is to take its place.
    func lend() -> Lending {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard !closed, lent < laneCapacity else { return .full }
        lent += 1
        lentCount.store(lent, ordering: .relaxed)
        publishAllowed()
        if parked > wakesPending {
            wake(1)
            return .woken
        }
        if laneThreads < laneCapacity, let slot = freeSlots.popLast() {
            laneThreads += 1
            return .spawn(slot: slot)
        }
        // Every lane thread exists and none is parked: the first to come
        // back from its wait takes the permit (it finds itself not surplus).
        return .woken
    }

    /// The wait that `lend` announced is over.
    func giveBack() {
        pthread_mutex_lock(mutex)
        lent -= 1
        lentCount.store(lent, ordering: .relaxed)
        publishAllowed()
        forgetStaleWakes()
        pthread_mutex_unlock(mutex)
    }

    /// The lane thread `lend` asked for could not be started: the lending
    /// is undone (the caller refuses its wait).
    func spawnFailed(slot: Int) {
        pthread_mutex_lock(mutex)
        freeSlots.append(slot)
        laneThreads -= 1
        lent -= 1
        lentCount.store(lent, ordering: .relaxed)
        publishAllowed()
        forgetStaleWakes()
        if laneThreads == 0 { pthread_cond_broadcast(threadsGone) }
        pthread_mutex_unlock(mutex)
    }

    /// The last thing a lane thread does: its slot is free again and the
    /// thread is to be joined (`takeFinished`).
    func laneThreadExited(_ thread: pthread_t, slot: Int) {
        pthread_mutex_lock(mutex)
        finished.append(thread)
        finishedCount.store(finished.count, ordering: .relaxed)
        freeSlots.append(slot)
        laneThreads -= 1
        if laneThreads == 0 { pthread_cond_broadcast(threadsGone) }
        pthread_mutex_unlock(mutex)
    }

    /// Lane threads that ended since the last call; the caller joins them.
    func takeFinished() -> [pthread_t] {
        guard finishedCount.load(ordering: .relaxed) > 0 else { return [] }
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let threads = finished
        finished.removeAll()
        finishedCount.store(0, ordering: .relaxed)
        return threads
    }

    /// Threads waiting on slow work now.
    var waiting: Int { lentCount.load(ordering: .relaxed) }

    /// Lane threads alive now.
    var laneThreadCount: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return laneThreads
    }

    /// Monitor: `stuck` permit holders are blocked in handlers.
    func setStuck(_ stuck: Int) {
        pthread_mutex_lock(mutex)
        if stuck > extra {
            let grow = stuck - extra
            extra = stuck
            publishAllowed()
            wake(grow)
        } else if stuck < extra {
            extra = stuck
            publishAllowed()
            forgetStaleWakes()
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

    /// After `close`: blocks until every lane thread has ended its work;
    /// then `takeFinished` returns them all.
    func waitForLaneThreads() {
        pthread_mutex_lock(mutex)
        while laneThreads > 0 { pthread_cond_wait(threadsGone, mutex) }
        pthread_mutex_unlock(mutex)
    }
}

/// What the monitor knows about one serving thread.
final class HTTPThreadActivity: Sendable {
    /// Coarse monotonic time the current event started; 0 when not serving
    /// (or while waiting in the lane: that thread is already replaced).
    let busySince = Atomic<UInt64>(0)
}
