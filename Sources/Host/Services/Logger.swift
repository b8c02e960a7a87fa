// Log output: one line per event on stdout (stderr for commands whose
// stdout is their result), buffered so that the access log
// does not cost a write(2) per request; flushed at least every 50 ms and at
// once for lines that matter (start-up, errors, shutdown).
// Each event has a level (LogSettings); config `logFormat` picks today's text
// lines or one JSON object per line (JSONLogLine), `logLevel` the least
// severe level written.
import Glibc
import Synchronization

final class Logger: Sendable {
    static let shared = Logger()

    private let buffer = Mutex<[UInt8]>([])
    /// stdout, or stderr for commands whose stdout is their result.
    private let destination = Atomic<Int32>(STDOUT_FILENO)
    private let flushLimit = 64 * 1024
    /// PIPE_BUF on Linux.
    static let atomicWriteBytes = 4096
    /// LogFormat and LogLevel raw values (config `logFormat`, `logLevel`).
    private let jsonFormat = Atomic<Bool>(false)
    private let minimumLevel = Atomic<Int>(LogLevel.info.rawValue)
    /// This worker process's number (1-based, as the master's "worker N"
    /// lines name it); 0 in the master or a single process.
    private let workerNumber = Atomic<Int>(0)
    private let pid = Atomic<Int32>(getpid())

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

    /// Applies a config's log settings (each process that read it does).
    func configure(format: LogFormat, minimumLevel level: LogLevel) {
        jsonFormat.store(format == .json, ordering: .relaxed)
        minimumLevel.store(level.rawValue, ordering: .relaxed)
    }

    /// Called once by a worker process: its lines carry its number.
    func identifyWorker(number: Int) {
        workerNumber.store(number, ordering: .relaxed)
        pid.store(getpid(), ordering: .relaxed)
    }

    func writes(_ level: LogLevel) -> Bool { level.rawValue >= minimumLevel.load(ordering: .relaxed) }

    /// A line whose text is written as is in the text format (the master's
    /// and the server's own lines); `level` is for JSON and `logLevel`.
    /// Flushes when asked or when the buffer is large.
    func line(_ text: String, level: LogLevel = .info, flushNow: Bool = false) {
        guard writes(level) else { return }
        if jsonFormat.load(ordering: .relaxed) {
            appendJSON(level: level, message: text, flushNow: flushNow) { _ in }
        } else {
            appendText(text, flushNow: flushNow)
        }
    }

    /// An event written "LEVEL: message" in the text format ("LEVEL [plugin]:
    /// message" for a plugin's; info without a plugin has no prefix), and as
    /// JSON with a "plugin" member for a plugin's. Warnings and worse are
    /// flushed at once.
    func log(_ level: LogLevel, _ message: String, plugin: String? = nil) {
        guard writes(level) else { return }
        let flushNow = level >= .warning
        if jsonFormat.load(ordering: .relaxed) {
            appendJSON(level: level, message: message, flushNow: flushNow) { line in
                if let plugin { line.string("plugin", plugin) }
            }
        } else if let plugin {
            appendText("\(level.name) [\(plugin)]: \(message)", flushNow: flushNow)
        } else {
            appendText(level == .info ? message : "\(level.name): \(message)", flushNow: flushNow)
        }
    }

    /// A request's access-log line (level info).
    func access(_ entry: AccessLogEntry) {
        guard writes(.info) else { return }
        if jsonFormat.load(ordering: .relaxed) {
            appendJSON(level: .info, message: entry.text, flushNow: false) { entry.addFields(to: &$0) }
        } else {
            appendText(entry.text, flushNow: false)
        }
    }

    private func appendText(_ text: String, flushNow: Bool) {
        var full = false
        buffer.withLock { b in
            b.append(contentsOf: text.utf8)
            b.append(10)
            full = b.count >= flushLimit
        }
        if flushNow || full { flush() }
    }

    /// Encodes outside the lock. A line longer than one atomic write could
    /// be split by another process's write, and would no longer parse: then
    /// it is encoded again with its strings cut, and "truncated": true.
    private func appendJSON(level: LogLevel, message: String, flushNow: Bool, fields: (inout JSONLogLine) -> Void) {
        let now = Clock.nowMillis()
        func encode(cutTo limit: Int?) -> [UInt8] {
            var line = JSONLogLine(millis: now, level: level, message: message, maxStringBytes: limit)
            let number = workerNumber.load(ordering: .relaxed)
            line.integer("worker", number > 0 ? number : nil)
            line.integer("pid", Int(pid.load(ordering: .relaxed)))
            fields(&line)
            if limit != nil { line.boolean("truncated", true) }
            return line.finish()
        }
        var bytes = encode(cutTo: nil)
        // 120 bytes per string stay under PIPE_BUF even if every byte of the
        // five strings a line may hold needs a six-byte escape.
        if bytes.count > Self.atomicWriteBytes { bytes = encode(cutTo: 120) }
        var full = false
        buffer.withLock { b in
            b.append(contentsOf: bytes)
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

    func info(_ text: String) { log(.info, text) }
    func warn(_ text: String) { log(.warning, text) }
    func error(_ text: String) { log(.error, text) }

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
