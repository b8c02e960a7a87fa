// Bugs the fuzz targets (Tests/Fuzz) found, each as a plain unit test; the
// reproducers themselves are in the targets' committed corpora, which
// scripts/test replays.
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest

final class FuzzFindingsTests: XCTestCase {
    /// FormObject appended a plain value to an object under the key of its
    /// pair count, overwriting a pair already stored under that index:
    /// `a[b]=1&a[2]=2&a=3` lost the "2".
    func testFormObjectAppendDoesNotOverwriteAnIndexKey() {
        XCTAssertEqual(JSONValue.object(FormObject.decode("a[b]=1&a[2]=2&a=3")), ["a": ["b": "1", "2": "2", "3": "3"]])
        XCTAssertEqual(JSONValue.object(FormObject.decode("a[b]=1&a[1]=2&a[]=3")), ["a": ["b": "1", "1": "2", "2": "3"]])
        // The fuzzer's input: eight named pairs, eight values.
        let fuzzed = FormObject.decode(" a=-=-\u{1}\0\0\0\0&e[]5&e[1]=y&e[4]\u{F8}\u{1}\0\0\0\0&e[_5&e&e[1]=y&e[4\u{F8}")
        func leaves(_ v: JSONValue) -> Int {
            switch v {
            case .array(let items): return items.map(leaves).reduce(0, +)
            case .object(let o): return o.values.map(leaves).reduce(0, +)
            default: return 1
            }
        }
        XCTAssertEqual(leaves(.object(fuzzed)), 8)
    }

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
