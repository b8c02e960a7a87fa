// A small, bounded pool of threads for credential math (password KDFs),
// admitting jobs by deadline.
//
// The pool's threads cap how much CPU and memory hashing takes. A job is
// accepted while its expected start time stays within `maxWaitNanos`:
// jobs ahead × the measured mean job time ÷ pool threads. Beyond that it is
// refused at once with the time the queue ahead needs (Retry-After), instead
// of queueing longer than a client would wait. The caller waits for its job
// in the serving transport's waiting lane (HTTPWaitingLane), so a waiting
// login never holds a thread that requests needing no hash would use.
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
        var done = false
        /// Its own condition: a finished job wakes only its waiter, not the
        /// hundreds that may wait in the lane.
        let finished = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        init(_ work: @escaping () -> Void) {
            self.work = work
            pthread_cond_init(finished, nil)
        }
        deinit {
            pthread_cond_destroy(finished)
            finished.deallocate()
        }
    }

    let threads: Int
    let maxWaitNanos: UInt64
    private var queue: [Job] = []
    private var head = 0
    private var running = 0
    /// Start times of the running jobs (a mean before the first completes).
    private var oldestRunningStart: UInt64 = 0
    /// Durations of the latest jobs (a ring). Their median is the "mean job
    /// time" of the admission rule: a median ignores the odd slow job (the
    /// first one, on cold caches and fresh memory) that would make a burst's
    /// first refusals too eager.
    private var recent = [UInt64](repeating: 0, count: 16)
    private var recorded = 0
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

    /// Runs `work` on a pool thread and waits for it (in the waiting lane
    /// when called on a serving thread), or refuses it without running it.
    func run(_ work: @escaping () -> Void) -> Outcome {
        pthread_mutex_lock(mutex)
        let expected = expectedStartNanos()
        pthread_mutex_unlock(mutex)
        let retryAfter = Self.seconds(expected)
        if expected > maxWaitNanos { return .refused(retryAfterSeconds: retryAfter) }
        guard HTTPWaitingLane.enter() else { return .refused(retryAfterSeconds: retryAfter) }
        defer { HTTPWaitingLane.leave() }

        let job = Job(work)
        pthread_mutex_lock(mutex)
        queue.append(job)
        pthread_cond_signal(workAvailable)
        while !job.done { pthread_cond_wait(job.finished, mutex) }
        pthread_mutex_unlock(mutex)
        return .done
    }

    /// How long a job submitted now would wait before it starts. Mutex held.
    private func expectedStartNanos() -> UInt64 {
        let ahead = queue.count - head + running
        guard ahead > 0 else { return 0 }
        var jobTime: UInt64
        if recorded == 0 {
            // Nothing measured yet: a running job has taken at least this.
            jobTime = max(1_000_000, running > 0 ? monotonicNanos() &- oldestRunningStart : 0)
        } else {
            let samples = recent.prefix(min(recorded, recent.count)).sorted()
            jobTime = samples[samples.count / 2]
        }
        return UInt64(min(Double(ahead) * Double(jobTime) / Double(threads), 1e15))
    }

    static let niceness: Int32 = 10

    /// Whole seconds, rounded up, at least 1 (Retry-After).
    private static func seconds(_ nanos: UInt64) -> Int {
        max(1, Int((nanos + 999_999_999) / 1_000_000_000))
    }

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
            let started = monotonicNanos()
            if running == 0 { oldestRunningStart = started }
            running += 1
            pthread_mutex_unlock(mutex)
            job.work()
            let elapsed = monotonicNanos() &- started
            pthread_mutex_lock(mutex)
            running -= 1
            recent[recorded % recent.count] = elapsed
            recorded += 1
            job.done = true
            pthread_cond_signal(job.finished)
            pthread_mutex_unlock(mutex)
        }
    }
}
