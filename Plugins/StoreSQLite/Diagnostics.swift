// The "sqlite.diagnostics.v1" extension (StoreCore's StoreDiagnostics):
// read-only facts about the open database for tests and operators —
// connection pragmas and the query plan of a substring search. Names come
// from a fixed list; nothing here writes.
//
// Names: "writer.<pragma>", "reader.<pragma>" (pragma one of journal_mode,
// synchronous, foreign_keys, busy_timeout, application_id, user_version,
// query_only), "plan.username_contains" and "plan.username_contains+has_role",
// "check.username_index" ("ok" when the trigram index matches
// users.username exactly) and "counters.rows" (stored counters, expired
// ones included: shows the clean-up at work).
import PluginAPI
import PluginKit
import StoreCore

extension SQLiteBackend {
    var diagnosticsID: String { "sqlite.diagnostics.v1" }

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
                    return try c.withStatement("PRAGMA \(pragma)", "reading a pragma") { s in try s.step() ? s.text(0) ?? "" : "" }
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
                    let w = SearchFilter(q).conditions
                    return try pool.read("explaining a search") { c in
                        let plan = "EXPLAIN QUERY PLAN SELECT \(SQLiteSQL.userColumns) FROM users u\(w.whereClause) ORDER BY u.created_at, u.id LIMIT 10"
                        return try c.all(plan, "explaining a search", { w.bind($0) }) { $0.text(3) ?? "" }.joined(separator: "\n")
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
