// A small, bounded pool of threads for credential math (password KDFs).
// Serving threads hand a job over and wait for it; the pool caps how much
// CPU and memory hashing can take, and a full queue is refused at once
// (the dialect answers 503) instead of growing without bound.
import Glibc

final class KDFPool: @unchecked Sendable {
    private final class Job {
        let work: () -> Void
        var done = false
        init(_ work: @escaping () -> Void) { self.work = work }
    }

    private var queue: [Job] = []
    private var head = 0
    private let maxQueued: Int
    /// Callers waiting for a job (queued or running) at most. Each waiting
    /// caller is a blocked serving thread, so this keeps hashing from
    /// taking every serving thread: requests that need no KDF keep being
    /// served during a burst of logins, and the excess logins are refused
    /// at once (503) instead of queueing behind the pool.
    private let maxWaiting: Int
    private var waiting = 0
    // Heap-allocated: pthread objects must not move.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let workAvailable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let workDone = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(threads: Int, maxQueued: Int, maxWaiting: Int = .max) {
        self.maxQueued = maxQueued
        self.maxWaiting = max(1, maxWaiting)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(workAvailable, nil)
        pthread_cond_init(workDone, nil)
        for _ in 0..<max(threads, 1) {
            let box = Unmanaged.passRetained(self).toOpaque()
            var thread = pthread_t()
            if pthread_create(&thread, nil, { arg in
                let pool = Unmanaged<KDFPool>.fromOpaque(arg!).takeRetainedValue()
                pool.workerLoop()
                return nil
            }, box) == 0 {
                pthread_detach(thread)
            }
        }
    }

    /// Runs `work` on a pool thread and waits for it. Returns false, without
    /// running it, when the queue is full.
    func run(_ work: @escaping () -> Void) -> Bool {
        let job = Job(work)
        pthread_mutex_lock(mutex)
        if queue.count - head >= maxQueued || waiting >= maxWaiting {
            pthread_mutex_unlock(mutex)
            return false
        }
        waiting += 1
        queue.append(job)
        pthread_cond_signal(workAvailable)
        while !job.done { pthread_cond_wait(workDone, mutex) }
        waiting -= 1
        pthread_mutex_unlock(mutex)
        return true
    }

    private func workerLoop() {
        while true {
            pthread_mutex_lock(mutex)
            while head == queue.count { pthread_cond_wait(workAvailable, mutex) }
            let job = queue[head]
            head += 1
            if head > 1024 && head * 2 > queue.count { queue.removeFirst(head); head = 0 }
            pthread_mutex_unlock(mutex)
            job.work()
            pthread_mutex_lock(mutex)
            job.done = true
            pthread_cond_broadcast(workDone)
            pthread_mutex_unlock(mutex)
        }
    }
}
