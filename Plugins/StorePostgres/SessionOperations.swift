// Sessions: login tokens, stored only as hashes.
import PluginAPI
import PluginKit

extension PostgresStore {
    func createSession(_ input: UnsafePointer<proteus_session>?) throws {
        let r = try Input.record(input, "session")
        guard r.token_hash.isPresent, r.token_hash.len > 0 else { throw PluginError.invalid("the session's token hash is required") }
        try Input.requireText(r.ns, "the session namespace")
        var p = PGParams()
        p.bytes(r.token_hash)
        p.id(r.user_id)
        p.text(r.ns)
        p.int64(r.created_at == 0 ? now() : r.created_at)
        p.int64(r.expires_at)
        p.text(r.data_json)
        try write("creating a session") { c in
            do {
                try c.execute("INSERT INTO sessions (token_hash, user_id, ns, created_at, expires_at, data_json) VALUES ($1, $2, $3, $4, $5, $6)",
                              p, "creating a session")
            } catch let f as PGFailure where f.isUnique {
                throw PluginError.conflict("a session with this token hash already exists")
            } catch let f as PGFailure where f.isForeignKey {
                throw PluginError.notFound("no user with id \(r.user_id.text)")
            }
        }
    }

    func getSession(_ hash: proteus_bytes, now: Int64, arena: OpaquePointer?,
                    out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_session>?>?) throws {
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        let writer = try arenaWriter(arena)
        var p = PGParams()
        p.bytes(hash)
        p.int64(now)
        let found: SessionRecord? = try read("reading a session") { c in
            let r = try c.execute("""
                SELECT token_hash, user_id, ns, created_at, expires_at, data_json FROM sessions \
                WHERE token_hash = $1 AND (expires_at = 0 OR expires_at > $2)
                """, p, "reading a session")
            guard r.rows > 0 else { return nil }
            var s = SessionRecord(tokenHash: r.bytes(0, 0) ?? [], userID: r.id(0, 1) ?? [], namespace: r.text(0, 2) ?? "")
            s.createdAt = r.int64(0, 3)
            s.expiresAt = r.int64(0, 4)
            s.dataJSON = r.text(0, 5)
            return s
        }
        guard let found else { throw PluginError.notFound("no such session (unknown or expired)") }
        out.pointee = try writer.single(try writer.session(found))
    }

    func deleteSession(_ hash: proteus_bytes) throws {
        var p = PGParams()
        p.bytes(hash)
        try write("deleting a session") { c in
            guard try c.execute("DELETE FROM sessions WHERE token_hash = $1", p, "deleting a session").affected > 0 else {
                throw PluginError.notFound("no such session")
            }
        }
    }

    /// A missing user is not an error: it simply has no sessions (count 0).
    func deleteUserSessions(_ user: proteus_id, ns: proteus_str, deleted: UnsafeMutablePointer<UInt64>?) throws {
        var p = PGParams()
        p.id(user)
        if ns.isPresent { p.text(ns) }
        let sql = ns.isPresent ? "DELETE FROM sessions WHERE user_id = $1 AND ns = $2" : "DELETE FROM sessions WHERE user_id = $1"
        let n = try write("deleting a user's sessions") { c in try c.execute(sql, p, "deleting a user's sessions").affected }
        deleted?.pointee = UInt64(n)
    }

    func purgeExpired(now: Int64, removed: UnsafeMutablePointer<UInt64>?) throws {
        var p = PGParams()
        p.int64(now)
        let n = try write("purging expired sessions") { c in
            try c.execute("DELETE FROM sessions WHERE expires_at > 0 AND expires_at <= $1", p, "purging expired sessions").affected
        }
        removed?.pointee = UInt64(n)
    }
}
