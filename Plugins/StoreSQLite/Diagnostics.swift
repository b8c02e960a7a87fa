// The "sqlite.diagnostics.v1" extension (StoreCore's StoreDiagnostics):
// read-only facts about the open database for tests and operators —
// connection pragmas and the query plan of a substring search. Names come
// from a fixed list; nothing here writes.
//
// Names: "writer.<pragma>", "reader.<pragma>" (pragma one of journal_mode,
// synchronous, foreign_keys, busy_timeout, application_id, user_version,
// query_only), "plan.username_contains", "plan.username_contains+has_role",
// "plan.username_folded", "plan.username_folded_prefix" (ABI 2.3) and
// "plan.username_folded_contains" (2.4),
// "check.username_index" ("ok" when both trigram indexes, and schema 7's
// username_trigrams and folded gram counts, match users.username exactly,
// and schema 8's seq_order_exceptions lists every user out of seq order,
// and schema 9's username_grams match too, each posting with its user's
// facet (schema 11), and the users per created_at
// bucket at every level; else which differs) and "counters.rows" (stored counters, expired
// ones included: shows the clean-up at work).
import PluginAPI
import PluginKit
import StoreCore

extension SQLiteBackend {
    var diagnosticsID: String { "sqlite.diagnostics.v1" }

    static let diagnosticPragmas: Set<String> = ["journal_mode", "synchronous", "foreign_keys", "busy_timeout",
                                                 "application_id", "user_version", "query_only"]

    /// The searches "plan.*" explains (page in created order; for a folded
    /// username also the count, lines marked "count:").
    static let explainedSearches: Set<String> = ["plan.username_contains", "plan.username_contains+has_role",
                                                 "plan.username_folded", "plan.username_folded_prefix", "plan.username_folded_contains"]

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
                // FTS5's own check, comparing each index with users.username too.
                return try pool.withWriter { c in
                    for index in ["users_fts", "users_fts_folded"] {
                        try c.execute("INSERT INTO \(index) (\(index), rank) VALUES ('integrity-check', 1)", "checking the username index \(index)")
                    }
                    // Schema 3's positions and 7's, 8's and 9's tables, against the users.
                    for (table, differs) in Self.searchTableChecks where try c.scalar(differs, "checking \(table)") != 0 {
                        return "\(table) differs from the users"
                    }
                    return "ok"
                }
            }
            if Self.explainedSearches.contains(name) {
                var q = proteus_user_query()
                q.struct_size = UInt32(MemoryLayout<proteus_user_query>.size)
                return try withProteusStr("abcd") { needle in
                  try withProteusStr("admin") { role in
                    if name.hasPrefix("plan.username_folded") {
                        q.username_folded = needle
                        q.username_folded_match = name.hasSuffix("prefix") ? PROTEUS_MATCH_PREFIX
                            : name.hasSuffix("contains") ? PROTEUS_MATCH_CONTAINS : PROTEUS_MATCH_EQUALS
                    } else {
                        q.username_contains = needle
                    }
                    if name.hasSuffix("has_role") { q.has_role = role }
                    let filter = SearchFilter(q)
                    let w = filter.conditions
                    return try pool.read("explaining a search") { c in
                        let page = "EXPLAIN QUERY PLAN SELECT \(SQLiteSQL.userColumns) FROM users u\(w.whereClause) ORDER BY u.created_at, u.id LIMIT 10"
                        var plan = try c.all(page, "explaining a search", { w.bind($0) }) { $0.text(3) ?? "" }
                        if name.hasPrefix("plan.username_folded") {
                            plan += try c.all("EXPLAIN QUERY PLAN " + filter.countSQL, "explaining a count", { w.bind($0) }) { "count: " + ($0.text(3) ?? "") }
                        }
                        return plan.joined(separator: "\n")
                    }
                  }
                }
            }
        } catch {
            return "error: \(error)"
        }
        return nil
    }

    /// Each a count of the rows where a table schema 7, 8 or 9 keeps for
    /// search (with schema 11's facets) and a recount from users differ.
    static let searchTableChecks: [(String, String)] = [
        // Users not listed, each after the one before it by seq in created
        // order too; and no listed seq without its user.
        ("seq_order_exceptions", """
            SELECT (SELECT count(*) FROM (
                        SELECT created_at, id, lag(created_at) OVER w AS before_at, lag(id) OVER w AS before_id
                        FROM users WHERE seq NOT IN (SELECT seq FROM seq_order_exceptions) WINDOW w AS (ORDER BY seq))
                    WHERE before_at IS NOT NULL AND (before_at, before_id) >= (created_at, id))
                 + (SELECT count(*) FROM seq_order_exceptions WHERE seq NOT IN (SELECT seq FROM users))
            """),
        ("username_trigrams", """
            SELECT count(*) FROM (
                SELECT * FROM (SELECT gram, created_at, id, role_set, flags FROM username_trigrams
                    EXCEPT SELECT substr(lower(u.username), o.i, 3), u.created_at, u.id, u.role_set, u.flags FROM users u JOIN gram_offsets o ON o.len = 3 AND o.i <= length(u.username) - 2)
                UNION ALL
                SELECT * FROM (SELECT substr(lower(u.username), o.i, 3), u.created_at, u.id, u.role_set, u.flags FROM users u JOIN gram_offsets o ON o.len = 3 AND o.i <= length(u.username) - 2
                    EXCEPT SELECT gram, created_at, id, role_set, flags FROM username_trigrams))
            """),
        ("username_grams", """
            SELECT count(*) FROM (
                SELECT * FROM (SELECT gram, seq, role_set, flags FROM username_grams
                    EXCEPT SELECT substr(lower(u.username), o.i, 8), u.seq, u.role_set, u.flags FROM users u JOIN gram_offsets o ON o.len = 3 AND o.i <= length(u.username) - 3)
                UNION ALL
                SELECT * FROM (SELECT substr(lower(u.username), o.i, 8), u.seq, u.role_set, u.flags FROM users u JOIN gram_offsets o ON o.len = 3 AND o.i <= length(u.username) - 3
                    EXCEPT SELECT gram, seq, role_set, flags FROM username_grams))
            """),
        ("folded_gram_corrections", """
            WITH kept(gram, role_set, flags, n) AS (
                    SELECT gram, role_set, flags, sum(n) FROM (SELECT gram, role_set, flags, n FROM gram_counts
                        UNION ALL SELECT gram, role_set, flags, n FROM folded_gram_corrections)
                    GROUP BY 1, 2, 3 HAVING sum(n) <> 0),
                recounted(gram, role_set, flags, n) AS (
                    SELECT gram, role_set, flags, count(*) FROM (
                        SELECT DISTINCT u.seq, substr(lower(u.username), o.i, o.len) AS gram, u.role_set, u.flags
                        FROM users u JOIN gram_offsets o ON o.i <= length(u.username) AND o.i <= length(u.username) - o.len + 1)
                    GROUP BY 1, 2, 3)
            SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM recounted
                                  UNION ALL SELECT * FROM (SELECT * FROM recounted EXCEPT SELECT * FROM kept))
            """),
        // Schema 3's positions at every level (15 and 25 added by schema 10).
        ("user_positions", """
            WITH kept AS (SELECT level, bucket, role_set, flags, n FROM user_positions WHERE n <> 0),
                recounted AS (
                    SELECT l.level, u.created_at >> l.level, u.role_set, u.flags, count(*)
                    FROM users u, (\(FacetSearch.positionLevels.map { "SELECT \($0) AS level" }.joined(separator: " UNION ALL "))) l
                    GROUP BY 1, 2, 3, 4)
            SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM recounted
                                  UNION ALL SELECT * FROM (SELECT * FROM recounted EXCEPT SELECT * FROM kept))
            """),
    ]
}
