import ProteusJSON
import XCTest

final class JSONTests: XCTestCase {
    // MARK: - Helpers

    private func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONValue? {
        do {
            return try JSONParser.parse(text)
        } catch {
            XCTFail("unexpected error for \(text.debugDescription): \(error)", file: file, line: line)
            return nil
        }
    }

    private func parseError(_ bytes: [UInt8]) -> JSONParseError? {
        do {
            let value = try JSONParser.parse(bytes)
            XCTFail("accepted \(String(decoding: bytes, as: UTF8.self).debugDescription) as \(value)")
            return nil
        } catch {
            return error
        }
    }

    private func parseError(_ text: String) -> JSONParseError? {
        parseError(Array(text.utf8))
    }

    /// parse → compact serialise must give back exactly `text`.
    private func assertRoundTrip(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let value = parse(text, file: file, line: line) else { return }
        XCTAssertEqual(value.serialized(), text, file: file, line: line)
    }

    // MARK: - Round trips and accepted input

    func testRoundTripsCompactDocuments() {
        for text in [
            "null", "true", "false", "0", "-0", "1.0", "1e400", "-1.5E-7", "1E+2",
            "12345678901234567890", "123456789012345678901234567890.000000000000000001",
            #""""#, #""abc""#, "[]", "{}", "[[]]", "[{}]",
            #"{"a":1,"b":[true,null]}"#,
            #"{"z":1,"a":2,"m":{"y":[1,2,{"x":"é😀"}]}}"#,
            #"["\"\\/\b\f\n\r\t"]"#,
        ] {
            assertRoundTrip(text)
        }
    }

    func testAcceptedEdgeCases() {
        XCTAssertEqual(parse("1E+2")?.numberValue?.text, "1E+2")
        XCTAssertEqual(parse("1e-2")?.numberValue?.text, "1e-2")
        XCTAssertEqual(parse("-0")?.numberValue?.text, "-0")
        XCTAssertEqual(parse("0.0e0")?.numberValue?.text, "0.0e0")
        XCTAssertEqual(parse(#""\ud83d\ude00""#), .string("😀"))
        XCTAssertEqual(parse(#""\uD83D\uDE00""#), .string("😀"))
        XCTAssertEqual(parse(#""\u00e9\u0041\u20AC""#), .string("éA€"))
        XCTAssertEqual(parse(#""\u0000""#), .string("\u{0}"))
        XCTAssertEqual(parse(#""\/""#), .string("/"))
        XCTAssertEqual(parse("{}"), .object([:]))
        XCTAssertEqual(parse("[]"), .array([]))
        XCTAssertEqual(parse(" \t\r\n [ 1 , { \"a\" : [ ] } ] \n\t\r "), [1, ["a": []]])
        XCTAssertEqual(parse("\"é😀 raw UTF-8\""), .string("é😀 raw UTF-8"))
        XCTAssertEqual(parse("\"\u{7F}\""), .string("\u{7F}"))  // DEL need not be escaped
        // Escapes interleaved with raw multi-byte text.
        XCTAssertEqual(parse(#""é\n😀\tx\"""#), .string("é\n😀\tx\""))
        // Long strings exercise the word-at-a-time scan, with specials at every offset.
        for n in 0..<40 {
            let body = String(repeating: "a", count: n)
            XCTAssertEqual(parse("\"\(body)\\n\(body)\""), .string("\(body)\n\(body)"))
            XCTAssertEqual(parseError("\"\(body)\n\"")?.offset, 1 + n)
        }
    }

    func testBigNumbersKeptVerbatim() {
        let text = "[12345678901234567890123456789,1e400,-1e-400,0.10000000000000000000001]"
        assertRoundTrip(text)
        let value = parse(text)
        XCTAssertNil(value?[0]?.intValue)
        XCTAssertNil(value?[1]?.doubleValue)
        XCTAssertEqual(value?[2]?.doubleValue, 0)
    }

    func testParseEntryPoints() throws {
        let text = #"{"k":[1,"two"]}"#
        let expected: JSONValue = ["k": [1, "two"]]
        XCTAssertEqual(try JSONParser.parse(text), expected)
        XCTAssertEqual(try JSONParser.parse(Array(text.utf8)), expected)
        XCTAssertEqual(try JSONParser.parse(Array(text.utf8)[...]), expected)
        XCTAssertEqual(try JSONParser.parse(text.utf8), expected)
        XCTAssertEqual(try JSONParser.parse(AnyCollection(text.utf8)), expected)  // non-contiguous
        XCTAssertEqual(try Array(text.utf8).withUnsafeBytes { try JSONParser.parse($0) }, expected)
        XCTAssertEqual(try JSONValue(parsing: text), expected)
        XCTAssertEqual(try JSONValue(parsing: Array(text.utf8)), expected)
    }

    // MARK: - Rejections

    func testRejectsInvalidDocuments() {
        let invalid: [String] = [
            "", " ", "[1,]", #"{"a":1,}"#, "[01]", "01", "-01", "[-]", "-", "[.1]", "[1.]", "[1e]",
            "[1e+]", "[1E-]", "[+1]", "[NaN]", "[-NaN]", "[Infinity]", "[-Infinity]", "[0x10]",
            "[1.5.3]", "{'a':1}", "['a']", "[1] x", "[1]]", "{} {}", "1 2", "[1 2]", #"{"a" 1}"#,
            #"{"a":}"#, "{1:2}", #"{"a":1 "b":2}"#, "[,1]", "[1,,2]", "[", "{", #"{"a""#,
            #"{"a":"#, "[1", "[1,", "tru", "truee", "nul", "False", "[true false]",
            "/* c */ 1", "1 // c", "[1]//", #""abc"#, #""\"#, #""\x""#, #""\u12""#, #""\u12G4""#,
            #""\U0041""#, #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, #""\ud800\ud800""#,
            #""\ud800x""#, #""\ud800\""#, "\"\t\"", "\"a\nb\"", "\u{FEFF}[]", "[1]\u{0}",
        ]
        for text in invalid {
            XCTAssertNotNil(parseError(text), "should reject \(text.debugDescription)")
        }
        XCTAssertNotNil(parseError([0x22, 0x00, 0x22]), "raw NUL in string")
        XCTAssertNotNil(parseError([0x22, 0x1F, 0x22]), "raw U+001F in string")
    }

    func testRejectsInvalidUTF8InStrings() {
        let cases: [([UInt8], Int)] = [
            ([0x22, 0xC0, 0x80, 0x22], 1),  // overlong NUL
            ([0x22, 0xE0, 0x80, 0xAF, 0x22], 1),  // overlong "/"
            ([0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22], 1),  // overlong 4-byte
            ([0x22, 0x61, 0xED, 0xA0, 0x80, 0x22], 2),  // UTF-8-encoded surrogate U+D800
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1),  // U+110000
            ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1),  // invalid lead
            ([0x22, 0x80, 0x22], 1),  // stray continuation
            ([0x22, 0x61, 0x62, 0xC3, 0x22], 3),  // truncated sequence
            ([0x22, 0xFF, 0x22], 1),
            ([0x22, 0x5C, 0x6E, 0xC3, 0x28, 0x22], 3),  // after an escape (slow path)
            ([0x7B, 0x22, 0xC3, 0x22, 0x3A, 0x31, 0x7D], 2),  // in a key
        ]
        for (bytes, offset) in cases {
            let error = parseError(bytes)
            XCTAssertEqual(error?.offset, offset, "\(bytes)")
            XCTAssertEqual(error?.message, "Invalid UTF-8 in string at offset \(offset)", "\(bytes)")
        }
    }

    func testErrorMessagesAndOffsets() {
        let cases: [(String, String, Int)] = [
            ("[1,]", "Unexpected character ']' at offset 3", 3),
            (#"{"a":1,}"#, "Unexpected character '}' at offset 7", 7),
            ("[01]", "Invalid number at offset 1", 1),
            ("[1.]", "Invalid number at offset 1", 1),
            ("[-]", "Invalid number at offset 1", 1),
            ("[1e]", "Invalid number at offset 1", 1),
            ("[.1]", "Unexpected character '.' at offset 1", 1),
            ("[NaN]", "Unexpected character 'N' at offset 1", 1),
            ("{'a':1}", "Unexpected character ''' at offset 1", 1),
            ("[1] x", "Trailing characters after JSON value at offset 4", 4),
            ("", "Unexpected end of input", 0),
            ("  [1, 2", "Unexpected end of input", 7),
            ("[\"abc", "Unterminated string at offset 1", 1),
            ("[\"a\u{1}\"]", "Unescaped control character U+0001 in string at offset 3", 3),
            (#"["\q"]"#, "Invalid escape sequence at offset 2", 2),
            (#"["\ud800"]"#, "Unpaired surrogate escape at offset 2", 2),
            (#"["x\udc00"]"#, "Unpaired surrogate escape at offset 3", 3),
            ("[tru]", "Invalid literal at offset 1", 1),
            ("\u{FEFF}{}", "Byte order mark (U+FEFF) is not allowed at offset 0", 0),
            (#"{"a" 1}"#, "Unexpected character '1' at offset 5", 5),
            ("[1\u{0}]", "Unexpected byte 0x00 at offset 2", 2),
        ]
        for (text, message, offset) in cases {
            let error = parseError(text)
            XCTAssertEqual(error?.message, message, text.debugDescription)
            XCTAssertEqual(error?.offset, offset, text.debugDescription)
            XCTAssertEqual(error?.description, message)
        }
    }

    func testNestingLimit() throws {
        // 100 000 unclosed brackets: a clean error, no stack overflow.
        let deep = String(repeating: "[", count: 100_000)
        XCTAssertEqual(parseError(deep)?.message, "Nesting deeper than 512 levels")
        XCTAssertEqual(parseError(deep)?.offset, 512)
        let deepObjects = String(repeating: #"{"a":"#, count: 100_000)
        XCTAssertEqual(parseError(deepObjects)?.message, "Nesting deeper than 512 levels")

        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        XCTAssertNotNil(parse(ok))
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        XCTAssertEqual(parseError(tooDeep)?.message, "Nesting deeper than 512 levels")

        let options = JSONParseOptions(maxDepth: 2)
        XCTAssertNoThrow(try JSONParser.parse("[[1]]", options: options))
        XCTAssertThrowsError(try JSONParser.parse("[[[1]]]", options: options)) { error in
            XCTAssertEqual((error as? JSONParseError)?.message, "Nesting deeper than 2 levels")
        }
        XCTAssertNoThrow(try JSONParser.parse("1", options: JSONParseOptions(maxDepth: 0)))
    }

    // MARK: - Objects

    func testDuplicateKeysLastValueFirstPosition() {
        let value = parse(#"{"a":1,"b":2,"a":3}"#)
        XCTAssertEqual(value?.objectValue?.keys, ["a", "b"])
        XCTAssertEqual(value?["a"], 3)
        XCTAssertEqual(value?.serialized(), #"{"a":3,"b":2}"#)

        // Same rule for large (indexed) objects.
        var text = "{"
        for n in 0..<40 { text += "\"k\(n)\":\(n)," }
        text += #""k5":"last"}"#
        let large = parse(text)?.objectValue
        XCTAssertEqual(large?.count, 40)
        XCTAssertEqual(large?["k5"], "last")
        XCTAssertEqual(large?.position(ofKey: "k5"), 5)
        for n in 0..<40 where n != 5 {
            XCTAssertEqual(large?["k\(n)"], JSONValue(n))
            XCTAssertEqual(large?.position(ofKey: "k\(n)"), n)
        }

        let literal: JSONObject = ["x": 1, "y": 2, "x": 9]
        XCTAssertEqual(literal.keys, ["x", "y"])
        XCTAssertEqual(literal["x"], 9)
    }

    func testKeyOrderPreserved() {
        let text = #"{"zeta":1,"alpha":2,"mid":3,"0":4}"#
        XCTAssertEqual(parse(text)?.objectValue?.keys, ["zeta", "alpha", "mid", "0"])
        assertRoundTrip(text)
    }

    func testObjectMutation() {
        for size in [3, 16, 17, 40] {  // both sides of the index threshold
            var object = JSONObject()
            for n in 0..<size { object["k\(n)"] = JSONValue(n) }
            XCTAssertEqual(object.count, size)
            XCTAssertEqual(object["k2"], 2)

            object["k1"] = "replaced"  // keeps position
            XCTAssertEqual(object.keys[1], "k1")
            XCTAssertEqual(object["k1"], "replaced")

            object["k0"] = nil  // removes
            XCTAssertNil(object["k0"])
            XCTAssertEqual(object.count, size - 1)
            XCTAssertEqual(object.keys.first, "k1")
            XCTAssertEqual(object["k2"], 2)

            object.insert("first", forKey: "new", at: 0)
            XCTAssertEqual(object.keys.first, "new")
            XCTAssertEqual(object["k2"], 2)
            object.insert(true, forKey: "k2", at: 0)  // moves an existing key
            XCTAssertEqual(Array(object.keys.prefix(2)), ["k2", "new"])
            XCTAssertEqual(object.count, size)
            XCTAssertEqual(object["k2"], true)

            XCTAssertEqual(object.removeValue(forKey: "new"), "first")
            XCTAssertNil(object.removeValue(forKey: "new"))
            XCTAssertFalse(object.contains(key: "new"))
            XCTAssertTrue(object.contains(key: "k1"))
            for (p, key) in object.keys.enumerated() {
                XCTAssertEqual(object.position(ofKey: key), p)
            }
            object["null"] = .null  // null is a value, not a removal
            XCTAssertEqual(object["null"], .null)
        }
        XCTAssertTrue(JSONObject().isEmpty)
        let pairs = JSONObject([("b", 1), ("a", 2)])
        XCTAssertEqual(pairs.map(\.key), ["b", "a"])
        XCTAssertEqual(pairs.values, [1, 2])
    }

    func testObjectEqualityIgnoresOrder() {
        let a: JSONObject = ["x": 1, "y": [1, 2]]
        let b: JSONObject = ["y": [1, 2], "x": 1]
        XCTAssertEqual(a, b)
        XCTAssertEqual(JSONValue.object(a), JSONValue.object(b))
        XCTAssertNotEqual(a, ["x": 1])
        XCTAssertNotEqual(a, ["x": 1, "y": [2, 1]])  // arrays are ordered
        XCTAssertNotEqual(a, ["x": 1, "z": [1, 2]])
        XCTAssertNotEqual(JSONValue(1), JSONValue("1"))
    }

    // MARK: - Serializer

    func testSerializerEscaping() {
        let cases: [(String, String)] = [
            ("\u{1f}", #""\u001f""#),
            ("\u{0}", #""\u0000""#),
            ("\u{b}", #""\u000b""#),
            ("\u{8}\u{c}\n\r\t", #""\b\f\n\r\t""#),
            ("\"\\", #""\"\\""#),
            ("a/b", #""a/b""#),
            ("\u{7f}", "\"\u{7f}\""),
            ("é😀\u{2028}", "\"é😀\u{2028}\""),
            ("", #""""#),
            ("plain text with no escapes at all", #""plain text with no escapes at all""#),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(JSONValue.string(input).serialized(), expected)
            var out: [UInt8] = Array("x".utf8)
            JSONValue.writeString(input, into: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), "x" + expected)
            // And back.
            XCTAssertEqual(parse(expected), .string(input))
        }
        // Escapes every control character the way JSON.stringify does.
        let controls = String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar(UInt8($0)) }))
        XCTAssertEqual(
            JSONValue.string(controls).serialized(),
            #""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f"#
                + #"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f""#)
    }

    func testCompactSerialization() {
        let value: JSONValue = ["a": 1, "b": [true, nil, 2.5, "s"], "c": [:], "d": []]
        XCTAssertEqual(value.serialized(), #"{"a":1,"b":[true,null,2.5,"s"],"c":{},"d":[]}"#)
        XCTAssertEqual(value.description, value.serialized())
        var buffer: [UInt8] = []
        value.write(into: &buffer)
        value.write(into: &buffer)
        XCTAssertEqual(
            String(decoding: buffer, as: UTF8.self),
            #"{"a":1,"b":[true,null,2.5,"s"],"c":{},"d":[]}{"a":1,"b":[true,null,2.5,"s"],"c":{},"d":[]}"#)
    }

    func testPrettyPrinting() {
        let value: JSONValue = ["b": [1, ["x": nil]], "a": "s", "e": [], "o": [:]]
        // Same as JavaScript's JSON.stringify(value, null, 2).
        XCTAssertEqual(
            value.serialized(pretty: true, sortedKeys: false),
            """
            {
              "b": [
                1,
                {
                  "x": null
                }
              ],
              "a": "s",
              "e": [],
              "o": {}
            }
            """)
        XCTAssertEqual(
            value.serialized(pretty: true, sortedKeys: true),
            """
            {
              "a": "s",
              "b": [
                1,
                {
                  "x": null
                }
              ],
              "e": [],
              "o": {}
            }
            """)
        XCTAssertEqual(value.serialized(pretty: false, sortedKeys: true), #"{"a":"s","b":[1,{"x":null}],"e":[],"o":{}}"#)
        XCTAssertEqual(value.serialized(pretty: false, sortedKeys: false), value.serialized())
        XCTAssertEqual(JSONValue(7).serialized(pretty: true), "7")
        // Pretty output parses back to the same value.
        XCTAssertEqual(parse(value.serialized(pretty: true)), value)
    }

    // MARK: - Numbers

    func testNumberAccessors() {
        func number(_ text: String) -> JSONNumber {
            JSONNumber(text)!
        }
        XCTAssertEqual(number("42").int, 42)
        XCTAssertEqual(number("-42").int, -42)
        XCTAssertEqual(number("1.0").int, 1)
        XCTAssertEqual(number("1e2").int, 100)
        XCTAssertEqual(number("1.50e1").int, 15)
        XCTAssertEqual(number("-0").int, 0)
        XCTAssertEqual(number("0.000e5").int, 0)
        XCTAssertEqual(number("100e-2").int, 1)
        XCTAssertNil(number("1.5").int)
        XCTAssertNil(number("1e-1").int)
        XCTAssertNil(number("1e19").int)
        XCTAssertNil(number("1e999999999999999999").int)
        XCTAssertEqual(number("9223372036854775807").int64, Int64.max)
        XCTAssertEqual(number("-9223372036854775808").int64, Int64.min)
        XCTAssertNil(number("9223372036854775808").int64)
        XCTAssertNil(number("-9223372036854775809").int64)
        XCTAssertEqual(number("18446744073709551615").uint64, UInt64.max)
        XCTAssertNil(number("18446744073709551616").uint64)
        XCTAssertNil(number("-1").uint64)
        XCTAssertEqual(number("-0").uint64, 0)

        XCTAssertTrue(number("1.0").isInteger)
        XCTAssertTrue(number("1e400").isInteger)
        XCTAssertTrue(number("12345678901234567890123").isInteger)
        XCTAssertTrue(number("0.0").isInteger)
        XCTAssertFalse(number("1.5").isInteger)
        XCTAssertFalse(number("1e-400").isInteger)

        XCTAssertEqual(number("1.5").double, 1.5)
        XCTAssertEqual(number("-2.5E-3").double, -0.0025)
        XCTAssertNil(number("1e400").double)
        XCTAssertEqual(number("1e-400").double, 0)

        XCTAssertNil(JSONNumber("01"))
        XCTAssertNil(JSONNumber("+1"))
        XCTAssertNil(JSONNumber(" 1"))
        XCTAssertNil(JSONNumber("NaN"))
        XCTAssertNil(JSONNumber(""))

        // Equality is by text.
        XCTAssertNotEqual(number("1"), number("1.0"))
        XCTAssertEqual(number("1.0"), number("1.0"))
        XCTAssertEqual(JSONValue(1), parse("1"))
        XCTAssertNotEqual(JSONValue(1), parse("1.0"))
        XCTAssertEqual(parse("1.0")?.intValue, 1)
    }

    func testNumberConstructors() {
        XCTAssertEqual(JSONNumber(Int.min).text, "-9223372036854775808")
        XCTAssertEqual(JSONNumber(Int64(7)).text, "7")
        XCTAssertEqual(JSONNumber(UInt64.max).text, "18446744073709551615")
        // Doubles are written like JavaScript's Number#toString.
        let doubles: [(Double, String)] = [
            (3.0, "3"), (-0.0, "0"), (0.1, "0.1"), (0.1 + 0.2, "0.30000000000000004"),
            (-1.5, "-1.5"), (1e15, "1000000000000000"), (1e16, "10000000000000000"),
            (1152921504606846976, "1152921504606847000"), (1e20, "100000000000000000000"),
            (1e21, "1e+21"), (1.5e300, "1.5e+300"), (1e-6, "0.000001"), (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"), (123.456, "123.456"), (Double.leastNonzeroMagnitude, "5e-324"),
            (Double.greatestFiniteMagnitude, "1.7976931348623157e+308"),
            (9007199254740994, "9007199254740994"), (12345678.0, "12345678"),
            (0.000123, "0.000123"),
        ]
        for (value, text) in doubles {
            XCTAssertEqual(JSONNumber(value)?.text, text, "\(value)")
            XCTAssertEqual(JSONNumber(value)?.double, value == 0 ? 0 : value)
        }
        XCTAssertNil(JSONNumber(Double.nan))
        XCTAssertNil(JSONNumber(Double.infinity))
        XCTAssertEqual(JSONValue(Double.nan), .null)
        XCTAssertEqual(JSONValue(-Double.infinity), .null)
        let literal: JSONNumber = 2.5
        XCTAssertEqual(literal.description, "2.5")
    }

    // MARK: - Values

    func testValueConveniences() {
        let value: JSONValue = ["s": "x", "b": false, "n": 3, "d": 1.5, "a": [1, 2], "o": ["k": nil], "z": nil]
        XCTAssertEqual(value["s"]?.stringValue, "x")
        XCTAssertEqual(value["b"]?.boolValue, false)
        XCTAssertEqual(value["n"]?.intValue, 3)
        XCTAssertEqual(value["n"]?.numberValue?.text, "3")
        XCTAssertEqual(value["d"]?.doubleValue, 1.5)
        XCTAssertEqual(value["a"]?[1], 2)
        XCTAssertNil(value["a"]?[2])
        XCTAssertNil(value["a"]?[-1])
        XCTAssertEqual(value["a"]?.arrayValue?.count, 2)
        XCTAssertEqual(value["o"]?.objectValue?.keys, ["k"])
        XCTAssertEqual(value["o"]?["k"]?.isNull, true)
        XCTAssertEqual(value["z"], .null)
        XCTAssertNil(value["missing"])
        XCTAssertNil(value["s"]?["x"])  // not an object
        XCTAssertNil(value[0])  // not an array
        XCTAssertNil(value["s"]?.intValue)
        XCTAssertNil(value["n"]?.stringValue)
        XCTAssertEqual(
            [JSONValue.null, true, 1, "s", [], [:]].map(\.typeName),
            ["null", "boolean", "number", "string", "array", "object"])
        XCTAssertEqual(JSONValue(true), .bool(true))
        XCTAssertEqual(JSONValue("t"), .string("t"))
        XCTAssertEqual(JSONValue(Int64(5)), 5)
        XCTAssertEqual(JSONValue(UInt64(5)), 5)
    }

    func testLargeDocumentRoundTrip() throws {
        // ~1 MB: many objects, strings with escapes, numbers; also a 1 MB string value.
        var items: [JSONValue] = []
        for n in 0..<5000 {
            items.append([
                "id": JSONValue(n), "name": JSONValue("item \(n) \"quoted\" é"), "price": JSONValue(Double(n) / 8),
                "tags": ["a", "b\n", JSONValue(n % 2 == 0)], "nested": ["deep": [nil, 1e300]],
            ])
        }
        let document = JSONValue.array(items)
        let text = document.serialized()
        let parsed = try JSONParser.parse(text)
        XCTAssertEqual(parsed, document)
        XCTAssertEqual(parsed.serialized(), text)

        let config = JSONValue.string(String(repeating: #"{"key":"va\lue"}"#, count: 60_000))
        let configText = config.serialized()
        XCTAssertEqual(try JSONParser.parse(configText), config)
    }
}
