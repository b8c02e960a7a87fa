// Helpers for the supervision tests: the crashing C dialect, the master's
// worker processes as seen in /proc, waiting for log lines.
import Foundation
import XCTest

enum CrashPlugin {
    /// Compiles Tests/Fixtures/CPlugin/crash_dialect.c into `directory`.
    static func build(into directory: String) throws -> String {
        try CPluginBuilder.compile("crash_dialect.c", into: directory + "/libproteus-crash-c.so", defines: ["_DEFAULT_SOURCE"])
    }
}

extension ProteusProcess {
    var pid: Int32 { process.processIdentifier }

    /// The master's child processes (its workers), from /proc.
    var workerPIDs: [Int32] {
        let master = pid
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var children: [Int32] = []
        for entry in entries {
            guard let p = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // "pid (comm) state ppid ..."
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 2, Int32(fields[1]) == master, fields[0] != "Z" { children.append(p) }
        }
        return children.sorted()
    }

    /// Waits until `condition` holds on the output (or fails after `timeout`).
    @discardableResult
    func waitForOutput(timeout: Double = 15, _ what: String, file: StaticString = #filePath, line: UInt = #line,
                       _ condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(outputText) { return true }
            usleep(20_000)
        }
        XCTFail("timed out waiting for \(what); output:\n\(outputText)", file: file, line: line)
        return false
    }

    func count(_ text: String) -> Int { outputText.components(separatedBy: text).count - 1 }

    /// Waits until the master has `n` live workers.
    func waitForWorkers(_ n: Int, timeout: Double = 15, file: StaticString = #filePath, line: UInt = #line) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if workerPIDs.count == n { return }
            usleep(20_000)
        }
        XCTFail("expected \(n) workers, have \(workerPIDs); output:\n\(outputText)", file: file, line: line)
    }

    /// Sends a signal to the master.
    func signal(_ sig: Int32) { kill(pid, sig) }
}

/// Runs `body` on a background thread; `wait()` returns its result.
final class Background<T>: @unchecked Sendable {
    private var result: Result<T, Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () throws -> T) {
        Thread.detachNewThread { [self] in
            result = Result { try body() }
            done.signal()
        }
    }

    func wait(timeout: Double = 30) throws -> T {
        guard done.wait(timeout: .now() + timeout) == .success, let result else {
            throw TestFailure("background work did not finish within \(timeout) s")
        }
        return try result.get()
    }
}

/// The pid a crash-c response names.
func servedBy(_ response: APIResponse) -> Int32? {
    response.json?["pid"]?.intValue.map { Int32($0) }
}

/// A config whose dialects are AIOStreams at / (no rate limit unless given)
/// and the crash dialect at /c.
func supervisionConfig(directory: String, crashLibrary: String, workers: Int = 2,
                       crashOptions: [String: Any] = [:], aiostreamsOptions: [String: Any] = ["rateLimit": false]) -> [String: Any] {
    var config = ProteusProcess.defaultConfig(directory: directory)
    config["workers"] = workers
    config["dialects"] = [
        ["plugin": "aiostreams", "mount": "/", "options": aiostreamsOptions],
        ["plugin": crashLibrary, "mount": "/c", "options": crashOptions],
    ]
    return config
}

func writeConfig(_ config: [String: Any], to path: String) throws {
    try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
}

/// A value shared with background threads.
final class SharedFlag<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}

/// A process that exists and is not a zombie.
func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(after: close)...].split(separator: " ").first
    return state != "Z" && state != "X"
}
