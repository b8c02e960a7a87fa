// A group's externalId (the identity provider's own id for it). Groups have
// no per-namespace documents as users do, so SCIM keeps these as plugin
// entries keyed by the group id; a group deleted elsewhere leaves an entry
// nobody reads.
import PluginKit
import ProteusJSON

struct GroupExternalIDs {
    static let namespace = "scim.group-external-ids"
    let directory: Directory

    func get(_ group: [UInt8]) throws -> String? {
        try directory.entry(namespace: Self.namespace, key: ResourceID.text(group))
            .flatMap { (try? JSONValue(parsing: $0.json))?.stringValue }
    }

    /// Every group's, by group id.
    func all() throws -> [[UInt8]: String] {
        var result: [[UInt8]: String] = [:]
        for entry in try directory.entries(namespace: Self.namespace) {
            if let id = ResourceID.parse(entry.key), let value = (try? JSONValue(parsing: entry.json))?.stringValue { result[id] = value }
        }
        return result
    }

    /// nil removes it.
    func set(_ externalId: String?, for group: [UInt8]) throws {
        let key = ResourceID.text(group)
        guard let externalId else {
            _ = try directory.deleteEntry(namespace: Self.namespace, key: key)
            return
        }
        try directory.putEntry(EntryRecord(namespace: Self.namespace, key: key, json: JSONValue.string(externalId).serialized()), replace: true)
    }
}
