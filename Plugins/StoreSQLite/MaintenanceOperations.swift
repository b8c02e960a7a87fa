// stats (purge_expired lives with the sessions).
import PluginAPI
import PluginKit

extension SQLiteStore {
    func stats(_ out: UnsafeMutablePointer<proteus_store_stats>?) throws {
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        var s = proteus_store_stats()
        s.struct_size = UInt32(MemoryLayout<proteus_store_stats>.size)
        try pool.read("reading statistics") { c in
            func count(_ table: String) throws -> UInt64 {
                UInt64(try c.scalar("SELECT count(*) FROM \(table)", "counting \(table)"))
            }
            s.users = try count("users")
            s.documents = try count("documents")
            s.groups = try count("groups")
            s.roles = try count("roles")
            s.sessions = try count("sessions")
            s.api_keys = try count("api_keys")
            s.identities = try count("identities")
            s.schema_version = UInt32(try c.scalar("PRAGMA user_version", "reading the schema version"))
        }
        out.pointee = s
    }
}
