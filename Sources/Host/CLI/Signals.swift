// Signal handling: SIGTERM, SIGINT, SIGHUP and SIGCHLD are blocked in every
// thread (the mask is set before any thread starts) and taken by one thread
// with sigwait:
//   * a serving process (a worker, or `workers: 0`) turns SIGTERM/SIGINT
//     into an orderly shutdown (`onShutdown`); SIGHUP stays blocked there
//     (a reload is the master's business);
//   * the master forwards all four into its supervision loop through a pipe
//     (`forward`).
// SIGPIPE is ignored: a peer that vanished is an I/O error, not a reason to
// die. Worker processes are started with an empty mask and default
// dispositions (posix_spawn attributes) and run `prepare` again themselves.
import Glibc
import HTTPTransport

enum Signals {
    private static var shutdownSet: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        return set
    }

    private static var blockedSet: sigset_t {
        var set = shutdownSet
        sigaddset(&set, SIGHUP)
        sigaddset(&set, SIGCHLD)
        return set
    }

    /// Call first thing in main, before any thread exists.
    static func prepare() {
        signal(SIGPIPE, SIG_IGN)
        var set = blockedSet
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
            Logger.shared.line("second signal: exiting now", level: .warning, flushNow: true)
            _exit(1)
        }
    }

    /// [master] Writes the number of every SIGTERM, SIGINT, SIGHUP and
    /// SIGCHLD received, as one byte, to `fd` (the write end of a pipe the
    /// supervision loop polls).
    static func forward(to fd: Int32) {
        _ = startThread(stackBytes: 256 << 10) {
            var set = blockedSet
            while true {
                var received: Int32 = 0
                guard sigwait(&set, &received) == 0 else { continue }
                var byte = UInt8(truncatingIfNeeded: received)
                while write(fd, &byte, 1) < 0 && errno == EINTR {}
            }
        }
    }
}
