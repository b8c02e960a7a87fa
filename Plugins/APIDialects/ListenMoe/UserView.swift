// Users and role rows as LISTEN.moe writes them (seed 003).
import PluginAPI
import PluginKit
import ProteusJSON

enum UserView {
    /// The role rows of the directory roles `user` holds, in the options' order.
    static func rows(_ user: UserRecord, _ options: LMOptions) -> [RoleRow] {
        options.roles.filter { user.roles.contains($0.slug) }
    }

    /// GET /users/{username}'s "user". The e-mail only for the user themself.
    static func user(_ user: UserRecord, _ options: LMOptions, showEmail: Bool) -> JSONValue {
        let doc = ListenMoeDocument(user)
        let rows = rows(user, options)
        let additional = doc.count("additionalRequests")
        var out: JSONObject = ["uuid": .string(proteus_id(byteArray: user.id).dashedUUID)]
        if showEmail { out["email"] = user.email.map { JSONValue.string($0) } ?? .null }
        out["username"] = user.username.map { JSONValue.string($0) } ?? .null
        out["displayName"] = (user.displayName ?? user.username).map { JSONValue.string($0) } ?? .null
        out["avatarImage"] = doc.text("avatarImage")
        out["bannerImage"] = doc.text("bannerImage")
        out["bio"] = doc.text("bio")
        out["roles"] = .array(rows.map { .object($0.json) })
        out["settings"] = ["mfa": JSONValue(user.isMFAEnabled)]
        out["userSettings"] = doc.userSettings
        // No song requests are made through this server yet: the allowance
        // is the best of the user's roles plus any extra granted.
        out["requestsRemaining"] = JSONValue((rows.map(\.songRequests).max() ?? 0) + additional)
        out["additionalRequests"] = JSONValue(additional)
        out["uploadLimit"] = JSONValue(options.uploadLimit)
        out["favorites"] = JSONValue(doc.count("favorites"))
        out["uploads"] = JSONValue(doc.count("uploads"))
        return .object(out)
    }

    /// GET /users/{username}/roles' rows: each role the user holds, with the
    /// link row (userId is the user's uuid here: ids are UUIDs).
    static func roleLinks(_ user: UserRecord, _ options: LMOptions) -> JSONValue {
        .array(rows(user, options).map { row in
            var object = row.json
            object["enabled"] = JSONValue(!user.isDisabled)
            object["userRole"] = ["userId": .string(proteus_id(byteArray: user.id).dashedUUID), "roleId": JSONValue(row.id)]
            return .object(object)
        })
    }
}
