// Reading requests as the panel (Koa + koa-body + its validator middleware)
// does: JSON or form bodies (nested `a[b]=` keys as `qs` reads them), query
// strings with repeated keys as arrays, and the validator's coercions.
import PluginKit
import ProteusJSON

enum RequestInput {
    /// The query string as an object; a repeated name becomes an array.
    static func query(_ request: Request) -> JSONObject {
        var out = JSONObject()
        for (name, value) in request.queryItems {
            switch out[name] {
            case nil: out[name] = .string(value)
            case .array(var items)?: items.append(.string(value)); out[name] = .array(items)
            case let existing?: out[name] = .array([existing, .string(value)])
            }
        }
        return out
    }

    /// The body: JSON (objects and arrays only, as koa-body's strict JSON
    /// parser), `application/x-www-form-urlencoded` (nested keys), plain text
    /// as a string. No body is an empty object. Without a Content-Type, a
    /// body that starts like JSON is read as JSON and anything else as a form.
    static func body(_ request: Request) throws(MCSMFailure) -> JSONValue {
        let bytes = request.body
        if bytes.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }) { return .object(JSONObject()) }
        let type = request.contentType
        switch type {
        case "application/json", "application/json-patch+json", "application/vnd.api+json", "application/csp-report":
            return try json(bytes)
        case "application/x-www-form-urlencoded":
            return .object(FormObject.decode(bytes))
        case "text/plain":
            return .string(String(decoding: bytes, as: UTF8.self))
        case nil:
            let first = bytes.first { !($0 == 32 || $0 == 9 || $0 == 10 || $0 == 13) }
            if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") { return try json(bytes) }
            return .object(FormObject.decode(bytes))
        case let t? where t.hasSuffix("+json"):
            return try json(bytes)
        default:
            throw MCSMFailure(415, "Unsupported Media Type")
        }
    }

    private static func json(_ bytes: UnsafeRawBufferPointer) throws(MCSMFailure) -> JSONValue {
        guard let value = try? JSONParser.parse(bytes) else { throw MCSMFailure(400, "Request body is not valid JSON") }
        switch value {
        case .object, .array: return value
        default: throw MCSMFailure(400, "Request body is not valid JSON")
        }
    }
}

/// The panel's validator middleware: each declared key in order must be
/// present and not "" (`"<key>" is required!`); Number keys must convert
/// (`"<key>" is not a number`); String keys are converted with String().
/// A body that is not an object has no keys.
struct Validated {
    let object: JSONObject

    init(_ value: JSONValue) {
        object = value.objectValue ?? JSONObject()
    }

    init(_ object: JSONObject) { self.object = object }

    private func present(_ key: String) throws(MCSMFailure) -> JSONValue {
        guard let v = object[key], !v.isNull, v != .string("") else { throw MCSMFailure.required(key) }
        return v
    }

    /// Strings as they are, numbers in JavaScript's spelling (forms and
    /// loose clients send either). Objects, arrays and booleans are refused
    /// (the panel would store "[object Object]").
    func string(_ key: String) throws(MCSMFailure) -> String {
        let v = try present(key)
        switch v {
        case .string(let s): return s
        case .number: return JSCoercion.string(v)
        default: throw MCSMFailure.notA("string", key)
        }
    }

    func number(_ key: String) throws(MCSMFailure) -> Double {
        let n = JSCoercion.number(try present(key))
        guard !n.isNaN else { throw MCSMFailure.notANumber(key) }
        return n
    }

    /// Optional values as the handlers read them (no validator).
    subscript(key: String) -> JSONValue? {
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }
}

extension JSONValue {
    static func int(_ n: Int) -> JSONValue { .number(JSONNumber(n)) }
}
