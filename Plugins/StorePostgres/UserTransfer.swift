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
        // Fast path: a few set-based statements per chunk of the batch. When
        // anything in it fails (a conflict, an unknown role...), the batch is
        // run again record by record to say which record failed and why.
        do {
            try write("importing users") { c in
                var start = 0
                while start < records.count {
                    var end = start, bytes = 0
                    while end < records.count && (end == start || bytes < Self.bulkChunkBytes) {
                        bytes += Self.estimatedSize(records[end])
                        end += 1
                    }
                    try BulkImport.write(c, records[start..<end], upsert: mode == PROTEUS_IMPORT_UPSERT)
                    start = end
                }
            }
            mergeUsernameIndex()
            return
        } catch let f as PGFailure where f.kind == .server && !f.isRetryable {
            // Diagnose below.
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

    /// Moves the trigram index's pending entries into the index proper
    /// (best effort; imports fill the pending list, searches scan it).
    func mergeUsernameIndex() {
        _ = try? read("merging the username index") { c in
            try c.execute("SELECT gin_clean_pending_list('users_username_trgm'::regclass)", PGParams(), "merging the username index")
        }
    }

    /// Rows per set-based statement are bounded by size, not count.
    static let bulkChunkBytes = 8 << 20

    static func estimatedSize(_ u: proteus_user) -> Int {
        var n = 200 + u.username.len + u.email.len + u.display_name.len + u.password_hash.len + u.mfa_secret.len
        for i in 0..<Int(u.doc_count) { n += u.docs[i].ns.len + u.docs[i].json.len + 16 }
        for i in 0..<Int(u.role_count) { n += u.roles[i].len + 24 }
        return n
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

/// users_import as set-based statements over arrays (unnest): one INSERT
/// for the users, one for their roles, one for their documents.
enum BulkImport {
    static let columns = "id, version, flags, created_at, updated_at, accessed_at, login_at, username, email, display_name, password_hash, mfa_secret, mfa_last_step, group_id"

    static let insertUsers = """
        INSERT INTO users (\(columns)) SELECT * FROM unnest($1::bytea[], $2::int8[], $3::int8[], $4::int8[], $5::int8[], \
        $6::int8[], $7::int8[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bytea[], $13::int8[], $14::bytea[])
        """

    static let upsertUsers = insertUsers + """
         ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, flags = EXCLUDED.flags, created_at = EXCLUDED.created_at, \
        updated_at = EXCLUDED.updated_at, accessed_at = EXCLUDED.accessed_at, login_at = EXCLUDED.login_at, \
        username = EXCLUDED.username, email = EXCLUDED.email, display_name = EXCLUDED.display_name, \
        password_hash = EXCLUDED.password_hash, mfa_secret = EXCLUDED.mfa_secret, mfa_last_step = EXCLUDED.mfa_last_step, \
        group_id = EXCLUDED.group_id
        """

    static func write(_ c: PGConnection, _ users: ArraySlice<proteus_user>, upsert: Bool) throws {
        let list = Array(users)
        var p = PGParams()
        p.idArray(list.map { $0.id })
        p.int64Array(list.map { Int64(bitPattern: max($0.version, 1)) })
        p.int64Array(list.map { Int64($0.flags) })
        p.int64Array(list.map { $0.created_at })
        p.int64Array(list.map { $0.updated_at })
        p.int64Array(list.map { $0.accessed_at })
        p.int64Array(list.map { $0.login_at })
        p.textArray(list.map { $0.username })
        p.textArray(list.map { $0.email })
        p.textArray(list.map { $0.display_name })
        p.textArray(list.map { $0.password_hash })
        p.byteaArray(list.map { $0.mfa_secret })
        p.int64Array(list.map { $0.mfa_last_step })
        p.idArray(list.map { $0.has_group ? $0.group_id : nil })
        try c.execute(upsert ? upsertUsers : insertUsers, p, "importing users")

        var ids = PGParams()
        ids.idArray(list.map { $0.id })
        if upsert {
            try c.execute("DELETE FROM user_roles WHERE user_id = ANY($1::bytea[])", ids, "replacing imported users' roles")
            try c.execute("DELETE FROM documents WHERE user_id = ANY($1::bytea[])", ids, "replacing imported users' documents")
        }
        var roleUsers: [proteus_id?] = [], roleSlugs: [proteus_str] = []
        var docUsers: [proteus_id?] = [], docNames: [proteus_str] = [], docTexts: [proteus_str] = []
        for u in list {
            for i in 0..<Int(u.role_count) {
                roleUsers.append(u.id)
                roleSlugs.append(u.roles[i])
            }
            for i in 0..<Int(u.doc_count) where u.docs[i].json.isPresent {
                docUsers.append(u.id)
                docNames.append(u.docs[i].ns)
                docTexts.append(u.docs[i].json)
            }
        }
        if !roleUsers.isEmpty {
            var r = PGParams()
            r.idArray(roleUsers)
            r.textArray(roleSlugs)
            try c.execute("INSERT INTO user_roles (user_id, role_slug) SELECT * FROM unnest($1::bytea[], $2::text[]) ON CONFLICT DO NOTHING",
                          r, "importing roles")
        }
        if !docUsers.isEmpty {
            var d = PGParams()
            d.idArray(docUsers)
            d.textArray(docNames)
            d.textArray(docTexts)
            try c.execute("INSERT INTO documents (user_id, ns, json) SELECT * FROM unnest($1::bytea[], $2::text[], $3::text[])",
                          d, "importing documents")
        }
    }
}
