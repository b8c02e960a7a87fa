// Fuzz target: what the MCSManager dialect decodes from a request before it
// reaches the store — the query string as an object (RequestInput.query),
// the body by Content-Type (JSON, qs-style nested form, text;
// RequestInput.body), the validator's string/number coercions (Validated),
// the API key (header, else ?apikey=), the session cookie and the
// X-Requested-With check (Access).
//
// Input: LF-separated fields — Content-Type, Cookie, X-Request-API-Key,
// X-Requested-With (an empty line: no such header), the raw query string,
// then the body (the rest, LFs included).
//
// Checked: no crash, over-read or leak; the query object holds exactly one
// string per query pair (repeated names as arrays, in order); the body is
// decoded as the Content-Type says — JSON types give the parsed
// object/array or a 400, forms give FormObject's object, text/plain the
// text, no type sniffs '{'/'[' — blank bodies are {}, and other types are
// 415; validated strings/numbers are what JavaScript's String()/Number()
// give for the value, and refusals are 400s; the API key is the header when
// present, else the ?apikey= value; the cookie matches a reference
// Cookie-header reader; isAjax is a case-insensitive comparison.
import FuzzSupport
import MCSManager
import PluginKit
import ProteusJSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var reader = FuzzReader(data, size)
    let contentType = reader.field(until: 10)
    let cookie = reader.field(until: 10)
    let apiKey = reader.field(until: 10)
    let requestedWith = reader.field(until: 10)
    let query = reader.field(until: 10)
    let body = reader.rest()
    var headers: [(String, [UInt8])] = []
    if !contentType.isEmpty { headers.append(("Content-Type", contentType)) }
    if !cookie.isEmpty { headers.append(("Cookie", cookie)) }
    if !apiKey.isEmpty { headers.append(("X-Request-API-Key", apiKey)) }
    if !requestedWith.isEmpty { headers.append(("X-Requested-With", requestedWith)) }
    let fuzzRequest = FuzzRequest(method: "POST", path: "/api/auth", query: query, headers: headers, body: body)
    let request = Request(UnsafePointer(fuzzRequest.pointer))

    let queryObject = checkQuery(request)
    if case .success(let value) = checkBody(request, body, contentType: contentType.isEmpty ? nil : contentType) {
        for key in ["username", "password", "permission", "userName", "uuid", "0", "a"] {
            checkValidated(value, key)
        }
    }
    for (key, _) in queryObject { checkValidated(.object(queryObject), key) }
    checkAPIKey(request, queryObject, header: apiKey)
    checkCookie(request, cookie)
    let ajax = MCSManagerFuzzEntryPoints.isAjax(request)
    fuzzCheck(ajax == (String(decoding: requestedWith, as: UTF8.self).lowercased() == "xmlhttprequest"), "isAjax \(ajax)")
    return 0
}

func checkQuery(_ request: Request) -> JSONObject {
    let object = MCSManagerFuzzEntryPoints.query(request)
    let items = request.queryItems
    var expected: [String: [String]] = [:]
    for (name, value) in items { expected[name, default: []].append(value) }
    fuzzCheck(object.count == expected.count, "\(object.count) query names, \(expected.count) expected")
    for (name, values) in expected {
        switch object[name] {
        case .string(let s)? where values.count == 1:
            fuzzCheck(s == values[0], "?\(name)= is \(s), expected \(values[0])")
        case .array(let array)? where values.count > 1:
            fuzzCheck(array == values.map(JSONValue.string), "?\(name)= is \(array), expected \(values)")
        default:
            fuzzFail("?\(name)= is \(String(describing: object[name])), expected \(values)")
        }
    }
    return object
}

func checkBody(_ request: Request, _ body: [UInt8], contentType: [UInt8]?) -> Result<JSONValue, MCSManagerFuzzEntryPoints.Failure> {
    let result = MCSManagerFuzzEntryPoints.body(request)
    let blank = body.allSatisfy { $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }
    if blank {
        fuzzCheck((try? result.get()) == .object(JSONObject()), "blank body gave \(result)")
        return result
    }
    // The media type: before any ';', without surrounding SP/HTAB, lowercased.
    let type = contentType.map { bytes -> String in
        let text = String(decoding: bytes, as: UTF8.self)
        let first = text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? text
        return first.trimmingSpacesAndTabs().lowercased()
    }
    enum Kind { case json, form, text, unsupported }
    let kind: Kind
    switch type {
    case "application/json"?, "application/json-patch+json"?, "application/vnd.api+json"?, "application/csp-report"?: kind = .json
    case "application/x-www-form-urlencoded"?: kind = .form
    case "text/plain"?: kind = .text
    case nil:
        let first = body.first { !($0 == 32 || $0 == 9 || $0 == 10 || $0 == 13) }
        kind = first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? .json : .form
    case let t? where t.hasSuffix("+json"): kind = .json
    default: kind = .unsupported
    }
    switch (kind, result) {
    case (.json, .success(let value)):
        let parsed = try? JSONParser.parse(body)
        fuzzCheck(parsed == value && (value.objectValue != nil || value.arrayValue != nil), "JSON body gave \(value)")
    case (.json, .failure(let failure)):
        fuzzCheck(failure.status == 400, "JSON body refused with \(failure.status)")
        if let parsed = try? JSONParser.parse(body), parsed.objectValue != nil || parsed.arrayValue != nil {
            fuzzFail("a JSON \(parsed.typeName) body was refused")
        }
    case (.form, .success(let value)):
        let expected = body.withUnsafeBytes { FormObject.decode($0) }
        fuzzCheck(value == .object(expected), "form body gave \(value)")
    case (.text, .success(let value)):
        fuzzCheck(value == .string(String(decoding: body, as: UTF8.self)), "text body gave \(value)")
    case (.unsupported, .failure(let failure)):
        fuzzCheck(failure.status == 415, "type \(String(describing: type)) refused with \(failure.status)")
    default:
        fuzzFail("Content-Type \(String(describing: type)) (\(kind)) gave \(result)")
    }
    return result
}

func checkValidated(_ body: JSONValue, _ key: String) {
    let value = body.objectValue?[key]
    let present = value.map { !$0.isNull && $0 != .string("") } ?? false
    switch MCSManagerFuzzEntryPoints.validatedString(body, key) {
    case .success(let s):
        fuzzCheck(present, "\(key): string \(s) from an absent value")
        switch value {
        case .string(let t)?: fuzzCheck(s == t, "\(key): string \(s) from \(t)")
        case .number?: fuzzCheck(s == JSCoercion.string(value!), "\(key): string \(s) from a number")
        default: fuzzFail("\(key): string \(s) from \(String(describing: value))")
        }
    case .failure(let failure):
        fuzzCheck(failure.status == 400, "\(key): string refused with \(failure.status)")
    }
    switch MCSManagerFuzzEntryPoints.validatedNumber(body, key) {
    case .success(let n):
        fuzzCheck(present && !n.isNaN, "\(key): number \(n)")
        let expected = JSCoercion.number(value!)
        fuzzCheck(n == expected, "\(key): number \(n), Number() gives \(expected)")
    case .failure(let failure):
        fuzzCheck(failure.status == 400, "\(key): number refused with \(failure.status)")
        fuzzCheck(!present || JSCoercion.number(value!).isNaN, "\(key): number refused for \(String(describing: value))")
    }
}

func checkAPIKey(_ request: Request, _ query: JSONObject, header: [UInt8]) {
    let key = MCSManagerFuzzEntryPoints.apiKey(request, query)
    if !header.isEmpty {
        fuzzCheck(key == String(decoding: header, as: UTF8.self), "API key \(String(describing: key)) instead of the header")
    } else if let q = query["apikey"], !JSCoercion.string(q).isEmpty {
        fuzzCheck(key == JSCoercion.string(q), "API key \(String(describing: key)) instead of ?apikey=")
    } else {
        fuzzCheck(key == nil, "API key \(String(describing: key)) from nowhere")
    }
}

/// The first `MCSM_SESSION=` pair of the Cookie header: pairs split at ';',
/// SP/HTAB trimmed, the name compared exactly, one pair of surrounding
/// double quotes removed from the value.
func referenceCookie(_ header: [UInt8], _ name: String) -> String? {
    let text = String(decoding: header, as: UTF8.self)
    for part in text.split(separator: ";") {
        let pair = String(part).trimmingSpacesAndTabs()
        guard let eq = pair.firstIndex(of: "=") else { continue }
        guard pair[..<eq] == name else { continue }
        var value = String(pair[pair.index(after: eq)...])
        if value.count >= 2 && value.first == "\"" && value.last == "\"" { value = String(value.dropFirst().dropLast()) }
        return value
    }
    return nil
}

func checkCookie(_ request: Request, _ header: [UInt8]) {
    for name in ["MCSM_SESSION", "a"] {
        let value = MCSManagerFuzzEntryPoints.cookie(request, name)
        let expected = header.isEmpty ? nil : referenceCookie(header, name)
        fuzzCheck(value == expected, "cookie \(name) = \(String(describing: value)), expected \(String(describing: expected))")
    }
}
