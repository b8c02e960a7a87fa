// A content checksum of a whole store, the same for equal contents on any
// backend: every user (all fields, roles and documents), group, role, API
// key and identity, in a canonical order, fed to SHA-256. Store-assigned
// role ids are left out (each store assigns its own).
import PluginAPI
import PluginKit

struct StoreChecksum {
    let users: UInt64
    let hex: String

    static func compute(_ client: StoreClient, batch: UInt32 = 1000, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> StoreChecksum {
        let hasher = SHA256Stream()
        var cursor: [UInt8]? = nil
        var users: UInt64 = 0
        while true {
            let page = try client.exportUsers(after: cursor, limit: batch)
            for u in page.users {
                hasher.field("user")
                hasher.field(u.id); hasher.field(u.flags); hasher.field(u.version)
                hasher.field(u.createdAt); hasher.field(u.updatedAt); hasher.field(u.accessedAt); hasher.field(u.loginAt)
                hasher.field(u.username); hasher.field(u.email); hasher.field(u.displayName); hasher.field(u.passwordHash)
                hasher.field(u.mfaSecret); hasher.field(u.mfaLastStep); hasher.field(u.groupID)
                for r in u.roles.sorted(by: Self.byteOrder) { hasher.field(r) }
                for d in u.documents.sorted(by: { Self.byteOrder($0.namespace, $1.namespace) }) {
                    hasher.field(d.namespace); hasher.field(d.json)
                }
            }
            users += UInt64(page.users.count)
            progress?(users, page.total)
            guard page.users.count == Int(batch), let last = page.users.last else { break }
            cursor = last.id
        }
        for g in try client.listGroups().sorted(by: { Hex.encode($0.id) < Hex.encode($1.id) }) {
            hasher.field("group"); hasher.field(g.id); hasher.field(g.name); hasher.field(g.description); hasher.field(g.policyJSON)
        }
        for r in try client.listRoles().sorted(by: { Self.byteOrder($0.slug, $1.slug) }) {
            hasher.field("role"); hasher.field(r.slug); hasher.field(r.name); hasher.field(r.attributesJSON)
        }
        for k in try client.listKeys(user: nil).sorted(by: { Hex.encode($0.keyHash) < Hex.encode($1.keyHash) }) {
            hasher.field("key"); hasher.field(k.keyHash); hasher.field(k.userID); hasher.field(k.namespace); hasher.field(k.label); hasher.field(k.createdAt)
        }
        for i in try client.listIdentities(user: nil).sorted(by: { ($0.provider, $0.subject) < ($1.provider, $1.subject) }) {
            hasher.field("identity"); hasher.field(i.provider); hasher.field(i.subject); hasher.field(i.userID)
        }
        return StoreChecksum(users: users, hex: Hex.encode(hasher.finish()))
    }

    static func byteOrder(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }
}
