// A users_import batch: the records checked before anything is written, and
// the set-based write of a chunk of them (each statement a batch over the
// chunk: a few round trips per chunk where the backend sends batches whole).
import PluginAPI
import PluginKit

enum ImportBatch {
    /// Rows per set-based write are bounded by size, not count (one
    /// statement carries the whole chunk on some backends).
    static let chunkBytes = 8 << 20

    /// The records of a batch, each checked. Records may come from a newer
    /// host with a larger struct: they are stepped by the size the first
    /// one declares.
    static func records(_ users: UnsafePointer<proteus_user>, count: Int) throws -> [proteus_user] {
        let base = UnsafeRawPointer(users)
        let size = base.load(as: UInt32.self)
        try StoreInput.checkSize(size, proteus_user.self, "first user")
        let stride = RecordArray.stride(of: base, proteus_user.self)
        var records: [proteus_user] = []
        records.reserveCapacity(count)
        for i in 0..<count {
            let p = (base + i * stride).assumingMemoryBound(to: proteus_user.self)
            do {
                guard p.pointee.struct_size == size else {
                    throw PluginError.invalid("its struct_size differs from the first record's")
                }
                try StoreInput.userFields(p.pointee, fields: StoreInput.allUserFields)
            } catch let e as PluginError {
                throw failure(e, record: i)
            }
            records.append(p.pointee)
        }
        return records
    }

    /// Some id appears twice in `records`: the set-based path cannot take
    /// such a batch (a later record must see the earlier one written).
    static func repeatsAnID(_ records: [proteus_user]) -> Bool {
        struct Key: Hashable { let high: UInt64, low: UInt64 }
        var seen = Set<Key>(minimumCapacity: records.count)
        for u in records {
            let key = withUnsafeBytes(of: u.id.bytes) {
                Key(high: $0.loadUnaligned(as: UInt64.self), low: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            }
            if !seen.insert(key).inserted { return true }
        }
        return false
    }

    /// A failure of record `i`, saying that the batch left nothing behind.
    static func failure(_ e: PluginError, record i: Int) -> PluginError {
        PluginError(e.code, "user #\(i + 1) of the batch (nothing was imported): \(e.message)")
    }

    /// The bounds of the chunks of `records`, in order.
    static func chunks(_ records: [proteus_user]) -> [Range<Int>] {
        var chunks: [Range<Int>] = []
        var start = 0
        while start < records.count {
            var end = start, bytes = 0
            while end < records.count && (end == start || bytes < chunkBytes) {
                bytes += estimatedSize(records[end])
                end += 1
            }
            chunks.append(start..<end)
            start = end
        }
        return chunks
    }

    static func estimatedSize(_ u: proteus_user) -> Int {
        var n = 200 + u.username.len + u.email.len + u.display_name.len + u.password_hash.len + u.mfa_secret.len
        if let docs = u.docs { for i in 0..<Int(u.doc_count) { n += docs[i].ns.len + docs[i].json.len + 16 } }
        if let roles = u.roles { for i in 0..<Int(u.role_count) { n += roles[i].len + 24 } }
        return n
    }
}

extension UserWrites {
    /// Writes a chunk of checked records with set-based statements. A
    /// refused statement fails the whole chunk without saying which record:
    /// the caller then runs the batch record by record (insert/replace).
    func importChunk(_ c: any StoreConnection, _ users: ArraySlice<proteus_user>, upsert: Bool) throws {
        let list = Array(users)
        let n = list.count
        if upsert, sql.usernameIndex != nil {
            // Users that exist leave the index with their stored username.
            for u in list {
                if let stored = try current(c, u.id) { try unindexUsername(c, u.id, stored.username) }
            }
        }
        try c.batch(upsert ? sql.upsertUsers : sql.importUsers, count: n, "importing users") { v, i in
            let u = list[i]
            Self.bindRow(v, u, version: max(u.version, 1), createdAt: u.created_at, updatedAt: u.updated_at)
        }
        for add in sql.usernameIndex?.add ?? [] {
            try c.batch(add, count: n, "indexing imported usernames") { v, i in
                v.bind(list[i].id)
                v.bind(list[i].username)
            }
        }
        if upsert {
            try c.batch(sql.deleteUserRoles, count: n, "replacing imported users' roles") { v, i in v.bind(list[i].id) }
            try c.batch(sql.deleteAllDocuments, count: n, "replacing imported users' documents") { v, i in v.bind(list[i].id) }
        }
        // Every (user, role) and (user, document) of the chunk.
        var roles: [(user: proteus_id, slug: proteus_str)] = []
        var docs: [(user: proteus_id, doc: proteus_doc)] = []
        for u in list {
            if let r = u.roles { for k in 0..<Int(u.role_count) { roles.append((u.id, r[k])) } }
            if let d = u.docs { for k in 0..<Int(u.doc_count) where d[k].json.isPresent { docs.append((u.id, d[k])) } }
        }
        if !roles.isEmpty {
            try c.batch(sql.addUserRoles, count: roles.count, "importing roles") { v, i in
                v.bind(roles[i].user)
                v.bind(roles[i].slug)
            }
        }
        if !docs.isEmpty {
            try c.batch(sql.writeDocuments, count: docs.count, "importing documents") { v, i in
                v.bind(docs[i].user)
                v.bind(docs[i].doc.ns)
                v.bind(docs[i].doc.json)
            }
        }
    }
}
