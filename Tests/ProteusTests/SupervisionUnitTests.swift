// The shared-memory pieces of supervision, in process: an adopted
// rate-limit table counts with the original, the scoreboard reports the
// routes in flight.
import Glibc
@testable import HTTPTransport
import XCTest
@testable import Host

final class SupervisionUnitTests: XCTestCase {
    func testAdoptedRateLimitTableSharesCounters() throws {
        let master = try RateLimiter()
        // What a worker does with the descriptor it inherited.
        let worker = try RateLimiter(adopting: dup(master.fd))
        let key = Array("203.0.113.9".utf8)
        func hit(_ limiter: RateLimiter) -> Bool {
            key.withUnsafeBytes { limiter.hit(key: $0, limit: 3, windowSeconds: 60, nowMillis: 1_000_000).allowed }
        }
        XCTAssertEqual([hit(master), hit(worker), hit(master), hit(worker), hit(master)], [true, true, true, false, false])
    }

    func testAdoptingSomethingElseIsRefused() throws {
        let fd = open("/dev/null", O_RDONLY)
        defer { close(fd) }
        XCTAssertThrowsError(try RateLimiter(adopting: fd))
        XCTAssertThrowsError(try Scoreboard(adopting: fd))
    }

    func testScoreboardReportsTheCrashingRouteFirst() throws {
        let board = try Scoreboard()
        let adopted = try Scoreboard(adopting: dup(board.fd))
        let slot = try XCTUnwrap(board.allocate())
        func record(_ entry: Int, _ method: String, _ path: String) {
            let m = Array(method.utf8), p = Array(path.utf8)
            m.withUnsafeBufferPointer { mb in
                p.withUnsafeBufferPointer { pb in
                    Scoreboard.record(method: ByteView(base: mb.baseAddress, count: mb.count),
                                      path: ByteView(base: pb.baseAddress, count: pb.count),
                                      into: adopted.entry(entry, slot: slot))
                }
            }
        }
        XCTAssertEqual(board.inFlight(slot: slot).culprit, nil)
        XCTAssertEqual(board.inFlight(slot: slot).others, [])
        record(0, "GET", "/ok")
        record(5, "POST", "/a b/" + String(repeating: "x", count: 200))
        // The fatal-signal handler's mark: 1 + the crashing thread's entry.
        adopted.slot(slot).storeBytes(of: UInt32(6), toByteOffset: 4, as: UInt32.self)
        let report = board.inFlight(slot: slot)
        XCTAssertEqual(report.others, ["GET /ok"])
        let culprit = try XCTUnwrap(report.culprit)
        XCTAssertTrue(culprit.hasPrefix("POST /a%20b/xxx"), culprit)
        XCTAssertTrue(culprit.hasSuffix("..."), culprit)
        // A slot handed out again starts empty.
        board.release(slot)
        let again = try XCTUnwrap(board.allocate())
        XCTAssertEqual(again, slot)
        XCTAssertEqual(board.inFlight(slot: again).others, [])
        XCTAssertNil(board.inFlight(slot: again).culprit)
    }

    func testWaitStatusesInWords() {
        XCTAssertEqual(ProcessSupport.describe(1 << 8), "exited with status 1")
        XCTAssertEqual(ProcessSupport.describe(SIGABRT), "killed by SIGABRT")
        XCTAssertEqual(ProcessSupport.describe(SIGSEGV | 0x80), "killed by SIGSEGV (core dumped)")
    }
}
