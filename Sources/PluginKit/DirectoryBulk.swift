// More of the store contract as Swift calls: listing and deleting API keys,
// bulk imports, counting users.
import PluginAPI

extension Directory {
    /// A user's API keys (every namespace), oldest first.
    public func apiKeys(userID: [UInt8]) throws -> [APIKeyRecord] {
        try call { (w, err) in
            var out: UnsafeMutablePointer<proteus_api_key_list>?
            let status = store.apikey_list(ctx, true, proteus_id(byteArray: userID), w.arena, &out, err)
            return (status, {
                guard let list = out?.pointee else { return [] }
                return (0..<Int(list.count)).map { APIKeyRecord(list.items[$0]) }
            })
        }
    }

    /// Deletes one key; deleting a key that does not exist is not an error.
    public func deleteAPIKey(keyHash: [UInt8]) throws {
        do {
            try call { (_, err) in (withProteusBytes(keyHash) { store.apikey_delete(ctx, $0, err) }, {}) }
        } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {}
    }

    /// users_import: one transaction for the whole batch (INSERT fails it on
    /// any existing id or username; UPSERT replaces by id).
    public func importUsers(_ users: [UserRecord], upsert: Bool = false) throws {
        guard !users.isEmpty else { return }
        try call { (w, err) in
            let records = try w.allocate(proteus_user.self, count: users.count)
            for (i, u) in users.enumerated() { records[i] = try w.user(u) }
            let mode = upsert ? PROTEUS_IMPORT_UPSERT : PROTEUS_IMPORT_INSERT
            return (store.users_import(ctx, records, users.count, mode, err), {})
        }
    }

    /// The number of users matching a query (no rows read).
    public func countUsers(_ query: UserQuery = UserQuery()) throws -> UInt64 {
        var q = query
        q.limit = 0
        return try searchUsers(q).total
    }
}
