// Sessions: login tokens, stored only as hashes.
import PluginAPI
import PluginKit

extension StoreCore {
    public func createSession(_ input: UnsafePointer<proteus_session>?) throws {
        let r = try StoreInput.record(input, "session")
        try Self.requireHash(r.token_hash, "the session's token hash")
        try StoreInput.requireText(r.ns, "the session namespace")
        let createdAt = r.created_at == 0 ? now() : r.created_at
        try insertCredential(sql.createSession, "creating a session", user: r.user_id,
                             taken: "a session with this token hash already exists") { v in
            v.bind(r.token_hash)
            v.bind(r.user_id)
            v.bind(r.ns)
            v.bind(createdAt)
            v.bind(r.expires_at)
            v.bind(r.data_json)
        }
    }

    /// The session unless expired at `now`: from the auth cache when it
    /// holds it (its expires_at checked against `now` all the same), else
    /// from the database.
    public func getSession(_ hash: proteus_bytes, now: Int64, arena: OpaquePointer?,
                           out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_session>?>?) throws {
        let out = try output(out)
        let writer = try arenaWriter(arena)
        let hashBytes = hash.array ?? []
        let found: SessionRecord?
        if let cached = authCache.session(hashBytes) {
            found = cached.expiresAt != 0 && cached.expiresAt <= now ? nil : cached
        } else {
            let ticket = authCache.ticket()
            found = try perform(.read, "reading a session") { c in
                try c.first(sql.getSession, "reading a session", { v in
                    v.bind(hash)
                    v.bind(now)
                }) { s in
                    var r = SessionRecord(tokenHash: s.bytes(0) ?? [], userID: s.id(1) ?? [], namespace: s.text(2) ?? "")
                    r.createdAt = s.int64(3)
                    r.expiresAt = s.int64(4)
                    r.dataJSON = s.text(5)
                    return r
                }
            }
            if let found, !hashBytes.isEmpty { authCache.keep(found, for: hashBytes, ticket) }
        }
        guard let found else { throw PluginError.notFound("no such session (unknown or expired)") }
        out.pointee = try writer.single(try writer.session(found))
    }

    public func deleteSession(_ hash: proteus_bytes) throws {
        try deleteOne(sql.deleteSession, "deleting a session", missing: "no such session") { $0.bind(hash) }
    }

    /// session_count_user (2.6): the user's sessions live at `now`, from
    /// the database (never the auth cache). A missing user has 0.
    public func countUserSessions(_ user: proteus_id, now: Int64, count: UnsafeMutablePointer<UInt64>?) throws {
        guard let count else { throw PluginError.invalid("session_count_user: count is NULL") }
        let n = try perform(.read, "counting a user's sessions") { c in
            try c.first(sql.countUserSessions, "counting a user's sessions", { v in
                v.bind(user)
                v.bind(now)
            }) { $0.int64(0) } ?? 0
        }
        count.pointee = UInt64(clamping: n)
    }

    /// A missing user is not an error: it simply has no sessions (count 0).
    public func deleteUserSessions(_ user: proteus_id, ns: proteus_str, deleted: UnsafeMutablePointer<UInt64>?) throws {
        let n = try deleteOfUser(user, ns: ns, all: sql.deleteUserSessions, inNamespace: sql.deleteUserSessionsInNamespace,
                                 "deleting a user's sessions")
        deleted?.pointee = n
    }
}
