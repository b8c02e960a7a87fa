// stats and purge_expired.
import PluginAPI
import PluginKit

extension StoreCore {
    public func stats(_ out: UnsafeMutablePointer<proteus_store_stats>?) throws {
        let out = try output(out)
        var s = proteus_store_stats()
        s.struct_size = UInt32(MemoryLayout<proteus_store_stats>.size)
        let row = try perform(.read, "reading statistics") { c in
            try c.first(sql.stats, "reading statistics") { r in (0..<8).map { r.int64($0) } }
        }
        guard let row else { throw PluginError.internal("the statistics query returned no row") }
        s.users = UInt64(clamping: row[0])
        s.documents = UInt64(clamping: row[1])
        s.groups = UInt64(clamping: row[2])
        s.roles = UInt64(clamping: row[3])
        s.sessions = UInt64(clamping: row[4])
        s.api_keys = UInt64(clamping: row[5])
        s.identities = UInt64(clamping: row[6])
        s.schema_version = UInt32(clamping: row[7])
        out.pointee = s
    }

    /// Deletes expired sessions.
    public func purgeExpired(now: Int64, removed: UnsafeMutablePointer<UInt64>?) throws {
        let n = try perform(.write, "purging expired sessions") { c in
            try c.run(sql.purgeExpiredSessions, "purging expired sessions") { $0.bind(now) }
        }
        removed?.pointee = UInt64(clamping: n)
    }
}
