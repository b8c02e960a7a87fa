// stats (purge_expired lives with the sessions).
import PluginAPI
import PluginKit

extension PostgresStore {
    func stats(_ out: UnsafeMutablePointer<proteus_store_stats>?) throws {
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        var s = proteus_store_stats()
        s.struct_size = UInt32(MemoryLayout<proteus_store_stats>.size)
        try read("reading statistics") { c in
            // One statement: every count from one snapshot.
            let r = try c.execute("""
                SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM documents), (SELECT count(*) FROM groups), \
                (SELECT count(*) FROM roles), (SELECT count(*) FROM sessions), (SELECT count(*) FROM api_keys), \
                (SELECT count(*) FROM identities), (SELECT value FROM proteus_meta WHERE key = 'schema_version')
                """, PGParams(), "reading statistics")
            s.users = UInt64(r.int64(0, 0))
            s.documents = UInt64(r.int64(0, 1))
            s.groups = UInt64(r.int64(0, 2))
            s.roles = UInt64(r.int64(0, 3))
            s.sessions = UInt64(r.int64(0, 4))
            s.api_keys = UInt64(r.int64(0, 5))
            s.identities = UInt64(r.int64(0, 6))
            s.schema_version = UInt32(r.text(0, 7) ?? "") ?? 0
        }
        out.pointee = s
    }
}
