// Bugs the fuzz targets (Tests/Fuzz) found in the MCSManager dialect's
// helpers, each as a plain unit test (the reproducers are in the corpora).
import MCSManager
import ProteusJSON
import XCTest

final class MCSManagerFuzzFindingsTests: XCTestCase {
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
}
