// users_import and users_export: bulk moves of complete records.
import PluginAPI
import PluginKit

extension SQLiteStore {
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
        try pool.write("importing users") { c in
            for i in 0..<count {
                let p = (base + i * stride).assumingMemoryBound(to: proteus_user.self)
                do {
                    guard p.pointee.struct_size == base.load(as: UInt32.self) else {
                        throw PluginError.invalid("its struct_size differs from the first record's")
                    }
                    let u = p.pointee
                    try Input.userFields(u, fields: Input.allUserFields)
                    let version = max(u.version, 1)
                    if mode == PROTEUS_IMPORT_UPSERT,
                       try UserWrites.exists(c, "SELECT 1 FROM users WHERE id = ?", { $0.bind(1, u.id) }) {
                        try UserWrites.replace(c, u, version: version)
                    } else {
                        try UserWrites.insert(c, u, version: version, createdAt: u.created_at, updatedAt: u.updated_at)
                    }
                } catch let e as PluginError {
                    throw PluginError(e.code, "user #\(i + 1) of the batch (nothing was imported): \(e.message)")
                } catch let f as SQLiteFailure {
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
        let (total, users): (UInt64, [UserRecord]) = try pool.read("exporting users") { c in
            let total = try c.scalar("SELECT count(*) FROM users", "counting users")
            guard limit > 0 else { return (UInt64(total), []) }
            let sql = hasAfter
                ? "SELECT \(UserRows.columns) FROM users u WHERE u.id > ? ORDER BY u.id LIMIT ?"
                : "SELECT \(UserRows.columns) FROM users u ORDER BY u.id LIMIT ?"
            var users = try c.with(sql) { s in
                if hasAfter { s.bind(1, after); s.bind(2, Int64(limit)) } else { s.bind(1, Int64(limit)) }
                var users: [UserRecord] = []
                while try s.step("exporting users") { users.append(UserRows.read(s)) }
                return users
            }
            for i in users.indices { try UserRows.complete(c, &users[i], docs: .all) }
            return (UInt64(total), users)
        }
        out.pointee = try writer.userPage(total: total, users: users)
    }
}
