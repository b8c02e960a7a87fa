// The JSON body of a request, read the way FastAPI's pydantic models read it:
// a missing or undecodable body, a body that is not an object, a missing
// required field or a field of the wrong type is a 422 naming its location.
import PluginAPI
import PluginKit
import ProteusJSON

struct RequestBody {
    let object: JSONObject

    init(_ request: Request) throws(Failure) {
        guard !request.bodyIsEmpty else { throw .validation(.missing(["body"])) }
        let value: JSONValue
        do { value = try JSONParser.parse(request.body) } catch {
            throw .validation(Failure.Issue(loc: ["body", 0], msg: "JSON decode error", type: "json_invalid"))
        }
        guard case .object(let o) = value else {
            throw .validation(Failure.Issue(loc: ["body"], msg: "Input should be a valid dictionary or object to extract fields from", type: "model_attributes_type"))
        }
        object = o
    }

    func has(_ key: String) -> Bool { object[key] != nil }

    /// A required string field.
    func string(_ key: String) throws(Failure) -> String {
        guard let v = object[key] else { throw .validation(.missing(["body", .string(key)])) }
        guard let s = v.stringValue else { throw .validation(.notString(["body", .string(key)])) }
        return s
    }

    /// Several required string fields; every missing or mistyped one is
    /// reported in one 422, as pydantic does.
    func strings(_ keys: [String]) throws(Failure) -> [String] {
        var values: [String] = []
        var issues: [Failure.Issue] = []
        for key in keys {
            switch object[key] {
            case nil: issues.append(.missing(["body", .string(key)]))
            case .string(let s)?: values.append(s)
            case _?: issues.append(.notString(["body", .string(key)]))
            }
        }
        if !issues.isEmpty { throw .validation(issues) }
        return values
    }

    /// An optional string field: nil when absent; `.some(nil)` when null.
    func optionalString(_ key: String) throws(Failure) -> String?? {
        guard let v = object[key] else { return nil }
        if v.isNull { return .some(nil) }
        guard let s = v.stringValue else { throw .validation(.notString(["body", .string(key)])) }
        return .some(s)
    }
}
