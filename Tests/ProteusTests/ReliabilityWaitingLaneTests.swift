// Bursts of work that waits (password hashing) against the real binary:
// credential jobs are admitted by deadline (kdf.maxWaitMs) and wait in the
// serving transport's waiting lane, so an ordinary burst of sign-ups is
// answered in full on the default config, work beyond the deadline or the
// lane is refused at once with Retry-After in the dialect's envelope, and
// requests that need no hash keep being served meanwhile.
import Foundation
import ProteusJSON
import XCTest

final class ReliabilityWaitingLaneTests: XCTestCase {
    /// What `./scripts/run` serves (default workers, threads, lane, argon2id
    /// cost and AIOStreams rate limit), on an ephemeral port. Each client
    /// has its own loopback address, as 200 different users would.
    func testDefaultConfigAnswersTwoHundredConcurrentCreates() throws {
        let dir = TemporaryDirectory.make("lane-default")
        let config: [String: Any] = ["listen": "127.0.0.1:0", "dataDirectory": dir + "/data"]
        let server = try ProteusProcess(config: config, directory: dir)
        defer { server.stop() }

        let clients = 200
        let created = burst(clients) { i in
            let client = APIClient(port: server.port, sourceAddress: Self.address(i))
            let r = try client.request("POST", "/api/v1/user", json: ["config": ["client": .number(JSONNumber(i))], "password": .string("password \(i)")], timeout: 60)
            return (r, client)
        }
        let createdAnswers = created.values.map { $0?.0 }
        let statuses = Dictionary(grouping: createdAnswers.map { $0?.status ?? -1 }, by: { $0 }).mapValues(\.count)
        XCTAssertEqual(statuses, [201: clients], "every create of the burst succeeds: \(createdAnswers.compactMap { $0 }.filter { $0.status != 201 }.prefix(3).map(\.text))")

        // Every user reads back, with its own credentials, from its own address.
        let read = burst(clients) { i in
            guard let (response, client) = created[i],
                  let uuid = response.json?["data"]?["uuid"]?.stringValue,
                  let token = response.json?["data"]?["encryptedPassword"]?.stringValue else { throw TestFailure("create \(i) gave no credentials") }
            let r = try client.request("GET", "/api/v1/user", headers: [APIClient.basic(uuid, token)], timeout: 60)
            guard r.status == 200, r.json?["data"]?["userData"]?["client"]?.intValue == i else { throw TestFailure("user \(i) read back \(r.status) \(r.text)") }
            return (r, client)
        }
        XCTAssertEqual(read.values.filter { $0?.0.status == 200 }.count, clients)
        XCTAssertEqual(try server.userCount(), clients)
    }

    /// Jobs that would start later than kdf.maxWaitMs are refused at once
    /// with 503, Retry-After and the AIOStreams envelope; the others finish.
    func testJobsBeyondTheDeadlineAreRefusedWithRetryAfter() throws {
        let server = try Self.startServer(name: "lane-deadline", extra: [
            "auth": [["plugin": "password", "options": ["memoryKiB": 8192, "iterations": 1]]],
            "kdf": ["threads": 1, "maxWaitMs": 50],
        ])
        defer { server.stop() }
        let (uuid, token) = try Self.createUser(server)

        let answers = burst(300) { _ in
            let client = APIClient(port: server.port)
            return (try client.request("GET", "/api/v1/user", headers: [APIClient.basic(uuid, token)], timeout: 60), client)
        }.values.map { $0?.0 }
        try Self.checkRefusals(answers, expectSome: true)
        XCTAssertGreaterThan(answers.filter { $0?.status == 200 }.count, 0, "admitted logins finish")
        XCTAssertTrue(server.process.isRunning)
    }

    /// With 2 serving threads and a lane of 8, a burst of 60 slow logins
    /// fills the lane (the rest are refused at once), and cheap requests are
    /// answered while the admitted logins are still hashing: waiting
    /// requests do not hold the serving threads.
    func testFullLaneRefusesAndCheapRequestsAreStillServed() throws {
        let server = try Self.startServer(name: "lane-full", extra: [
            "auth": [["plugin": "password", "options": ["memoryKiB": 19456, "iterations": 2]]],
            "threads": 2, "waitingThreads": 8, "kdf": ["threads": 1],
        ])
        defer { server.stop() }
        let (uuid, token) = try Self.createUser(server)

        let loginsDone = ManagedAtomicFlag()
        var cheapBeforeLoginsEnded = 0
        let group = DispatchGroup()
        group.enter()
        let port = server.port
        let cheapCount = ConcurrentResults()
        Thread.detachNewThread {
            defer { group.leave() }
            let client = APIClient(port: port)
            usleep(100_000)   // the burst has started
            for _ in 0..<20 {
                let status = (try? client.request("GET", "/api/v1/user", timeout: 10).status) ?? -1
                cheapCount.add(status, loginsDone.isSet ? nil : "during")
            }
        }
        let answers = burst(60) { _ in
            let client = APIClient(port: port)
            return (try client.request("GET", "/api/v1/user", headers: [APIClient.basic(uuid, token)], timeout: 60), client)
        }.values.map { $0?.0 }
        loginsDone.set()
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        cheapBeforeLoginsEnded = cheapCount.values.count

        try Self.checkRefusals(answers, expectSome: true)
        XCTAssertGreaterThanOrEqual(answers.filter { $0?.status == 200 }.count, 8, "the lane's 8 logins (at least) finish")
        XCTAssertEqual(cheapCount.statuses, Array(repeating: 400, count: 20), "cheap requests are answered")
        XCTAssertGreaterThan(cheapBeforeLoginsEnded, 0, "cheap requests are answered while logins wait")
    }

    /// Outbound calls that hang (a loopback server that completes the TCP
    /// handshake and never answers) wait in the lane: with 2 serving threads
    /// and a lane of 10, 20 such calls leave cheap requests served, the 10
    /// beyond the lane are refused at once, and the 10 waiting ones end when
    /// the remote goes away.
    func testHangingOutboundCallsDoNotTakeServingThreads() throws {
        let dir = TemporaryDirectory.make("lane-outbound")
        let library = try CPluginBuilder.compile("fetch_dialect.c", into: dir + "/libproteus-fetch-c.so")
        let silent = try LoopbackSocket.silent()
        let server = try Self.startServer(name: "lane-outbound", extra: [
            "threads": 2, "waitingThreads": 10,
            "outbound": ["allowPrivateNetworks": true, "maxTimeoutMs": 60_000],
            "dialects": [["plugin": "aiostreams", "mount": "/", "options": ["rateLimit": false]],
                         ["plugin": library, "mount": "/c"]],
        ])
        defer { server.stop() }
        let port = server.port
        let target = "/c/fetch?timeout=60000&url=" + q("http://127.0.0.1:\(silent.port)/")
        let answers = ResultSlots<APIResponse>(20)
        for i in 0..<20 {
            Thread.detachNewThread { answers[i] = try? APIClient(port: port).request("GET", target, timeout: 90) }
        }
        func answered() -> [APIResponse] { answers.values.compactMap { $0 } }
        func waitFor(_ count: Int, seconds: Double) {
            let deadline = Date().addingTimeInterval(seconds)
            while answered().count < count && Date() < deadline { usleep(20_000) }
        }

        // The 10 beyond the lane are answered at once: UNAVAILABLE (7), no transfer.
        waitFor(10, seconds: 10)
        usleep(300_000)
        XCTAssertEqual(answered().count, 10, "the lane holds 10 waiting calls; the rest are refused at once")
        for r in answered() {
            XCTAssertEqual(r.json?["proteus"]?.intValue, 7, r.text)
            XCTAssertTrue(r.json?["message"]?.stringValue?.contains("waiting on slow work") ?? false, r.text)
        }

        // Meanwhile cheap requests are served, and the 10 calls still hang.
        let cheap = APIClient(port: port)
        for _ in 0..<20 {
            XCTAssertEqual(try cheap.request("GET", "/api/v1/user", timeout: 10).status, 400)
        }
        XCTAssertEqual(answered().count, 10, "the waiting calls are still waiting")

        // The remote goes away: the waiting calls end (UNAVAILABLE) and the lane empties.
        silent.close()
        waitFor(20, seconds: 60)
        XCTAssertEqual(answered().count, 20)
        for r in answered() {
            XCTAssertEqual(r.status, 200, r.text)
            XCTAssertEqual(r.json?["proteus"]?.intValue, 7, r.text)
        }
        XCTAssertEqual(try cheap.request("GET", "/api/v1/user", timeout: 10).status, 400)
    }

    // MARK: - Helpers

    private static func startServer(name: String, extra: [String: Any]) throws -> ProteusProcess {
        let dir = TemporaryDirectory.make(name)
        var config = ProteusProcess.defaultConfig(directory: dir)
        config["workers"] = 1
        config["logRequests"] = false
        config["dialects"] = [["plugin": "aiostreams", "mount": "/", "options": ["rateLimit": false]]]
        for (key, value) in extra { config[key] = value }
        return try ProteusProcess(config: config, directory: dir)
    }

    private static func createUser(_ server: ProteusProcess) throws -> (String, String) {
        let created = try APIClient(port: server.port).request("POST", "/api/v1/user", json: ["config": ["x": 1], "password": "correct horse"])
        guard created.status == 201, let uuid = created.json?["data"]?["uuid"]?.stringValue,
              let token = created.json?["data"]?["encryptedPassword"]?.stringValue else { throw TestFailure("create: \(created.status) \(created.text)") }
        return (uuid, token)
    }

    /// Every answer is 200 or a 503 refusal with Retry-After ≥ 1 in the
    /// AIOStreams envelope.
    private static func checkRefusals(_ answers: [APIResponse?], expectSome: Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertFalse(answers.contains { $0 == nil }, "every client got an answer", file: file, line: line)
        let statuses = Set(answers.compactMap { $0?.status })
        XCTAssertTrue(statuses.isSubset(of: [200, 503]), "answers: \(statuses)", file: file, line: line)
        let refused = answers.compactMap { $0 }.filter { $0.status == 503 }
        if expectSome { XCTAssertGreaterThan(refused.count, 0, "some jobs are refused", file: file, line: line) }
        for r in refused {
            let retryAfter = Int(r.header("Retry-After") ?? "")
            XCTAssertNotNil(retryAfter, "503 without Retry-After: \(r.headers)", file: file, line: line)
            XCTAssertGreaterThanOrEqual(retryAfter ?? 0, 1, file: file, line: line)
            XCTAssertEqual(r.json?["success"]?.boolValue, false, r.text, file: file, line: line)
            XCTAssertEqual(r.json?["error"]?["code"]?.stringValue, "DATABASE_ERROR", r.text, file: file, line: line)
        }
    }

    private static func address(_ i: Int) -> String { "127.0.\(1 + i / 200).\(2 + i % 200)" }

    /// Runs `work` for 0..<count on as many threads, released together;
    /// nil where it threw.
    private func burst(_ count: Int, _ work: @escaping @Sendable (Int) throws -> (APIResponse, APIClient)) -> ResultSlots<(APIResponse, APIClient)> {
        let results = ResultSlots<(APIResponse, APIClient)>(count)
        let start = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        for i in 0..<count {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                start.wait()
                results[i] = try? work(i)
            }
        }
        for _ in 0..<count { start.signal() }
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success, "the burst ended")
        return results
    }
}

/// One result slot per thread of a burst.
final class ResultSlots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]
    init(_ count: Int) { slots = Array(repeating: nil, count: count) }
    subscript(i: Int) -> T? {
        get { lock.lock(); defer { lock.unlock() }; return slots[i] }
        set { lock.lock(); slots[i] = newValue; lock.unlock() }
    }
    var values: [T?] { lock.lock(); defer { lock.unlock() }; return slots }
}
