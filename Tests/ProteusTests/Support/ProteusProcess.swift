// The real `proteus` binary, started on an ephemeral loopback port with a
// config written for the test, and stopped (or killed) by the test.
import Foundation
import XCTest

final class ProteusProcess: @unchecked Sendable {
    let process = Process()
    let directory: String
    let configPath: String
    private(set) var port: UInt16 = 0
    private let output = NSMutableData()
    private let lock = NSLock()
    private let listening = DispatchSemaphore(value: 0)
    private let outputEnded = DispatchSemaphore(value: 0)
    private var outputDrained = false
    private var sawListening = false

    /// Fast password hashing for tests that are not about hashing cost.
    static var fastPassword: [String: Any] { ["plugin": "password", "options": ["memoryKiB": 1024, "iterations": 1]] }

    /// The config used unless a test gives its own: SQLite in the test's
    /// directory (or the given store section), fast password hashing,
    /// AIOStreams at /. The store's options are its defaults (the auth
    /// cache off); the cache's bound is StoreAuthCacheTests' and
    /// MCSManagerAuthCacheTests'.
    static func defaultConfig(directory: String, store: [String: Any]? = nil) -> [String: Any] {
        [
            "listen": "127.0.0.1:0",
            "dataDirectory": directory + "/data",
            "store": store ?? ["plugin": "sqlite", "options": ["path": directory + "/data/proteus.sqlite"]],
            "auth": [fastPassword],
            "dialects": [["plugin": "aiostreams", "mount": "/"]],
        ]
    }

    /// Starts proteus with `config` (a JSON object) and waits for its
    /// "listening on" line.
    init(config: [String: Any]? = nil, directory: String? = nil, arguments: [String]? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = directory ?? TemporaryDirectory.make()
        self.directory = dir
        self.configPath = dir + "/config.json"
        let cfg = config ?? Self.defaultConfig(directory: dir)
        try JSONSerialization.data(withJSONObject: cfg, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: configPath))
        process.executableURL = URL(fileURLWithPath: BuildProducts.proteus)
        process.arguments = arguments ?? ["--config", configPath]
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            if data.isEmpty {
                // End of output: every process holding the pipe has exited.
                handle.readabilityHandler = nil
                self.outputEnded.signal()
                return
            }
            self.lock.lock()
            self.output.append(data)
            let text = String(decoding: self.output as Data, as: UTF8.self)
            var signal = false
            if !self.sawListening, let range = text.range(of: "listening on http://") {
                let rest = text[range.upperBound...]
                // The line ends there, or (logFormat "json") the "msg" string does.
                if let end = rest.firstIndex(where: { $0 == "\n" || $0 == "\"" }) {
                    let hostPort = rest[..<end]
                    if let colon = hostPort.lastIndex(of: ":"), let p = UInt16(hostPort[hostPort.index(after: colon)...]) {
                        self.port = p
                        self.sawListening = true
                        signal = true
                    }
                }
            }
            self.lock.unlock()
            if signal { self.listening.signal() }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while listening.wait(timeout: .now() + 0.05) == .timedOut {
            if !process.isRunning {
                throw TestFailure("proteus exited with status \(process.terminationStatus) before listening; output:\n\(outputText)")
            }
            if Date() > deadline {
                process.terminate()
                throw TestFailure("proteus did not start listening within 30 s; output:\n\(outputText)")
            }
        }
    }

    var outputText: String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: output as Data, as: UTF8.self)
    }

    /// SIGTERM and wait for a clean exit; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        drainOutput()
        return process.terminationStatus
    }

    /// After exit: waits (briefly) until the last output lines are read, so
    /// `outputText` holds everything the process printed.
    private func drainOutput() {
        lock.lock()
        let drained = outputDrained
        outputDrained = true
        lock.unlock()
        if !drained { _ = outputEnded.wait(timeout: .now() + 5) }
    }

    /// SIGKILL: no chance to flush or close anything.
    func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        drainOutput()
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    /// Runs proteus to completion with arguments (e.g. check-config) and
    /// returns its exit status and combined output.
    static func run(_ arguments: [String], directory: String? = nil) throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        return try runTool(BuildProducts.proteus, arguments, directory: directory, environment: environment)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
