// What SCIM keeps beyond the directory's shared fields, in the user's "scim"
// document: externalId, name, the whole emails list and the enterprise
// extension. userName, displayName, the primary email and active live in the
// shared fields every dialect reads.
import PluginKit
import ProteusJSON

struct SCIMDocument {
    static let namespace = "scim"

    var externalId: String?
    var name: JSONObject?
    var emails: [JSONValue]?
    var enterprise: JSONObject?

    init() {}

    init(_ user: UserRecord) {
        guard let text = user.document(Self.namespace),
              let o = (try? JSONValue(parsing: text))?.objectValue else { return }
        externalId = o["externalId"]?.stringValue
        name = o["name"]?.objectValue
        emails = o["emails"]?.arrayValue
        enterprise = o["enterprise"]?.objectValue
    }

    var record: DocumentRecord {
        var o = JSONObject()
        if let externalId { o["externalId"] = .string(externalId) }
        if let name { o["name"] = .object(name) }
        if let emails { o["emails"] = .array(emails) }
        if let enterprise { o["enterprise"] = .object(enterprise) }
        return DocumentRecord(namespace: Self.namespace, json: JSONValue.object(o).serialized())
    }
}
