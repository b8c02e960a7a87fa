// The user's "cortexhub" document: whether they have signed in here before
// (bootstrap admins are promoted at the first sign-in only) and their
// preferences, one free-form JSON object per section (llm, tts, stt).
import PluginAPI
import PluginKit
import ProteusJSON

struct HubDocument {
    var object: JSONObject

    init(_ user: UserRecord) {
        let text = user.document(LoginIDs.namespace)
        if let text, case .object(let o)? = try? JSONParser.parse(text) { object = o } else { object = [:] }
    }

    var seen: Bool {
        get { object["seen"]?.boolValue ?? false }
        set { object["seen"] = .bool(newValue) }
    }

    /// Every section, {} where none is stored.
    var preferences: JSONObject {
        let stored = object["preferences"]?.objectValue ?? [:]
        var result = JSONObject()
        for section in CortexHubOptions.sections { result[section] = stored[section] ?? .object([:]) }
        return result
    }

    mutating func setSection(_ section: String, _ value: JSONObject) {
        var stored = object["preferences"]?.objectValue ?? [:]
        stored[section] = .object(value)
        object["preferences"] = .object(stored)
    }

    var record: DocumentRecord { DocumentRecord(namespace: LoginIDs.namespace, json: JSONValue.object(object).serialized()) }
}
