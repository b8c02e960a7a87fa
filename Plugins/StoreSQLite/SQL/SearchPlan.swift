// user_search in SQLite: which index finds the candidates, and when to walk
// the ORDER BY index instead.
import PluginAPI
import PluginKit
import StoreCore

extension SQLiteSQL {
    func searchPlan(_ query: proteus_user_query, order: UserOrder) throws(PluginError) -> any UserSearchPlan {
        SearchPlan(query: query, order: order, filter: SearchFilter(query),
                   orderBy: Self.orderBy(order, cursor: query.after_username.isPresent),
                   facets: FacetSearch(query, order: order, placeholder: Self.placeholder, contains: "instr", fold: "lower", limitedArms: false, statementsAreRoundTrips: false))
    }

    /// `cursor`: the query has after_username (2.6), so every username is
    /// present and unique and needs no id after it.
    static func orderBy(_ order: UserOrder, cursor: Bool = false) -> String {
        switch order {
        case .created: "u.created_at, u.id"
        case .username: cursor ? "u.username" : "u.username, u.id"     // absent usernames first
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
    /// counted up to `limit` (the index read stops there).
    func count(_ c: any StoreConnection, atMost limit: Int64) throws -> Int64 {
        if let facets, let total = try facets.count(c) { return total }
        return try c.first(filter.countSQL(atMost: limit), "counting users", { filter.conditions.bind($0) }) { $0.int64(0) } ?? 0
    }

    /// The page from the driving index, or by walking the ORDER BY index
    /// when matches are dense (SearchPage.walkBeatsIndex). A folded prefix
    /// in username order lies in a few runs of that order rather than
    /// spread along it: its walk merges the runs (FoldedUsername.byteRuns).
    func page(_ c: any StoreConnection, _ page: SearchPage) throws -> SearchPageQuery {
        if ordersPageByIndex, let index = filter.trigramIndexAlone { return seqOrderedPage(index, page) }
        if let facets, let keys = try facets.pageKeys(c, page) {
            // CROSS JOIN keeps the page's few keys as the outer loop.
            let sql = "WITH page(id, created_at) AS (\(keys.text)) SELECT \(SQLiteSQL.userColumns) FROM page p CROSS JOIN users u ON u.id = p.id ORDER BY p.created_at, p.id"
            return SearchPageQuery(sql: sql) { keys.bind($0) }
        }
        var chosen = filter
        if filter.hasDriver {
            let users = try c.first("SELECT coalesce(max(seq), 0) FROM users", "estimating the user count") { $0.int64(0) } ?? 0
            let walk = filter.folded?.match == .contains ? page.walkBeatsSubstringIndex(users: users) : page.walkBeatsIndex(users: users)
            if walk {
                if order == .username, let folded = filter.folded, folded.match != .contains {
                    // Not spread along the order: merge its runs (else the index).
                    if let runs = folded.byteRuns() { return merge(runs, page) }
                } else if order == .username, testsSubstring, let rest = try pageAfterWindow(c, page) {
                    return rest
                } else {
                    chosen = SearchFilter(query, allowDriver: false)
                }
            }
        }
        let w = chosen.conditions
        let sql = "SELECT \(SQLiteSQL.userColumns) FROM users u\(w.whereClause) ORDER BY \(orderBy) LIMIT \(w.placeholder(after: 1)) OFFSET \(w.placeholder(after: 2))"
        return SearchPageQuery(sql: sql) { s in
            w.bind(s)
            s.bind(page.limit)
            s.bind(page.offset)
        }
    }
}

extension SearchPlan {
    /// A substring the trigram index finds (folded or not) and the facet
    /// counts cannot count: its matches' order keys read once (at most
    /// CountedPageQuery.cap), counted, and the page cut from them. The count and the
    /// page each ran the FTS5 phrase query and read every match's row.
    /// Created order only (SCIM, the panel): in username order the window
    /// walk (pageAfterWindow) serves the console's typing, whose texts
    /// often match more than the cap.
    func countedPage(offset: Int64, limit: UInt32, documents: StoreInput.DocSelection) -> CountedPageQuery? {
        guard order == .created, filter.substringDriven, !(facets?.countsAlone ?? false), !ordersPageByIndex else { return nil }
        let w = filter.conditions
        let keys = "SELECT u.seq, u.created_at, u.id, u.username FROM users u\(w.whereClause) LIMIT \(CountedPageQuery.cap)"
        let cut = "SELECT u.seq FROM m u ORDER BY \(orderBy) LIMIT \(w.placeholder(after: 1)) OFFSET \(w.placeholder(after: 2))"
        let sql = "WITH m AS MATERIALIZED (\(keys)), p AS (\(cut)) SELECT \(SQLiteSQL.userColumns), (SELECT count(*) FROM m) FROM p CROSS JOIN users u ON u.seq = p.seq ORDER BY \(orderBy)"
        let page = SearchPageQuery(sql: sql) { s in
            w.bind(s)
            s.bind(Int64(limit))
            s.bind(offset)
        }
        return CountedPageQuery(page: page)
    }

    /// A substring alone in created order, when its facets cannot count
    /// it: read from its trigram index in rowid (seq) order, which is
    /// created order for every user not in seq_order_exceptions (schema 8).
    var ordersPageByIndex: Bool {
        order == .created && (filter.trigramIndexAlone != nil || filter.gramsAlone) && !(facets?.countsAlone ?? false)
    }

    /// One pass over the substring's matches (at most CountedPageQuery.cap)
    /// counts them and keeps the first offset + limit in seq order among
    /// the users not listed in seq_order_exceptions, and every listed one;
    /// the page is cut from those in created order. Only the page's users'
    /// rows are read: reading every match's row to sort it was most of a
    /// SCIM `co` request (1.4 ms of 1,000 matches at a million users, 0.3
    /// ms now). Nil past the cap (count and page then, see page()).
    ///
    /// A range of username_grams is read in gram order, a user once per
    /// gram holding the text: its (fewer) matches are read whole, then put
    /// in seq order once each (past the cap in grams, the count and page).
    func indexOrderedPage(_ c: any StoreConnection, offset: Int64, limit: UInt32) throws -> (total: Int64, page: SearchPageQuery)? {
        guard ordersPageByIndex else { return nil }
        let w = filter.conditions
        // A join probes the list at a third of a correlated EXISTS's cost.
        let matches: String
        if let index = filter.trigramIndexAlone {
            matches = """
                SELECT \(index).rowid, e.seq IS NOT NULL FROM \(index) LEFT JOIN seq_order_exceptions e ON e.seq = \(index).rowid \
                WHERE \(index) MATCH ?1 LIMIT \(CountedPageQuery.cap)
                """
        } else {
            matches = """
                SELECT g.seq, e.seq IS NOT NULL FROM username_grams g LEFT JOIN seq_order_exceptions e ON e.seq = g.seq \
                WHERE \(filter.gramsMatch) LIMIT \(CountedPageQuery.cap)
                """
        }
        var found: [(seq: Int64, listed: Bool)] = []
        try c.with(matches, "searching users") { s in
            w.bind(s)
            while try s.step() { found.append((s.int64(0), s.int64(1) != 0)) }
        }
        guard found.count < CountedPageQuery.cap else { return nil }
        if filter.gramsAlone {
            var once: [(seq: Int64, listed: Bool)] = []
            for match in found.sorted(by: { $0.seq < $1.seq }) where match.seq != once.last?.seq { once.append(match) }
            found = once
        }
        let needed = SearchPlan.through(offset, limit)
        let total = Int64(found.count)
        var inOrder: Int64 = 0
        var kept: [Int64] = []
        for (seq, listed) in found {
            if listed || inOrder < needed { kept.append(seq) }
            if !listed { inOrder += 1 }
        }
        let seqs = "[" + kept.map(String.init).joined(separator: ",") + "]"
        let sql = "SELECT \(SQLiteSQL.userColumns) FROM json_each(?1) j CROSS JOIN users u ON u.seq = j.value ORDER BY \(orderBy) LIMIT ?2 OFFSET ?3"
        return (total, SearchPageQuery(sql: sql) { s in
            s.bind(text: seqs)
            s.bind(Int64(limit))
            s.bind(offset)
        })
    }

    /// The page of more matches than the cap (the index-ordered plan's
    /// count then page): the first offset + limit matches not listed, read
    /// from the index in rowid order (it stops there), merged with the
    /// listed ones (each match probed, only when the list has a row: LIMIT
    /// 0 otherwise, as a WHERE test of the list is made per match).
    func seqOrderedPage(_ index: String, _ page: SearchPage) -> SearchPageQuery {
        let w = filter.conditions
        let (limit, offset, needed) = (w.placeholder(after: 1), w.placeholder(after: 2), w.placeholder(after: 3))
        let matches = "\(index) MATCH ?1"
        let inOrder = """
            SELECT * FROM (SELECT rowid AS seq FROM \(index) WHERE \(matches) \
            AND NOT EXISTS (SELECT 1 FROM seq_order_exceptions e WHERE e.seq = \(index).rowid) ORDER BY rowid LIMIT \(needed))
            """
        let listed = """
            SELECT * FROM (SELECT rowid FROM \(index) WHERE \(matches) \
            AND EXISTS (SELECT 1 FROM seq_order_exceptions e WHERE e.seq = \(index).rowid) \
            LIMIT (SELECT CASE WHEN EXISTS (SELECT 1 FROM seq_order_exceptions) THEN -1 ELSE 0 END))
            """
        let sql = """
            SELECT \(SQLiteSQL.userColumns) FROM (\(inOrder) UNION ALL \(listed)) p CROSS JOIN users u ON u.seq = p.seq \
            ORDER BY \(orderBy) LIMIT \(limit) OFFSET \(offset)
            """
        return SearchPageQuery(sql: sql) { s in
            w.bind(s)
            s.bind(page.limit)
            s.bind(page.offset)
            s.bind(SearchPlan.through(page.offset, page.limit))
        }
    }

    /// offset + limit, at most Int64.max (an offset may be any UInt64).
    static func through(_ offset: Int64, _ limit: UInt32) -> Int64 {
        let (sum, overflow) = offset.addingReportingOverflow(Int64(limit))
        return overflow ? .max : sum
    }

    /// True when the query tests a substring of the username (folded or not).
    var testsSubstring: Bool {
        filter.folded?.match == .contains || (query.username_contains.isPresent && query.username_contains.len > 0)
    }

    /// A substring's walk in username order reads every row before its
    /// matches, which may lie together far along the order (names numbered
    /// as created: "user9" is in every user9xxxxx, after 900,000 others at a
    /// million users: a 230 ms walk, where the trigram index finds all its
    /// 100,000 matches and sorts them in 45 ms). So the walk is tried on a
    /// window of SearchPage.substringWalkWindow names first (a count of its
    /// matches, stopping at the page's end); when the page is not in it,
    /// the page is read from the index instead, after the window when it
    /// starts past the window's matches. Nil: walk.
    func pageAfterWindow(_ c: any StoreConnection, _ page: SearchPage) throws -> SearchPageQuery? {
        let window = SearchPage.substringWalkWindow
        let need = page.offset + Int64(page.limit)
        let tested = SearchFilter(query, allowDriver: false).conditions
        let after = query.after_username
        let start = after.isPresent ? " WHERE u.username > \(tested.placeholder(after: 1))" : ""
        let names = "SELECT * FROM users u\(start) ORDER BY u.username LIMIT \(window)"
        // The depth is bound, not written in: one prepared statement for every page.
        let depth = tested.placeholder(after: after.isPresent ? 2 : 1)
        let probe = "SELECT count(*) FROM (SELECT 1 FROM (\(names)) u\(tested.whereClause) LIMIT \(depth))"
        let found = try c.first(probe, "searching users", { s in
            tested.bind(s)
            if after.isPresent { s.bind(after) }
            s.bind(need)
        }) { $0.int64(0) } ?? 0
        if found >= need { return nil }
        // The window's last name: none when the window holds every name left
        // (the walk then reads no more than the window).
        let endSQL = "SELECT username FROM users u\(after.isPresent ? " WHERE u.username > ?1" : "") ORDER BY u.username LIMIT 1 OFFSET \(window - 1)"
        guard let end = try c.first(endSQL, "searching users", { s in if after.isPresent { s.bind(after) } }, { $0.text(0) }) ?? nil else {
            return nil
        }
        // A page starting among the window's matches is read whole from the
        // index; one past them, from the index after the window.
        let skipsWindow = found == 0 || page.offset >= found
        let f = SearchFilter(query, after: skipsWindow ? end : nil)
        let w = f.conditions
        let offset = skipsWindow ? page.offset - found : page.offset
        let sql = "SELECT \(SQLiteSQL.userColumns) FROM users u\(w.whereClause) ORDER BY u.username LIMIT \(w.placeholder(after: 1)) OFFSET \(w.placeholder(after: 2))"
        return SearchPageQuery(sql: sql) { s in
            w.bind(s)
            s.bind(page.limit)
            s.bind(offset)
        }
    }

    /// A folded prefix's page in username order: each run walked along the
    /// username index (the other conditions tested per row) and the runs
    /// merged, which SQLite does without sorting: about (offset + limit) /
    /// density rows read, not every match. Usernames are unique, so the
    /// order needs no id.
    func merge(_ runs: [(from: String, upTo: String?)], _ page: SearchPage) -> SearchPageQuery {
        // Every username of a run matches: the runs are the test.
        let w = SearchFilter(query, allowDriver: false, matchingFoldedUsername: false).conditions
        var n = 0
        var bounds: [String] = []
        let arms = runs.map { run -> String in
            n += 1
            bounds.append(run.from)
            var arm = "SELECT \(SQLiteSQL.userColumns) FROM users u WHERE u.username >= \(w.placeholder(after: n))"
            if let upTo = run.upTo {
                n += 1
                bounds.append(upTo)
                arm += " AND u.username < \(w.placeholder(after: n))"
            }
            // Each arm tests the same values (?1...), bound once.
            return arm + w.conditions.map { " AND " + $0 }.joined()
        }
        let sql = arms.joined(separator: " UNION ALL ")
            + " ORDER BY username LIMIT \(w.placeholder(after: n + 1)) OFFSET \(w.placeholder(after: n + 2))"
        return SearchPageQuery(sql: sql) { s in
            w.bind(s)
            for bound in bounds { s.bind(text: bound) }
            s.bind(page.limit)
            s.bind(page.offset)
        }
    }
}

/// The WHERE clause of a query.
///
/// Exactly one condition may use an index to find candidate rows (the
/// "driver", in this order of preference: folded username, trigram
/// substring, email, role, group); every other condition is written so the
/// planner cannot use an index for it (unary `+`, EXISTS). Without that,
/// SQLite may combine two IN lists into one multi-column probe and try every
/// pair: a role filter plus a substring once took 28 s on 100k users.
struct SearchFilter {
    private(set) var conditions = SQLConditions(placeholder: SQLiteSQL.placeholder)
    /// True when one condition can drive an index lookup.
    private(set) var hasDriver = false
    /// The query's folded username (2.3), if any.
    private(set) var folded: FoldedUsername?
    /// True when a trigram index (FTS5) finds the candidates.
    private(set) var substringDriven = false
    /// The trigram index (users_fts or users_fts_folded) when its phrase
    /// (value 1) is the only condition.
    private(set) var trigramIndexAlone: String?
    /// True when a range of username_grams (with the facet conditions it
    /// tests) is the only condition: its test is gramsMatch.
    private(set) var gramsAlone = false
    /// The test of a username_grams row when gramsAlone (values from 1;
    /// its columns unqualified).
    private(set) var gramsMatch = ""
    /// What a cheaper count reads when one index alone answers it (rows
    /// of the FROM clause, conditions included).
    private var countShortcut: String?

    var countSQL: String { "SELECT count(*) FROM \(countSource)" }

    /// The count of at most `limit` matches (2.6 total_cap).
    func countSQL(atMost limit: Int64) -> String { "SELECT count(*) FROM (SELECT 1 FROM \(countSource) LIMIT \(max(limit, 0)))" }

    private var countSource: String { countShortcut ?? "users u\(conditions.whereClause)" }

    /// The test of a username_grams row whose user's username holds a
    /// text of 4-8 characters: the text's range of grams (schema 9), and
    /// the role and flag conditions `facet` on the facet the row carries
    /// (schema 11) rather than on its user's row. `$?` marks its values.
    static func gramsTest(_ range: (from: String, upTo: String), facet: FacetPredicate) -> (String, SQLConditions.Binder) {
        let tests = facet.conditions.map { " AND " + $0.0 }.joined()
        return ("gram >= $? AND gram < $?\(tests)", { s in
            s.bind(text: range.from)
            s.bind(text: range.upTo)
            for (_, bind) in facet.conditions { bind(s) }
        })
    }

    /// An FTS5 query matching `text` as one phrase: its consecutive
    /// trigrams, which is the substring.
    static func phrase(_ text: String) -> String {
        "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }

    /// `allowDriver` false: no condition may use an index to find rows (the
    /// planner then walks the ORDER BY index instead).
    /// `matchingFoldedUsername` false: without the folded username's
    /// conditions (the caller tests it otherwise). `q` is checked
    /// (UserQueryInput).
    /// `after`: a cursor in place of the query's after_username.
    init(_ q: proteus_user_query, allowDriver: Bool = true, matchingFoldedUsername: Bool = true, after: String? = nil) {
        var driven = !allowDriver
        // The role and flag conditions, when a range of username_grams
        // drives: tested on its postings (facetInDriver).
        let postingFacet = FacetPredicate(q, contains: "instr")
        var facetInDriver = false
        // The grams' test when they drive (unnumbered).
        var gramsTest: String?
        func drivenByGrams(_ range: (from: String, upTo: String)) -> (String, SQLConditions.Binder) {
            let (test, bind) = Self.gramsTest(range, facet: postingFacet)
            gramsTest = test
            facetInDriver = true
            return ("u.seq IN (SELECT seq FROM username_grams WHERE \(test))", bind)
        }
        folded = FoldedUsername(q)
        if let name = folded, matchingFoldedUsername {
            // NOCASE folds A-Z only, as FoldedUsername does: the index
            // users_username_nocase holds the usernames in folded order, so
            // equality is a lookup and a prefix a range of it.
            let column = driven ? "+u.username" : "u.username"
            var indexed = true
            let matches = name.conditions({ "\(column) \($0) $? COLLATE NOCASE" }) { text in
                if !driven, let range = FoldedUsername.gramRange(text, isFolded: true) {
                    substringDriven = true
                    return [drivenByGrams(range)]
                }
                if text.unicodeScalars.count >= 3 && !driven {
                    // The trigram index of the folded names (schema 5)
                    // answers it exactly, as users_fts a substring.
                    let phrase = Self.phrase(text)
                    substringDriven = true
                    return [("u.seq IN (SELECT rowid FROM users_fts_folded WHERE users_fts_folded MATCH $?)", { $0.bind(text: phrase) })]
                }
                // lower() folds A-Z only (SQLite without ICU), as FoldedUsername does.
                indexed = false
                return [("instr(lower(u.username), $?) > 0", { $0.bind(text: text) })]
            }
            for (condition, bind) in matches { conditions.add(condition, bind) }
            if indexed { driven = true }
        }
        let needle = q.username_contains
        if needle.isPresent && needle.len > 0 {
            let text = needle.string ?? ""
            if !driven, let range = FoldedUsername.gramRange(text, isFolded: false) {
                let (condition, bind) = drivenByGrams(range)
                conditions.add(condition, bind)
                driven = true
                substringDriven = true
            } else if text.unicodeScalars.count >= 3 && !driven {
                // The trigram index (case_sensitive 1) answers substrings of
                // three or more characters exactly: a phrase of consecutive
                // trigrams is the substring.
                let phrase = Self.phrase(text)
                conditions.add("u.seq IN (SELECT rowid FROM users_fts WHERE users_fts MATCH $?)") { $0.bind(text: phrase) }
                driven = true
                substringDriven = true
            } else {
                // Shorter ones (and the walk along the ORDER BY index) test
                // each username: instr is case-sensitive, LIKE would fold
                // ASCII case.
                conditions.add("instr(u.username, $?) > 0") { $0.bind(needle) }
            }
        }
        if q.email.isPresent {
            let email = q.email
            conditions.add(driven ? "+u.email = $? COLLATE NOCASE" : "u.email = $? COLLATE NOCASE") { $0.bind(email) }
            driven = true
        }
        if q.has_role.isPresent && !facetInDriver {
            let role = q.has_role
            if driven {
                let member = FacetPredicate.member(role)
                conditions.add("instr(u.role_set, $?) > 0") { $0.bind(text: member) }
            } else {
                conditions.add("u.id IN (SELECT user_id FROM user_roles WHERE role_slug = $?)") { $0.bind(role) }
            }
            driven = true
        }
        switch q.group_filter {
        case PROTEUS_GROUP_NONE:
            conditions.add(driven ? "+u.group_id IS NULL" : "u.group_id IS NULL")
            driven = true
        case PROTEUS_GROUP_EQUALS:
            let group = q.group_id
            conditions.add(driven ? "+u.group_id = $?" : "u.group_id = $?") { $0.bind(group) }
            driven = true
        default:
            break
        }
        // Lacked roles and flags: the user's facet (schema 3).
        for (condition, bind) in FacetPredicate(q, column: "u.", contains: "instr", includeHasRole: false).conditions where !facetInDriver {
            conditions.add(condition, bind)
        }
        if after != nil || q.after_username.isPresent {
            // The cursor (2.6) is the start of a range of the username
            // index when that index is walked (no other driver, or a walk);
            // else a test of each candidate, as every other condition.
            let cursor = q.after_username
            let condition = allowDriver && driven ? "+u.username > $?" : "u.username > $?"
            if let after { conditions.add(condition) { $0.bind(text: after) } } else { conditions.add(condition) { $0.bind(cursor) } }
        }
        hasDriver = allowDriver && driven
        // Alone, a substring (folded or not) or the role filter can be counted from its
        // index without visiting users (every index row has its user).
        let only = conditions.conditions.count == 1 ? conditions.conditions[0] : ""
        if only.hasPrefix("u.seq IN (SELECT rowid FROM users_fts_folded ") {
            trigramIndexAlone = "users_fts_folded"
        } else if only.hasPrefix("u.seq IN (SELECT rowid FROM users_fts ") {
            trigramIndexAlone = "users_fts"
        }
        if let index = trigramIndexAlone {
            countShortcut = "\(index) WHERE \(index) MATCH ?1"
        } else if let gramsTest, conditions.conditions.count == 1 {
            gramsAlone = true
            // Numbered as the only condition's values are: from 1.
            var numbered = BoundSQL(placeholder: SQLiteSQL.placeholder)
            numbered.append(gramsTest)
            gramsMatch = numbered.text
            countShortcut = "(SELECT DISTINCT seq FROM username_grams WHERE \(gramsMatch))"
        } else if only.hasPrefix("u.id IN (SELECT user_id FROM user_roles") {
            countShortcut = "user_roles WHERE role_slug = ?1"
        }
    }
}
