// The Erizos user object, exactly the seed's keys in the seed's order:
// _id, username, name, type, roles, settings, createdAt, updatedAt.
// Never a password, hash or secret. A user without a username (an
// AIOStreams account) shows "" and is reachable by its `_id`.
import PluginKit
import ProteusJSON

enum UserView {
    static func object(_ user: UserRecord, objectID: String) -> JSONObject {
        let doc = ErizosDocument(user)
        return [
            "_id": .string(objectID),
            "username": .string(user.username ?? ""),
            "name": .string(user.displayName ?? ""),
            "type": .string(doc.type),
            "roles": .array(ErizosRole.of(user).map { .string($0.rawValue) }),
            "settings": doc.settings,
            "createdAt": .string(ISOTime.format(millis: user.createdAt)),
            "updatedAt": .string(ISOTime.format(millis: user.updatedAt == 0 ? user.createdAt : user.updatedAt)),
        ]
    }
}
