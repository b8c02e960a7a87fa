// Bugs the fuzz targets (Tests/Fuzz) found, each as a plain unit test; the
// reproducers themselves are in the targets' committed corpora, which
// scripts/test replays.
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest

final class FuzzFindingsTests: XCTestCase {
    /// Request.contentType split the header with empty pieces omitted, so
    /// in a value starting with ';' the parameters became the media type:
    /// ";;{+japplication/vnd.custom+json" was read as a "+json" type (a
    /// JSON body) instead of an empty, unsupported one (MCSManager's 415).
    func testContentTypeBeforeTheFirstSemicolonEvenWhenEmpty() {
        XCTAssertEqual(contentType(";;{+japplication/vnd.custom+json"), "")
        XCTAssertEqual(contentType("; x+json"), "")
        XCTAssertEqual(contentType("Application/JSON; charset=utf-8"), "application/json")
        XCTAssertEqual(contentType(" text/plain ;q=1"), "text/plain")
        XCTAssertEqual(contentType("text/plain"), "text/plain")
    }

    /// Request(...).contentType for a request whose only header is Content-Type.
    private func contentType(_ value: String) -> String? {
        let name = Array("Content-Type".utf8), bytes = Array(value.utf8)
        return name.withUnsafeBufferPointer { n in
            bytes.withUnsafeBufferPointer { v in
                var header = proteus_header(
                    name: proteus_str(ptr: UnsafeRawPointer(n.baseAddress!).assumingMemoryBound(to: CChar.self), len: n.count),
                    value: proteus_str(ptr: UnsafeRawPointer(v.baseAddress!).assumingMemoryBound(to: CChar.self), len: v.count))
                return withUnsafePointer(to: &header) { h in
                    var raw = proteus_request()
                    raw.headers = h
                    raw.header_count = 1
                    return withUnsafePointer(to: &raw) { Request($0).contentType }
                }
            }
        }
    }
}
