// Reading and checking request bodies: 400 with a message naming the field
// for bad JSON, a non-object body or a field of the wrong shape; nothing is
// written before the whole body has passed.
import PluginKit
import ProteusJSON

/// What a POST or PUT asks for; nil members were not sent (or are not writable).
struct UserInput {
    var username: String?
    var password: String?
    var name: String?
    var roles: [ErizosRole]?
    var settings: JSONValue?

    static let maxNameLength = 256
    static let maxUsernameLength = 128

    /// Parses a body. `_id`, `type`, `createdAt` and `updatedAt` are not
    /// writable and are ignored, as are members Erizos does not know.
    static func parse(_ request: Request) throws -> UserInput {
        let object = try body(request)
        var input = UserInput()
        if let v = object["username"] {
            guard case .string(let s) = v, validUsername(s) else {
                throw ErizosFailure(400, "username must be a non-empty string of at most \(maxUsernameLength) characters without control characters")
            }
            input.username = s
        }
        if let v = object["password"] {
            guard case .string(let s) = v, !s.isEmpty else { throw ErizosFailure(400, "password must be a non-empty string") }
            input.password = s
        }
        if let v = object["name"] {
            guard case .string(let s) = v, s.unicodeScalars.count <= maxNameLength else {
                throw ErizosFailure(400, "name must be a string of at most \(maxNameLength) characters")
            }
            input.name = s
        }
        if let v = object["roles"] {
            guard case .array(let items) = v else { throw ErizosFailure(400, "roles must be an array of role names") }
            var roles: [ErizosRole] = []
            for item in items {
                guard case .string(let s) = item else { throw ErizosFailure(400, "roles must be an array of role names") }
                guard let role = ErizosRole(rawValue: s) else {
                    throw ErizosFailure(400, "Unknown role \"\(s)\" (roles are ADMIN, DESIGNER, EDITOR, OPERATOR)")
                }
                if !roles.contains(role) { roles.append(role) }
            }
            input.roles = roles
        }
        if let v = object["settings"] {
            guard case .object = v else { throw ErizosFailure(400, "settings must be an object") }
            input.settings = v
        }
        return input
    }

    /// The body as an object: 400 for malformed JSON or anything else.
    static func body(_ request: Request) throws -> JSONObject {
        let bytes = request.body
        if bytes.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }) {
            throw ErizosFailure(400, "The request body must be a JSON object")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw ErizosFailure(400, "The request body is not valid JSON: \(error.message)")
        }
        guard case .object(let object) = value else {
            throw ErizosFailure(400, "The request body must be a JSON object, not \(value.typeName)")
        }
        return object
    }

    static func validUsername(_ name: String) -> Bool {
        guard !name.isEmpty, name.unicodeScalars.count <= maxUsernameLength else { return false }
        return !name.unicodeScalars.contains { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) }
    }
}
