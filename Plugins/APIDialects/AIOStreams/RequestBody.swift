// Reading a JSON request body as the original's express.json() does, but
// answering malformed JSON with 400 instead of the original's 500.
import PluginKit
import ProteusJSON

enum RequestBody {
    /// The body as an object; an empty body is an empty object.
    static func object(_ request: Request) throws(AIOFailure) -> JSONObject {
        let body = request.body
        if body.count == 0 || body.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }) {
            return JSONObject()
        }
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch {
            throw AIOFailure(.badRequest, "Invalid JSON in request body: \(error.message)")
        }
        guard case .object(let object) = value else {
            throw AIOFailure(.badRequest, "Request body must be a JSON object, not \(value.typeName)")
        }
        return object
    }
}

extension JSONValue {
    /// JavaScript truthiness, for the original's `if (!field)` checks.
    var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .number(let n): return (n.double ?? 1) != 0
        case .string(let s): return !s.isEmpty
        case .array, .object: return true
        }
    }
}
