// The postgres store through the real `proteus` binary: the whole
// AIOStreams suite on PostgreSQL, PostgreSQL going away and coming back
// while the server runs, and config refusals.
import Foundation
import ProteusJSON
import XCTest

/// Every AIOStreamsTests test (inherited), with the store on PostgreSQL:
/// one schema per test (from its directory, so restarts find their data),
/// the URL passed through an environment variable (option "urlEnv").
final class AIOStreamsPostgresTests: AIOStreamsTests {
    /// No cluster: every test fails (XCTFail in setUp; the body then runs on
    /// SQLite). Throwing from setUp would make XCTest report it skipped.
    nonisolated(unsafe) static var postgresMissing = false

    override class func storeConfig(directory: String) -> [String: Any] {
        if postgresMissing { return super.storeConfig(directory: directory) }
        return PostgresTestStore.config(directory: directory, prefix: "aio_")
    }

    override func setUpWithError() throws {
        Self.postgresMissing = PostgresServer.environment("PROTEUS_TEST_POSTGRES_URL") == nil
        PostgresTestStore.prepare()
        try super.setUpWithError()
    }

    // SwiftPM's test discovery on Linux lists only methods a class declares
    // itself, so each inherited test is named here (testEveryAIOStreamsTest-
    // RunsOnPostgres checks that none is missing).
    override func testBasicAuth() throws { try super.testBasicAuth() }
    override func testChangePassword() throws { try super.testChangePassword() }
    override func testCreateInvalidConfig() throws { try super.testCreateInvalidConfig() }
    override func testCreateMissingFields() throws { try super.testCreateMissingFields() }
    override func testCreateReturns201WithUUIDAndToken() throws { try super.testCreateReturns201WithUUIDAndToken() }
    override func testCreateShortPassword() throws { try super.testCreateShortPassword() }
    override func testDelete() throws { try super.testDelete() }
    override func testEncryptedPasswordSurvivesRestart() throws { try super.testEncryptedPasswordSurvivesRestart() }
    override func testEncryptedPasswordWorksWhereThePasswordDoes() throws { try super.testEncryptedPasswordWorksWhereThePasswordDoes() }
    override func testFiftyConcurrentCreates() throws { try super.testFiftyConcurrentCreates() }
    override func testGetErrors() throws { try super.testGetErrors() }
    override func testGetReturnsConfigWithUUIDAndFreshToken() throws { try super.testGetReturnsConfigWithUUIDAndFreshToken() }
    override func testHeadExistingUser() throws { try super.testHeadExistingUser() }
    override func testHeadUnknownUserAndMissingUUID() throws { try super.testHeadUnknownUserAndMissingUUID() }
    override func testLargeConfigJustUnderTheLimitRoundTrips() throws { try super.testLargeConfigJustUnderTheLimitRoundTrips() }
    override func testMalformedJSONIsA400AndChangesNothing() throws { try super.testMalformedJSONIsA400AndChangesNothing() }
    override func testOversizedBodyIs413InEnvelope() throws { try super.testOversizedBodyIs413InEnvelope() }
    override func testPutErrors() throws { try super.testPutErrors() }
    override func testPutReplacesWholeConfig() throws { try super.testPutReplacesWholeConfig() }
    override func testUnknownRoutesAndMethodsAre404Envelopes() throws { try super.testUnknownRoutesAndMethodsAre404Envelopes() }
    override func testUserSurvivesKill9RightAfter201() throws { try super.testUserSurvivesKill9RightAfter201() }
    override func testWrongTypes() throws { try super.testWrongTypes() }

    /// Every test of AIOStreamsTests has an override above.
    func testEveryAIOStreamsTestRunsOnPostgres() throws {
        let here = URL(fileURLWithPath: #filePath)
        let base = try String(contentsOf: here.deletingLastPathComponent().appendingPathComponent("AIOStreamsTests.swift"), encoding: .utf8)
        let mine = try String(contentsOf: here, encoding: .utf8)
        // The base class's body: up to the next top-level class.
        let start = try XCTUnwrap(base.range(of: "class AIOStreamsTests: XCTestCase {"))
        let end = base.range(of: "\nfinal class ", range: start.upperBound..<base.endIndex)?.lowerBound ?? base.endIndex
        let body = base[start.upperBound..<end]
        let names = body.components(separatedBy: "\n").compactMap { line -> String? in
            guard let r = line.range(of: "    func test"), r.lowerBound == line.startIndex else { return nil }
            return String(line[line.index(r.lowerBound, offsetBy: 9)...].prefix { $0 != "(" })
        }
        XCTAssertGreaterThan(names.count, 10)
        for name in names {
            XCTAssertTrue(mine.contains("override func \(name)() throws { try super.\(name)() }"), "\(name) does not run on PostgreSQL")
        }
    }
}

final class StorePostgresBinaryTests: XCTestCase {
    /// check-config with a wrong password: exit 1, the cause named, the password not.
    func testCheckConfigRefusesAWrongPassword() throws {
        let url = try PostgresServer.testDatabaseURL()
        let secret = "S3cret-\(UUID().uuidString.prefix(8))"
        let real = url.components(separatedBy: "://")[1].components(separatedBy: "@")[0].components(separatedBy: ":")[1]
        let wrong = url.replacingOccurrences(of: ":\(real)@", with: ":\(secret)@")
        let dir = TemporaryDirectory.make("pg-check")
        var config = ProteusProcess.defaultConfig(directory: dir, store: PostgresServer.storeConfig(url: wrong, schema: "public"))
        config["dialects"] = [["plugin": "aiostreams", "mount": "/"]]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/c.json"))
        let (status, output) = try ProteusProcess.run(["check-config", "--config", dir + "/c.json"])
        print("check-config: \(output)")
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("password authentication failed"), output)
        XCTAssertTrue(output.contains("as user \"proteus\""), output)
        XCTAssertFalse(output.contains(secret), "the password leaked: \(output)")
        XCTAssertFalse(output.contains(real), "the real password leaked: \(output)")
        // The right password passes.
        let good = dir + "/good.json"
        var ok = config
        ok["store"] = PostgresServer.storeConfig(url: url, schema: PostgresServer.freshSchema("check"))
        try JSONSerialization.data(withJSONObject: ok).write(to: URL(fileURLWithPath: good))
        let (s2, o2) = try ProteusProcess.run(["check-config", "--config", good])
        XCTAssertEqual(s2, 0, o2)
        XCTAssertTrue(o2.contains("store postgres"), o2)
    }

    /// `proteus check-store` runs the conformance suite on a scratch schema
    /// (option dropSchemaOnClose) and leaves nothing behind.
    func testCheckStoreUsesAScratchSchemaAndDropsIt() throws {
        let url = try PostgresServer.testDatabaseURL()
        let dir = TemporaryDirectory.make("pg-check-store")
        let config = ProteusProcess.defaultConfig(directory: dir, store: PostgresServer.storeConfig(url: url, schema: "public"))
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/c.json"))
        let (status, output) = try ProteusProcess.run(["check-store", "--config", dir + "/c.json"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains(" passed, 0 failed"), output)
        XCTAssertEqual(try PostgresServer.psql(url, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'proteus_check_%'"), "0")
    }

    /// PostgreSQL stops (immediate) while clients keep sending requests:
    /// answers are 503 in the AIOStreams envelope, each in time; after it
    /// restarts, the same proteus serves again and nothing acknowledged is lost.
    func testPostgresGoingAwayAndComingBack() throws {
        let cluster = try DedicatedPostgres()
        defer { cluster.destroy() }
        let timeoutMs = 1500, connectSeconds = 2
        let server = try Self.aiostreams(on: cluster, timeoutMs: timeoutMs, connectSeconds: connectSeconds, poolSize: 4, label: "pg-fault")
        defer { server.stop() }
        let client = APIClient(port: server.port)

        // Users created (201) before the outage.
        var acknowledged: [String] = []
        for i in 0..<20 {
            let r = try client.request("POST", "/api/v1/user", json: ["config": ["n": .number(JSONNumber(i))], "password": "hunter22"])
            XCTAssertEqual(r.status, 201, r.text)
            if r.status == 201, let uuid = r.json?["data"]?["uuid"]?.stringValue { acknowledged.append(uuid) }
        }

        // A client loop runs across the crash; creates that got 201 count too.
        let limit = Double(timeoutMs) / 1000 + Double(connectSeconds) + 2
        let loop = RequestLoop(port: server.port, limit: limit)
        loop.start()
        Thread.sleep(forTimeInterval: 0.5)
        try cluster.crash()
        Thread.sleep(forTimeInterval: 3)
        // While it is down: 503 in the envelope, in time.
        for _ in 0..<5 {
            let start = Date()
            let r = try client.request("POST", "/api/v1/user", json: ["config": [:], "password": "hunter22"], timeout: limit + 5)
            let elapsed = Date().timeIntervalSince(start)
            XCTAssertEqual(r.status, 503, r.text)
            XCTAssertEqual(r.json?["success"], false, r.text)
            XCTAssertNotNil(r.json?["error"]?["code"]?.stringValue, r.text)
            XCTAssertLessThan(elapsed, limit, "a request took \(elapsed) s while PostgreSQL was down")
            let get = try client.request("GET", "/api/v1/user?uuid=\(acknowledged[0])&password=hunter22", timeout: limit + 5)
            XCTAssertEqual(get.status, 503, get.text)
        }
        try cluster.resume()
        // Back: within a few seconds requests succeed again, same proteus.
        let back = Date()
        var recovered = false
        while Date().timeIntervalSince(back) < 15 {
            if let r = try? client.request("GET", "/api/v1/user?uuid=\(acknowledged[0])&password=hunter22", timeout: limit + 5), r.status == 200 {
                recovered = true
                break
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTAssertTrue(recovered, "proteus did not recover after PostgreSQL came back")
        print("recovered \(String(format: "%.2f", Date().timeIntervalSince(back))) s after PostgreSQL was started again")
        Thread.sleep(forTimeInterval: 1)
        let summary = loop.stop()
        print("request loop: \(summary.statuses) slowest \(String(format: "%.2f", summary.slowest)) s")
        XCTAssertLessThan(summary.slowest, limit, "a request of the loop took too long")
        XCTAssertTrue(summary.statuses.keys.allSatisfy { [201, 503].contains($0) }, "\(summary.statuses)")
        XCTAssertGreaterThan(summary.statuses[503] ?? 0, 0, "the loop never saw the outage")
        XCTAssertGreaterThan(summary.statuses[201] ?? 0, 0, "the loop never succeeded")
        // Every user acknowledged with 201 is there.
        for uuid in acknowledged + summary.created {
            XCTAssertEqual(try client.request("HEAD", "/api/v1/user?uuid=\(uuid)").status, 200, "user \(uuid) acknowledged with 201 is missing")
        }
        // A create whose COMMIT reached PostgreSQL just before the crash may
        // exist although its client got a 503 (the acknowledgement was lost
        // with the connection): acknowledged creates are a lower bound.
        XCTAssertGreaterThanOrEqual(try server.userCount(), acknowledged.count + summary.created.count)
    }
}

extension StorePostgresBinaryTests {
    /// proteus with the AIOStreams dialect (no rate limit) on `cluster`, with
    /// short store timeouts for the fault tests.
    static func aiostreams(on cluster: DedicatedPostgres, timeoutMs: Int, connectSeconds: Int, poolSize: Int,
                           label: String) throws -> ProteusProcess {
        let dir = TemporaryDirectory.make(label)
        let store = PostgresServer.storeConfig(url: cluster.url, schema: "public",
                                               extra: ["statementTimeoutMs": timeoutMs, "connectTimeoutSeconds": connectSeconds, "poolSize": poolSize])
        var config = ProteusProcess.defaultConfig(directory: dir, store: store)
        config["dialects"] = [["plugin": "aiostreams", "mount": "/", "options": ["rateLimit": false]]]
        return try ProteusProcess(config: config, directory: dir)
    }

    /// PostgreSQL hangs (every process stopped: connections are accepted by
    /// the kernel, nothing answers): each request still ends in time with a
    /// 503, and the same proteus serves again once the database thaws.
    func testHungPostgresAnswersInTime() throws {
        let cluster = try DedicatedPostgres()
        defer { cluster.destroy() }
        let timeoutMs = 1000, connectSeconds = 2
        let server = try Self.aiostreams(on: cluster, timeoutMs: timeoutMs, connectSeconds: connectSeconds, poolSize: 2, label: "pg-hang")
        defer { server.stop() }
        let client = APIClient(port: server.port)
        let created = try client.request("POST", "/api/v1/user", json: ["config": ["a": 1], "password": "hunter22"])
        XCTAssertEqual(created.status, 201, created.text)
        let uuid = try XCTUnwrap(created.json?["data"]?["uuid"]?.stringValue)

        try cluster.freeze(true)
        // The slowest path: a query on an open connection (client deadline =
        // statement timeout + 2 s), then connects that get no answer (connect timeout).
        let limit = Double(timeoutMs) / 1000 + 2 + Double(connectSeconds) + 1
        var statuses: [Int] = []
        for _ in 0..<4 {
            let start = Date()
            let r = try client.request("GET", "/api/v1/user?uuid=\(uuid)&password=hunter22", timeout: limit + 10)
            let elapsed = Date().timeIntervalSince(start)
            statuses.append(r.status)
            XCTAssertEqual(r.json?["success"], false, r.text)
            XCTAssertLessThan(elapsed, limit, "a request took \(elapsed) s while PostgreSQL hung")
        }
        XCTAssertEqual(statuses, [503, 503, 503, 503])
        try cluster.freeze(false)
        let back = Date()
        var recovered = false
        while Date().timeIntervalSince(back) < 15 {
            if let r = try? client.request("GET", "/api/v1/user?uuid=\(uuid)&password=hunter22", timeout: limit + 10), r.status == 200 {
                recovered = true
                break
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTAssertTrue(recovered, "proteus did not recover after PostgreSQL thawed")
    }
}

/// Creates users in a loop on its own thread and connection, recording
/// every status, the slowest answer and the users acknowledged.
final class RequestLoop: @unchecked Sendable {
    let port: UInt16
    let limit: Double
    private let lock = NSLock()
    private var running = true
    private var statuses: [Int: Int] = [:]
    private var created: [String] = []
    private var slowest = 0.0
    private let done = DispatchSemaphore(value: 0)

    init(port: UInt16, limit: Double) {
        self.port = port
        self.limit = limit
    }

    func start() {
        Thread {
            let client = APIClient(port: self.port)
            var i = 0
            while self.lock.withLock({ self.running }) && i < 5000 {
                i += 1
                let start = Date()
                let r = try? client.request("POST", "/api/v1/user", json: ["config": ["loop": .number(JSONNumber(i))], "password": "hunter22"],
                                            timeout: self.limit + 10)
                let elapsed = Date().timeIntervalSince(start)
                self.lock.withLock {
                    self.slowest = max(self.slowest, elapsed)
                    self.statuses[r?.status ?? -1, default: 0] += 1
                    if r?.status == 201, let uuid = r?.json?["data"]?["uuid"]?.stringValue { self.created.append(uuid) }
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            self.done.signal()
        }.start()
    }

    func stop() -> (statuses: [Int: Int], slowest: Double, created: [String]) {
        lock.withLock { running = false }
        done.wait()
        return lock.withLock { (statuses, slowest, created) }
    }
}
