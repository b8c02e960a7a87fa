// The waiting lane, as a handler sees it: before a blocking wait on slow work
// (a password hash on the KDF pool, an outbound HTTP call), the handler's
// thread enters the lane — its place among the serving threads goes to
// another thread at once (HTTPPollingGate.lend) — and leaves it when the
// wait is over. Requests that need no slow work therefore never queue
// behind waiting ones, however many wait, up to the lane's capacity.

import Glibc

package enum HTTPWaitingLane {
    /// Moves the calling thread into the lane. False when the lane is full:
    /// the caller must not wait (answer 503). On a thread that is not a
    /// serving thread (commands, tests, plugin start-up) there is nothing to
    /// hand over and this returns true. Nested entries count once.
    package static func enter() -> Bool {
        guard let thread = HTTPServingThread.current else { return true }
        if thread.laneDepth > 0 {
            thread.laneDepth += 1
            return true
        }
        guard thread.server.lend(thread) else { return false }
        thread.laneDepth = 1
        return true
    }

    /// Ends what a successful `enter` began.
    package static func leave() {
        guard let thread = HTTPServingThread.current, thread.laneDepth > 0 else { return }
        thread.laneDepth -= 1
        if thread.laneDepth == 0 { thread.server.giveBack(thread) }
    }

    /// Runs `wait` in the lane; nil, without running it, when the lane is full.
    package static func run<T>(_ wait: () throws -> T) rethrows -> T? {
        guard enter() else { return nil }
        defer { leave() }
        return try wait()
    }
}

/// A serving thread's identity, reachable from the handler it runs.
final class HTTPServingThread {
    unowned let server: HTTPServer
    let activity: HTTPThreadActivity
    var laneDepth = 0

    init(server: HTTPServer, activity: HTTPThreadActivity) {
        self.server = server
        self.activity = activity
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static var current: HTTPServingThread? {
        guard let pointer = pthread_getspecific(key) else { return nil }
        return Unmanaged<HTTPServingThread>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Marks the calling thread as this serving thread until `detach`.
    func attach() { pthread_setspecific(Self.key, Unmanaged.passRetained(self).toOpaque()) }

    func detach() {
        guard let pointer = pthread_getspecific(Self.key) else { return }
        pthread_setspecific(Self.key, nil)
        Unmanaged<HTTPServingThread>.fromOpaque(pointer).release()
    }
}
