// API keys: stored only as hashes; apikey_get records when a key was used.
import PluginAPI
import PluginKit

extension PostgresStore {
    private static let keyColumns = "key_hash, user_id, ns, label, created_at, last_used_at"

    private static func readKey(_ r: PGResult, _ i: Int) -> APIKeyRecord {
        var k = APIKeyRecord(keyHash: r.bytes(i, 0) ?? [], userID: r.id(i, 1) ?? [], namespace: r.text(i, 2) ?? "")
        k.label = r.text(i, 3)
        k.createdAt = r.int64(i, 4)
        k.lastUsedAt = r.int64(i, 5)
        return k
    }

    func createAPIKey(_ input: UnsafePointer<proteus_api_key>?) throws {
        let r = try Input.record(input, "API key")
        guard r.key_hash.isPresent, r.key_hash.len > 0 else { throw PluginError.invalid("the API key's hash is required") }
        try Input.requireText(r.ns, "the API key namespace")
        var p = PGParams()
        p.bytes(r.key_hash)
        p.id(r.user_id)
        p.text(r.ns)
        p.text(r.label)
        p.int64(r.created_at == 0 ? now() : r.created_at)
        try write("creating an API key") { c in
            do {
                try c.execute("INSERT INTO api_keys (key_hash, user_id, ns, label, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, 0)",
                              p, "creating an API key")
            } catch let f as PGFailure where f.isUnique {
                throw PluginError.conflict("an API key with this hash already exists")
            } catch let f as PGFailure where f.isForeignKey {
                throw PluginError.notFound("no user with id \(r.user_id.text)")
            }
        }
    }

    /// Reads the key; when its recorded use is a resolution old
    /// (PROTEUS_LAST_USED_RESOLUTION_MS), records last_used_at = now as a best
    /// effort (a key row locked by another caller is skipped, a failure does
    /// not fail the read).
    func getAPIKey(_ hash: proteus_bytes, now: Int64, arena: OpaquePointer?,
                   out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_api_key>?>?) throws {
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        let writer = try arenaWriter(arena)
        let found: APIKeyRecord? = try read("reading an API key") { c in
            var k = PGParams()
            k.bytes(hash)
            let r = try c.execute("SELECT \(Self.keyColumns) FROM api_keys WHERE key_hash = $1", k, "reading an API key")
            guard r.rows > 0 else { return nil }
            var key = Self.readKey(r, 0)
            guard now - key.lastUsedAt >= Int64(PROTEUS_LAST_USED_RESOLUTION_MS) else { return key }
            var p = PGParams()
            p.bytes(hash)
            p.int64(now)
            do {
                let updated = try c.execute("""
                    UPDATE api_keys SET last_used_at = $2 WHERE key_hash = (SELECT key_hash FROM api_keys \
                    WHERE key_hash = $1 AND last_used_at < $2 FOR UPDATE SKIP LOCKED) RETURNING last_used_at
                    """, p, "recording API key use")
                if updated.rows > 0 { key.lastUsedAt = now }
            } catch let f as PGFailure where !f.isConnectionLoss {
                // Best effort: the key read above still answers.
            }
            return key
        }
        guard let found else { throw PluginError.notFound("no such API key") }
        out.pointee = try writer.single(try writer.apiKey(found))
    }

    func listAPIKeys(hasUser: Bool, user: proteus_id, arena: OpaquePointer?,
                     out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_api_key_list>?>?) throws {
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        let writer = try arenaWriter(arena)
        var p = PGParams()
        if hasUser { p.id(user) }
        let sql = hasUser
            ? "SELECT \(Self.keyColumns) FROM api_keys WHERE user_id = $1 ORDER BY created_at, seq"
            : "SELECT \(Self.keyColumns) FROM api_keys ORDER BY created_at, seq"
        let keys: [APIKeyRecord] = try read("listing API keys") { c in
            let r = try c.execute(sql, p, "listing API keys")
            return (0..<r.rows).map { Self.readKey(r, $0) }
        }
        out.pointee = try writer.apiKeyList(keys)
    }

    func deleteAPIKey(_ hash: proteus_bytes) throws {
        var p = PGParams()
        p.bytes(hash)
        try write("deleting an API key") { c in
            guard try c.execute("DELETE FROM api_keys WHERE key_hash = $1", p, "deleting an API key").affected > 0 else {
                throw PluginError.notFound("no such API key")
            }
        }
    }

    func deleteUserAPIKeys(_ user: proteus_id, ns: proteus_str, deleted: UnsafeMutablePointer<UInt64>?) throws {
        var p = PGParams()
        p.id(user)
        if ns.isPresent { p.text(ns) }
        let sql = ns.isPresent ? "DELETE FROM api_keys WHERE user_id = $1 AND ns = $2" : "DELETE FROM api_keys WHERE user_id = $1"
        let n = try write("deleting a user's API keys") { c in try c.execute(sql, p, "deleting a user's API keys").affected }
        deleted?.pointee = UInt64(n)
    }
}
