// A directory user as a SCIM User resource.
import PluginKit
import ProteusJSON

enum UserResource {
    /// `groupName` gives a group's displayName (nil when it is gone).
    static func render(_ user: UserRecord, locations: ResourceLocations, groupName: ([UInt8]) throws -> String?) rethrows -> JSONObject {
        let doc = SCIMDocument(user)
        var schemas: [JSONValue] = [.string(SCIMSchemaURN.user)]
        if doc.enterprise != nil { schemas.append(.string(SCIMSchemaURN.enterpriseUser)) }
        var o: JSONObject = ["schemas": .array(schemas), "id": .string(ResourceID.text(user.id))]
        if let externalId = doc.externalId { o["externalId"] = .string(externalId) }
        o["userName"] = .string(userName(user))
        if let name = doc.name { o["name"] = .object(name) }
        if let displayName = user.displayName { o["displayName"] = .string(displayName) }
        if let emails = emails(doc.emails, shared: user.email) { o["emails"] = .array(emails) }
        o["active"] = .bool(!user.isDisabled)
        if let group = user.groupID, let name = try groupName(group) {
            o["groups"] = [["value": .string(ResourceID.text(group)), "$ref": .string(locations.group(group)),
                            "display": .string(name), "type": "direct"]]
        }
        if let enterprise = doc.enterprise { o[SCIMSchemaURN.enterpriseUser] = .object(enterprise) }
        o["meta"] = [
            "resourceType": "User",
            "created": .string(ISOTime.format(millis: user.createdAt)),
            "lastModified": .string(ISOTime.format(millis: user.updatedAt)),
            "location": .string(locations.user(user.id)),
            "version": .string(SCIMWire.etag(user.version)),
        ]
        return o
    }

    /// Users made by other dialects may have only an email (AIOStreams):
    /// their userName is that, or their id.
    static func userName(_ user: UserRecord) -> String { user.username ?? user.email ?? ResourceID.text(user.id) }

    /// The emails as SCIM last wrote them, with the primary one following
    /// the shared email field when another dialect changed it.
    static func emails(_ stored: [JSONValue]?, shared: String?) -> [JSONValue]? {
        guard var list = stored, !list.isEmpty else {
            return shared.map { [["value": .string($0), "primary": true]] }
        }
        let index = list.firstIndex { $0.objectValue?["primary"]?.boolValue == true } ?? 0
        let current = list[index].objectValue?["value"]?.stringValue
        guard current != shared else { return list }
        if let shared, var element = list[index].objectValue {
            element["value"] = .string(shared)
            list[index] = .object(element)
        } else {
            list.remove(at: index)
        }
        return list.isEmpty ? nil : list
    }
}
