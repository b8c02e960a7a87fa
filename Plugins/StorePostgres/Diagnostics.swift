// The "postgres.diagnostics.v1" extension: read-only facts about the store
// for tests and operators. Names come from a fixed list; only "analyze"
// writes (planner statistics).
//
// Extension value: a C function
//   int32_t diagnostic(void *instance, const char *name, char *buffer, size_t capacity)
// writing a NUL-terminated answer; PROTEUS_OK, or PROTEUS_E_NOT_FOUND for an
// unknown name. Names: "setting.<name>" (statement_timeout, lock_timeout,
// synchronous_commit, search_path, idle_in_transaction_session_timeout,
// server_version), "schema_version", "pool.size", "counters.rows" (stored
// counters, expired ones included), "analyze" (merge the
// trigram index's pending list and ANALYZE the users table, answers "ok"), "plan.username_contains" and
// "plan.username_contains+has_role" (EXPLAIN of a substring search).
import Glibc
import PluginAPI
import PluginKit

typealias DiagnosticFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, UnsafeMutablePointer<CChar>?, Int) -> Int32

let postgresDiagnosticsID = "postgres.diagnostics.v1"

let postgresDiagnostic: DiagnosticFunction = { instance, name, buffer, capacity in
    guard let instance, let name, let buffer, capacity > 0 else { return PROTEUS_E_INVALID }
    guard let answer = PostgresStore.from(instance).diagnostic(String(cString: name)) else { return PROTEUS_E_NOT_FOUND }
    let bytes = Array(answer.utf8.prefix(capacity - 1))
    for (i, b) in bytes.enumerated() { buffer[i] = CChar(bitPattern: b) }
    buffer[bytes.count] = 0
    return PROTEUS_OK
}

let postgresGetExtension: GetExtensionFunction = { _, id in
    guard let id, String(cString: id) == postgresDiagnosticsID else { return nil }
    return unsafeBitCast(postgresDiagnostic, to: UnsafeRawPointer.self)
}

extension PostgresStore {
    static let diagnosticSettings: Set<String> = ["statement_timeout", "lock_timeout", "synchronous_commit", "search_path",
                                                  "idle_in_transaction_session_timeout", "server_version"]

    func diagnostic(_ name: String) -> String? {
        do {
            if name.hasPrefix("setting.") {
                let setting = String(name.dropFirst("setting.".count))
                guard Self.diagnosticSettings.contains(setting) else { return nil }
                var p = PGParams()
                p.text(setting)
                return try read("reading a setting") { c in try c.execute("SELECT current_setting($1)", p, "reading a setting").text(0, 0) ?? "" }
            }
            switch name {
            case "schema_version":
                return try read("reading the schema version") { c in
                    try c.execute("SELECT value FROM proteus_meta WHERE key = 'schema_version'", PGParams(), "reading the schema version").text(0, 0) ?? ""
                }
            case "counters.rows":
                return try read("counting counters") { c in
                    String(try c.execute("SELECT count(*) FROM counters", PGParams(), "counting counters").int64(0, 0))
                }
            case "pool.size":
                return String(pool.size)
            case "analyze":
                mergeUsernameIndex()
                _ = try read("analyzing") { c in try c.simple("ANALYZE users", "analyzing") }
                return "ok"
            case "plan.username_contains", "plan.username_contains+has_role":
                var q = proteus_user_query()
                q.struct_size = UInt32(MemoryLayout<proteus_user_query>.size)
                return try withProteusStr("abcd") { needle in
                    try withProteusStr("admin") { role in
                        q.username_contains = needle
                        q.limit = 10
                        if name.hasSuffix("has_role") { q.has_role = role }
                        let filter = try SearchFilter(q)
                        return try read("explaining a search") { c in
                            let r = try c.execute("EXPLAIN \(filter.countSQL)", filter.params, "explaining a search")
                            return (0..<r.rows).map { r.text($0, 0) ?? "" }.joined(separator: "\n")
                        }
                    }
                }
            default:
                return nil
            }
        } catch {
            return "error: \(error)"
        }
    }
}
