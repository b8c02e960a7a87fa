// API keys: stored only as hashes; apikey_get records when a key was used.
import PluginAPI
import PluginKit

extension SQLiteStore {
    private static let keyColumns = "key_hash, user_id, ns, label, created_at, last_used_at"

    private static func readKey(_ s: Statement) -> APIKeyRecord {
        var r = APIKeyRecord(keyHash: s.blob(0) ?? [], userID: s.id(1) ?? [], namespace: s.text(2) ?? "")
        r.label = s.text(3)
        r.createdAt = s.int64(4)
        r.lastUsedAt = s.int64(5)
        return r
    }

    func createAPIKey(_ input: UnsafePointer<proteus_api_key>?) throws {
        let r = try Input.record(input, "API key")
        guard r.key_hash.isPresent, r.key_hash.len > 0 else { throw PluginError.invalid("the API key's hash is required") }
        try Input.requireText(r.ns, "the API key namespace")
        let now = now()
        try pool.write("creating an API key") { c in
            do {
                try c.with("INSERT INTO api_keys (key_hash, user_id, ns, label, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, 0)") { s in
                    s.bind(1, r.key_hash)
                    s.bind(2, r.user_id)
                    s.bind(3, r.ns)
                    s.bind(4, r.label)
                    s.bind(5, r.created_at == 0 ? now : r.created_at)
                    try s.run("creating an API key")
                }
            } catch let f as SQLiteFailure where f.isUnique {
                throw PluginError.conflict("an API key with this hash already exists")
            } catch let f as SQLiteFailure where f.isForeignKey {
                throw PluginError.notFound("no user with id \(r.user_id.text)")
            }
        }
    }

    /// Reads on a reader, then, when the recorded use is a resolution old
    /// (PROTEUS_LAST_USED_RESOLUTION_MS), records last_used_at = now on the
    /// writer as a best effort: waits at most 250 ms for the writer and the
    /// file lock, and a failure there does not fail the read.
    func getAPIKey(_ hash: proteus_bytes, now: Int64, arena: OpaquePointer?,
                   out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_api_key>?>?) throws {
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        let writer = try arenaWriter(arena)
        let found: APIKeyRecord? = try pool.read("reading an API key") { c in
            try c.with("SELECT \(Self.keyColumns) FROM api_keys WHERE key_hash = ?") { s in
                s.bind(1, hash)
                return try s.step("reading an API key") ? Self.readKey(s) : nil
            }
        }
        guard var found else { throw PluginError.notFound("no such API key") }
        if now - found.lastUsedAt >= Int64(PROTEUS_LAST_USED_RESOLUTION_MS) {
            let recorded = pool.tryWithWriter(timeoutMs: 250) { c -> Bool in
                c.setBusyTimeout(min(options.busyTimeoutMs, 250))
                defer { c.setBusyTimeout(options.busyTimeoutMs) }
                do {
                    try c.with("UPDATE api_keys SET last_used_at = ? WHERE key_hash = ? AND last_used_at < ?") { s in
                        s.bind(1, now)
                        s.bind(2, hash)
                        s.bind(3, now)
                        try s.run("recording API key use")
                    }
                    return true
                } catch {
                    return false
                }
            } ?? false
            if recorded { found.lastUsedAt = now }
        }
        let p = try writer.allocate(proteus_api_key.self, count: 1)
        p.pointee = try writer.apiKey(found)
        out.pointee = p
    }

    func listAPIKeys(hasUser: Bool, user: proteus_id, arena: OpaquePointer?,
                     out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_api_key_list>?>?) throws {
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        let writer = try arenaWriter(arena)
        let keys: [APIKeyRecord] = try pool.read("listing API keys") { c in
            let sql = hasUser
                ? "SELECT \(Self.keyColumns) FROM api_keys WHERE user_id = ? ORDER BY created_at, rowid"
                : "SELECT \(Self.keyColumns) FROM api_keys ORDER BY created_at, rowid"
            return try c.with(sql) { s in
                if hasUser { s.bind(1, user) }
                var all: [APIKeyRecord] = []
                while try s.step("listing API keys") { all.append(Self.readKey(s)) }
                return all
            }
        }
        out.pointee = try writer.apiKeyList(keys)
    }

    func deleteAPIKey(_ hash: proteus_bytes) throws {
        try pool.write("deleting an API key") { c in
            try c.with("DELETE FROM api_keys WHERE key_hash = ?") { s in
                s.bind(1, hash)
                try s.run("deleting an API key")
            }
            guard c.changes > 0 else { throw PluginError.notFound("no such API key") }
        }
    }

    func deleteUserAPIKeys(_ user: proteus_id, ns: proteus_str, deleted: UnsafeMutablePointer<UInt64>?) throws {
        let n: Int64 = try pool.write("deleting a user's API keys") { c in
            let sql = ns.isPresent ? "DELETE FROM api_keys WHERE user_id = ? AND ns = ?" : "DELETE FROM api_keys WHERE user_id = ?"
            try c.with(sql) { s in
                s.bind(1, user)
                if ns.isPresent { s.bind(2, ns) }
                try s.run("deleting a user's API keys")
            }
            return c.changes
        }
        deleted?.pointee = UInt64(n)
    }
}
