// The "postgres.diagnostics.v1" extension (StoreCore's StoreDiagnostics):
// read-only facts about the store for tests and operators. Names come from
// a fixed list; only "analyze" writes (planner statistics).
//
// Names: "setting.<name>" (statement_timeout, lock_timeout,
// synchronous_commit, search_path, idle_in_transaction_session_timeout,
// server_version, jit, max_parallel_workers_per_gather), "schema_version", "pool.size", "counters.rows" (stored
// counters, expired ones included), "analyze" (merge the trigram index's
// pending list and ANALYZE the users table, answers "ok"),
// "check.search_tables" ("ok" when username_trigrams, username_grams, the
// users per created_at bucket and the folded gram counts match a recount
// from the users, else which differs),
// "plan.username_contains", "plan.username_contains+has_role" (EXPLAIN of
// a substring search's count), "plan.username_folded" and
// "plan.username_folded_prefix", "plan.username_folded_contains" (the same of a folded username, ABI 2.3/2.4,
// and of its page in created order; for a contained text also its counted
// page, lines marked "counted page:"), "plan.role_page" (the generic plan
// of the page statement of a listing by the role "admin").
import PluginAPI
import PluginKit
import StoreCore

extension PostgresBackend {
    var diagnosticsID: String { "postgres.diagnostics.v1" }

    static let diagnosticSettings: Set<String> = ["statement_timeout", "lock_timeout", "synchronous_commit", "search_path",
                                                  "idle_in_transaction_session_timeout", "server_version", "jit",
                                                  "max_parallel_workers_per_gather"]

    /// The first column of the first row of `sql`.
    private func value(_ sql: String, _ context: String, _ bind: (any StoreStatement) -> Void = { _ in }) throws -> String {
        let text: String?? = try perform(.read, context) { c in try c.first(sql, context, bind) { $0.text(0) } }
        return (text ?? nil) ?? ""
    }

    /// Each a count of the rows where a schema 7 or 8 table (with schema
    /// 10's facets) and a recount from users differ.
    static let foldedChecks: [(String, String)] = [
        ("username_trigrams", """
            WITH kept AS (SELECT gram, created_at, id, role_set, flags FROM username_trigrams),
                recounted AS (SELECT substr(proteus_fold(u.username), i, 3) COLLATE "C" AS gram, u.created_at, u.id, u.role_set, u.flags
                              FROM users u, generate_series(1, length(u.username) - 2) i)
            SELECT count(*)::text FROM ((SELECT * FROM kept EXCEPT SELECT * FROM recounted)
                                        UNION ALL (SELECT * FROM recounted EXCEPT SELECT * FROM kept)) d
            """),
        ("username_grams", """
            WITH kept AS (SELECT gram, created_at, id, role_set, flags FROM username_grams),
                recounted AS (SELECT g COLLATE "C" AS gram, u.created_at, u.id, u.role_set, u.flags FROM users u, proteus_username_grams(u.username) g)
            SELECT count(*)::text FROM ((SELECT * FROM kept EXCEPT SELECT * FROM recounted)
                                        UNION ALL (SELECT * FROM recounted EXCEPT SELECT * FROM kept)) d
            """),
        // Schema 3's positions at every level (15 and 25 added by schema 9).
        ("user_positions", """
            WITH kept AS (SELECT level::bigint, bucket, role_set, flags, n::bigint FROM user_positions WHERE n <> 0),
                recounted AS (SELECT l.level::bigint, u.created_at >> l.level, u.role_set, u.flags, count(*)
                              FROM users u, (VALUES \(FacetSearch.positionLevels.map { "(\($0))" }.joined(separator: ", "))) l(level) GROUP BY 1, 2, 3, 4)
            SELECT count(*)::text FROM ((SELECT * FROM kept EXCEPT SELECT * FROM recounted)
                                        UNION ALL (SELECT * FROM recounted EXCEPT SELECT * FROM kept)) d
            """),
        ("folded_gram_corrections", """
            WITH kept AS (
                    SELECT gram, role_set, flags, sum(n) AS n FROM (SELECT gram, role_set, flags, n FROM gram_counts
                        UNION ALL SELECT gram, role_set, flags, n FROM folded_gram_corrections) g
                    GROUP BY 1, 2, 3 HAVING sum(n) <> 0),
                recounted AS (
                    SELECT gram, role_set, flags, count(*)::numeric AS n FROM (
                        SELECT DISTINCT u.id, substr(proteus_fold(u.username), i, len) COLLATE "C" AS gram, u.role_set, u.flags
                        FROM users u, generate_series(1, length(u.username)) i, generate_series(1, 3) len
                        WHERE i + len - 1 <= length(u.username)) g
                    GROUP BY 1, 2, 3)
            SELECT count(*)::text FROM ((SELECT * FROM kept EXCEPT SELECT * FROM recounted)
                                        UNION ALL (SELECT * FROM recounted EXCEPT SELECT * FROM kept)) d
            """),
    ]

    /// The generic plan (as searches run it) of the page statement of a
    /// listing by the role "admin" in created order, its second page.
    private func rolePagePlan() throws -> String {
        var q = proteus_user_query()
        q.struct_size = UInt32(MemoryLayout<proteus_user_query>.size)
        q.limit = 20
        return try withProteusStr("admin") { role in
            q.has_role = role
            let plan = try PostgresSQL().searchPlan(q, order: .created)
            let context = "explaining a role listing"
            return try perform(.snapshotOfFixedPlans, context) { c in
                let total = try plan.count(c)
                let page = try plan.page(c, SearchPage(total: total, offset: min(20, max(total - 1, 0)), limit: 20,
                                                       documents: .none, totalIsLowerBound: false))
                // Run once, so that it is prepared on this connection; then
                // EXPLAIN EXECUTE shows the generic plan the session caches
                // for it, whatever the values (it runs nothing: NULLs).
                _ = try c.all(page.sql, context, { page.bind($0) }) { _ in 0 }
                let prepared = try c.first("SELECT name, cardinality(parameter_types) FROM pg_prepared_statements WHERE statement = $1",
                                           context, { $0.bind(text: page.sql) }) { ($0.text(0) ?? "", Int($0.int64(1))) }
                guard let (name, count) = prepared, !name.isEmpty else { return "not prepared" }
                let values = Array(repeating: "NULL", count: count).joined(separator: ", ")
                return try c.all("EXPLAIN EXECUTE \(name)(\(values))", context) { $0.text(0) ?? "" }.joined(separator: "\n")
            }
        }
    }

    func diagnostic(_ name: String) -> String? {
        do {
            if name.hasPrefix("setting.") {
                let setting = String(name.dropFirst("setting.".count))
                guard Self.diagnosticSettings.contains(setting) else { return nil }
                return try value("SELECT current_setting($1)", "reading a setting") { $0.bind(text: setting) }
            }
            switch name {
            case "schema_version":
                return try value("SELECT value FROM proteus_meta WHERE key = 'schema_version'", "reading the schema version")
            case "counters.rows":
                return try value("SELECT count(*)::text FROM counters", "counting counters")
            case "pool.size":
                return String(pool.size)
            case "check.search_tables":
                // Schema 3's positions, 7's trigrams and folded counts and 8's grams, against a recount from the users.
                for (table, differs) in Self.foldedChecks where try value(differs, "checking \(table)") != "0" {
                    return "\(table) differs from the users"
                }
                return "ok"
            case "analyze":
                _ = try? value(PostgresSQL.mergeUsernameIndex, "merging the username index")
                _ = try pool.withConnection("analyzing") { c in try c.simple("ANALYZE users", "analyzing") }
                return "ok"
            case "plan.username_contains", "plan.username_contains+has_role", "plan.username_folded", "plan.username_folded_prefix", "plan.username_folded_contains":
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
                        q.limit = 10
                        if name.hasSuffix("has_role") { q.has_role = role }
                        let filter = SearchFilter(q)
                        let w = filter.conditions
                        var explained: [String] = []
                        if name == "plan.username_folded_contains" {
                            // The counted page a folded text of four to eight
                            // characters alone takes (username_grams), lines
                            // marked "counted page:". Run alone, as a search
                            // runs it: its generic plan.
                            let counted = try PostgresSQL().searchPlan(q, order: .created).countedPage(offset: 0, limit: 10, documents: .none)
                            if let counted {
                                let lines = try perform(.read, "explaining a search") { c in
                                    try c.all("EXPLAIN \(counted.page.sql)", "explaining a search", { counted.page.bind($0) }) { "counted page: " + ($0.text(0) ?? "") }
                                }
                                explained += lines
                            }
                        }
                        // Planned as a search is: for its values.
                        explained += try perform(.snapshot, "explaining a search") { c in
                            var plan = try c.all("EXPLAIN \(filter.countSQL)", "explaining a search", { w.bind($0) }) { $0.text(0) ?? "" }
                            if name.hasPrefix("plan.username_folded") {
                                // The page's cut too (created order), lines marked "page:".
                                let page = "EXPLAIN SELECT u.id FROM users u\(w.whereClause) ORDER BY u.created_at, u.id LIMIT 10"
                                plan += try c.all(page, "explaining a search", { w.bind($0) }) { "page: " + ($0.text(0) ?? "") }
                            }
                            return plan
                        }
                        return explained.joined(separator: "\n")
                    }
                }
            case "plan.role_page":
                return try rolePagePlan()
            default:
                return nil
            }
        } catch {
            return "error: \(error)"
        }
    }
}
