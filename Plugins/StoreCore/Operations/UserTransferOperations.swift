// users_import and users_export: bulk moves of complete records.
import PluginAPI
import PluginKit

extension StoreCore {
    /// One transaction per call: any failure leaves nothing of the batch.
    public func importUsers(_ users: UnsafePointer<proteus_user>?, count: Int, mode: Int32) throws {
        guard mode == PROTEUS_IMPORT_INSERT || mode == PROTEUS_IMPORT_UPSERT else {
            throw PluginError.invalid("unknown import mode \(mode) (expected PROTEUS_IMPORT_INSERT or _UPSERT)")
        }
        guard count > 0 else { return }
        guard let users else { throw PluginError.invalid("count is \(count) but users is NULL") }
        let records = try ImportBatch.records(users, count: count)
        let upsert = mode == PROTEUS_IMPORT_UPSERT
        // Fast path: set-based statements per chunk. When the database
        // refuses any (a conflict, an unknown role...), the batch runs again
        // record by record to say which record failed and why; so does a
        // batch naming one user twice (the later record replaces the earlier).
        if !ImportBatch.repeatsAnID(records) {
            do {
                try perform(.write, "importing users") { c in
                    for chunk in ImportBatch.chunks(records) { try writes.importChunk(c, records[chunk], upsert: upsert) }
                }
                if let after = sql.afterImport { touch("finishing an import") { try $0.run(after, "finishing an import") } }
                return
            } catch {
                guard backend.isRefusal(error) else { throw error }
            }
        }
        try perform(.write, "importing users") { c in
            for (i, u) in records.enumerated() {
                do {
                    let version = max(u.version, 1)
                    if upsert, try c.exists(sql.userExists, "checking a record", { $0.bind(u.id) }) {
                        try writes.replace(c, u, version: version)
                    } else {
                        try writes.insert(c, u, version: version, createdAt: u.created_at, updatedAt: u.updated_at)
                    }
                } catch let e as PluginError {
                    throw ImportBatch.failure(e, record: i)
                } catch let e as PluginErrorConvertible where backend.isRefusal(e) {
                    throw ImportBatch.failure(e.pluginError, record: i)
                }
            }
        }
    }

    public func exportUsers(hasAfter: Bool, after: proteus_id, limit: UInt32, arena: OpaquePointer?,
                            out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_user_page>?>?) throws {
        let out = try output(out)
        let writer = try arenaWriter(arena)
        let page = sql.exportUsers(after: hasAfter)
        let (total, users): (Int64, [UserRecord]) = try perform(limit > 0 ? .snapshot : .read, "exporting users") { c in
            let total = try c.first(sql.countUsers, "counting users") { $0.int64(0) } ?? 0
            guard limit > 0 else { return (total, []) }
            let users = try rows.readAll(c, page, "exporting users", documents: .all) { v in
                if hasAfter { v.bind(after) }
                v.bind(limit)
            }
            return (total, users)
        }
        out.pointee = try writer.userPage(total: UInt64(clamping: total), users: users)
    }
}
