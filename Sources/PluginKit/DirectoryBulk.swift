// More of the store contract for dialects: listing and deleting API keys,
// bulk imports, counting users.
import PluginAPI

extension Directory {
    /// A user's API keys (every namespace), oldest first.
    public func apiKeys(userID: [UInt8]) throws -> [APIKeyRecord] {
        try client.listKeys(user: userID)
    }

    /// Deletes one key; deleting a key that does not exist is not an error.
    public func deleteAPIKey(keyHash: [UInt8]) throws {
        do { try client.deleteKey(keyHash) } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {}
    }

    /// users_import: one transaction for the whole batch (INSERT fails it on
    /// any existing id or username; UPSERT replaces by id).
    public func importUsers(_ users: [UserRecord], upsert: Bool = false) throws {
        guard !users.isEmpty else { return }
        try client.importUsers(users, mode: upsert ? PROTEUS_IMPORT_UPSERT : PROTEUS_IMPORT_INSERT)
    }

    /// New users in one transaction; when the store refuses the batch for
    /// anything but load (some user's id or name is taken), each user alone,
    /// so a refused user costs only itself. Per user, in order: nil when it
    /// was written, else why the store refused it. UNAVAILABLE throws.
    public func importUsersReportingRefusals(_ users: [UserRecord]) throws(PluginError) -> [PluginError?] {
        guard !users.isEmpty else { return [] }
        do {
            try importUsers(users)
            return Array(repeating: nil, count: users.count)
        } catch let e as PluginError where e.code == PROTEUS_E_UNAVAILABLE {
            throw e
        } catch {
            // One at a time below.
        }
        var refusals: [PluginError?] = []
        for user in users {
            do {
                try importUsers([user])
                refusals.append(nil)
            } catch let e as PluginError {
                if e.code == PROTEUS_E_UNAVAILABLE { throw e }
                refusals.append(e)
            } catch {
                refusals.append(PluginError(PROTEUS_E_INVALID, "\(error)"))
            }
        }
        return refusals
    }

    /// Every user matching a query, read `pageSize` at a time from the
    /// query's offset (the query's own limit is ignored).
    public func allUsers(_ query: UserQuery, pageSize: UInt32 = 500) throws -> [UserRecord] {
        var q = query
        q.limit = pageSize
        var all: [UserRecord] = []
        while true {
            let page = try searchUsers(q)
            all += page.users
            if page.users.count < Int(pageSize) { return all }
            q.offset += UInt64(page.users.count)
        }
    }

    /// The number of users matching a query (no rows read).
    public func countUsers(_ query: UserQuery = UserQuery()) throws -> UInt64 {
        var q = query
        q.limit = 0
        return try searchUsers(q).total
    }
}
