// The master process: what `proteus [--config FILE]` is when `workers` is
// not 0. It loads no plugin and serves no request. It owns:
//   * the config (parsed and validated here; plugins are created by the
//     workers), re-read on SIGHUP;
//   * the listening socket (bound here once, inherited by every worker);
//   * the shared rate-limit table, the worker scoreboard and the metrics
//     region (shared memory, inherited), and the secret key file (created
//     here before any worker starts, so all workers load the same key);
//   * the admin listener (`admin.listen`: health and metrics, read from the
//     metrics region, where this loop publishes the workers readiness
//     depends on);
//   * the worker processes: started with posix_spawn of this binary
//     (`proteus worker`, see WorkerProcess.swift), watched with waitpid,
//     restarted with exponential backoff when they die, replaced by a new
//     generation on SIGHUP, stopped on SIGTERM/SIGINT.
// Everything runs on the main thread in one poll loop (signals arrive
// through a pipe from the thread that sigwaits them), so no state here
// needs a lock. Workers are spawned from the main thread on purpose: their
// parent-death signal fires when the thread that spawned them exits.
import Glibc
import HTTPTransport

final class Supervisor {
    static let maxWorkers = 64
    /// Restart backoff: 0.1 s, doubling to 10 s; back to 0.1 s for a worker
    /// that had been serving for 30 s before it died.
    static let initialBackoffNanos: UInt64 = 100_000_000
    static let maxBackoffNanos: UInt64 = 10_000_000_000
    static let stableUptimeNanos: UInt64 = 30_000_000_000
    /// Beyond `shutdownGraceSeconds`, time a stopping worker gets to close
    /// its plugins (the store checkpoints) before SIGKILL.
    static let teardownMarginNanos: UInt64 = 2_000_000_000

    enum State { case starting, ready, draining }

    final class Generation {
        let number: Int
        let configuration: Configuration
        /// The config bytes workers read (fd 3); closed once retired.
        var configFD: Int32
        var positions: [Position]
        var retired = false
        /// Worker 1 of a generation starts alone; the others once it is
        /// ready (see `launch`).
        var launchedAll = false

        init(number: Int, configuration: Configuration, configFD: Int32) {
            self.number = number
            self.configuration = configuration
            self.configFD = configFD
            positions = Array(repeating: Position(), count: configuration.workerCount)
        }
    }

    struct Position {
        var backoffNanos = Supervisor.initialBackoffNanos
        /// Monotonic time to start a replacement; 0 = none scheduled.
        var restartAt: UInt64 = 0
        var pid: pid_t = 0
    }

    final class Worker {
        let position: Int
        let generation: Generation
        let pid: pid_t
        let slot: Int
        var statusFD: Int32
        var status: [UInt8] = []
        var state = State.starting
        let startedAt: UInt64
        var readyAt: UInt64 = 0
        /// SIGKILL deadline once asked to stop; 0 = none.
        var killAt: UInt64 = 0

        init(position: Int, generation: Generation, pid: pid_t, slot: Int, statusFD: Int32, startedAt: UInt64) {
            self.position = position
            self.generation = generation
            self.pid = pid
            self.slot = slot
            self.statusFD = statusFD
            self.startedAt = startedAt
        }

        var name: String { "worker \(position + 1)" }
        var label: String { "\(name) (pid \(pid))" }
    }

    private let configPath: String?
    private let initialConfiguration: Configuration
    private let listener: HTTPListener
    private let rateLimiter: RateLimiter
    /// host->change_counter, one for every worker.
    private let changeCounter: ChangeCounter
    private let scoreboard: Scoreboard
    /// Every worker's counters (fd 9); they outlive the workers.
    private let metrics: MetricsRegion
    private let admin: AdminListener?
    private let signalPipe: (read: Int32, write: Int32)

    private var generationCount = 0
    private var current: Generation
    private var pending: Generation?
    private var reloadQueued = false
    private var workers: [pid_t: Worker] = [:]
    private var announced = false
    private var shuttingDown = false
    private var shutdownDeadline: UInt64 = 0
    private var exitCode: Int32?

    /// Prepares everything workers share; throws (with the message the
    /// operator sees) when the config cannot be served.
    init(configPath: String?, configuration: Configuration, configText: [UInt8]) throws {
        self.configPath = configPath
        initialConfiguration = configuration
        try Self.prepareShared(configuration)
        do { listener = try HTTPListener.bind(host: configuration.listenHost, port: configuration.listenPort) } catch {
            throw ConfigError(message: "key \"listen\": \(error)")
        }
        rateLimiter = try RateLimiter()
        changeCounter = try ChangeCounter()
        scoreboard = try Scoreboard()
        metrics = try MetricsRegion()
        signalPipe = try ProcessSupport.pipe()
        generationCount = 1
        current = Generation(number: 1, configuration: configuration, configFD: try ProcessSupport.sharedFile(configText))
        admin = try AdminListener(configuration, region: metrics,
                                  documents: DialectDocuments(Self.documentsSource(current, configPath: configPath)))
    }

    /// The OpenAPI documents of a generation, from a child over its config
    /// bytes (which stay open while the generation serves). The child gets
    /// its own copy of the descriptor: a retired generation closes its own.
    private static func documentsSource(_ generation: Generation, configPath: String?) -> DialectDocuments.Source {
        guard configPath != nil else { return DialectDocuments.fromChild(config: nil) }
        return DialectDocuments.fromChild(config: DialectDocuments.ConfigCopy(fcntl(generation.configFD, F_DUPFD_CLOEXEC, 64)))
    }

    /// What the master does for a config before any of its workers start:
    /// the data directory exists and the secret key file is there (created
    /// once with O_EXCL), so every worker loads the same key.
    static func prepareShared(_ c: Configuration) throws {
        let dataDirectory = FileIO.absolutePath(c.dataDirectory)
        do { try FileIO.makeDirectories(dataDirectory) } catch {
            throw ConfigError(message: "key \"dataDirectory\": \(error)")
        }
        if c.secretKey == nil { _ = try SecretKeyFile.loadOrCreate(dataDirectory: dataDirectory) }
    }

    /// Reads and validates the config file (or the embedded default).
    static func loadConfiguration(path: String?) throws -> (Configuration, [UInt8]) {
        guard let path else { return (.embeddedDefault, []) }
        let text: [UInt8]
        do { text = try FileIO.readAll(path) } catch {
            throw ConfigError(message: "config \(path): cannot read: \(error)")
        }
        return (try ConfigurationLoader.load(text: text, path: path), text)
    }

    // MARK: - The loop

    func run() -> Int32 {
        Signals.forward(to: signalPipe.write)
        publishReadiness()
        do {
            try admin?.start()
            try launch(current)
        } catch {
            fatal("\(error)")
            return 1
        }
        while exitCode == nil {
            reap()
            if exitCode != nil { break }
            fireTimers()
            if exitCode != nil { break }
            publishReadiness()
            waitForEvents()
        }
        return exitCode ?? 0
    }

    /// For /readyz and the proteus_ready series (read by the admin
    /// listener's thread and by workers, for host->metrics_text): how many
    /// workers the serving configuration wants and which of them serve.
    private func publishReadiness() {
        let serving = current.positions.compactMap { position in
            workers[position.pid].flatMap { $0.state == .ready ? $0.slot : nil }
        }
        Readiness.publish(Readiness.Workers(wanted: current.positions.count, serving: serving,
                                            stopping: shuttingDown), to: metrics)
    }

    private func waitForEvents() {
        var fds = [pollfd(fd: signalPipe.read, events: Int16(POLLIN), revents: 0)]
        var polled: [Worker] = []
        for worker in workers.values where worker.statusFD >= 0 {
            fds.append(pollfd(fd: worker.statusFD, events: Int16(POLLIN), revents: 0))
            polled.append(worker)
        }
        var timeout: Int32 = 1000
        if let next = nextDeadline() {
            let now = monotonicNanos()
            timeout = next <= now ? 0 : Int32(min(1000, (next - now) / 1_000_000 + 1))
        }
        let n = poll(&fds, nfds_t(fds.count), timeout)
        guard n > 0 else { return }
        for (i, worker) in polled.enumerated() where fds[i + 1].revents != 0 {
            readStatus(worker)
        }
        if fds[0].revents != 0 {
            var bytes = [UInt8](repeating: 0, count: 64)
            while true {
                let got = read(signalPipe.read, &bytes, bytes.count)
                if got <= 0 { break }
                for sig in Set(bytes[0..<got]) { handleSignal(Int32(sig)) }
            }
        }
    }

    private func handleSignal(_ sig: Int32) {
        switch sig {
        case SIGHUP: reload()
        case SIGTERM, SIGINT: shutdown(ProcessSupport.signalName(sig))
        default: break   // SIGCHLD: reap() runs at the top of the loop
        }
    }

    private func nextDeadline() -> UInt64? {
        var deadlines: [UInt64] = []
        for generation in [current, pending].compactMap({ $0 }) {
            deadlines += generation.positions.map(\.restartAt).filter { $0 != 0 }
        }
        deadlines += workers.values.map(\.killAt).filter { $0 != 0 }
        if shuttingDown && shutdownDeadline != 0 { deadlines.append(shutdownDeadline) }
        return deadlines.min()
    }

    // MARK: - Starting workers

    /// Starts a generation's worker 1 alone, and its other workers once
    /// worker 1 is ready: the first process to create a store may create or
    /// migrate its schema (a new SQLite file switching to WAL cannot be done
    /// by two processes at once), and a broken config fails once, not N
    /// times. Workers started later open an existing, initialised store.
    private func launch(_ generation: Generation) throws {
        if generation.positions[0].pid == 0 {
            try spawn(generation, 0)
            return
        }
        generation.launchedAll = true
        for position in generation.positions.indices.dropFirst() where generation.positions[position].pid == 0 {
            try spawn(generation, position)
        }
    }

    private func spawn(_ generation: Generation, _ position: Int) throws {
        guard let slot = scoreboard.allocate() else {
            throw HostError("cannot start worker \(position + 1): no free scoreboard slot (\(Scoreboard.slotCount) worker processes at once)")
        }
        metrics.clearWorker(slot: slot)
        let pipe: (read: Int32, write: Int32)
        do { pipe = try ProcessSupport.pipe() } catch {
            scoreboard.release(slot)
            throw error
        }
        let pid: pid_t
        do {
            pid = try ProcessSupport.spawn(
                arguments: WorkerProcess.arguments(slot: slot, number: position + 1, configPath: configPath),
                descriptors: [generation.configFD, listener.fd, rateLimiter.fd, pipe.write, scoreboard.fd, changeCounter.fd, metrics.fd])
        } catch {
            close(pipe.read)
            close(pipe.write)
            scoreboard.release(slot)
            throw error
        }
        close(pipe.write)
        scoreboard.setPID(pid, slot: slot)
        let worker = Worker(position: position, generation: generation, pid: pid, slot: slot,
                            statusFD: pipe.read, startedAt: monotonicNanos())
        workers[pid] = worker
        generation.positions[position].pid = pid
    }

    /// Reads what a starting worker reported: "R" (serving) or "E" + its
    /// start-up error (then it exits).
    private func readStatus(_ worker: Worker) {
        guard worker.statusFD >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(worker.statusFD, &buffer, buffer.count)
            if n > 0 {
                worker.status.append(contentsOf: buffer[0..<n])
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n == 0 {
                close(worker.statusFD)
                worker.statusFD = -1
            }
            break
        }
        if worker.state == .starting && worker.status.first == UInt8(ascii: "R") {
            if worker.statusFD >= 0 {
                close(worker.statusFD)
                worker.statusFD = -1
            }
            becameReady(worker)
        }
    }

    private func becameReady(_ worker: Worker) {
        worker.state = .ready
        worker.readyAt = monotonicNanos()
        let generation = worker.generation
        guard !generation.retired, !shuttingDown else { return }
        Logger.shared.line("\(worker.label) ready", flushNow: true)
        if !generation.launchedAll {
            do { try launch(generation) } catch {
                if generation === current && !announced {
                    fatal("\(error)")
                } else if generation === pending {
                    reloadFailed("\(error)")
                } else {
                    Logger.shared.error("\(error)")
                }
                return
            }
        }
        let allReady = generation.positions.allSatisfy { workers[$0.pid]?.state == .ready }
        if generation === current {
            if !announced && allReady {
                announced = true
                Logger.shared.line("listening on \(ServerRunner.displayURL(generation.configuration, port: listener.port))", level: .notice, flushNow: true)
                if reloadQueued {
                    reloadQueued = false
                    reload()
                }
            }
        } else if generation === pending && allReady {
            promotePending()
        }
    }

    // MARK: - Deaths

    /// Workers only, by pid: other children (ChildCommand's) are waited
    /// for by the thread that started them.
    private func reap() {
        for pid in Array(workers.keys) {
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid, let worker = workers.removeValue(forKey: pid) else { continue }
            if worker.statusFD >= 0 {
                // Whatever it wrote before dying (its start-up error).
                readStatus(worker)
                if worker.statusFD >= 0 { close(worker.statusFD); worker.statusFD = -1 }
            }
            exited(worker, status)
            metrics.clearWorker(slot: worker.slot)
            scoreboard.release(worker.slot)
            if worker.generation.positions.indices.contains(worker.position),
               worker.generation.positions[worker.position].pid == pid {
                worker.generation.positions[worker.position].pid = 0
            }
        }
        if shuttingDown && workers.isEmpty && exitCode == nil {
            Logger.shared.line("stopped", level: .notice, flushNow: true)
            exitCode = 0
        }
    }

    private func exited(_ worker: Worker, _ status: Int32) {
        let how = ProcessSupport.describe(status)
        let clean = ProcessSupport.exited(status) && ProcessSupport.exitCode(status) == 0
        let generation = worker.generation
        if shuttingDown || worker.state == .draining {
            if !clean {
                Logger.shared.line("\(worker.label) \(how)\(inFlight(worker))", level: .error, flushNow: true)
            } else if !shuttingDown && worker.readyAt != 0 {
                Logger.shared.line("\(worker.label) of configuration generation \(generation.number) stopped", flushNow: true)
            }
            return
        }
        if generation.retired { return }
        switch worker.state {
        case .starting:
            // The worker's own message (the one a single process prints),
            // or how it died.
            let reported: String? = worker.status.first == UInt8(ascii: "E")
                ? String(decoding: worker.status.dropFirst(), as: UTF8.self) : nil
            let died = "\(worker.label) \(how) while starting"
            if generation === current && !announced {
                fatal(reported ?? died)
            } else {
                let what = reported.map { "\(worker.label) failed to start: \($0)" } ?? died
                if generation === pending { reloadFailed(what) } else { scheduleRestart(worker, what) }
            }
        case .ready:
            let what = "\(worker.label) \(how)\(inFlight(worker))"
            if generation === pending {
                reloadFailed(what)
            } else {
                scheduleRestart(worker, what)
            }
        case .draining:
            break
        }
    }

    /// " while handling GET /crash", from the worker's scoreboard slot.
    private func inFlight(_ worker: Worker) -> String {
        let (culprit, others) = scoreboard.inFlight(slot: worker.slot)
        if let culprit {
            return " while handling \(culprit)" + (others.isEmpty ? "" : " (also in flight: \(others.joined(separator: ", ")))")
        }
        switch others.count {
        case 0: return ""
        case 1: return " while handling \(others[0])"
        default: return " with requests in flight: \(others.joined(separator: ", "))"
        }
    }

    private func scheduleRestart(_ worker: Worker, _ what: String) {
        let generation = worker.generation
        let now = monotonicNanos()
        var position = generation.positions[worker.position]
        if worker.readyAt != 0 && now &- worker.readyAt >= Self.stableUptimeNanos {
            position.backoffNanos = Self.initialBackoffNanos
        }
        let delay = position.backoffNanos
        position.restartAt = now &+ delay
        position.backoffNanos = min(delay * 2, Self.maxBackoffNanos)
        position.pid = 0
        generation.positions[worker.position] = position
        metrics.countWorkerRestart()
        Logger.shared.line("\(what); restarting \(worker.name) in \(Self.seconds(delay))", level: .error, flushNow: true)
    }

    private func fireTimers() {
        let now = monotonicNanos()
        for generation in [current, pending].compactMap({ $0 }) where !generation.retired {
            for index in generation.positions.indices {
                let at = generation.positions[index].restartAt
                guard at != 0, now >= at else { continue }
                generation.positions[index].restartAt = 0
                guard !shuttingDown else { continue }
                do { try spawn(generation, index) } catch {
                    var position = generation.positions[index]
                    let delay = position.backoffNanos
                    position.restartAt = now &+ delay
                    position.backoffNanos = min(delay * 2, Self.maxBackoffNanos)
                    generation.positions[index] = position
                    Logger.shared.error("\(error); retrying in \(Self.seconds(delay))")
                }
            }
        }
        for worker in workers.values where worker.killAt != 0 && now >= worker.killAt {
            worker.killAt = 0
            Logger.shared.line("\(worker.label) did not stop in time: SIGKILL", level: .warning, flushNow: true)
            kill(worker.pid, SIGKILL)
        }
        if shuttingDown && shutdownDeadline != 0 && now >= shutdownDeadline {
            shutdownDeadline = 0
            for worker in workers.values {
                Logger.shared.line("\(worker.label) did not stop within the grace period: SIGKILL", level: .warning, flushNow: true)
                kill(worker.pid, SIGKILL)
            }
        }
    }

    // MARK: - Stopping workers

    /// SIGTERM to a serving worker (it drains), SIGKILL to one still
    /// starting (it serves nothing yet); SIGKILL in any case after the
    /// grace period and the teardown margin.
    private func stop(_ worker: Worker, grace: Int) {
        if worker.state == .starting {
            worker.state = .draining
            kill(worker.pid, SIGKILL)
            return
        }
        worker.state = .draining
        worker.killAt = monotonicNanos() &+ UInt64(grace) * 1_000_000_000 &+ Self.teardownMarginNanos
        kill(worker.pid, SIGTERM)
    }

    private func retire(_ generation: Generation) {
        generation.retired = true
        for index in generation.positions.indices { generation.positions[index].restartAt = 0 }
        if generation.configFD >= 0 {
            close(generation.configFD)
            generation.configFD = -1
        }
        for worker in workers.values where worker.generation === generation {
            stop(worker, grace: generation.configuration.shutdownGraceSeconds)
        }
    }

    private func fatal(_ message: String) {
        Commands.printError(message)
        for worker in workers.values { kill(worker.pid, SIGKILL) }
        for worker in workers.values {
            var status: Int32 = 0
            while waitpid(worker.pid, &status, 0) < 0 && errno == EINTR {}
        }
        workers.removeAll()
        exitCode = 1
    }

    private func shutdown(_ signal: String) {
        if shuttingDown {
            Logger.shared.line("second signal: exiting now", level: .warning, flushNow: true)
            for worker in workers.values { kill(worker.pid, SIGKILL) }
            exitCode = 1
            return
        }
        shuttingDown = true
        // New connections are refused at once (as in a single process): the
        // workers close their copies of the socket as they start draining,
        // the master closes its own now.
        listener.close()
        let grace = current.configuration.shutdownGraceSeconds
        Logger.shared.line("received \(signal), shutting down (grace \(grace)s)", level: .notice, flushNow: true)
        for generation in [current, pending].compactMap({ $0 }) {
            for index in generation.positions.indices { generation.positions[index].restartAt = 0 }
        }
        for worker in workers.values where worker.state != .draining {
            stop(worker, grace: grace)
        }
        shutdownDeadline = monotonicNanos() &+ UInt64(grace) * 1_000_000_000 &+ Self.teardownMarginNanos
        for worker in workers.values { worker.killAt = 0 }
    }

    // MARK: - Reload

    private func reload() {
        guard !shuttingDown else { return }
        if !announced {
            // Still starting: reload once the first generation serves.
            reloadQueued = true
            return
        }
        if pending != nil {
            reloadQueued = true
            Logger.shared.line("received SIGHUP during a reload: reloading again once it is done", level: .notice, flushNow: true)
            return
        }
        Logger.shared.line("received SIGHUP, reloading \(configPath.map { "config \($0)" } ?? "the embedded default config")", level: .notice, flushNow: true)
        let configuration: Configuration
        let text: [UInt8]
        do {
            (configuration, text) = try Self.loadConfiguration(path: configPath)
            let old = initialConfiguration
            if configuration.listenHost != old.listenHost || configuration.listenPort != old.listenPort {
                throw ConfigError(message: "key \"listen\": cannot change on reload (the listening socket is kept); restart proteus to listen elsewhere")
            }
            if configuration.adminListen?.host != old.adminListen?.host || configuration.adminListen?.port != old.adminListen?.port {
                throw ConfigError(message: "key \"admin.listen\": cannot change on reload (the admin listener is kept); restart proteus to change it")
            }
            if configuration.workerCount == 0 {
                throw ConfigError(message: "key \"workers\": 0 (serving in the master process) needs a restart")
            }
            try Self.prepareShared(configuration)
        } catch {
            Logger.shared.error("reload failed: \(error); keeping the current configuration")
            return
        }
        do {
            generationCount += 1
            let generation = Generation(number: generationCount, configuration: configuration,
                                        configFD: try ProcessSupport.sharedFile(text))
            pending = generation
            try launch(generation)
        } catch {
            reloadFailed("\(error)")
        }
    }

    private func promotePending() {
        guard let generation = pending else { return }
        let old = current
        current = generation
        pending = nil
        let draining = workers.values.filter { $0.generation === old }.count
        admin?.documents.replace(Self.documentsSource(generation, configPath: configPath))
        retire(old)
        // The master's own lines follow the new config too.
        generation.configuration.applyLogSettings()
        Logger.shared.line("configuration reloaded: \(generation.positions.count) new workers serving, \(draining) old workers draining", level: .notice, flushNow: true)
        if reloadQueued {
            reloadQueued = false
            reload()
        }
    }

    private func reloadFailed(_ why: String) {
        Logger.shared.error("reload failed: \(why); keeping the current configuration")
        if let generation = pending {
            pending = nil
            retire(generation)
        }
        if reloadQueued {
            reloadQueued = false
            reload()
        }
    }

    private static func seconds(_ nanos: UInt64) -> String {
        let tenths = (nanos + 50_000_000) / 100_000_000
        return "\(tenths / 10).\(tenths % 10)s"
    }
}
