// user_search in PostgreSQL: case-sensitive LIKE over the trigram index,
// folded usernames over their expression index, the page cut in a subquery
// before the details are computed.
import PluginAPI
import PluginKit
import StoreCore

extension PostgresSQL {
    func searchPlan(_ query: proteus_user_query, order: UserOrder) throws(PluginError) -> any UserSearchPlan {
        SearchPlan(filter: SearchFilter(query), orderBy: Self.orderBy(order),
                   facets: FacetSearch(query, order: order, placeholder: Self.placeholder, contains: "strpos", limitedArms: true))
    }

    static func orderBy(_ order: UserOrder) -> String {
        switch order {
        case .created: "u.created_at, u.id"
        case .username: "u.username NULLS FIRST, u.id"     // bytes ("C"), absent first
        case .id: "u.id"
        }
    }
}

struct SearchPlan: UserSearchPlan {
    let filter: SearchFilter
    let orderBy: String
    let facets: FacetSearch?

    func count(_ c: any StoreConnection) throws -> Int64 {
        if let facets, let total = try facets.count(c) { return total }
        return try c.first(filter.countSQL, "counting users", { filter.conditions.bind($0) }) { $0.int64(0) } ?? 0
    }

    /// The page is cut in a subquery first: PostgreSQL computes the select
    /// list (the roles and documents subqueries) for every row an OFFSET
    /// skips, which made a deep page of a million users take seconds.
    /// Values: the filter's, the namespace (one selected), limit, offset.
    func page(_ c: any StoreConnection, _ page: SearchPage) throws -> SearchPageQuery {
        if let facets, let keys = try facets.pageKeys(c, page) {
            var nsParam = 0
            if case .one = page.documents { nsParam = keys.valueCount + 1 }
            let found = "SELECT u.* FROM page p JOIN users u ON u.id = p.id"
            let sql = "WITH page AS (\(keys.text)) SELECT \(PostgresSQL.userColumns(page.documents, nsParam: nsParam)) FROM (\(found)) u ORDER BY u.created_at, u.id"
            return SearchPageQuery(sql: sql) { s in
                keys.bind(s)
                if case .one(let ns) = page.documents { s.bind(ns) }
            }
        }
        let w = filter.conditions
        var n = w.valueCount
        var nsParam = 0
        if case .one = page.documents {
            n += 1
            nsParam = n
        }
        let cut = "SELECT * FROM users u\(w.whereClause) ORDER BY \(orderBy) LIMIT $\(n + 1) OFFSET $\(n + 2)"
        let sql = "SELECT \(PostgresSQL.userColumns(page.documents, nsParam: nsParam)) FROM (\(cut)) u ORDER BY \(orderBy)"
        return SearchPageQuery(sql: sql) { s in
            w.bind(s)
            if case .one(let ns) = page.documents { s.bind(ns) }
            s.bind(page.limit)
            s.bind(page.offset)
        }
    }
}

/// The WHERE clause of a (checked) query.
struct SearchFilter {
    private(set) var conditions = SQLConditions(placeholder: PostgresSQL.placeholder)

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

    init(_ q: proteus_user_query) {
        if let name = FoldedUsername(q) {
            // proteus_fold() folds A-Z only, as FoldedUsername does (schema
            // 4): the expression index users_username_folded, in "C" order,
            // answers equality and the prefix's range.
            for (condition, bind) in name.conditions({ "proteus_fold(u.username) \($0) $?" }) {
                conditions.add(condition, bind)
            }
        }
        let needle = q.username_contains
        if needle.isPresent && needle.len > 0 {
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
        for (condition, bind) in FacetPredicate(q, column: "u.", contains: "strpos").conditions {
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
    }
}
