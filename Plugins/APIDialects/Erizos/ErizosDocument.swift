// The user's "erizos" document: what only Erizos knows about a user,
// {"type": "NORMAL", "settings": {"studio": {...}, "browse": {...}}}.
// Shared facts (username, name = display name, password, roles) live in the
// directory's typed fields; a user made by another dialect has no document
// until Erizos writes one, and is shown with the defaults.
import PluginKit
import ProteusJSON

struct ErizosDocument {
    static let namespace = "erizos"
    static let defaultType = "NORMAL"
    static let defaultSettings: JSONValue = .object(["studio": .object([:]), "browse": .object([:])])

    var type: String
    var settings: JSONValue

    init(type: String = defaultType, settings: JSONValue = defaultSettings) {
        self.type = type
        self.settings = settings
    }

    init(_ user: UserRecord) {
        self.init()
        guard let text = user.document(Self.namespace), case .object(let o)? = try? JSONParser.parse(text) else { return }
        if let t = o["type"]?.stringValue { type = t }
        if let s = o["settings"], s.objectValue != nil { settings = s }
    }

    var record: DocumentRecord {
        DocumentRecord(namespace: Self.namespace, json: JSONValue.object(["type": .string(type), "settings": settings]).serialized())
    }
}
