// The data API's JSON bodies: application/json only, at most the option
// maxBodyBytes, one object, fields of the expected types. Anything else is
// refused before anything is read or written.
import PluginAPI
import PluginKit
import ProteusJSON

enum RequestBody {
    static func object(_ request: Request, limit: Int) throws(ConsoleFailure) -> JSONObject {
        guard request.contentType == "application/json" else {
            throw ConsoleFailure(415, "unsupported_media_type", "Send the body as JSON (Content-Type: application/json).")
        }
        guard request.body.count <= limit else {
            throw ConsoleFailure(413, "too_large", "The body is larger than \(limit) bytes.")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(request.body, options: JSONParseOptions(maxDepth: 32)) } catch {
            throw .badRequest("Malformed JSON: \(error.message) (at byte \(error.offset)).")
        }
        guard case .object(let object) = value else { throw .badRequest("The body must be a JSON object, not \(value.typeName).") }
        return object
    }

    static func string(_ body: JSONObject, _ key: String, maxBytes: Int) throws(ConsoleFailure) -> String {
        guard let value = try optionalString(body, key, maxBytes: maxBytes) else {
            throw .badRequest("\"\(key)\" is required (a string).")
        }
        return value
    }

    static func optionalString(_ body: JSONObject, _ key: String, maxBytes: Int) throws(ConsoleFailure) -> String? {
        switch body[key] {
        case nil, .null?: return nil
        case .string(let s)?:
            guard s.utf8.count <= maxBytes else { throw .badRequest("\"\(key)\" is longer than \(maxBytes) bytes.") }
            return s
        case let other?: throw .badRequest("\"\(key)\" must be a string, not \(other.typeName).")
        }
    }

    /// Refuses keys other than `known` (a typo never passes silently).
    static func only(_ body: JSONObject, _ known: Set<String>) throws(ConsoleFailure) {
        if let unknown = body.keys.first(where: { !known.contains($0) }) {
            throw .badRequest("Unknown field \"\(unknown)\" (expected: \(known.sorted().joined(separator: ", "))).")
        }
    }
}
