// The configured role rows, written into the directory's roles at start
// (role_put by slug): the row's name as the role's name, its LISTEN.moe
// fields under "listenmoe" in the role's attributes, so attributes other
// dialects keep there are left alone.
import PluginAPI
import PluginKit
import ProteusJSON

enum RoleSync {
    static func put(_ rows: [RoleRow], into directory: Directory) throws {
        let existing = try directory.roles()
        for row in rows {
            var attributes = existing.first { $0.slug == row.slug }?.attributesJSON
                .flatMap { try? JSONParser.parse($0) }?.objectValue ?? JSONObject()
            attributes["listenmoe"] = ["id": JSONValue(row.id), "color": row.color.map { JSONValue.string($0) } ?? .null,
                                       "songRequests": JSONValue(row.songRequests)]
            try directory.putRole(RoleRecord(slug: row.slug, name: row.name, attributesJSON: JSONValue.object(attributes).serialized()))
        }
    }
}
