// A small, bounded pool of threads for credential math (password KDFs),
// admitting jobs by deadline.
//
// The pool's threads cap how much CPU and memory hashing takes. A job is
// accepted while its expected start time stays within `maxWaitNanos`: the
// work queued and running ahead of it ÷ pool threads, where each job counts
// as the measured job time of its auth method (the median of that method's
// last 16 jobs — a TOTP check costs microseconds, an argon2id hash tens of
// milliseconds, and a mix must not make one look like the other). Beyond
// that it is refused at once, with the time until the queue would admit it
// again (Retry-After), instead of queueing longer than a client would wait.
// The caller waits for its job in the serving transport's waiting lane
// (HTTPWaitingLane), so a waiting login never holds a thread that requests
// needing no hash would use.
// The queue's depth and the refusals are counted in the metrics region
// (MetricsRecorder; no-ops in a command, which keeps no region).
import Glibc
import HTTPTransport

final class KDFPool: @unchecked Sendable {
    enum Outcome: Equatable {
        case done
        /// Not run: the queue is too long or the waiting lane is full.
        case refused(retryAfterSeconds: Int)
    }

    private final class Job {
        let work: () -> Void
        let method: String
        /// The estimated duration it was admitted with.
        let cost: UInt64
        var startedAt: UInt64 = 0
        var done = false
        /// Its own condition: a finished job wakes only its waiter, not the
        /// hundreds that may wait in the lane.
        let finished = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        init(method: String, cost: UInt64, _ work: @escaping () -> Void) {
            self.work = work
            self.method = method
            self.cost = cost
            pthread_cond_init(finished, nil)
        }
        deinit {
            pthread_cond_destroy(finished)
            finished.deallocate()
        }
    }

    /// The latest job durations of one auth method, and their median.
    private struct JobTimes {
        var recent = [UInt64](repeating: 0, count: 16)
        var recorded = 0
        var median: UInt64 = 0

        mutating func record(_ nanos: UInt64) {
            recent[recorded % recent.count] = nanos
            recorded += 1
            let samples = recent.prefix(min(recorded, recent.count)).sorted()
            median = samples[samples.count / 2]
        }
    }

    let threads: Int
    let maxWaitNanos: UInt64
    // Guarded by mutex.
    private var queue: [Job] = []
    private var head = 0
    private var running: [Job] = []
    /// Estimated work of the queued jobs, and of jobs admitted but not yet
    /// queued (their callers are entering the lane).
    private var queuedCost: UInt64 = 0
    private var reservedCost: UInt64 = 0
    private var reservedCount = 0
    private var times: [String: JobTimes] = [:]
    // Heap-allocated: pthread objects must not move.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let workAvailable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(threads: Int, maxWaitMs: Int) {
        self.threads = max(threads, 1)
        self.maxWaitNanos = UInt64(max(0, maxWaitMs)) * 1_000_000
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(workAvailable, nil)
        for _ in 0..<self.threads {
            let box = Unmanaged.passRetained(self).toOpaque()
            var thread = pthread_t()
            if pthread_create(&thread, nil, { arg in
                guard let arg else { return nil }
                let pool = Unmanaged<KDFPool>.fromOpaque(arg).takeRetainedValue()
                pool.workerLoop()
                return nil
            }, box) == 0 {
                pthread_detach(thread)
            } else {
                Unmanaged<KDFPool>.fromOpaque(box).release()
            }
        }
    }

    /// Runs `work` (a job of auth method `method`) on a pool thread and
    /// waits for it — in the waiting lane when called on a serving thread —
    /// or refuses it without running it.
    func run(method: String, _ work: @escaping () -> Void) -> Outcome {
        pthread_mutex_lock(mutex)
        let cost = estimatedCost(method)
        let expected = expectedStartNanos()
        if expected > maxWaitNanos {
            pthread_mutex_unlock(mutex)
            MetricsRecorder.countKDFRejection()
            return .refused(retryAfterSeconds: retryAfter(expected))
        }
        // Counted from now on, so that callers admitted at the same moment
        // see each other.
        reservedCost &+= cost
        reservedCount += 1
        pthread_mutex_unlock(mutex)

        let inLane = HTTPWaitingLane.enter()
        pthread_mutex_lock(mutex)
        reservedCost &-= cost
        reservedCount -= 1
        guard inLane else {
            pthread_mutex_unlock(mutex)
            MetricsRecorder.countKDFRejection()
            return .refused(retryAfterSeconds: 1)   // a lane slot frees with every finished job
        }
        defer { HTTPWaitingLane.leave() }
        let job = Job(method: method, cost: cost, work)
        queue.append(job)
        queuedCost &+= cost
        MetricsRecorder.setKDFQueueDepth(queue.count - head)
        pthread_cond_signal(workAvailable)
        while !job.done { pthread_cond_wait(job.finished, mutex) }
        pthread_mutex_unlock(mutex)
        return .done
    }

    /// A job of `method`: its median duration; before the method has one, at
    /// least what a running job has taken so far (1 ms minimum). Mutex held.
    private func estimatedCost(_ method: String) -> UInt64 {
        if let median = times[method]?.median, median > 0 { return median }
        let now = monotonicNanos()
        let longestRunning = running.map { now &- $0.startedAt }.max() ?? 0
        return max(1_000_000, longestRunning)
    }

    /// How long a job submitted now would wait before it starts: nothing
    /// while a thread is idle, else the work ahead (queued, admitted, and
    /// what remains of the running jobs) spread over the threads. Mutex held.
    private func expectedStartNanos() -> UInt64 {
        let waiting = queue.count - head + reservedCount
        guard running.count + waiting >= threads else { return 0 }
        let now = monotonicNanos()
        var work = queuedCost &+ reservedCost
        for job in running {
            let elapsed = now &- job.startedAt
            work &+= job.cost > elapsed ? job.cost - elapsed : 0
        }
        return work / UInt64(threads)
    }

    /// Seconds until the queue would admit the job again (rounded up), plus
    /// up to a quarter more at random so refused clients do not all come
    /// back at the same instant; at least 1.
    private func retryAfter(_ expected: UInt64) -> Int {
        let until = expected > maxWaitNanos ? expected - maxWaitNanos : 0
        let seconds = max(1, Int((until + 999_999_999) / 1_000_000_000))
        return seconds + Int.random(in: 0...(seconds / 4))
    }

    static let niceness: Int32 = 10

    private func workerLoop() {
        // Hashing yields the CPU to serving threads: a burst of logins uses
        // the cores that requests leave idle, and cheap requests keep their
        // latency. (Linux: the nice value is per thread, and who = 0 is the
        // calling thread.)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
        while true {
            pthread_mutex_lock(mutex)
            while head == queue.count { pthread_cond_wait(workAvailable, mutex) }
            let job = queue[head]
            head += 1
            if head > 1024 && head * 2 > queue.count { queue.removeFirst(head); head = 0 }
            queuedCost &-= job.cost
            MetricsRecorder.setKDFQueueDepth(queue.count - head)
            job.startedAt = monotonicNanos()
            running.append(job)
            pthread_mutex_unlock(mutex)
            job.work()
            let elapsed = monotonicNanos() &- job.startedAt
            pthread_mutex_lock(mutex)
            if let index = running.firstIndex(where: { $0 === job }) { running.remove(at: index) }
            times[job.method, default: JobTimes()].record(elapsed)
            job.done = true
            pthread_cond_signal(job.finished)
            pthread_mutex_unlock(mutex)
        }
    }
}
