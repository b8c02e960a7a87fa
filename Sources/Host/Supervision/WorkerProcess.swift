// `proteus worker ...`: a worker process, started by the master (never by
// hand) with posix_spawn of the same binary. It inherits:
//   fd 3  the config the master validated (unlinked shm file; empty when
//         the master runs the embedded default)
//   fd 4  the listening socket (bound by the master, shared by all workers)
//   fd 5  the rate-limit table (shared memory, RateLimiter.init(adopting:))
//   fd 6  the write end of its status pipe: "R" when serving, or
//         "E" + the start-up error message, then exit 1
//   fd 7  the scoreboard (shared memory; its slot index is --slot)
//   fd 8  the change counter (shared memory)
//   fd 9  the metrics region (shared memory; this worker counts as --slot)
// It builds the HostAssembly (loads and creates the plugins), serves on the
// inherited socket until SIGTERM/SIGINT, drains like a single process does,
// closes the plugins and exits 0.
import Glibc
import HTTPTransport

enum WorkerProcess {
    static let configFD: Int32 = 3
    static let listenerFD: Int32 = 4
    static let rateLimitFD: Int32 = 5
    static let statusFD: Int32 = 6
    static let scoreboardFD: Int32 = 7
    static let changeCounterFD: Int32 = 8
    static let metricsFD: Int32 = 9

    struct Options {
        var slot = -1
        /// 1-based, as the master's lines name it ("worker 2"); in log lines.
        var number = 0
        var master: pid_t = 0
        var configPath = "-"
    }

    /// The command line the master gives a worker (after the executable).
    static func arguments(slot: Int, number: Int, configPath: String?) -> [String] {
        ["worker", "--slot", "\(slot)", "--number", "\(number)", "--master", "\(getpid())", "--config-path", configPath ?? "-"]
    }

    static func parse(_ argv: [String]) -> Options? {
        var o = Options()
        var rest = argv.dropFirst(2)
        while let key = rest.first {
            rest = rest.dropFirst()
            guard let value = rest.first else { return nil }
            rest = rest.dropFirst()
            switch key {
            case "--slot": guard let n = Int(value), n >= 0, n < Scoreboard.slotCount else { return nil }; o.slot = n
            case "--number": guard let n = Int(value), n > 0 else { return nil }; o.number = n
            case "--master": guard let n = pid_t(value) else { return nil }; o.master = n
            case "--config-path": o.configPath = value
            default: return nil
            }
        }
        return o.slot >= 0 && o.master > 0 && o.number > 0 ? o : nil
    }

    static func run(_ argv: [String]) -> Int32 {
        guard let options = parse(argv) else {
            Commands.printError("\"worker\" is started by the master process, not by hand")
            return 2
        }
        // Die with the master (SIGKILL when the thread that spawned us, the
        // master's main thread, goes away), and not outlive it if it is
        // already gone.
        _ = ProcessSupport.setParentDeathSignal(SIGKILL)
        if getppid() != options.master { return 1 }
        for fd in [configFD, listenerFD, rateLimitFD, statusFD, scoreboardFD, changeCounterFD, metricsFD] { ProcessSupport.setCloseOnExec(fd) }

        let scoreboard: Scoreboard
        do { scoreboard = try Scoreboard(adopting: scoreboardFD) } catch { fail("\(error)") }
        RouteRecorder.install(slot: scoreboard.slot(options.slot))
        Logger.shared.identifyWorker(number: options.number)

        let assembly: HostAssembly
        let server: HTTPServer
        do {
            let configuration: Configuration
            if options.configPath == "-" {
                configuration = .embeddedDefault
            } else {
                configuration = try ConfigurationLoader.load(text: try ProcessSupport.readWhole(configFD), path: options.configPath)
            }
            close(configFD)
            // Before the plugins are created: their lines are in this format.
            configuration.applyLogSettings()
            // Counted always: the admin listener and host->metrics_text
            // show it (before the assembly: the store's dialect table
            // depends on it).
            MetricsRecorder.install(try MetricsRegion(adopting: metricsFD), slot: options.slot)
            let rateLimiter = try RateLimiter(adopting: rateLimitFD)
            assembly = try HostAssembly(configuration, rateLimiter: rateLimiter,
                                        changeCounter: try ChangeCounter(adopting: changeCounterFD))
            do {
                let listener = try HTTPListener(adopting: listenerFD, ownsDescriptor: true)
                server = try ServerRunner.makeServer(assembly, listener: listener, sharedListener: true)
                try server.start()
            } catch {
                assembly.close()
                throw error
            }
        } catch {
            fail("\(error)")
        }
        let grace = assembly.configuration.shutdownGraceSeconds
        Signals.onShutdown { _ in server.beginShutdown(gracePeriod: .seconds(grace)) }
        // Lines logged while starting (plugins' own) come before the
        // master's "listening on".
        MetricsRecorder.startStoreProbe(assembly.store)
        Logger.shared.flush()
        ProcessSupport.writeAll(statusFD, Array("R".utf8))
        close(statusFD)
        server.wait()
        MetricsRecorder.stopStoreProbe()
        assembly.close()
        Logger.shared.flush()
        return 0
    }

    /// A start-up failure: the message goes to the master, which prints it.
    private static func fail(_ message: String) -> Never {
        Logger.shared.flush()
        ProcessSupport.writeAll(statusFD, Array(("E" + message).utf8))
        exit(1)
    }
}
