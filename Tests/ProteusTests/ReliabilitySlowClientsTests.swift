// Slow attackers against the real binary: slowloris (hundreds of
// connections trickling header bytes, plus silent ones) and slow readers
// (pipelining thousands of requests and never reading). Other clients keep
// being served with normal latency, the server's memory stays bounded, and
// the short `limits.*` timeouts configured here close the attackers.
import Foundation
import Glibc
import XCTest

final class ReliabilitySlowClientsTests: XCTestCase {
    private var server: ProteusProcess!

    override func setUpWithError() throws {
        let dir = TemporaryDirectory.make("rel-slow")
        var config = ProteusProcess.defaultConfig(directory: dir)
        config["dialects"] = [["plugin": "aiostreams", "mount": "/", "options": ["rateLimit": false]]]
        config["limits"] = ["requestTimeoutSeconds": 2, "idleTimeoutSeconds": 2, "writeTimeoutSeconds": 2]
        config["logRequests"] = false
        server = try ProteusProcess(config: config, directory: dir)
    }

    override func tearDown() {
        server?.stop()
    }

    private var pid: Int32 { server.process.processIdentifier }

    /// One honest request on a new connection; returns its latency in seconds.
    private func honestRequest(file: StaticString = #filePath, line: UInt = #line) -> Double {
        let started = now()
        do {
            let r = try APIClient(port: server.port).request("GET", "/api/v1/user", timeout: 5)
            XCTAssertEqual(r.status, 400, r.text, file: file, line: line)
            XCTAssertEqual(r.json?["error"]?["code"]?.stringValue, "MISSING_REQUIRED_FIELDS", file: file, line: line)
        } catch {
            XCTFail("honest request failed: \(error)", file: file, line: line)
        }
        return now() - started
    }

    /// Writes as much of `bytes` as the socket takes without blocking.
    private static func sendNonBlocking(_ fd: Int32, _ bytes: [UInt8]) -> Int {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            offset += n
        }
        return offset
    }

    /// True when the server has closed `fd` (EOF or reset; a 408 may come first).
    private static func closedByServer(_ fd: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 { continue }
            if n == 0 { return true }
            return errno != EAGAIN && errno != EWOULDBLOCK
        }
    }

    func testSlowlorisIsTimedOutWhileOthersAreServed() throws {
        ProcessProbe.raiseDescriptorLimit(to: 4096)
        _ = honestRequest()
        let baselineKiB = try XCTUnwrap(ProcessProbe.residentKiB(pid))
        let baselineFDs = try XCTUnwrap(ProcessProbe.settledDescriptorCount(pid))

        // 400 tricklers (a request line and Host, then one header byte per
        // tick, never the end of the head) and 100 silent connections.
        var tricklers: [RawClient] = []
        for _ in 0..<400 {
            let c = try RawClient(port: server.port)
            c.send("GET /api/v1/user HTTP/1.1\r\nHost: proteus.test\r\nX-Slow: ")
            tricklers.append(c)
        }
        var silent: [RawClient] = []
        for _ in 0..<100 { silent.append(try RawClient(port: server.port)) }
        let started = now()
        XCTAssertTrue(ProcessProbe.waitUntil(timeout: 5) { (ProcessProbe.descriptorCount(pid) ?? 0) >= baselineFDs + 495 },
                      "the server accepted every attacker: \(ProcessProbe.descriptorCount(pid) ?? -1) descriptors, baseline \(baselineFDs)")

        var worst = 0.0
        var peakKiB = baselineKiB
        var closedAt: [Double?] = Array(repeating: nil, count: tricklers.count)
        while now() - started < 6 {
            for (i, c) in tricklers.enumerated() where closedAt[i] == nil {
                if Self.closedByServer(c.fd) {
                    closedAt[i] = now() - started
                } else {
                    _ = Self.sendNonBlocking(c.fd, [UInt8(ascii: "a")])
                }
            }
            worst = max(worst, honestRequest())
            peakKiB = max(peakKiB, ProcessProbe.residentKiB(pid) ?? 0)
            if closedAt.allSatisfy({ $0 != nil }) && silent.allSatisfy({ Self.closedByServer($0.fd) }) { break }
            usleep(200_000)
        }
        let stillOpen = closedAt.filter { $0 == nil }.count
        XCTAssertEqual(stillOpen, 0, "tricklers the request timeout (2 s) did not close within 6 s")
        XCTAssertLessThanOrEqual(closedAt.compactMap { $0 }.max() ?? 0, 5.5)
        XCTAssertTrue(silent.allSatisfy { Self.closedByServer($0.fd) }, "silent connections outlived the idle timeout")
        XCTAssertLessThan(worst, 1.0, "an honest request took \(worst) s under slowloris")
        XCTAssertLessThan(peakKiB - baselineKiB, 64 * 1024, "RSS grew from \(baselineKiB) KiB to \(peakKiB) KiB")
        // Every attacker's descriptor is gone on the server too.
        XCTAssertTrue(ProcessProbe.waitUntil(timeout: 5) { (ProcessProbe.descriptorCount(pid) ?? .max) <= baselineFDs + 2 },
                      "server descriptors: \(ProcessProbe.descriptorCount(pid) ?? -1), baseline \(baselineFDs)")
        XCTAssertLessThan(honestRequest(), 1.0)
        XCTAssertTrue(server.process.isRunning)
    }

    func testSlowReadersAreCutOffWhileOthersAreServed() throws {
        _ = honestRequest()
        let baselineKiB = try XCTUnwrap(ProcessProbe.residentKiB(pid))
        let baselineFDs = try XCTUnwrap(ProcessProbe.settledDescriptorCount(pid))

        // 16 clients with a tiny receive buffer, each pipelining 10,000 GETs
        // (about 3 MB of responses, more than the server's pending-output
        // limit plus both socket buffers) and never reading a byte. The
        // server answers until every buffer is full (a few seconds of work),
        // serving others in between (maxRequestsPerTurn), then the write
        // timeout (2 s without progress) closes them.
        let request = Array("GET /api/v1/user HTTP/1.1\r\nHost: proteus.test\r\n\r\n".utf8)
        let burst = Array([[UInt8]](repeating: request, count: 10_000).joined())
        var readers: [RawClient] = []
        var sentTotal = 0
        for _ in 0..<16 {
            let c = try RawClient(port: server.port, receiveBuffer: 4096)
            sentTotal += Self.sendNonBlocking(c.fd, burst)
            readers.append(c)
        }
        XCTAssertGreaterThan(sentTotal, 16 * request.count * 100, "the slow readers got their requests out")

        let started = now()
        var worst = 0.0
        var peakKiB = baselineKiB
        var closedAllAt: Double?
        while now() - started < 15 {
            worst = max(worst, honestRequest())
            peakKiB = max(peakKiB, ProcessProbe.residentKiB(pid) ?? 0)
            if let fds = ProcessProbe.descriptorCount(pid), fds <= baselineFDs + 2 {
                closedAllAt = now() - started
                break
            }
            usleep(100_000)
        }
        XCTAssertNotNil(closedAllAt, "the write timeout (2 s) did not close the slow readers within 15 s: "
                        + "\(ProcessProbe.descriptorCount(pid) ?? -1) descriptors, baseline \(baselineFDs)")
        XCTAssertLessThan(worst, 1.0, "an honest request took \(worst) s next to slow readers")
        XCTAssertLessThan(peakKiB - baselineKiB, 96 * 1024, "RSS grew from \(baselineKiB) KiB to \(peakKiB) KiB")
        XCTAssertLessThan(honestRequest(), 1.0)
        XCTAssertTrue(server.process.isRunning)
        withExtendedLifetime(readers) {}
    }
}
