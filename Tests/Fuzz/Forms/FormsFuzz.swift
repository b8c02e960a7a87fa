// Fuzz target: the text decoders dialects run on query strings, form bodies
// and credentials — PluginKit's FormDecoding (name=value&...), Base64 (both
// alphabets), MultipartForm (multipart/form-data bodies and their boundary),
// the MCSManager dialect's FormObject (qs-style nested keys) and JSCoercion
// (JavaScript's Number/String), and the transport's percentDecodePath and isValidUTF8 on
// arbitrary bytes (the request parser only ever hands them RFC 3986 bytes).
//
// Input: the bytes, used as a query/form body, as Base64 text, as bytes to
// encode, as a path and as a number's text.
//
// Checked: no crash, over-read or leak; FormDecoding matches a reference
// decoder pair for pair, and its pairs percent-encoded again decode to the
// same pairs; FormObject keeps every pair with a name as exactly one string
// leaf (nothing dropped or duplicated by the merging rules) and its result
// serialises to JSON that parses back equal; Base64 decodes only canonical
// text (its own encoding of the result, padding aside) and decode(encode(x))
// is x in all four alphabet/padding combinations; percentDecodePath matches
// a reference decoder; isValidUTF8 agrees with Swift's validating decoder;
// JSCoercion.number agrees with Double on JSON-style decimals and reads
// numberText back to the same Double; MultipartForm's parts, written again,
// parse to the same parts, and a boundary it takes is one RFC 2046 allows.
import FuzzSupport
import HTTPTransport
import MCSManager
import PluginKit
import ProteusJSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let raw = UnsafeRawBufferPointer(bytes)
    checkFormDecoding(raw)
    checkFormObject(raw)
    checkBase64(bytes)
    checkPercentDecoding(bytes)
    checkCoercion(String(decoding: bytes, as: UTF8.self))
    checkMultipart(Array(bytes))
    return 0
}

// MARK: MultipartForm

/// The bytes as a multipart body (boundary "fuzzb") and as a Content-Type:
/// no crash; a boundary taken from a Content-Type is one RFC 2046 allows;
/// parts parsed, written again and parsed again are the same parts.
func checkMultipart(_ bytes: [UInt8]) {
    if let boundary = try? MultipartForm.boundary(contentType: String(decoding: bytes, as: UTF8.self)) {
        precondition((1...70).contains(boundary.utf8.count) && boundary.utf8.last != 32, "boundary \(boundary)")
    }
    guard let parts = try? MultipartForm.parse(bytes, boundary: "fuzzb") else { return }
    precondition(!parts.isEmpty)
    func quoted(_ s: String) -> String {
        "\"" + s.replacingBackslashAndQuote() + "\""
    }
    var again: [UInt8] = []
    for part in parts {
        var disposition = "Content-Disposition: form-data; name=" + quoted(part.name)
        if let filename = part.filename { disposition += "; filename=" + quoted(filename) }
        again += Array("--fuzzb\r\n\(disposition)\r\n\r\n".utf8) + part.body + Array("\r\n".utf8)
    }
    again += Array("--fuzzb--\r\n".utf8)
    guard let reparsed = try? MultipartForm.parse(again, boundary: "fuzzb") else { preconditionFailure("written parts do not parse") }
    precondition(reparsed.count == parts.count)
    for (a, b) in zip(parts, reparsed) {
        precondition(a.name == b.name && a.filename == b.filename && a.body == b.body, "part changed")
    }
}

extension String {
    func replacingBackslashAndQuote() -> String {
        var out = ""
        for c in unicodeScalars {
            if c == "\\" || c == "\"" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(c)
        }
        return out
    }
}

// MARK: FormDecoding

func referenceFormDecode(_ bytes: [UInt8]) -> [(String, String)] {
    func component(_ s: ArraySlice<UInt8>) -> String {
        let s = Array(s)
        var out: [UInt8] = []
        var i = 0
        while i < s.count {
            if s[i] == UInt8(ascii: "+") {
                out.append(0x20); i += 1
            } else if s[i] == UInt8(ascii: "%"), i + 2 < s.count, let h = referenceHexValue(s[i + 1]), let l = referenceHexValue(s[i + 2]) {
                out.append(h << 4 | l); i += 3
            } else {
                out.append(s[i]); i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
    return bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).map { pair in
        if let eq = pair.firstIndex(of: UInt8(ascii: "=")) {
            return (component(pair[pair.startIndex..<eq]), component(pair[(eq + 1)...]))
        }
        return (component(pair), "")
    }
}

/// Percent-encodes everything but unreserved characters.
func formEncode(_ text: String) -> String {
    var out = ""
    for b in text.utf8 {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(b))
        default:
            out += "%" + String(b >> 4, radix: 16) + String(b & 15, radix: 16)
        }
    }
    return out
}

func checkFormDecoding(_ raw: UnsafeRawBufferPointer) {
    let items = FormDecoding.decode(raw)
    let reference = referenceFormDecode(Array(raw))
    fuzzCheck(items.count == reference.count, "\(items.count) pairs, reference \(reference.count)")
    for (a, b) in zip(items, reference) {
        fuzzCheck(a.name == b.0 && a.value == b.1, "pair (\(a.name), \(a.value)) vs reference (\(b.0), \(b.1))")
    }
    let encoded = items.map { formEncode($0.name) + "=" + formEncode($0.value) }.joined(separator: "&")
    let again = FormDecoding.decode(encoded)
    // A pair with an empty name and value encodes as "=", which decodes as
    // ("", ""): still one pair.
    fuzzCheck(again.count == items.count && zip(again, items).allSatisfy { $0.name == $1.name && $0.value == $1.value },
              "re-encoded pairs decode differently: \(encoded)")
}

// MARK: FormObject

func countLeaves(_ value: JSONValue) -> Int {
    switch value {
    case .string: return 1
    case .array(let items): return items.reduce(0) { $0 + countLeaves($1) }
    case .object(let o): return o.values.reduce(0) { $0 + countLeaves($1) }
    default: fuzzFail("FormObject produced \(value.typeName)")
    }
}

func checkFormObject(_ raw: UnsafeRawBufferPointer) {
    let object = FormObject.decode(raw)
    let pairs = FormDecoding.decode(raw).prefix(FormObject.maxParameters).filter { !$0.name.isEmpty }
    let leaves = countLeaves(.object(object))
    fuzzCheck(leaves == pairs.count, "\(pairs.count) named pairs became \(leaves) values: \(JSONValue.object(object).serialized().prefix(300))")
    let text = JSONValue.object(object).serialized()
    fuzzCheck((try? JSONParser.parse(text)) == .object(object), "FormObject result does not survive JSON: \(text.prefix(300))")
}

// MARK: Base64

func checkBase64(_ bytes: UnsafeBufferPointer<UInt8>) {
    let text = String(decoding: bytes, as: UTF8.self)
    var unpadded = Substring(text)
    while unpadded.last == "=" { unpadded.removeLast() }
    for urlSafe in [nil, false, true] as [Bool?] {
        guard let decoded = Base64.decode(text, urlSafe: urlSafe) else { continue }
        var canonical = String(unpadded)
        if urlSafe == nil {
            canonical = String(canonical.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        }
        let encoded = Base64.encode(decoded, urlSafe: urlSafe == true, padding: false)
        fuzzCheck(encoded == canonical, "decode(\(text), urlSafe: \(String(describing: urlSafe))) accepted non-canonical text (re-encodes as \(encoded))")
    }
    for urlSafe in [false, true] {
        for padding in [false, true] {
            let encoded = Base64.encode(bytes, urlSafe: urlSafe, padding: padding)
            fuzzCheck(Base64.decode(encoded, urlSafe: urlSafe) == Array(bytes), "round trip urlSafe \(urlSafe) padding \(padding)")
            fuzzCheck(Base64.decode(encoded) == Array(bytes), "round trip, either alphabet")
        }
    }
}

// MARK: percent-decoding and UTF-8

func checkPercentDecoding(_ bytes: UnsafeBufferPointer<UInt8>) {
    let result = percentDecodePath(ByteView(base: bytes.baseAddress, count: bytes.count))
    let reference = referencePercentDecode(Array(bytes))
    fuzzCheck(result == reference, "percentDecodePath(\(escaped(bytes))) = \(result), reference \(reference)")
    fuzzCheck(isValidUTF8(Array(bytes)) == (String(validating: bytes, as: UTF8.self) != nil),
              "isValidUTF8(\(escaped(bytes))) disagrees with Swift")
}

// MARK: JSCoercion

func checkCoercion(_ text: String) {
    let n = JSCoercion.number(text)
    let trimmed = JSCoercion.trimWhitespace(text)
    if let json = JSONNumber(trimmed), let d = Double(trimmed) {
        // JSON's number grammar is a subset of JavaScript's StringNumericLiteral.
        fuzzCheck(n == d || (n.isNaN && d.isNaN), "Number(\(trimmed)) = \(n), Double says \(d) (\(json.text))")
    }
    if n.isFinite {
        let printed = JSCoercion.numberText(n)
        fuzzCheck(JSCoercion.number(printed) == n, "Number(String(\(n))) via \(printed) is \(JSCoercion.number(printed))")
    }
    let value = JSONValue.string(text)
    _ = JSCoercion.truthy(value)
    _ = JSCoercion.boolean(value)
    fuzzCheck(JSCoercion.string(value) == text, "String() of a string changed it")
    if let parsed = try? JSONParser.parse(text) {
        _ = JSCoercion.number(parsed)
        _ = JSCoercion.string(parsed)
        _ = JSCoercion.truthy(parsed)
        _ = JSCoercion.boolean(parsed)
    }
}
