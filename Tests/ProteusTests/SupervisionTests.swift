// Supervised worker processes, seen from outside: the real binary, real
// HTTP, a C dialect that aborts on demand.
import Foundation
import ProteusJSON
import XCTest

final class SupervisionTests: XCTestCase {
    private var dir = ""
    private var library = ""

    override func setUpWithError() throws {
        dir = TemporaryDirectory.make("supervision")
        library = try CrashPlugin.build(into: dir)
    }

    /// A worker killed by abort() in a dialect: the other worker keeps
    /// serving, the master logs the death with the signal and the route, a
    /// replacement takes the slot. Only requests on connections the crashed
    /// worker held fail (a real client retries those on a new connection).
    func testCrashingWorkerIsReplacedAndServiceKeepsAnswering() throws {
        let server = try ProteusProcess(config: supervisionConfig(directory: dir, crashLibrary: library), directory: dir)
        defer { server.stop() }
        server.waitForWorkers(2)
        let before = Set(server.workerPIDs)

        final class Tally: @unchecked Sendable {
            let lock = NSLock()
            var ok = 0
            var failures: [(pid: Int32?, error: String)] = []
            var pidsSeen = Set<Int32>()
        }
        let tally = Tally()
        let stop = SharedFlag(false)
        var hammers: [Background<Void>] = []
        for _ in 0..<4 {
            hammers.append(Background {
                var client = APIClient(port: server.port)
                var connectionPID: Int32?   // the worker holding this connection, once known
                var sent = 0
                while !stop.value {
                    var attempt = 0
                    while true {
                        attempt += 1
                        do {
                            let r = try client.request("GET", "/c/ok", timeout: 10)
                            guard r.status == 200, let pid = servedBy(r) else {
                                throw TestFailure("status \(r.status): \(r.text)")
                            }
                            connectionPID = pid
                            tally.lock.lock(); tally.ok += 1; tally.pidsSeen.insert(pid); tally.lock.unlock()
                            break
                        } catch {
                            tally.lock.lock(); tally.failures.append((connectionPID, "\(error)")); tally.lock.unlock()
                            // Retry on a new connection (what a client does when
                            // its keep-alive connection is reset).
                            client = APIClient(port: server.port)
                            connectionPID = nil
                            if attempt >= 5 { throw TestFailure("GET /c/ok failed 5 times in a row: \(error)") }
                        }
                    }
                    sent += 1
                    if sent % 20 == 0 {
                        client = APIClient(port: server.port)
                        connectionPID = nil
                    }
                }
            })
        }

        usleep(300_000)
        let crashes = 3
        for n in 1...crashes {
            XCTAssertThrowsError(try APIClient(port: server.port).request("GET", "/c/crash?x=1", timeout: 10),
                                 "the crashing request gets no answer")
            server.waitForOutput("death \(n)") { $0.components(separatedBy: "killed by SIGABRT").count - 1 >= n }
            server.waitForOutput("replacement \(n)") { $0.components(separatedBy: " ready").count - 1 >= 2 + n }
            usleep(200_000)
        }
        usleep(300_000)
        stop.value = true
        for h in hammers { try h.wait() }

        let log = server.outputText
        XCTAssertTrue(log.contains("killed by SIGABRT while handling GET /c/crash"), log)
        XCTAssertFalse(log.contains("/c/crash?"), "the query is not logged")
        XCTAssertTrue(log.contains("restarting worker"), log)
        // Which workers died, from the master's lines "worker N (pid P) killed by SIGABRT".
        var dead = Set<Int32>()
        for line in log.split(separator: "\n") where line.contains("killed by SIGABRT") {
            if let r = line.range(of: "(pid "), let end = line[r.upperBound...].firstIndex(of: ")"),
               let pid = Int32(line[r.upperBound..<end]) { dead.insert(pid) }
        }
        XCTAssertEqual(dead.count, crashes, log)

        // Every failed /ok was on a connection held by a crashed worker (or a
        // connection that worker had just accepted, pid not yet known).
        tally.lock.lock()
        let failures = tally.failures
        let ok = tally.ok
        tally.lock.unlock()
        XCTAssertGreaterThan(ok, 50)
        for failure in failures {
            if let pid = failure.pid {
                XCTAssertTrue(dead.contains(pid), "an /ok failed on a connection of live worker \(pid): \(failure.error)")
            }
        }
        XCTAssertLessThanOrEqual(failures.filter { $0.pid == nil }.count, crashes * 4, "\(failures)")

        // Back to two workers, none of them a dead one; both answer.
        server.waitForWorkers(2)
        let after = Set(server.workerPIDs)
        XCTAssertTrue(after.isDisjoint(with: dead), "\(after) \(dead)")
        XCTAssertNotEqual(after, before)
        XCTAssertEqual(try APIClient(port: server.port).request("GET", "/c/ok").status, 200)
        XCTAssertEqual(server.stop(), 0)
    }

    /// A worker whose plugin aborts while starting is restarted with a
    /// growing delay (no fork bomb) while the other worker serves; once the
    /// cause is gone the replacement starts.
    func testWorkerCrashingAtStartIsRestartedWithBackoff() throws {
        let marker = dir + "/abort-on-create"
        let config = supervisionConfig(directory: dir, crashLibrary: library, crashOptions: ["abortIfExists": marker])
        let server = try ProteusProcess(config: config, directory: dir)
        defer { server.stop() }
        server.waitForWorkers(2)
        FileManager.default.createFile(atPath: marker, contents: Data())
        XCTAssertThrowsError(try APIClient(port: server.port).request("GET", "/c/crash", timeout: 10))
        let started = Date()
        // While the slot crash-loops, the other worker answers.
        while Date().timeIntervalSince(started) < 3.2 {
            XCTAssertEqual(try APIClient(port: server.port).request("GET", "/c/ok").status, 200)
            usleep(100_000)
        }
        let log = server.outputText
        let startCrashes = server.count("killed by SIGABRT while starting")
        // 0.1 + 0.2 + 0.4 + 0.8 + 1.6 s: about five attempts in 3 s, not hundreds.
        XCTAssertGreaterThanOrEqual(startCrashes, 3, log)
        XCTAssertLessThanOrEqual(startCrashes, 6, log)
        let delays = log.split(separator: "\n").filter { $0.contains("restarting worker") }.compactMap { line -> Double? in
            guard let r = line.range(of: " in ", options: .backwards) else { return nil }
            return Double(line[r.upperBound...].dropLast())
        }
        XCTAssertEqual(Array(delays.prefix(4)), [0.1, 0.2, 0.4, 0.8], log)

        try FileManager.default.removeItem(atPath: marker)
        server.waitForWorkers(2, timeout: 15)
        server.waitForOutput("a replacement ready") { $0.components(separatedBy: " ready").count - 1 >= 3 }
        XCTAssertEqual(server.stop(), 0)
    }

    /// At first start a worker that dies starting, or refuses its config,
    /// makes the master exit non-zero with that message, never listening.
    func testStartupFailuresRefuseCleanly() throws {
        let path = dir + "/config.json"
        try writeConfig(supervisionConfig(directory: dir, crashLibrary: library, crashOptions: ["abortOnCreate": true]), to: path)
        var (status, output) = try ProteusProcess.run(["--config", path], directory: dir)
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("worker 1 (pid "), output)
        XCTAssertTrue(output.contains("killed by SIGABRT while starting"), output)
        XCTAssertFalse(output.contains("listening on"), output)
        XCTAssertEqual(output.components(separatedBy: "killed by SIGABRT").count - 1, 1, "reported once: \(output)")

        var config = supervisionConfig(directory: dir, crashLibrary: library)
        config["dialects"] = [["plugin": "no-such-dialect", "mount": "/"]]
        try writeConfig(config, to: path)
        (status, output) = try ProteusProcess.run(["--config", path], directory: dir)
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("proteus: key \"dialects[0].plugin\""), output)
        XCTAssertTrue(output.contains("no-such-dialect"), output)
        XCTAssertFalse(output.contains("listening on"), output)
    }

    /// One rate-limit table for all workers: 3 allowed per day means 3,
    /// however the requests land on the two workers. (The host's rate_limit
    /// windows start at multiples of their length on the wall clock: a
    /// minute's window was crossed by a run from 01:27:58 to 01:28:01, which
    /// then allowed all 6; a day's window, entered away from its end, is not.)
    func testRateLimitIsSharedAcrossWorkers() throws {
        var config = supervisionConfig(directory: dir, crashLibrary: library,
                                       aiostreamsOptions: ["rateLimit": ["requests": 3, "windowSeconds": 86_400]])
        config["threads"] = 1   // one serving thread per worker: a busy worker takes no new connection
        StepClock.awayFromWindowEnd(period: 86_400)
        let server = try ProteusProcess(config: config, directory: dir)
        defer { server.stop() }
        server.waitForWorkers(2)

        var statuses: [Int] = []
        var pids: [Int32] = []
        var held: [APIClient] = []
        func limitedRequestOnNewConnection() throws {
            let client = APIClient(port: server.port)
            let ok = try client.request("GET", "/c/ok")
            pids.append(try XCTUnwrap(servedBy(ok)))
            statuses.append(try client.request("HEAD", "/api/v1/user?uuid=x").status)
            held.append(client)
        }
        // Worker X busy with a slow request: three new connections go to the other one.
        let first = Background { try APIClient(port: server.port).request("GET", "/c/slow?ms=1500", timeout: 10) }
        usleep(300_000)
        for _ in 0..<3 { try limitedRequestOnNewConnection() }
        let busyX = try XCTUnwrap(servedBy(try first.wait()))
        // Now the other worker busy (on a connection it holds): three go to X.
        nonisolated(unsafe) let holder = held[0]
        let second = Background { try holder.request("GET", "/c/slow?ms=1500", timeout: 10) }
        usleep(300_000)
        for _ in 0..<3 { try limitedRequestOnNewConnection() }
        _ = try second.wait()

        XCTAssertEqual(Set(pids).count, 2, "requests spread over both workers: \(pids)")
        XCTAssertFalse(pids[0..<3].contains(busyX), "\(pids) busy \(busyX)")
        XCTAssertEqual(Array(pids[3..<6]), [busyX, busyX, busyX], "\(pids)")
        XCTAssertEqual(statuses.filter { $0 != 429 }.count, 3, "\(statuses)")
        XCTAssertEqual(statuses.filter { $0 == 429 }.count, 3, "\(statuses)")
    }

    /// SIGHUP: a changed config is served by new workers while the old ones
    /// finish what they were doing; a broken config is refused and the
    /// running one keeps serving.
    func testReloadServesNewConfigAndKeepsOldOnError() throws {
        let path = dir + "/config.json"
        var config = supervisionConfig(directory: dir, crashLibrary: library, crashOptions: ["tag": "v1"])
        let server = try ProteusProcess(config: config, directory: dir)
        defer { server.stop() }
        server.waitForWorkers(2)
        let oldWorkers = Set(server.workerPIDs)
        XCTAssertEqual(try APIClient(port: server.port).request("GET", "/new/ok").status, 404)

        // An old connection with a request in flight across the reload.
        nonisolated(unsafe) let old = APIClient(port: server.port)
        XCTAssertEqual(try old.request("GET", "/c/ok").json?["tag"], "v1")
        let inFlight = Background { try old.request("GET", "/c/slow?ms=1500", timeout: 15) }
        usleep(200_000)

        config["dialects"] = [
            ["plugin": "aiostreams", "mount": "/", "options": ["rateLimit": false]],
            ["plugin": library, "mount": "/c", "options": ["tag": "v2"]],
            ["plugin": library, "mount": "/new", "options": ["tag": "v2-new"]],
        ]
        try writeConfig(config, to: path)
        server.signal(SIGHUP)
        server.waitForOutput("the reload") { $0.contains("configuration reloaded") }
        let fresh = APIClient(port: server.port)
        let new = try fresh.request("GET", "/new/ok")
        XCTAssertEqual(new.status, 200)
        XCTAssertEqual(new.json?["tag"], "v2-new")
        XCTAssertEqual(try fresh.request("GET", "/c/ok").json?["tag"], "v2")

        let finished = try inFlight.wait()
        XCTAssertEqual(finished.status, 200, "the old worker finished the in-flight request")
        XCTAssertEqual(finished.json?["tag"], "v1")
        server.waitForWorkers(2)
        XCTAssertTrue(Set(server.workerPIDs).isDisjoint(with: oldWorkers))
        server.waitForOutput("old workers stopped") { $0.components(separatedBy: "of configuration generation 1 stopped").count - 1 == 2 }

        // Broken JSON: refused, logged, still serving the last good config.
        try "{ \"workers\": ".write(toFile: path, atomically: true, encoding: .utf8)
        server.signal(SIGHUP)
        server.waitForOutput("the refusal") { $0.contains("reload failed: config \(path): not valid JSON") }
        XCTAssertEqual(try APIClient(port: server.port).request("GET", "/new/ok").json?["tag"], "v2-new")

        // A plugin that does not exist: the new workers fail to start, the
        // old ones keep serving.
        config["dialects"] = [["plugin": "no-such-dialect", "mount": "/"]]
        try writeConfig(config, to: path)
        server.signal(SIGHUP)
        server.waitForOutput("the plugin refusal") { $0.contains("reload failed: worker 1 (pid ") && $0.contains("no-such-dialect") }
        XCTAssertEqual(try APIClient(port: server.port).request("GET", "/new/ok").json?["tag"], "v2-new")
        server.waitForWorkers(2)
        XCTAssertEqual(server.stop(), 0)
    }

    /// SIGTERM: the request in flight completes, then exit 0.
    func testSigtermFinishesInFlightRequestAndExitsZero() throws {
        let server = try ProteusProcess(config: supervisionConfig(directory: dir, crashLibrary: library), directory: dir)
        server.waitForWorkers(2)
        let inFlight = Background { try APIClient(port: server.port).request("GET", "/c/slow?ms=1000", timeout: 15) }
        usleep(300_000)
        let started = Date()
        XCTAssertEqual(server.stop(), 0)
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 0.4, "waited for the request")
        let response = try inFlight.wait()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Connection")?.lowercased(), "close")
        XCTAssertTrue(server.outputText.contains("received SIGTERM"), server.outputText)
        XCTAssertTrue(server.outputText.contains("stopped"), server.outputText)
    }

    /// `workers: 0` serves in the master process itself (no children).
    func testZeroWorkersServesInOneProcess() throws {
        let server = try ProteusProcess(config: supervisionConfig(directory: dir, crashLibrary: library, workers: 0), directory: dir)
        defer { server.stop() }
        XCTAssertEqual(server.workerPIDs, [])
        let r = try APIClient(port: server.port).request("GET", "/c/ok")
        XCTAssertEqual(servedBy(r), server.pid)
        XCTAssertEqual(server.stop(), 0)
    }

    /// SIGKILL of the master takes its workers down too (no orphans left
    /// serving or holding the store).
    func testWorkersDieWithTheMaster() throws {
        let server = try ProteusProcess(config: supervisionConfig(directory: dir, crashLibrary: library), directory: dir)
        server.waitForWorkers(2)
        let workers = server.workerPIDs
        server.kill9()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && workers.contains(where: isAlive) { usleep(20_000) }
        XCTAssertFalse(workers.contains(where: isAlive), "workers outlived the master: \(workers)")
    }
}

