// The admin listener (`"admin": {"listen": ...}`) on the real binary:
// /healthz, /readyz and /metrics on their own port (never the public one),
// exact counts after a known set of requests (parsed with the official
// Prometheus parser, prometheus_client), counts that survive a worker's
// SIGKILL, /readyz following PostgreSQL, and bad addresses refused.
import Foundation
import PluginAPI
import ProteusJSON
import XCTest
@testable import Host

/// One sample of a scrape: metric sample name, labels, value.
struct MetricSample: Hashable {
    let name: String
    let labels: [String: String]
    let value: Double
}

final class AdminListenerTests: XCTestCase {
    /// MCSManager and AIOStreams at "/", two workers, the admin listener on
    /// an ephemeral loopback port.
    static func config(directory: String, store: [String: Any]? = nil) -> [String: Any] {
        var c = MCSM.config(directory: directory)
        if let store { c["store"] = store }
        c["workers"] = 2
        c["admin"] = ["listen": "127.0.0.1:0"]
        return c
    }

    /// The admin port, from the master's "admin listener on http://HOST:PORT" line.
    static func adminPort(_ server: ProteusProcess) throws -> UInt16 {
        let text = server.outputText
        guard let range = text.range(of: "admin listener on http://127.0.0.1:") else {
            throw TestFailure("no admin listener line; output:\n\(text)")
        }
        let digits = text[range.upperBound...].prefix { $0.isNumber }
        guard let port = UInt16(digits) else { throw TestFailure("no admin port in: \(text)") }
        return port
    }

    /// A scrape of /metrics, checked by prometheus_client's own parser.
    static func scrape(_ admin: APIClient, file: StaticString = #filePath, line: UInt = #line) throws -> [MetricSample] {
        let r = try admin.request("GET", "/metrics")
        XCTAssertEqual(r.status, 200, r.text, file: file, line: line)
        XCTAssertEqual(r.header("Content-Type"), MetricsText.contentType, file: file, line: line)
        return try parsePrometheus(r.text)
    }

    static func parsePrometheus(_ text: String) throws -> [MetricSample] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let python = root.appendingPathComponent(".build/tools/python/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TestFailure("the Python tools are missing at \(python): run scripts/test (or source scripts/lib/python-tools.sh; ensure_python_tools)")
        }
        let input = TemporaryDirectory.make("metrics") + "/metrics.txt"
        try text.write(toFile: input, atomically: true, encoding: .utf8)
        let script = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        out = []
        for family in text_string_to_metric_families(open(sys.argv[1]).read()):
            for s in family.samples:
                out.append([s.name, s.labels, s.value])
        print(json.dumps(out))
        """
        let (status, stdout, stderr) = try runToolSeparately(python, ["-c", script, input])
        guard status == 0 else { throw TestFailure("prometheus_client could not parse /metrics: \(stderr)\n\(text)") }
        guard case .array(let rows) = try JSONParser.parse(Array(stdout.utf8)) else { throw TestFailure("parser output: \(stdout)") }
        return rows.compactMap { row in
            guard case .array(let fields) = row, fields.count == 3, let name = fields[0].stringValue,
                  case .object(let labels) = fields[1], let value = Double(fields[2].numberValue?.text ?? "") else { return nil }
            var map: [String: String] = [:]
            for (k, v) in labels { map[k] = v.stringValue ?? "" }
            return MetricSample(name: name, labels: map, value: value)
        }
    }

    static func value(_ samples: [MetricSample], _ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }.reduce(0) { $0 + $1.value }
    }

    func testHealthReadinessAndExactCounts() throws {
        let dir = TemporaryDirectory.make("admin")
        let panel = try PanelServer(server: ProteusProcess(config: Self.config(directory: dir), directory: dir))
        defer { panel.stop() }
        let admin = APIClient(port: try Self.adminPort(panel.server))

        XCTAssertEqual(try admin.request("GET", "/healthz").status, 200)
        try waitForReadyz(admin, 200, timeout: 10)
        XCTAssertEqual(try admin.request("GET", "/nothing").status, 404)
        XCTAssertEqual(try admin.request("POST", "/metrics").status, 405)
        // Never on the public port: there they are unknown paths (the
        // dialect's 404).
        let public_ = APIClient(port: panel.port)
        for path in ["/healthz", "/readyz", "/metrics"] {
            XCTAssertEqual(try public_.request("GET", path).status, 404, path)
        }

        let before = try Self.scrape(admin)
        // A known set: 3 successful and 2 failed sign-ins, 4 unknown paths,
        // 2 authenticated reads.
        for _ in 0..<3 { XCTAssertEqual(try PanelClient(port: panel.port).login(MCSM.adminName, MCSM.adminPassword).status, 200) }
        for _ in 0..<2 { XCTAssertNotEqual(try PanelClient(port: panel.port).login(MCSM.adminName, "not the password").status, 200) }
        for i in 0..<4 { XCTAssertEqual(try public_.request("GET", "/no/such/path/\(i)").status, 404) }
        for _ in 0..<2 { XCTAssertEqual(try panel.search("page=1&page_size=10").status, 200) }
        let after = try Self.scrape(admin)

        func delta(_ name: String, _ labels: [String: String]) -> Double {
            Self.value(after, name, labels) - Self.value(before, name, labels)
        }
        let mcsm = "mcsmanager"
        let login = ["dialect": mcsm, "route": "/api/auth/login"]
        XCTAssertEqual(delta("proteus_http_requests_total", login.merging(["status": "200"]) { $1 }), 3)
        XCTAssertEqual(delta("proteus_http_requests_total", login), 5, "every login request, by status")
        XCTAssertEqual(delta("proteus_http_requests_total", ["route": "unmatched", "status": "404"]), 4)
        XCTAssertEqual(delta("proteus_http_requests_total", ["dialect": mcsm, "route": "unmatched", "status": "404"]), 4)
        XCTAssertEqual(delta("proteus_http_requests_total", ["dialect": mcsm, "route": "/api/auth/search", "status": "200"]), 2)
        XCTAssertTrue(after.filter { $0.name == "proteus_http_requests_total" }.allSatisfy { !($0.labels["route"] ?? "").contains("/no/such") },
                      "a raw path became a label")
        XCTAssertEqual(delta("proteus_logins_total", ["dialect": mcsm, "result": "success"]), 3)
        XCTAssertEqual(delta("proteus_logins_total", ["dialect": mcsm, "result": "failure"]), 2)
        XCTAssertEqual(delta("proteus_logins_total", ["dialect": mcsm, "result": "mfa_required"]), 0)
        XCTAssertEqual(delta("proteus_logins_total", ["dialect": mcsm, "result": "refused"]), 0)

        // Histograms: _count equals the requests of the series, +Inf bucket too.
        for route in ["/api/auth/login", "/api/auth/search", "unmatched"] {
            let labels = ["dialect": mcsm, "route": route]
            let requests = Self.value(after, "proteus_http_requests_total", labels)
            XCTAssertEqual(Self.value(after, "proteus_http_request_duration_seconds_count", labels), requests, route)
            XCTAssertEqual(Self.value(after, "proteus_http_request_duration_seconds_bucket", labels.merging(["le": "+Inf"]) { $1 }), requests, route)
            XCTAssertGreaterThan(Self.value(after, "proteus_http_request_duration_seconds_sum", labels), 0, route)
        }
        // Store calls are timed by function: every sign-in reads its user.
        XCTAssertGreaterThanOrEqual(Self.value(after, "proteus_store_call_duration_seconds_count", ["op": "user_get"])
                                    - Self.value(before, "proteus_store_call_duration_seconds_count", ["op": "user_get"]), 5)
        XCTAssertEqual(Self.value(after, "proteus_build_info", ["version": ProteusVersion.text]), 1)
        XCTAssertEqual(after.first { $0.name == "proteus_build_info" }?.labels["abi"], "\(PROTEUS_ABI_MAJOR).\(PROTEUS_ABI_MINOR)")
        XCTAssertEqual(Self.value(after, "proteus_worker_restarts_total"), 0)
        XCTAssertEqual(Self.value(after, "proteus_kdf_queue_depth"), 0)
        XCTAssertEqual(Self.value(after, "proteus_kdf_rejections_total"), 0)
        Self.assertReady(after, workers: 2)
    }

    /// The workers and readiness series of a ready host with `workers` workers.
    static func assertReady(_ samples: [MetricSample], workers: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(value(samples, "proteus_workers", ["state": "wanted"]), Double(workers), file: file, line: line)
        XCTAssertEqual(value(samples, "proteus_workers", ["state": "serving"]), Double(workers), file: file, line: line)
        XCTAssertEqual(value(samples, "proteus_ready"), 1, file: file, line: line)
        assertReadiness(samples, "ready", file: file, line: line)
    }

    /// proteus_readiness: 1 for `state`, 0 for each of the others.
    static func assertReadiness(_ samples: [MetricSample], _ state: String, file: StaticString = #filePath, line: UInt = #line) {
        let states = samples.filter { $0.name == "proteus_readiness" }
        XCTAssertEqual(Set(states.compactMap { $0.labels["state"] }),
                       ["ready", "shutting_down", "workers_starting", "store_unchecked", "store_silent", "store_failing"], file: file, line: line)
        XCTAssertEqual(states.filter { $0.value == 1 }.map { $0.labels["state"] ?? "" }, [state], file: file, line: line)
        XCTAssertEqual(states.reduce(0) { $0 + $1.value }, 1, file: file, line: line)
    }

    /// Each sign-in counted once, as it ends: a second factor due (refused
    /// for it by the host's rules, or asked for by the dialect), the code's
    /// step (host->auth_second_step: in the same request for MCSManager, at
    /// /login/mfa for LISTEN.moe), a disabled user (refused).
    func testSignInResultsAsTheHostSeesThem() throws {
        let dir = TemporaryDirectory.make("admin-logins")
        var config = Self.config(directory: dir)
        // Codes of several steps, in order: each accepted one takes the next.
        config["auth"] = [ProteusProcess.fastPassword, ["plugin": "totp", "options": ["skewSteps": 5]]]
        config["dialects"] = (config["dialects"] as? [[String: Any]] ?? []) + [["plugin": "listenmoe", "mount": "/lm", "options": LM.options]]
        let panel = try PanelServer(server: ProteusProcess(config: config, directory: dir))
        defer { panel.stop() }
        let admin = APIClient(port: try Self.adminPort(panel.server))
        let tina = try panel.createUser("tina")
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DP"
        let turnOn = try panel.keyClient().call("PUT", "/api/auth", json: ["uuid": .string(tina), "config": ["secret": .string(secret), "open2FA": true]], ajax: false)
        XCTAssertEqual(turnOn.status, 200, turnOn.text)
        let bob = try panel.createUser("bob", permission: -1)   // banned: DISABLED in the directory
        StepClock.awayFromStepEnd()
        func code(_ step: Double) -> String { MCSM.totp(secret, at: Date().addingTimeInterval(step * 30)) }
        let before = try Self.scrape(admin)

        // MCSManager asks for the code itself: without it, mfa_required;
        // with it, the code decides (a replayed code is a failure).
        assertEnvelope(try PanelClient(port: panel.port).login("tina", "Passw0rdUser"), 200, "NEED_2FA")
        assertEnvelope(try PanelClient(port: panel.port).login("tina", "Passw0rdUser", code: code(-3)), 200)
        XCTAssertNotEqual(try PanelClient(port: panel.port).login("tina", "Passw0rdUser", code: code(-3)).status, 200)
        // LISTEN.moe: /login is mfa_required, /login/mfa the code's answer.
        let lm = LMServer(server: panel.server, config: config, mount: "/lm")
        let pending = try XCTUnwrap(try lm.login("tina", "Passw0rdUser").json?["token"]?.stringValue)
        XCTAssertEqual(try lm.call("POST", "/login/mfa", token: pending, json: ["token": "000000"]).status, 401)
        XCTAssertEqual(try lm.call("POST", "/login/mfa", token: pending, json: ["token": .string(code(-2))]).status, 200)
        // AIOStreams has no second step: the host refuses the password alone.
        let aio = APIClient(port: panel.port)
        XCTAssertEqual(try aio.request("GET", "/api/v1/user?uuid=\(MCSM.dashed(tina))&password=Passw0rdUser").status, 401)
        // A disabled user with the right password: refused.
        XCTAssertNotEqual(try aio.request("GET", "/api/v1/user?uuid=\(MCSM.dashed(bob))&password=Passw0rdUser").status, 200)
        // A wrong password: failure, whatever the dialect.
        XCTAssertNotEqual(try aio.request("GET", "/api/v1/user?uuid=\(MCSM.dashed(tina))&password=wrong").status, 200)
        let after = try Self.scrape(admin)

        func delta(_ dialect: String, _ result: String) -> Double {
            let labels = ["dialect": dialect, "result": result]
            return Self.value(after, "proteus_logins_total", labels) - Self.value(before, "proteus_logins_total", labels)
        }
        XCTAssertEqual(delta("mcsmanager", "mfa_required"), 1)
        XCTAssertEqual(delta("mcsmanager", "success"), 1)
        XCTAssertEqual(delta("mcsmanager", "failure"), 1)
        XCTAssertEqual(delta("listenmoe", "mfa_required"), 1)
        XCTAssertEqual(delta("listenmoe", "failure"), 1)
        XCTAssertEqual(delta("listenmoe", "success"), 1)
        XCTAssertEqual(delta("aiostreams", "mfa_required"), 1)
        XCTAssertEqual(delta("aiostreams", "refused"), 1)
        XCTAssertEqual(delta("aiostreams", "failure"), 1)
        XCTAssertEqual(delta("aiostreams", "success"), 0)
    }

    /// Credential jobs refused for load: one hashing thread that admits no
    /// wait, a real argon2id cost, logins at once. Every 503 is a refusal.
    func testKDFRejectionsAreCounted() throws {
        let dir = TemporaryDirectory.make("admin-kdf")
        var config = Self.config(directory: dir)
        config["workers"] = 1
        config["kdf"] = ["threads": 1, "maxWaitMs": 0]
        config["auth"] = [["plugin": "password", "options": ["memoryKiB": 32768, "iterations": 2]], ["plugin": "totp"]]
        config["dialects"] = [["plugin": "mcsmanager", "mount": "/", "options": ["loginRateLimit": false]]]
        let panel = try PanelServer(server: ProteusProcess(config: config, directory: dir))
        defer { panel.stop() }
        let admin = APIClient(port: try Self.adminPort(panel.server))
        let before = try Self.scrape(admin)

        let results = ConcurrentResults()
        let port = panel.port
        DispatchQueue.concurrentPerform(iterations: 12) { _ in
            let r = try? PanelClient(port: port).login(MCSM.adminName, MCSM.adminPassword)
            results.add(r?.status ?? -1, nil)
        }
        let refused = results.statuses.filter { $0 == 503 }.count
        XCTAssertEqual(results.statuses.filter { $0 == 200 }.count + refused, 12, "\(results.statuses)")
        XCTAssertGreaterThan(refused, 0, "no login was refused: \(results.statuses)")

        let after = try Self.scrape(admin)
        XCTAssertEqual(Self.value(after, "proteus_kdf_rejections_total") - Self.value(before, "proteus_kdf_rejections_total"), Double(refused))
        XCTAssertEqual(Self.value(after, "proteus_logins_total", ["result": "refused"])
                       - Self.value(before, "proteus_logins_total", ["result": "refused"]), Double(refused))
        XCTAssertEqual(Self.value(after, "proteus_http_requests_total", ["route": "/api/auth/login", "status": "503"])
                       - Self.value(before, "proteus_http_requests_total", ["route": "/api/auth/login", "status": "503"]), Double(refused))
        XCTAssertEqual(Self.value(after, "proteus_kdf_queue_depth"), 0, "nothing waits once every login is answered")
    }

    func testCountsSurviveAWorkerRestart() throws {
        let dir = TemporaryDirectory.make("admin-restart")
        let panel = try PanelServer(server: ProteusProcess(config: Self.config(directory: dir), directory: dir))
        defer { panel.stop() }
        let admin = APIClient(port: try Self.adminPort(panel.server))
        for _ in 0..<4 { _ = try PanelClient(port: panel.port).login(MCSM.adminName, MCSM.adminPassword) }
        let before = try Self.scrape(admin)
        XCTAssertGreaterThanOrEqual(Self.value(before, "proteus_logins_total", ["result": "success"]), 5)

        let workers = panel.server.workerPIDs
        XCTAssertEqual(workers.count, 2)
        kill(workers[0], SIGKILL)
        panel.server.waitForOutput("the restart") { $0.contains("killed by SIGKILL; restarting worker") }
        panel.server.waitForWorkers(2)
        try waitForReadyz(admin, 200, timeout: 15)

        let after = try Self.scrape(admin)
        XCTAssertEqual(Self.value(after, "proteus_worker_restarts_total"), 1)
        Self.assertReady(after, workers: 2)
        let counters = before.filter { $0.name.hasSuffix("_total") || $0.name.hasSuffix("_count") || $0.name.hasSuffix("_bucket") }
        XCTAssertFalse(counters.isEmpty)
        for sample in counters where sample.name != "proteus_worker_restarts_total" {
            XCTAssertGreaterThanOrEqual(Self.value(after, sample.name, sample.labels), sample.value, "\(sample.name) \(sample.labels) dropped")
        }
        // And the replacement counts into the same series.
        XCTAssertEqual(try PanelClient(port: panel.port).login(MCSM.adminName, MCSM.adminPassword).status, 200)
        let again = try Self.scrape(admin)
        XCTAssertEqual(Self.value(again, "proteus_logins_total", ["result": "success"]),
                       Self.value(before, "proteus_logins_total", ["result": "success"]) + 1)
    }

    /// A reload (SIGHUP) keeps the admin listener and the counts; moving
    /// the admin listener needs a restart.
    func testCountsSurviveAReload() throws {
        let dir = TemporaryDirectory.make("admin-reload")
        let panel = try PanelServer(server: ProteusProcess(config: Self.config(directory: dir), directory: dir))
        defer { panel.stop() }
        let port = try Self.adminPort(panel.server)
        let admin = APIClient(port: port)
        let before = try Self.scrape(admin)
        let logins = Self.value(before, "proteus_logins_total", ["result": "success"])
        XCTAssertGreaterThanOrEqual(logins, 1)

        panel.server.signal(SIGHUP)
        panel.server.waitForOutput("the reload") { $0.contains("configuration reloaded") }
        try waitForReadyz(admin, 200, timeout: 15)
        XCTAssertEqual(try PanelClient(port: panel.port).login(MCSM.adminName, MCSM.adminPassword).status, 200)
        let after = try Self.scrape(admin)
        XCTAssertEqual(Self.value(after, "proteus_logins_total", ["result": "success"]), logins + 1)
        XCTAssertEqual(Self.value(after, "proteus_worker_restarts_total"), 0, "a reload is no restart")

        var moved = Self.config(directory: dir)
        moved["admin"] = ["listen": "127.0.0.1:\(port == 65535 ? 65534 : port + 1)"]
        try writeConfig(moved, to: panel.server.configPath)
        panel.server.signal(SIGHUP)
        panel.server.waitForOutput("the refused reload") { $0.contains("key \"admin.listen\": cannot change on reload") }
        XCTAssertEqual(try admin.request("GET", "/healthz").status, 200)
    }

    func testSingleProcessServesTheAdminListenerToo() throws {
        let dir = TemporaryDirectory.make("admin-single")
        var config = Self.config(directory: dir)
        config["workers"] = 0
        let server = try ProteusProcess(config: config, directory: dir)
        defer { server.stop() }
        let admin = APIClient(port: try Self.adminPort(server))
        XCTAssertEqual(try admin.request("GET", "/healthz").status, 200)
        try waitForReadyz(admin, 200, timeout: 10)
        XCTAssertEqual(try APIClient(port: server.port).request("GET", "/nope").status, 404)
        let samples = try Self.scrape(admin)
        XCTAssertEqual(Self.value(samples, "proteus_http_requests_total", ["route": "unmatched", "status": "404"]), 1)
        Self.assertReady(samples, workers: 1)
    }

    func testBadAdminListenIsRefused() throws {
        let dir = TemporaryDirectory.make("admin-bad")
        let cases: [(Any, String)] = [
            (["listen": "localhost:9090"], "key \"admin.listen\": host must be an IP address, got \"localhost\""),
            (["listen": "127.0.0.1"], "key \"admin.listen\": expected \"HOST:PORT\""),
            (["listen": "127.0.0.1:99999"], "key \"admin.listen\": port must be a number from 0 to 65535"),
            (["listen": 9090], "key \"admin.listen\": must be a string, not"),
            ([String: Any](), "key \"admin.listen\": missing"),
            (["listen": "127.0.0.1:9090", "port": 1], "unknown key \"admin.port\""),
            ("127.0.0.1:9090", "key \"admin\": must be an object"),
            (["listen": "127.0.0.1:18080"], "key \"admin.listen\": must differ from \"listen\""),
        ]
        for (admin, expected) in cases {
            var config = Self.config(directory: dir)
            config["listen"] = "127.0.0.1:18080"
            config["admin"] = admin
            let path = dir + "/bad.json"
            try writeConfig(config, to: path)
            let (status, output) = try ProteusProcess.run(["--config", path], directory: dir)
            XCTAssertEqual(status, 1, output)
            XCTAssertTrue(output.contains(expected), "expected \(expected) in: \(output)")
            XCTAssertFalse(output.contains("listening on"), output)
        }
        // An address that cannot be bound: the key is named.
        let taken = try ProteusProcess(config: Self.config(directory: dir), directory: dir)
        defer { taken.stop() }
        var config = Self.config(directory: TemporaryDirectory.make("admin-taken"))
        config["admin"] = ["listen": "127.0.0.1:\(try Self.adminPort(taken))"]
        let path = dir + "/taken.json"
        try writeConfig(config, to: path)
        let (status, output) = try ProteusProcess.run(["--config", path], directory: dir)
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("key \"admin.listen\""), output)
    }
}

extension XCTestCase {
    /// Polls /readyz until it answers `status` (or fails after `timeout`).
    @discardableResult
    func waitForReadyz(_ admin: APIClient, _ status: Int, timeout: Double, file: StaticString = #filePath, line: UInt = #line) throws -> APIResponse {
        let deadline = Date().addingTimeInterval(timeout)
        var last: APIResponse?
        while Date() < deadline {
            let r = try admin.request("GET", "/readyz")
            if r.status == status { return r }
            last = r
            usleep(100_000)
        }
        XCTFail("/readyz did not answer \(status) within \(timeout) s; last: \(last?.status ?? 0) \(last?.text ?? "")", file: file, line: line)
        return try XCTUnwrap(last)
    }
}

/// /readyz follows the store: 503 while PostgreSQL is down, 200 once it is back.
final class AdminListenerPostgresTests: XCTestCase {
    func testReadyzFollowsPostgres() throws {
        let cluster = try DedicatedPostgres()
        defer { cluster.destroy() }
        let dir = TemporaryDirectory.make("admin-pg")
        let store = PostgresServer.storeConfig(url: cluster.url, schema: "public",
                                               extra: ["statementTimeoutMs": 1000, "connectTimeoutSeconds": 2, "poolSize": 2])
        let server = try ProteusProcess(config: AdminListenerTests.config(directory: dir, store: store), directory: dir)
        defer { server.stop() }
        let admin = APIClient(port: try AdminListenerTests.adminPort(server))
        try waitForReadyz(admin, 200, timeout: 10)

        try cluster.crash()
        let down = try waitForReadyz(admin, 503, timeout: 15)
        XCTAssertTrue(down.text.contains("store"), down.text)
        // /metrics says so too (the probe may fail or hang: either state).
        let samples = try AdminListenerTests.scrape(admin)
        XCTAssertEqual(AdminListenerTests.value(samples, "proteus_ready"), 0)
        let state = samples.first { $0.name == "proteus_readiness" && $0.value == 1 }?.labels["state"] ?? ""
        XCTAssertTrue(["store_failing", "store_silent"].contains(state), state)
        XCTAssertEqual(try admin.request("GET", "/healthz").status, 200, "the process is still up")

        try cluster.resume()
        try waitForReadyz(admin, 200, timeout: 30)
    }
}
