// The host's arena pool: an arena given back by arena_destroy is emptied and
// handed out again by the next arena_create (no object, no chunk from
// malloc), its memory zeroed as the ABI promises; the pool keeps a bounded
// number.
import Glibc
import XCTest
@testable import Host

final class ArenaPoolTests: XCTestCase {
    func testDestroyedArenasAreReusedEmptyAndZeroed() throws {
        let first = try XCTUnwrap(ArenaServices.create(nil))
        let p = try XCTUnwrap(ArenaServices.alloc(first, 64))
        memset(p, 0xAB, 64)
        _ = try XCTUnwrap(ArenaServices.alloc(first, 40_000))   // a second, larger chunk
        ArenaServices.destroy(first)
        let again = try XCTUnwrap(ArenaServices.create(nil))
        defer { ArenaServices.destroy(again) }
        XCTAssertEqual(again, first, "the destroyed arena comes back from the pool")
        let q = try XCTUnwrap(ArenaServices.alloc(again, 64))
        XCTAssertEqual(q, p, "its first chunk is used again from the start")
        XCTAssertTrue(UnsafeRawBufferPointer(start: q, count: 64).allSatisfy { $0 == 0 }, "memory handed out is zeroed")
    }

    func testThePoolIsBounded() throws {
        let arenas = (0..<(ArenaPool.limit + 10)).compactMap { _ in ArenaServices.create(nil) }
        for a in arenas { _ = ArenaServices.alloc(a, 16) }
        for a in arenas { ArenaServices.destroy(a) }
        XCTAssertEqual(ArenaPool.shared.idleCount, ArenaPool.limit)
    }
}
