// Searching by facet. A user's facet is (role_set, flags): its role slugs as
// ",a,b," (sorted; "," for none) and its flag bits. Schema 3 of both stores
// keeps, by trigger, three counts per facet:
//   user_facets     users of the facet;
//   gram_counts     users of the facet whose username holds each distinct
//                   1-3 character substring ("gram");
//   folded_gram_corrections (schema 7) what gram_counts lacks for usernames
//                   with A-Z folded to a-z: for each user whose username
//                   has a letter A-Z, +1 for each gram of the folded name,
//                   -1 for each of the name's own (rows that cancel are
//                   not kept), so the two summed count folded grams, and
//                   a directory without capitals pays nothing;
//   user_positions  users of the facet per created_at bucket, at five
//                   levels: created_at >> 30, >> 25, >> 20, >> 15 and
//                   >> 10 (ms; 25 and 15 since SQLite schema 10 and
//                   PostgreSQL schema 9).
// With them a search filtered by roles, flags and a needle of up to three
// characters (case-sensitive, or folded: username_folded CONTAINS) is
// counted without visiting a user (a folded text of three characters, or
// one without a letter, is paged from username_trigrams, schema 7, its
// users in created order), and a page in created
// order starts in the right bucket: it then merges the facets' ranges of
// the index users(role_set, flags, created_at, id, username), reading about
// (offset within the bucket + limit) index entries whatever the page.
//
// What this does not serve (an email, a group, a folded equality or prefix,
// a folded text of four or more characters, both kinds of needle at once,
// another order, a needle of four or more characters whose matches are
// rare) stays with the backend's own plan, which finds candidates from its
// indexes.
import PluginAPI
import PluginKit

/// The role and flag conditions of a query, over a facet's columns.
public struct FacetPredicate {
    /// (condition with `$?` marks, binder) pairs, ANDed.
    public let conditions: [(String, SQLConditions.Binder)]

    /// `column` qualifies role_set and flags (e.g. "u."); `contains` is the
    /// backend's substring test, written `contains(haystack, needle) > 0`.
    public init(_ q: proteus_user_query, column prefix: String = "", contains: String, includeHasRole: Bool = true) {
        var c: [(String, SQLConditions.Binder)] = []
        if includeHasRole && q.has_role.isPresent {
            let member = FacetPredicate.member(q.has_role)
            c.append(("\(contains)(\(prefix)role_set, $?) > 0", { $0.bind(text: member) }))
        }
        for role in q.lacksRoleList {
            let member = FacetPredicate.member(role)
            c.append(("\(contains)(\(prefix)role_set, $?) = 0", { $0.bind(text: member) }))
        }
        if q.flags_mask != 0 || q.flags_value != 0 {
            let mask = q.flags_mask, value = q.flags_value
            c.append(("(\(prefix)flags & $?) = $?", { s in
                s.bind(mask)
                s.bind(value)
            }))
        }
        conditions = c
    }

    /// A slug as it appears in role_set: ",slug," (slugs hold no commas).
    public static func member(_ slug: proteus_str) -> String { "," + (slug.string ?? "") + "," }

    public var isEmpty: Bool { conditions.isEmpty }
}

/// The counts and pages of a facet search; nil from init when the query is
/// not one (StoreCore then uses the backend's plan alone).
public struct FacetSearch {
    /// Most facets a page merges; beyond this the backend's plan walks.
    static let maxMergedFacets = 64
    /// A walk along the facets' index reads entries in order, from pages
    /// next to each other; a needle's candidate from its index costs a row
    /// lookup at a random place and a sort: measured at 1 M users on SQLite,
    /// 10-30 times an entry walked.
    static let candidateCost: Double = 16

    let placeholder: (Int) -> String
    let contains: String
    /// Each arm of a merge is its own `(… ORDER BY … LIMIT n)`: PostgreSQL
    /// then merges the arms' index scans (without it, it estimated the
    /// substring test at a third of the rows and sorted a sequential scan);
    /// SQLite merges plain arms and does not accept parenthesised ones.
    let limitedArms: Bool
    /// Each statement is a round trip to a server (PostgreSQL), not a step
    /// in-process (SQLite): fewer, larger statements are cheaper.
    let statementsAreRoundTrips: Bool
    let predicate: FacetPredicate
    /// The substring, case-sensitive or folded (A-Z as a-z).
    let needle: String?
    let needleIsFolded: Bool
    let needleCharacters: Int
    /// The username as the needle is tested in it: folded by the backend's
    /// ASCII fold when the needle is.
    let haystack: String

    /// `q` is checked (UserQueryInput); `contains` as for FacetPredicate;
    /// `fold` is the backend's function folding A-Z only, as
    /// FoldedUsername does.
    public init?(_ q: proteus_user_query, order: UserOrder, placeholder: @escaping (Int) -> String, contains: String,
                 fold: String, limitedArms: Bool, statementsAreRoundTrips: Bool) {
        guard order == .created, !q.email.isPresent, q.group_filter == PROTEUS_GROUP_ANY else { return nil }
        let plain = q.username_contains.isPresent && q.username_contains.len > 0
        if let folded = FoldedUsername(q) {
            // A folded equality or prefix is the backend's (its index finds
            // the few users), as is a folded text the counts cannot count.
            let characters = folded.folded.unicodeScalars.count
            guard folded.match == .contains, !plain, (1...3).contains(characters) else { return nil }
            needle = folded.folded
            needleIsFolded = true
            needleCharacters = characters
        } else if plain {
            needle = q.username_contains.string ?? ""
            needleIsFolded = false
            needleCharacters = (needle ?? "").unicodeScalars.count
        } else {
            needle = nil
            needleIsFolded = false
            needleCharacters = 0
        }
        self.placeholder = placeholder
        self.contains = contains
        self.limitedArms = limitedArms
        self.statementsAreRoundTrips = statementsAreRoundTrips
        haystack = needleIsFolded ? "\(fold)(username)" : "username"
        predicate = FacetPredicate(q, contains: contains)
    }

    /// The facets listed by the count, for the page of the same search
    /// (one plan serves one search, in one snapshot).
    private let listed = ListedFacets()

    private func statement() -> BoundSQL { BoundSQL(placeholder: placeholder) }

    /// A facet of the directory, `kept` when the predicate keeps it.
    struct Facet {
        let roles: String
        let flags: Int64
        let users: Int64
        let kept: Bool
    }

    final class ListedFacets {
        var facets: [Facet]?
    }

    /// Every facet holding users, marked by whether the predicate keeps it
    /// (one statement, read once per search): a count without a needle
    /// sums the kept ones, a page merges them, and all of them estimate a
    /// walk's cost.
    func facets(_ c: any StoreConnection) throws -> [Facet] {
        if let facets = listed.facets { return facets }
        var s = statement()
        s.append("SELECT role_set, flags, n, ")
        if predicate.isEmpty {
            s.append("1")
        } else {
            s.append("CASE WHEN ")
            s.append(conditions: predicate.conditions)
            s.append(" THEN 1 ELSE 0 END")
        }
        s.append(" FROM user_facets WHERE n > 0 ORDER BY role_set, flags")
        let facets = try c.all(s.text, "listing the facets of a search", { s.bind($0) }) { r in
            Facet(roles: r.text(0) ?? ",", flags: r.int64(1), users: r.int64(2), kept: r.int64(3) != 0)
        }
        listed.facets = facets
        return facets
    }

    /// True when `count` answers from the counts alone (no needle, or one
    /// of at most three characters).
    public var countsAlone: Bool { needle == nil || needleCharacters <= 3 }

    /// The exact total from the counts, or nil when only the users can say
    /// (a needle of four or more characters).
    public func count(_ c: any StoreConnection) throws -> Int64? {
        var s = statement()
        if let needle, needleIsFolded {
            s.append("SELECT coalesce(sum(n), 0) FROM (SELECT role_set, flags, n FROM gram_counts WHERE gram = $?") { $0.bind(text: needle) }
            s.append(" UNION ALL SELECT role_set, flags, n FROM folded_gram_corrections WHERE gram = $?) g WHERE true") { $0.bind(text: needle) }
        } else if let needle {
            guard needleCharacters <= 3 else { return nil }
            s.append("SELECT coalesce(sum(n), 0) FROM gram_counts WHERE gram = $?") { $0.bind(text: needle) }
        } else {
            return try facets(c).reduce(0) { $0 + ($1.kept ? $1.users : 0) }
        }
        if !predicate.isEmpty {
            s.append(" AND ")
            s.append(conditions: predicate.conditions)
        }
        return try c.first(s.text, "counting users", { s.bind($0) }) { $0.int64(0) } ?? 0
    }

    /// The keys of one page: a statement selecting (id, created_at) of the
    /// page's users in created order. Nil when the backend's plan is cheaper
    /// (a needle's candidates are few next to the entries a walk would read)
    /// or the query spans too many facets.
    public func pageKeys(_ c: any StoreConnection, _ page: SearchPage) throws -> BoundSQL? {
        let wanted = page.totalIsLowerBound ? Int64(page.limit) : min(Int64(page.limit), page.total - page.offset)
        guard wanted > 0 else { return nil }
        if needleCharacters == 3, let needle, needleIsFolded || !needle.utf8.contains(where: FoldedUsername.isASCIILetter) {
            // Without a letter A-Z or a-z, a text is in a username exactly
            // when it is in the folded username.
            return trigramPage(needle, limit: wanted, offset: page.offset)
        }
        if needle == nil && predicate.isEmpty {
            // Every user: walk users(created_at, id) from the bucket.
            guard let (head, start) = try located(page.offset, c) else { return nil }
            var s = head
            s.append("SELECT id, created_at FROM users WHERE created_at >= ")
            start.appendFrom(to: &s)
            s.append(" ORDER BY created_at, id LIMIT $? OFFSET ") { $0.bind(wanted) }
            start.appendSkip(to: &s)
            return s
        }
        let all = try facets(c)
        let found = all.filter(\.kept)
        guard !found.isEmpty, found.count <= Self.maxMergedFacets else { return nil }
        if needle != nil {
            // No positions per needle: walk from the start, unless the walk
            // (about offset + limit matches at the needle's density among
            // the facets' users) reads more than the needle's candidates
            // would cost: all users holding it, whatever their facet,
            // estimated as if facet and needle were independent.
            let facetUsers = Double(found.reduce(0) { $0 + $1.users })
            let allUsers = all.reduce(0) { $0 + $1.users }
            let walked = Double(page.offset + wanted) * facetUsers / Double(page.total)
            let candidates = Double(page.total) * Double(allUsers) / max(facetUsers, 1)
            if needleCharacters >= 3 && walked > Self.candidateCost * candidates { return nil }
            var s = statement()
            merge(found.map { ($0.roles, $0.flags) }, from: .values(from: Int64.min, skip: page.offset), limit: wanted, into: &s)
            return s
        }
        guard let (head, start) = try located(page.offset, c) else { return nil }
        var s = head
        merge(found.map { ($0.roles, $0.flags) }, from: start, limit: wanted, into: &s)
        return s
    }

    /// Where a page starts, as SQL a page's statement uses: the bucket's
    /// first created_at and the matching users to skip from there, bound
    /// values or, where statements are round trips, subqueries of the
    /// common table expressions that locate it (startCTEs), which `s`
    /// then begins with: the start and the page are one statement.
    enum Located {
        case values(from: Int64, skip: Int64)
        case subqueries(from: String, skip: String)

        func appendFrom(to s: inout BoundSQL) {
            switch self {
            case .values(let from, _): s.append("$?") { $0.bind(from) }
            case .subqueries(let from, _): s.append(from)
            }
        }

        func appendSkip(to s: inout BoundSQL) {
            switch self {
            case .values(_, let skip): s.append("$?") { $0.bind(skip) }
            case .subqueries(_, let skip): s.append(skip)
            }
        }
    }

    /// The statement a page's keys start (empty, or the CTEs locating the
    /// page) and where it starts; nil when user_positions has no such
    /// user.
    func located(_ offset: Int64, _ c: any StoreConnection) throws -> (BoundSQL, Located)? {
        var s = statement()
        if statementsAreRoundTrips {
            startCTEs(of: offset, into: &s)
            s.append(" ")
            return (s, .subqueries(from: "(SELECT bucket * \(1 << Self.positionLevels[Self.positionLevels.count - 1]) FROM f)",
                                   skip: "(SELECT skip FROM f)"))
        }
        guard let (from, skip) = try startByLevels(of: offset, c) else { return nil }
        return (s, .values(from: from, skip: skip))
    }

    /// A folded text of three characters: its users in created order from
    /// username_trigrams (schema 7), each posting tested against the
    /// predicate on the facet it carries (SQLite schema 11, PostgreSQL 10;
    /// looking each user up was most of a role's search). A
    /// walk of the facets would read every user created before the first
    /// match, and matches cluster (names numbered as created: "r12" is in
    /// every user12xxxx, after 120,000 others at a million users).
    func trigramPage(_ gram: String, limit: Int64, offset: Int64) -> BoundSQL {
        var s = statement()
        s.append("SELECT t.id, t.created_at FROM username_trigrams t WHERE t.gram = $?") { $0.bind(text: gram) }
        if !predicate.isEmpty {
            s.append(" AND ")
            s.append(conditions: predicate.conditions)
        }
        s.append(" ORDER BY t.created_at, t.id")
        s.append(" LIMIT $? OFFSET $?") { s in
            s.bind(limit)
            s.bind(offset)
        }
        return s
    }

    /// The page as a merge of the facets' index ranges from `from`, in
    /// created order: each arm is ordered by the index, and the databases
    /// merge the arms without sorting (PostgreSQL when each arm carries its
    /// own ORDER BY and LIMIT: `limitedArms`).
    func merge(_ facets: [(roles: String, flags: Int64)], from start: Located, limit: Int64, into s: inout BoundSQL) {
        let limited = limitedArms && facets.count > 1
        for (i, facet) in facets.enumerated() {
            s.append(i == 0 ? "" : " UNION ALL ")
            s.append((limited ? "(" : "") + "SELECT id, created_at FROM users WHERE role_set = $? AND flags = $? AND created_at >= ") { s in
                s.bind(text: facet.roles)
                s.bind(facet.flags)
            }
            start.appendFrom(to: &s)
            if let needle {
                s.append(" AND \(contains)(\(haystack), $?) > 0") { $0.bind(text: needle) }
            }
            if limited {
                s.append(" ORDER BY created_at, id LIMIT ")
                start.appendSkip(to: &s)
                s.append(" + $?)") { $0.bind(limit) }
            }
        }
        s.append(" ORDER BY created_at, id LIMIT $? OFFSET ") { $0.bind(limit) }
        start.appendSkip(to: &s)
    }

    /// user_positions' levels, coarsest first (created_at >> level; SQLite
    /// schema 10, PostgreSQL schema 9 added 25 and 15), evenly spaced: each
    /// level's buckets within one bucket of the level above are
    /// 2^levelStep at most.
    public static let positionLevels = [30, 25, 20, 15, 10]
    static var levelStep: Int { positionLevels[0] - positionLevels[1] }

    // Where the user at `offset` (0-based, in created order, among the
    // predicate's users) lies: the start of its 2^10 ms bucket and how
    // many matching users precede it there, from user_positions' levels
    // (located(_:_:)). Where each statement is a round trip, as common
    // table expressions of the page's own statement; in-process, level by
    // level (SQLite stops stepping at the bucket; one statement cost it 2.5
    // times the CPU of a role listing).

    /// The start in a grouped scan of user_positions per level, each
    /// within the bucket the level above found, each stepped only up to
    /// the bucket that holds the user.
    func startByLevels(of offset: Int64, _ c: any StoreConnection) throws -> (from: Int64, skip: Int64)? {
        var low = Int64.min, high = Int64.max, skip = offset
        var from = Int64.min
        for level in Self.positionLevels {
            var s = statement()
            s.append("SELECT bucket, sum(n) FROM user_positions WHERE level = $? AND bucket >= $? AND bucket <= $?") { s in
                s.bind(Int64(level))
                s.bind(low)
                s.bind(high)
            }
            if !predicate.isEmpty {
                s.append(" AND ")
                s.append(conditions: predicate.conditions)
            }
            s.append(" GROUP BY bucket ORDER BY bucket")
            let (bucket, remaining): (Int64?, Int64) = try c.with(s.text, "locating a page") { st in
                s.bind(st)
                var remaining = skip
                while try st.step() {
                    let users = st.int64(1)
                    if remaining < users { return (st.int64(0), remaining) }
                    remaining -= users
                }
                return (nil, remaining)
            }
            guard let bucket else { return nil }
            skip = remaining
            from = bucket << level
            low = bucket << Self.levelStep
            high = low + (1 << Self.levelStep) - 1
        }
        return (from, skip)
    }

    /// The start as a recursive common table expression `loc` (one row per
    /// level: the bucket found and the users left to skip in it) and `f`,
    /// its finest level's row (`s` begins with them): at each level a
    /// grouped scan of user_positions within the bucket the level above
    /// found, its running total finding the bucket that holds the user.
    /// Recursion keeps one copy of the level's plan, rescanned per level:
    /// the five copies it replaced cost PostgreSQL their executor start and
    /// nodes, 1.06-1.24 ms for a role listing's page statement at a million
    /// users against 0.63-0.80 ms now. (Its plan is fixed by its text:
    /// PostgreSQL planned it for each call in 2.5 ms when it ran under
    /// custom plans; facet searches run with generic ones.) With the page's
    /// keys in the same statement, a PostgreSQL listing saved a round trip:
    /// 5-10 % of its database CPU at a million users.
    func startCTEs(of offset: Int64, into s: inout BoundSQL) {
        let levels = Self.positionLevels, step = Self.levelStep
        // The seed stands above the coarsest level, whose buckets are all read
        // (no bucket above: the bounds' defaults).
        s.append("WITH RECURSIVE loc(lvl, bucket, skip) AS (SELECT \(levels[0] + step), NULL::bigint, $?::bigint") { $0.bind(offset) }
        s.append(" UNION ALL SELECT loc.lvl - \(step), x.bucket, x.skip::bigint FROM loc, LATERAL (")
        s.append("SELECT r.bucket, loc.skip - (r.upto - r.n) AS skip FROM (")
        s.append("SELECT p.bucket, sum(p.n) AS n, sum(sum(p.n)) OVER (ORDER BY p.bucket) AS upto FROM user_positions p")
        s.append(" WHERE p.level = loc.lvl - \(step) AND p.bucket >= coalesce(loc.bucket * \(1 << step), $?)") { $0.bind(Int64.min) }
        s.append(" AND p.bucket <= coalesce(loc.bucket * \(1 << step) + \((1 << step) - 1), $?)") { $0.bind(Int64.max) }
        if !predicate.isEmpty {
            s.append(" AND ")
            s.append(conditions: predicate.conditions)
        }
        // The first bucket whose running total passes the users to skip,
        // and how many of them are left to skip inside it.
        s.append(" GROUP BY p.bucket) r WHERE r.upto > loc.skip ORDER BY r.bucket LIMIT 1) x WHERE loc.lvl > \(levels[levels.count - 1]))")
        s.append(", f AS (SELECT bucket, skip FROM loc WHERE lvl = \(levels[levels.count - 1]))")
    }
}
