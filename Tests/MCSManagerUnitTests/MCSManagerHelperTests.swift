// The MCSManager dialect's input helpers: JavaScript's
// Number()/String()/truthiness and qs-style nested form decoding.
import MCSManager
import ProteusJSON
import XCTest

final class MCSManagerHelperTests: XCTestCase {
    func testJavaScriptNumber() {
        let cases: [(String, Double)] = [
            ("", 0), ("  ", 0), ("12", 12), (" 12 ", 12), ("\t-3.5\n", -3.5), ("+4", 4), ("1e3", 1000), ("1E-2", 0.01),
            (".5", 0.5), ("5.", 5), ("0x10", 16), ("0X1f", 31), ("0o17", 15), ("0b101", 5), ("Infinity", .infinity),
            ("-Infinity", -.infinity), ("007", 7), ("0", 0), ("-0", 0),
        ]
        for (text, expected) in cases { XCTAssertEqual(JSCoercion.number(text), expected, text) }
        for text in ["abc", "1a", "1e", "e5", ".", "+", "--1", "-0x10", "0x", "0xg", "1_000", "infinity", "1 2", "NaN"] {
            XCTAssertTrue(JSCoercion.number(text).isNaN, text)
        }
        XCTAssertEqual(JSCoercion.number(JSONValue.null), 0)
        XCTAssertEqual(JSCoercion.number(true), 1)
        XCTAssertEqual(JSCoercion.number(["7"]), 7)
        XCTAssertEqual(JSCoercion.number([]), 0)
        XCTAssertTrue(JSCoercion.number([1, 2]).isNaN)
        XCTAssertTrue(JSCoercion.number(["a": 1]).isNaN)
    }

    func testJavaScriptStringAndTruthiness() {
        XCTAssertEqual(JSCoercion.string(.number(JSONNumber("1.50")!)), "1.5")
        XCTAssertEqual(JSCoercion.string(.number(JSONNumber("1e3")!)), "1000")
        XCTAssertEqual(JSCoercion.string([1, "a", .null]), "1,a,")
        XCTAssertEqual(JSCoercion.string(["a": 1]), "[object Object]")
        XCTAssertEqual(JSCoercion.string(false), "false")
        for falsy: JSONValue in [.null, false, 0, "", .number(JSONNumber("-0")!)] { XCTAssertFalse(JSCoercion.truthy(falsy), "\(falsy)") }
        for truthy: JSONValue in [true, 1, "0", "false", [], [:]] { XCTAssertTrue(JSCoercion.truthy(truthy), "\(truthy)") }
        XCTAssertEqual(JSCoercion.boolean("TRUE"), true)
        XCTAssertEqual(JSCoercion.boolean("off"), false)
        XCTAssertEqual(JSCoercion.boolean(0), false)
        XCTAssertNil(JSCoercion.boolean("maybe"))
        XCTAssertNil(JSCoercion.boolean([true]))
    }

    func testNestedForms() {
        XCTAssertEqual(JSONValue.object(FormObject.decode("a=1&b=two+words&c=%C3%A9")), ["a": "1", "b": "two words", "c": "é"])
        XCTAssertEqual(JSONValue.object(FormObject.decode("a=1&a=2&a=3")), ["a": ["1", "2", "3"]])
        XCTAssertEqual(JSONValue.object(FormObject.decode("uuid=u&config[userName]=n&config[permission]=10")),
                       ["uuid": "u", "config": ["userName": "n", "permission": "10"]])
        XCTAssertEqual(JSONValue.object(FormObject.decode("a[]=x&a[]=y")), ["a": ["x", "y"]])
        XCTAssertEqual(JSONValue.object(FormObject.decode("a[1]=y&a[0]=x")), ["a": ["x", "y"]])
        XCTAssertEqual(JSONValue.object(FormObject.decode("c[instances][0][instanceUuid]=i&c[instances][0][daemonId]=d&c[instances][1][instanceUuid]=j")),
                       ["c": ["instances": [["instanceUuid": "i", "daemonId": "d"], ["instanceUuid": "j"]]]])
        XCTAssertEqual(JSONValue.object(FormObject.decode("a[21]=x")), ["a": ["21": "x"]])
        XCTAssertEqual(JSONValue.object(FormObject.decode("a=1&a[b]=2")), ["a": ["1", ["b": "2"]]])
        XCTAssertEqual(JSONValue.object(FormObject.decode("[x]=1&=2&a")), ["[x]": "1", "a": ""])
        // Depth is capped: the rest stays one literal key.
        let deep = FormObject.decode("a[1][2][3][4][5][6][7]=x")
        XCTAssertNotNil(deep["a"])
        XCTAssertEqual(FormObject.decode("").count, 0)
        XCTAssertEqual(JSONValue.object(FormObject.decode("0=x&1=y")), ["0": "x", "1": "y"])
    }
}
