// The "sqlite.diagnostics.v1" extension: read-only facts about the open
// database for tests and operators — connection pragmas and the query plan
// of a substring search. Names come from a fixed list; nothing here writes.
//
// Extension value: a C function
//   int32_t diagnostic(void *instance, const char *name, char *buffer, size_t capacity)
// writing a NUL-terminated answer; PROTEUS_OK, or PROTEUS_E_NOT_FOUND for an
// unknown name. Names: "writer.<pragma>", "reader.<pragma>" (pragma one of
// journal_mode, synchronous, foreign_keys, busy_timeout, application_id,
// user_version, query_only), "plan.username_contains" and
// "plan.username_contains+has_role", "check.username_index" ("ok" when
// the trigram index matches users.username exactly) and "counters.rows"
// (stored counters, expired ones included: shows the clean-up at work).
import Glibc
import PluginAPI
import PluginKit

typealias DiagnosticFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, UnsafeMutablePointer<CChar>?, Int) -> Int32

let sqliteDiagnosticsID = "sqlite.diagnostics.v1"

let sqliteDiagnostic: DiagnosticFunction = { instance, name, buffer, capacity in
    guard let instance, let name, let buffer, capacity > 0 else { return PROTEUS_E_INVALID }
    guard let answer = SQLiteStore.from(instance).diagnostic(String(cString: name)) else { return PROTEUS_E_NOT_FOUND }
    let bytes = Array(answer.utf8.prefix(capacity - 1))
    for (i, b) in bytes.enumerated() { buffer[i] = CChar(bitPattern: b) }
    buffer[bytes.count] = 0
    return PROTEUS_OK
}

let sqliteGetExtension: GetExtensionFunction = { _, id in
    guard let id, String(cString: id) == sqliteDiagnosticsID else { return nil }
    return unsafeBitCast(sqliteDiagnostic, to: UnsafeRawPointer.self)
}

extension SQLiteStore {
    static let diagnosticPragmas: Set<String> = ["journal_mode", "synchronous", "foreign_keys", "busy_timeout",
                                                 "application_id", "user_version", "query_only"]

    func diagnostic(_ name: String) -> String? {
        do {
            for (prefix, writer) in [("writer.", true), ("reader.", false)] where name.hasPrefix(prefix) {
                let pragma = String(name.dropFirst(prefix.count))
                guard Self.diagnosticPragmas.contains(pragma) else { return nil }
                let read = { (c: Connection) throws -> String in
                    // Our own busy handler replaces SQLite's, so the pragma would say 0.
                    if pragma == "busy_timeout" { return String(c.busyTimeoutMs) }
                    return try c.with("PRAGMA \(pragma)") { s in try s.step("reading a pragma") ? (s.text(0) ?? "") : "" }
                }
                return writer ? try pool.withWriter(read) : try pool.read("reading a pragma", read)
            }
            if name == "counters.rows" {
                return try pool.read("counting counters") { c in String(try c.scalar("SELECT count(*) FROM counters", "counting counters")) }
            }
            if name == "check.username_index" {
                // FTS5's own check, comparing the index with users.username too.
                return try pool.withWriter { c in
                    try c.execute("INSERT INTO users_fts (users_fts, rank) VALUES ('integrity-check', 1)", "checking the username index")
                    return "ok"
                }
            }
            if name == "plan.username_contains" || name == "plan.username_contains+has_role" {
                var q = proteus_user_query()
                q.struct_size = UInt32(MemoryLayout<proteus_user_query>.size)
                return try withProteusStr("abcd") { needle in
                  try withProteusStr("admin") { role in
                    q.username_contains = needle
                    if name.hasSuffix("has_role") { q.has_role = role }
                    let filter = try SearchFilter(q)
                    return try pool.read("explaining a search") { c in
                        try c.with("EXPLAIN QUERY PLAN SELECT \(UserRows.columns) FROM users u\(filter.whereClause) ORDER BY u.created_at, u.id LIMIT 10") { s in
                            filter.bind(s)
                            var lines: [String] = []
                            while try s.step("explaining a search") { lines.append(s.text(3) ?? "") }
                            return lines.joined(separator: "\n")
                        }
                    }
                  }
                }
            }
        } catch {
            return "error: \(error)"
        }
        return nil
    }
}
