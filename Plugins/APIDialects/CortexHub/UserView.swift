// How users appear in answers. `id` is the directory id (32 hex), the
// `{uid}` of the admin routes — never a login credential. No hashes.
import PluginAPI
import PluginKit
import ProteusJSON

enum UserView {
    static func id(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }

    static func parseID(_ text: String) -> [UInt8]? {
        if let id = proteus_id(compactHex: text) { return id.byteArray }
        if let id = proteus_id(dashedUUID: text) { return id.byteArray }
        return nil
    }

    static func optional(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }

    static func profile(_ u: UserRecord) -> JSONValue {
        [
            "id": .string(id(u.id)),
            "username": optional(u.username),
            "email": optional(u.email),
            "display_name": optional(u.displayName),
            "role": .string(Roles.name(u)),
            "group_id": optional(u.groupID.map(id)),
        ]
    }

    /// An item of GET /users/admin/users.
    static func listed(_ u: UserRecord) -> JSONValue {
        [
            "id": .string(id(u.id)),
            "username": optional(u.username),
            "email": optional(u.email),
            "display_name": optional(u.displayName),
            "role": .string(Roles.name(u)),
            "group_id": optional(u.groupID.map(id)),
        ]
    }

    static func group(_ g: GroupRecord) -> JSONValue {
        let policy: JSONValue = g.policyJSON.flatMap { try? JSONParser.parse($0) } ?? .object([:])
        return [
            "id": .string(id(g.id)),
            "name": .string(g.name),
            "description": optional(g.description),
            "policy": policy,
        ]
    }
}
