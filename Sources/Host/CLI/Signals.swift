// Signal handling: SIGTERM/SIGINT are blocked in every thread (the mask is
// set before any thread starts) and taken by one thread with sigwait, which
// turns them into an orderly shutdown. SIGPIPE is ignored: a peer that
// vanished is an I/O error, not a reason to die.
import Glibc

enum Signals {
    private static var shutdownSet: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        return set
    }

    /// Call first thing in main, before any thread exists.
    static func prepare() {
        signal(SIGPIPE, SIG_IGN)
        var set = shutdownSet
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Runs `handler` on a dedicated thread for the first SIGTERM/SIGINT; a
    /// second one exits at once.
    static func onShutdown(_ handler: @escaping @Sendable (String) -> Void) {
        _ = startThread {
            var set = shutdownSet
            var received: Int32 = 0
            sigwait(&set, &received)
            handler(received == SIGINT ? "SIGINT" : "SIGTERM")
            sigwait(&set, &received)
            Logger.shared.line("second signal: exiting now", flushNow: true)
            _exit(1)
        }
    }
}
