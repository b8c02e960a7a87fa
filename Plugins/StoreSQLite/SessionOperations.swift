// Sessions: login tokens, stored only as hashes.
import PluginAPI
import PluginKit

extension SQLiteStore {
    func createSession(_ input: UnsafePointer<proteus_session>?) throws {
        let r = try Input.record(input, "session")
        guard r.token_hash.isPresent, r.token_hash.len > 0 else { throw PluginError.invalid("the session's token hash is required") }
        try Input.requireText(r.ns, "the session namespace")
        let now = now()
        try pool.write("creating a session") { c in
            do {
                try c.with("INSERT INTO sessions (token_hash, user_id, ns, created_at, expires_at, data_json) VALUES (?, ?, ?, ?, ?, ?)") { s in
                    s.bind(1, r.token_hash)
                    s.bind(2, r.user_id)
                    s.bind(3, r.ns)
                    s.bind(4, r.created_at == 0 ? now : r.created_at)
                    s.bind(5, r.expires_at)
                    s.bind(6, r.data_json)
                    try s.run("creating a session")
                }
            } catch let f as SQLiteFailure where f.isUnique {
                throw PluginError.conflict("a session with this token hash already exists")
            } catch let f as SQLiteFailure where f.isForeignKey {
                throw PluginError.notFound("no user with id \(r.user_id.text)")
            }
        }
    }

    func getSession(_ hash: proteus_bytes, now: Int64, arena: OpaquePointer?,
                    out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_session>?>?) throws {
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        let writer = try arenaWriter(arena)
        let found: SessionRecord? = try pool.read("reading a session") { c in
            try c.with("SELECT token_hash, user_id, ns, created_at, expires_at, data_json FROM sessions WHERE token_hash = ? AND (expires_at = 0 OR expires_at > ?)") { s in
                s.bind(1, hash)
                s.bind(2, now)
                guard try s.step("reading a session") else { return nil }
                var r = SessionRecord(tokenHash: s.blob(0) ?? [], userID: s.id(1) ?? [], namespace: s.text(2) ?? "")
                r.createdAt = s.int64(3)
                r.expiresAt = s.int64(4)
                r.dataJSON = s.text(5)
                return r
            }
        }
        guard let found else { throw PluginError.notFound("no such session (unknown or expired)") }
        let p = try writer.allocate(proteus_session.self, count: 1)
        p.pointee = try writer.session(found)
        out.pointee = p
    }

    func deleteSession(_ hash: proteus_bytes) throws {
        try pool.write("deleting a session") { c in
            try c.with("DELETE FROM sessions WHERE token_hash = ?") { s in
                s.bind(1, hash)
                try s.run("deleting a session")
            }
            guard c.changes > 0 else { throw PluginError.notFound("no such session") }
        }
    }

    /// A missing user is not an error: it simply has no sessions (count 0).
    func deleteUserSessions(_ user: proteus_id, ns: proteus_str, deleted: UnsafeMutablePointer<UInt64>?) throws {
        let n: Int64 = try pool.write("deleting a user's sessions") { c in
            let sql = ns.isPresent ? "DELETE FROM sessions WHERE user_id = ? AND ns = ?" : "DELETE FROM sessions WHERE user_id = ?"
            try c.with(sql) { s in
                s.bind(1, user)
                if ns.isPresent { s.bind(2, ns) }
                try s.run("deleting a user's sessions")
            }
            return c.changes
        }
        deleted?.pointee = UInt64(n)
    }

    func purgeExpired(now: Int64, removed: UnsafeMutablePointer<UInt64>?) throws {
        let n: Int64 = try pool.write("purging expired sessions") { c in
            try c.with("DELETE FROM sessions WHERE expires_at > 0 AND expires_at <= ?") { s in
                s.bind(1, now)
                try s.run("purging expired sessions")
            }
            return c.changes
        }
        removed?.pointee = UInt64(n)
    }
}
