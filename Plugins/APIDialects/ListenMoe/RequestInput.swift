// Reading what a request brings: the JSON body and the {username} parameter,
// with the seed's 400 messages.
import PluginAPI
import PluginKit
import ProteusJSON

enum RequestInput {
    /// The body as a JSON object: none (or only whitespace) is "No body
    /// provided.", anything but a JSON object "Invalid body provided.".
    static func body(_ request: Request) throws(LMFailure) -> JSONObject {
        let bytes = request.body
        if bytes.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }) { throw .noBody }
        guard let value = try? JSONParser.parse(bytes), let object = value.objectValue else { throw .invalidBody }
        return object
    }

    /// The route's {username}: empty is "No params provided.", over 255
    /// bytes or with control characters "Invalid params provided.".
    static func username(_ request: Request) throws(LMFailure) -> String {
        guard let name = request.parameters.first, !name.isEmpty else { throw .noParams }
        guard name.utf8.count <= 255, !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .invalidParams
        }
        return name
    }

    /// A string field of the body; nil when absent or of another type.
    static func string(_ body: JSONObject, _ key: String) -> String? { body[key]?.stringValue }
}
