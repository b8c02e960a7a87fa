// Many connections against the real binary: 5,000 concurrent keep-alive
// connections all accepted and answered with bounded server memory, and a
// small limits.maxConnections refusing the excess cleanly (503 or close,
// never a hang or a crash) while the accepted connections keep working.
import Foundation
import Glibc
import XCTest

final class ReliabilityConnectionsTests: XCTestCase {
    private func startServer(limits: [String: Any] = [:], workers: Int? = nil) throws -> ProteusProcess {
        let dir = TemporaryDirectory.make("rel-conn")
        var config = ProteusProcess.defaultConfig(directory: dir)
        config["dialects"] = [["plugin": "aiostreams", "mount": "/", "options": ["rateLimit": false]]]
        if !limits.isEmpty { config["limits"] = limits }
        if let workers { config["workers"] = workers }
        config["logRequests"] = false
        return try ProteusProcess(config: config, directory: dir)
    }

    private func createUser(_ server: ProteusProcess) throws -> String {
        let r = try APIClient(port: server.port).request("POST", "/api/v1/user", json: ["config": ["x": 1], "password": "hunter22"])
        XCTAssertEqual(r.status, 201, r.text)
        return try XCTUnwrap(r.json?["data"]?["uuid"]?.stringValue)
    }

    /// Alternately a HEAD of an existing user (store lookup, 200) and a GET
    /// without credentials (400 MISSING_REQUIRED_FIELDS), so every answer
    /// can be checked.
    private func request(_ i: Int, uuid: String) -> String {
        i % 2 == 0
            ? "HEAD /api/v1/user?uuid=\(uuid) HTTP/1.1\r\nHost: proteus.test\r\n\r\n"
            : "GET /api/v1/user HTTP/1.1\r\nHost: proteus.test\r\n\r\n"
    }

    private func check(_ i: Int, _ client: RawClient, uuid: String, round: Int) -> Bool {
        do {
            let r = try client.readResponse(timeout: 10, bodyExpected: i % 2 != 0)
            if i % 2 == 0 {
                return r.status == 200 && r.header("Connection")?.lowercased() != "close"
            }
            return r.status == 400 && r.bodyText.contains("MISSING_REQUIRED_FIELDS")
        } catch {
            XCTFail("connection \(i), round \(round): \(error)")
            return false
        }
    }

    func testFiveThousandConcurrentConnections() throws {
        let count = 5000
        let limit = ProcessProbe.raiseDescriptorLimit(to: count + 512)
        XCTAssertGreaterThanOrEqual(limit, count + 256, "the hard RLIMIT_NOFILE of this machine is too low for the test")
        guard limit >= count + 256 else { return }
        let server = try startServer()
        defer { server.stop() }
        let pid = server.process.processIdentifier
        let uuid = try createUser(server)
        let baselineFDs = try XCTUnwrap(ProcessProbe.settledDescriptorCount(pid))
        let baselineKiB = try XCTUnwrap(ProcessProbe.residentKiB(pid))

        var clients: [RawClient] = []
        clients.reserveCapacity(count)
        for _ in 0..<count { clients.append(try RawClient(port: server.port)) }
        XCTAssertTrue(ProcessProbe.waitUntil(timeout: 20) { (ProcessProbe.descriptorCount(pid) ?? 0) >= baselineFDs + count },
                      "accepted: \((ProcessProbe.descriptorCount(pid) ?? 0) - baselineFDs) of \(count)")

        // Two rounds: every connection answers, then answers again (all are
        // still open and kept alive).
        for round in 1...2 {
            for (i, c) in clients.enumerated() { c.send(request(i, uuid: uuid)) }
            var good = 0
            for (i, c) in clients.enumerated() where check(i, c, uuid: uuid, round: round) { good += 1 }
            XCTAssertEqual(good, count, "round \(round): correct answers")
        }
        let loadedKiB = try XCTUnwrap(ProcessProbe.residentKiB(pid))
        print("proteus RSS: \(baselineKiB) KiB before, \(loadedKiB) KiB with \(count) connections")
        XCTAssertLessThan(loadedKiB - baselineKiB, 100 * 1024,
                          "RSS \(baselineKiB) KiB idle, \(loadedKiB) KiB with \(count) connections")
        XCTAssertEqual(ProcessProbe.descriptorCount(pid), baselineFDs + count, "no connection was dropped")

        clients.removeAll()
        XCTAssertTrue(ProcessProbe.waitUntil(timeout: 10) { (ProcessProbe.descriptorCount(pid) ?? .max) <= baselineFDs + 1 },
                      "descriptors after the clients left: \(ProcessProbe.descriptorCount(pid) ?? -1), baseline \(baselineFDs)")
        XCTAssertEqual(try APIClient(port: server.port).request("HEAD", "/api/v1/user?uuid=\(uuid)").status, 200)
        XCTAssertTrue(server.process.isRunning)
    }

    /// One serving process: exactly `limit` connections are accepted.
    func testConnectionLimitRefusesTheExcessCleanly() throws {
        try connectionLimit(workers: 1)
    }

    /// Default worker processes: limits.maxConnections holds per worker, so
    /// between `limit` and workers × `limit` are accepted (the kernel picks
    /// the worker); every other connection is refused cleanly.
    func testConnectionLimitWithWorkerProcesses() throws {
        try connectionLimit(workers: nil)
    }

    private func connectionLimit(workers: Int?) throws {
        let limit = 20
        let server = try startServer(limits: ["maxConnections": limit], workers: workers)
        defer { server.stop() }
        let pid = server.process.processIdentifier
        let uuid = try createUser(server)
        let processes = max(1, ProcessProbe.children(pid).count)
        XCTAssertTrue(ProcessProbe.waitUntil(timeout: 5) { ProcessProbe.children(pid).count == processes })

        // More connections than all processes together may hold, one at a
        // time: each is either a working keep-alive connection, or answered
        // 503 and closed (or just closed) at once.
        var accepted: [RawClient] = []
        var refused = 0
        let total = processes * limit + 30
        for i in 0..<total {
            let c = try RawClient(port: server.port)
            c.send(request(i, uuid: uuid))
            let started = now()
            do {
                let r = try c.readResponse(timeout: 5, bodyExpected: i % 2 != 0)
                if r.status == 503 {
                    XCTAssertEqual(r.header("Connection")?.lowercased(), "close")
                    XCTAssertTrue(c.waitForClose(timeout: 5), "refused connection \(i) left open")
                    refused += 1
                } else {
                    XCTAssertEqual(r.status, i % 2 == 0 ? 200 : 400, "connection \(i)")
                    accepted.append(c)
                }
            } catch RawClient.ClientError.closed {
                refused += 1
            } catch {
                XCTFail("connection \(i): \(error)")
            }
            XCTAssertLessThan(now() - started, 2.0)
        }
        print("maxConnections \(limit), \(processes) serving process(es): \(accepted.count) accepted, \(refused) refused")
        XCTAssertGreaterThanOrEqual(accepted.count, limit)
        XCTAssertLessThanOrEqual(accepted.count, processes * limit)
        XCTAssertEqual(accepted.count + refused, total)
        if workers == 1 { XCTAssertEqual(accepted.count, limit) }

        // The accepted connections still work.
        for (i, c) in accepted.enumerated() {
            c.send(request(i, uuid: uuid))
            XCTAssertTrue(check(i, c, uuid: uuid, round: 2), "accepted connection \(i) after the refusals")
        }
        // Once they are gone, new connections are served again.
        accepted.removeAll()
        XCTAssertTrue(ProcessProbe.waitUntil(timeout: 5) { (try? APIClient(port: server.port).request("GET", "/api/v1/user").status) == 400 })
        for i in 0..<limit {
            let c = try RawClient(port: server.port)
            c.send(request(i, uuid: uuid))
            XCTAssertTrue(check(i, c, uuid: uuid, round: 3), "new connection \(i) after the others left")
            accepted.append(c)
        }
        XCTAssertTrue(server.process.isRunning)
        XCTAssertEqual(ProcessProbe.children(pid).count, processes, "no worker died")
    }
}
