// Log output: one line per event on stdout (stderr for commands whose
// stdout is their result), buffered so that the access log
// does not cost a write(2) per request; flushed at least every 50 ms and at
// once for lines that matter (start-up, errors, shutdown).
import Glibc
import Synchronization

final class Logger: Sendable {
    static let shared = Logger()

    private let buffer = Mutex<[UInt8]>([])
    /// stdout, or stderr for commands whose stdout is their result.
    private let destination = Atomic<Int32>(STDOUT_FILENO)
    private let flushLimit = 64 * 1024
    /// PIPE_BUF on Linux.
    private static let atomicWriteBytes = 4096

    private init() {
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { _ in
            while true {
                usleep(50_000)
                Logger.shared.flush()
            }
        }, nil)
        if started == 0 { pthread_detach(thread) }
    }

    /// Appends a line; flushes when asked or when the buffer is large.
    func line(_ text: String, flushNow: Bool = false) {
        var full = false
        buffer.withLock { b in
            b.append(contentsOf: text.utf8)
            b.append(10)
            full = b.count >= flushLimit
        }
        if flushNow || full { flush() }
    }

    /// Log lines go to standard error from now on (e.g. `proteus scim token
    /// create`, whose standard output is the token alone).
    func useStandardError() {
        flush()
        destination.store(STDERR_FILENO, ordering: .relaxed)
    }

    func info(_ text: String) { line(text) }
    func warn(_ text: String) { line("warning: " + text, flushNow: true) }
    func error(_ text: String) { line("error: " + text, flushNow: true) }

    func flush() {
        buffer.withLock { b in
            guard !b.isEmpty else { return }
            b.withUnsafeBytes { raw in
                guard let start = raw.baseAddress else { return }
                // Worker processes share stdout (often a pipe): a write of at
                // most PIPE_BUF bytes is atomic, so writes are cut at line
                // ends into pieces of at most that size and lines from
                // different processes never interleave.
                var offset = 0
                while offset < raw.count {
                    var end = min(raw.count, offset + Self.atomicWriteBytes)
                    if end < raw.count {
                        var cut = end
                        while cut > offset && raw[cut - 1] != 10 { cut -= 1 }
                        if cut > offset { end = cut }
                    }
                    let n = write(destination.load(ordering: .relaxed), start + offset, end - offset)
                    if n < 0 { if errno == EINTR { continue }; break }
                    offset += n
                }
            }
            b.removeAll(keepingCapacity: true)
        }
    }
}
