// user_search in PostgreSQL: case-sensitive LIKE over the trigram index,
// folded usernames over their expression index, the page cut in a subquery
// before the details are computed.
import PluginAPI
import PluginKit
import StoreCore

extension PostgresSQL {
    func searchPlan(_ query: proteus_user_query, order: UserOrder) throws(PluginError) -> any UserSearchPlan {
        SearchPlan(query: query, order: order, filter: SearchFilter(query),
                   orderBy: Self.orderBy(order, cursor: query.after_username.isPresent),
                   facets: FacetSearch(query, order: order, placeholder: Self.placeholder, contains: "strpos", fold: "proteus_fold", limitedArms: true, statementsAreRoundTrips: true))
    }

    /// `cursor`: the query has after_username (2.6), so every username is
    /// present and unique: the order of users_username_key itself (NULLS
    /// FIRST is not, and sorted every match), no id needed.
    static func orderBy(_ order: UserOrder, cursor: Bool = false) -> String {
        switch order {
        case .created: "u.created_at, u.id"
        case .username: cursor ? "u.username" : "u.username NULLS FIRST, u.id"     // bytes ("C"), absent first
        case .id: "u.id"
        }
    }
}

struct SearchPlan: UserSearchPlan {
    let query: proteus_user_query
    let order: UserOrder
    let filter: SearchFilter
    let orderBy: String
    let facets: FacetSearch?

    func count(_ c: any StoreConnection) throws -> Int64 {
        if let facets, let total = try facets.count(c) { return total }
        return try c.first(filter.countSQL, "counting users", { filter.conditions.bind($0) }) { $0.int64(0) } ?? 0
    }

    /// The facet counts are exact at no cost; otherwise the matches are
    /// counted up to `limit` (the scan stops there).
    func count(_ c: any StoreConnection, atMost limit: Int64) throws -> Int64 {
        if let facets, let total = try facets.count(c) { return total }
        let sql = "SELECT count(*) FROM (SELECT 1 FROM users u\(filter.conditions.whereClause) LIMIT \(max(limit, 0))) m"
        return try c.first(sql, "counting users", { filter.conditions.bind($0) }) { $0.int64(0) } ?? 0
    }

    /// A folded equality or prefix, or a contained text the trigram index
    /// serves (see below; one of three characters is counted by the facets,
    /// whose statements' plans are fixed too).
    /// A facet search's statements (counts, positions, the page's keys
    /// from an index in created order, then each key's row) have the
    /// plans their text fixes too; when the facets cannot page, page()
    /// asks for custom plans again.
    var fixesItsPlans: Bool {
        if let facets { return facets.countsAlone }
        guard let folded = filter.folded else { return false }
        return folded.match != .contains || Self.hasTrigram(folded.folded)
    }

    /// Every user, from the facet counts (what a walk would read at most).
    static func userCount(_ c: any StoreConnection) throws -> Int64 {
        try c.first("SELECT coalesce(sum(n), 0) FROM user_facets", "counting users") { $0.int64(0) } ?? 0
    }

    /// True when the query has a case-sensitive substring (username_contains)
    /// the trigram index finds.
    var hasTrigramSubstring: Bool {
        let needle = query.username_contains
        return needle.isPresent && needle.len > 0 && Self.hasTrigram(needle.string ?? "")
    }

    /// True when pg_trgm finds a trigram in `text` as a LIKE pattern: three
    /// alphanumeric characters in a row (it splits patterns into words).
    static func hasTrigram(_ text: String) -> Bool {
        var run = 0
        for c in text.unicodeScalars {
            run = c.properties.isAlphabetic || c.properties.numericType != nil ? run + 1 : 0
            if run >= 3 { return true }
        }
        return false
    }

    /// A folded equality's, prefix's or contained text's page and total
    /// from one pass over at most CountedPageQuery.cap matches' order keys (the
    /// folded index alone; a contained text's from the trigram index, one
    /// scan and recheck where count and page each made one). Only with
    /// plans fixed by their text: the statement runs alone. A case-sensitive
    /// substring with a trigram too: its generic plan reads the trigram
    /// index (the count's and the page's custom plans each ran it).
    /// A substring of four to eight characters in created order reads its
    /// matches' order keys from username_grams (schema 8) instead: one
    /// range of its primary key, exact, nothing rechecked (other
    /// conditions are tested on each match's row).
    func countedPage(offset: Int64, limit: UInt32, documents: StoreInput.DocSelection) -> CountedPageQuery? {
        let w: SQLConditions
        let matches: String
        if let grams = gramMatches {
            // (The facets cannot count a text this long.)
            (matches, w) = grams
        } else if facets == nil, filter.folded != nil ? fixesItsPlans : hasTrigramSubstring {
            w = filter.conditions
            matches = "SELECT u.id, u.created_at, u.username FROM users u\(w.whereClause)"
        } else {
            return nil
        }
        var n = w.valueCount
        var nsParam = 0
        if case .one = documents {
            n += 1
            nsParam = n
        }
        let keys = "\(matches) LIMIT \(CountedPageQuery.cap)"
        let cut = "SELECT u.* FROM (SELECT u.id FROM m u ORDER BY \(orderBy) LIMIT $\(n + 1) OFFSET $\(n + 2)) p JOIN users u ON u.id = p.id"
        let presence = keyPresence(nsParam: n + 3)
        let sql = "WITH m AS MATERIALIZED (\(keys)) SELECT \(PostgresSQL.userColumns(documents, nsParam: nsParam)), (SELECT count(*) FROM m)\(presence.column) FROM (\(cut)) u ORDER BY \(orderBy)"
        // The key presence follows the total.
        let page = SearchPageQuery(sql: sql, keyPresenceColumn: presence.bind.map { _ in UserDetails.inRowColumnCount + 1 }) { s in
            w.bind(s)
            if case .one(let ns) = documents { s.bind(ns) }
            s.bind(limit)
            s.bind(offset)
            presence.bind?(s)
        }
        return CountedPageQuery(page: page)
    }

    /// The order keys of the query's substring's users, from the range of
    /// username_grams (schema 8, FoldedUsername.gramRange) that holds them,
    /// in created order; nil when the substring has no such range. A user
    /// whose name holds the text twice has two such grams. Role and flag
    /// conditions are tested on the facet each posting carries (schema 10,
    /// from the index alone); the query's other conditions (values after
    /// those) on each of those users in a lateral subquery (OFFSET 0 keeps
    /// it one): a join's generic plan, estimating 35,000 candidates, read
    /// every user.
    /// Made distinct by sorting in created order: hashing them sized its
    /// table for those 35,000 (pgbench at a million users: `R123`, 1,000
    /// matches, 1.23-1.38 ms against 0.89-1.06 sorted; `R1234` 0.66
    /// against 0.37 ms).
    var gramMatches: (sql: String, conditions: SQLConditions)? {
        guard order == .created else { return nil }
        let contained = query.username_contains.isPresent && query.username_contains.len > 0
        let range: (from: String, upTo: String)?
        if let folded = filter.folded {
            range = folded.match == .contains && !contained ? FoldedUsername.gramRange(folded.folded, isFolded: true) : nil
        } else {
            range = query.username_contains.string.flatMap { FoldedUsername.gramRange($0, isFolded: false) }
        }
        guard let range else { return nil }
        var first = SQLConditions(placeholder: PostgresSQL.placeholder)
        first.add("g.gram >= $?") { $0.bind(text: range.from) }
        first.add("g.gram < $?") { $0.bind(text: range.upTo) }
        for (condition, bind) in FacetPredicate(query, column: "g.", contains: "strpos").conditions { first.add(condition, bind) }
        let inRange = first.conditions.joined(separator: " AND ")
        let w = SearchFilter(query, matchingFoldedUsername: false, matchingContained: false, matchingFacet: false, first: first).conditions
        let rest = w.conditions.dropFirst(first.conditions.count)
        let sql = rest.isEmpty ? "SELECT DISTINCT g.created_at, g.id FROM username_grams g WHERE \(inRange) ORDER BY g.created_at, g.id"
            : "SELECT DISTINCT g.created_at, g.id FROM username_grams g, LATERAL (SELECT 1 FROM users u WHERE u.id = g.id AND \(rest.joined(separator: " AND ")) OFFSET 0) u WHERE \(inRange) ORDER BY g.created_at, g.id"
        return (sql, w)
    }

    /// The page is cut in a subquery first: PostgreSQL computes the select
    /// list (the roles and documents subqueries) for every row an OFFSET
    /// skips, which made a deep page of a million users take seconds.
    /// Values: the filter's, the namespace (one selected), limit, offset
    /// (then a folded prefix's run bounds).
    func page(_ c: any StoreConnection, _ page: SearchPage) throws -> SearchPageQuery {
        var customPlans = false
        if let facets {
            if let keys = try facets.pageKeys(c, page) {
                return Self.facetPage(keys, documents: page.documents, keyPresence: query.key_presence ? query.key_ns : nil)
            }
            if fixesItsPlans {
                try c.run("SET LOCAL plan_cache_mode = auto", "choosing custom plans")
                customPlans = true
            }
        }
        var w = filter.conditions
        var runs: [(from: String, upTo: String?)]?
        var materialized = false
        if filter.folded == nil, hasTrigramSubstring {
            // A case-sensitive substring likewise: with LIMIT, the planner
            // walked created order testing LIKE for sparse matches (1-2 s
            // for a five-digit needle at a million users, from the pg_trgm
            // estimate of 100 rows).
            materialized = !page.walkBeatsSubstringIndex(users: try Self.userCount(c))
        } else if let folded = filter.folded {
            // Chosen here from the exact total, not by the planner (see below).
            let users = try Self.userCount(c)
            let walk = folded.match == .contains ? page.walkBeatsSubstringIndex(users: users) : page.walkBeatsIndex(users: users)
            if !walk {
                materialized = true
            } else {
                // A walk's plan is the planner's again.
                if fixesItsPlans && !customPlans { try c.run("SET LOCAL plan_cache_mode = auto", "choosing custom plans") }
                if folded.match != .contains, order == .username, let byteRuns = folded.byteRuns() {
                    runs = byteRuns
                    // Every username of a run matches: the runs are the test.
                    w = SearchFilter(query, matchingFoldedUsername: false).conditions
                }
            }
        }
        var n = w.valueCount
        var nsParam = 0
        if case .one = page.documents {
            n += 1
            nsParam = n
        }
        let limit = "LIMIT $\(n + 1) OFFSET $\(n + 2)"
        var cut = "SELECT * FROM users u\(w.whereClause) ORDER BY \(orderBy) \(limit)"
        var bounds: [String] = []
        if let runs {
            (cut, bounds) = Self.merge(runs, w, firstBound: n + 3, limit: n + 1, offset: n + 2)
        } else if materialized {
            // The matches' order keys only (from the folded index alone when
            // the username is all the filter), then the page's rows.
            let keys = "SELECT u.id, u.created_at, u.username FROM users u\(w.whereClause)"
            cut = "WITH m AS MATERIALIZED (\(keys)), p AS (SELECT u.id FROM m u ORDER BY \(orderBy) \(limit)) SELECT u.* FROM p JOIN users u ON u.id = p.id"
        }
        let presence = keyPresence(nsParam: n + 3 + bounds.count)
        let sql = "SELECT \(PostgresSQL.userColumns(page.documents, nsParam: nsParam))\(presence.column) FROM (\(cut)) u ORDER BY \(orderBy)"
        return SearchPageQuery(sql: sql, keyPresenceColumn: presence.bind.map { _ in UserDetails.inRowColumnCount }) { s in
            w.bind(s)
            if case .one(let ns) = page.documents { s.bind(ns) }
            s.bind(page.limit)
            s.bind(page.offset)
            for bound in bounds { s.bind(text: bound) }
            presence.bind?(s)
        }
    }
}

extension SearchPlan {
    /// The rows of a facet page's keys (FacetSearch.pageKeys), in created
    /// order. Each key's row is its own lateral subquery (OFFSET 0 keeps
    /// it one), read by the primary key: a plain join's generic plan,
    /// estimating a tenth of the users for LIMIT $n, hashed them all.
    /// `keyPresence` (2.7): the key namespace of a query with key_presence.
    static func facetPage(_ keys: BoundSQL, documents: StoreInput.DocSelection, keyPresence: proteus_str?) -> SearchPageQuery {
        var n = keys.valueCount
        var nsParam = 0
        if case .one = documents {
            n += 1
            nsParam = n
        }
        let presence = keyPresenceColumn(keyPresence, nsParam: n + 1)
        let found = "SELECT u.* FROM page p, LATERAL (SELECT * FROM users u WHERE u.id = p.id OFFSET 0) u"
        let sql = "WITH page AS (\(keys.text)) SELECT \(PostgresSQL.userColumns(documents, nsParam: nsParam))\(presence.column) FROM (\(found)) u ORDER BY u.created_at, u.id"
        return SearchPageQuery(sql: sql, keyPresenceColumn: presence.bind.map { _ in UserDetails.inRowColumnCount }) { s in
            keys.bind(s)
            if case .one(let ns) = documents { s.bind(ns) }
            presence.bind?(s)
        }
    }

    /// The key presence column (2.7) of a page and what binds its
    /// namespace, parameter `nsParam`; empty without key_presence.
    static func keyPresenceColumn(_ ns: proteus_str?, nsParam: Int) -> (column: String, bind: ((any StoreStatement) -> Void)?) {
        guard let ns else { return ("", nil) }
        return (PostgresSQL.keyPresenceColumn(nsParam: nsParam), { $0.bind(ns) })
    }

    /// keyPresenceColumn for this plan's query.
    func keyPresence(nsParam: Int) -> (column: String, bind: ((any StoreStatement) -> Void)?) {
        Self.keyPresenceColumn(query.key_presence ? query.key_ns : nil, nsParam: nsParam)
    }
}

// A folded username's page. Its plan is chosen from the exact total, not
// by the planner: a prepared statement's generic plan cannot see how many
// users a prefix matches, and walked the created order for a two-letter
// prefix (a few hundred of a million users) through tens of thousands of
// rows, or combined the username and folded indexes for a one-letter one.
// Sparse matches' order keys are all read from the folded index first (a
// materialized CTE, which the planner cannot turn into a walk; an
// index-only scan, schema 5), then sorted, and the page's rows read. Dense
// ones (SearchPage.walkBeatsIndex) walk the ORDER BY index; in username
// order, where they lie in a few runs, each run is walked and the runs
// merged.
//
// Up to CountedPageQuery.cap matches, one statement answers the total and the page
// (countedPage): the keys are read once, by one scan of the folded index.
//
// Those statements' plans are fixed by their text, so they run with
// generic plans (fixesItsPlans: StoreCore's snapshotOfFixedPlans):
// re-planning them for every value (PostgreSQL keeps custom plans when a
// generic one looks costlier) was a quarter of the database's time in the
// SCIM `userName sw` benchmark, and the generic plans are the same. A
// contained text with a trigram is read through the trigram index: its
// custom plan, costing random heap reads for the matches the trigram
// statistics predict, scanned all of users_username_key instead (190 ms
// for `ILIKE '%r95%'` at a million users, against 5 ms). Without a trigram
// the planner keeps its choice (a scan), as does a walk: its generic plan
// sorts every match.
extension SearchPlan {
    /// The cut of a page merged from `runs` (FoldedUsername.byteRuns): one
    /// index walk of users_username_key per run, ordered and limited, so
    /// that PostgreSQL merges them (Merge Append). Usernames are unique and
    /// present, so the order needs neither id nor NULLS FIRST. Values: the
    /// conditions `w` (every arm tests them), limit, offset, then the
    /// returned bounds from $firstBound.
    static func merge(_ runs: [(from: String, upTo: String?)], _ w: SQLConditions, firstBound: Int,
                      limit: Int, offset: Int) -> (String, [String]) {
        var p = firstBound - 1
        var bounds: [String] = []
        let arms = runs.map { run -> String in
            p += 1
            bounds.append(run.from)
            var range = "u.username >= $\(p)"
            if let upTo = run.upTo {
                p += 1
                bounds.append(upTo)
                range += " AND u.username < $\(p)"
            }
            let rest = w.conditions.map { " AND " + $0 }.joined()
            return "(SELECT * FROM users u WHERE \(range)\(rest) ORDER BY u.username LIMIT $\(limit) + $\(offset))"
        }
        return ("SELECT * FROM (\(arms.joined(separator: " UNION ALL "))) u ORDER BY u.username LIMIT $\(limit) OFFSET $\(offset)", bounds)
    }
}

/// The WHERE clause of a (checked) query.
struct SearchFilter {
    private(set) var conditions = SQLConditions(placeholder: PostgresSQL.placeholder)
    /// The query's folded username (2.3), if any.
    private(set) var folded: FoldedUsername?

    var countSQL: String { "SELECT count(*) FROM users u\(conditions.whereClause)" }

    /// `text` as a LIKE pattern matching it literally anywhere.
    static func containsPattern(_ text: UnsafeRawBufferPointer) -> String {
        var out: [UInt8] = [UInt8(ascii: "%")]
        for b in text {
            if b == UInt8(ascii: "%") || b == UInt8(ascii: "_") || b == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(b)
        }
        out.append(UInt8(ascii: "%"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `matchingFoldedUsername` false: without the folded username's
    /// conditions (the caller tests it otherwise); `matchingContained`
    /// false, without the case-sensitive substring's; `matchingFacet`
    /// false, without the roles' and flags'. `first`: conditions that come
    /// before the query's (their values first).
    init(_ q: proteus_user_query, matchingFoldedUsername: Bool = true, matchingContained: Bool = true, matchingFacet: Bool = true,
         first: SQLConditions = SQLConditions(placeholder: PostgresSQL.placeholder)) {
        conditions = first
        folded = FoldedUsername(q)
        if let name = folded, matchingFoldedUsername {
            // proteus_fold() folds A-Z only, as FoldedUsername does (schema
            // 4): the expression index users_username_folded, in "C" order,
            // answers equality and the prefix's range.
            // A contained text (2.4): ILIKE under the column's "C" folds A-Z only, as
            // FoldedUsername does, and the trigram index (whose trigrams
            // are folded) finds candidates for 3+ characters.
            let matches = name.conditions({ "proteus_fold(u.username) \($0) $?" }) { text in
                let pattern = Array(text.utf8).withUnsafeBytes { Self.containsPattern($0) }
                return [("u.username ILIKE $?", { $0.bind(text: pattern) })]
            }
            for (condition, bind) in matches { conditions.add(condition, bind) }
        }
        let needle = q.username_contains
        if needle.isPresent && needle.len > 0 && matchingContained {
            // Case-sensitive LIKE ("C" collation); the trigram index finds
            // candidates for 3+ characters and every row is rechecked exactly.
            let pattern = Self.containsPattern(needle.buffer)
            conditions.add("u.username LIKE $?") { $0.bind(text: pattern) }
        }
        if q.email.isPresent {
            let email = q.email
            conditions.add("lower(u.email COLLATE \"C\") = lower($? COLLATE \"C\")") { $0.bind(email) }
        }
        // Roles and flags: the user's facet (schema 3).
        for (condition, bind) in FacetPredicate(q, column: "u.", contains: "strpos").conditions where matchingFacet {
            conditions.add(condition, bind)
        }
        switch q.group_filter {
        case PROTEUS_GROUP_NONE:
            conditions.add("u.group_id IS NULL")
        case PROTEUS_GROUP_EQUALS:
            let group = q.group_id
            conditions.add("u.group_id = $?") { $0.bind(group) }
        default:
            break
        }
        if q.after_username.isPresent {
            // The cursor (2.6): a range start of users_username_key ("C").
            let after = q.after_username
            conditions.add("u.username > $?") { $0.bind(after) }
        }
    }
}
