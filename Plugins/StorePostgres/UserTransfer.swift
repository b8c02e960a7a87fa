// users_import and users_export: bulk moves of complete records.
import PluginAPI
import PluginKit

extension PostgresStore {
    /// One transaction per call: any failure leaves nothing of the batch.
    func importUsers(_ users: UnsafePointer<proteus_user>?, count: Int, mode: Int32) throws {
        guard mode == PROTEUS_IMPORT_INSERT || mode == PROTEUS_IMPORT_UPSERT else {
            throw PluginError.invalid("unknown import mode \(mode) (expected PROTEUS_IMPORT_INSERT or _UPSERT)")
        }
        guard count > 0 else { return }
        guard let users else { throw PluginError.invalid("count is \(count) but users is NULL") }
        let base = UnsafeRawPointer(users)
        try Input.checkSize(base.load(as: UInt32.self), proteus_user.self, "first user")
        // Records may come from a newer host with a larger struct: step by
        // the size the first one declares.
        let stride = Input.stride(of: base, proteus_user.self)
        var records: [proteus_user] = []
        records.reserveCapacity(count)
        for i in 0..<count {
            let p = (base + i * stride).assumingMemoryBound(to: proteus_user.self)
            do {
                guard p.pointee.struct_size == base.load(as: UInt32.self) else {
                    throw PluginError.invalid("its struct_size differs from the first record's")
                }
                try Input.userFields(p.pointee, fields: Input.allUserFields)
            } catch let e as PluginError {
                throw PluginError(e.code, "user #\(i + 1) of the batch (nothing was imported): \(e.message)")
            }
            records.append(p.pointee)
        }
        try write("importing users") { c in
            for (i, u) in records.enumerated() {
                do {
                    let version = max(u.version, 1)
                    var id = PGParams()
                    id.id(u.id)
                    if mode == PROTEUS_IMPORT_UPSERT,
                       try UserWrites.exists(c, "SELECT 1 FROM users WHERE id = $1 FOR UPDATE", id) {
                        try UserWrites.replace(c, u, version: version)
                    } else {
                        try UserWrites.insert(c, u, version: version, createdAt: u.created_at, updatedAt: u.updated_at)
                    }
                } catch let e as PluginError {
                    throw PluginError(e.code, "user #\(i + 1) of the batch (nothing was imported): \(e.message)")
                } catch let f as PGFailure where f.kind == .server && !f.isRetryable && !f.isConnectionLoss {
                    let e = f.pluginError
                    throw PluginError(e.code, "user #\(i + 1) of the batch (nothing was imported): \(e.message)")
                }
            }
        }
    }

    func exportUsers(hasAfter: Bool, after: proteus_id, limit: UInt32, arena: OpaquePointer?,
                     out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_user_page>?>?) throws {
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        let writer = try arenaWriter(arena)
        let (total, users): (UInt64, [UserRecord]) = try read("exporting users", snapshot: limit > 0) { c in
            let total = try c.execute("SELECT count(*) FROM users", PGParams(), "counting users").int64(0, 0)
            guard limit > 0 else { return (UInt64(total), []) }
            var p = PGParams()
            let sql: String
            if hasAfter {
                p.id(after)
                p.int64(limit)
                sql = "SELECT \(UserRows.columns(.all)) FROM users u WHERE u.id > $1 ORDER BY u.id LIMIT $2"
            } else {
                p.int64(limit)
                sql = "SELECT \(UserRows.columns(.all)) FROM users u ORDER BY u.id LIMIT $1"
            }
            return (UInt64(total), UserRows.readAll(try c.execute(sql, p, "exporting users")))
        }
        out.pointee = try writer.userPage(total: total, users: users)
    }
}
