// user_search: filters compiled into one WHERE clause of fixed fragments
// (values are always bound as parameters), a count for `total` and one page,
// both from one snapshot.
import PluginAPI
import PluginKit

extension PostgresStore {
    func searchUsers(_ input: UnsafePointer<proteus_user_query>?, arena: OpaquePointer?,
                     out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_user_page>?>?) throws {
        let q = try Input.record(input, "user query")
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        let writer = try arenaWriter(arena)
        let filter = try SearchFilter(q)
        let orderBy = try SearchFilter.orderBy(q.order)
        let docs = Input.DocSelection(q.doc_ns)
        let offset = Int64(clamping: q.offset)
        let (total, users): (UInt64, [UserRecord]) = try read("searching users", snapshot: q.limit > 0) { c in
            let total = try c.execute(filter.countSQL, filter.params, "counting users").int64(0, 0)
            guard q.limit > 0, offset < total else { return (UInt64(total), []) }
            var p = filter.params
            UserRows.bindNamespace(docs, &p)
            let nsParam = p.count
            p.int64(Int64(q.limit))
            p.int64(offset)
            // The page is cut in a subquery first: PostgreSQL computes the
            // select list (the roles and documents subqueries) for every row
            // an OFFSET skips, which made a deep page of a million users take
            // seconds.
            let page = "SELECT * FROM users u\(filter.whereClause) ORDER BY \(orderBy) LIMIT $\(p.count - 1) OFFSET $\(p.count)"
            let sql = "SELECT \(UserRows.columns(docs, nsParam: nsParam)) FROM (\(page)) u ORDER BY \(orderBy)"
            return (UInt64(total), UserRows.readAll(try c.execute(sql, p, "searching users")))
        }
        out.pointee = try writer.userPage(total: total, users: users)
    }
}

/// The WHERE clause of a query and its parameters ($1...).
struct SearchFilter {
    private(set) var conditions: [String] = []
    private(set) var params = PGParams()

    var whereClause: String { conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ") }
    var countSQL: String { "SELECT count(*) FROM users u\(whereClause)" }

    /// Appends a condition whose `$?` placeholders take the next parameters.
    private mutating func add(_ condition: String, _ bind: (inout PGParams) -> Void = { _ in }) {
        let before = params.count
        bind(&params)
        var text = condition
        var i = before
        while let r = text.range(of: "$?") {
            i += 1
            text.replaceSubrange(r, with: "$\(i)")
        }
        conditions.append(text)
    }

    static func orderBy(_ order: Int32) throws(PluginError) -> String {
        switch order {
        case PROTEUS_ORDER_CREATED: return "u.created_at, u.id"
        case PROTEUS_ORDER_USERNAME: return "u.username NULLS FIRST, u.id"     // bytes ("C"), absent first
        case PROTEUS_ORDER_ID: return "u.id"
        default: throw .invalid("unknown order \(order) (expected PROTEUS_ORDER_CREATED, _USERNAME or _ID)")
        }
    }

    /// `text` as a LIKE pattern matching it literally anywhere.
    static func containsPattern(_ text: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "%")]
        for b in text {
            if b == UInt8(ascii: "%") || b == UInt8(ascii: "_") || b == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(b)
        }
        out.append(UInt8(ascii: "%"))
        return out
    }

    init(_ q: proteus_user_query) throws(PluginError) {
        let needle = q.username_contains
        if needle.isPresent && needle.len > 0 {
            guard Input.isValidUTF8(needle) else { throw .invalid("username_contains is not valid UTF-8") }
            // Case-sensitive LIKE ("C" collation); the trigram index finds
            // candidates for 3+ characters and every row is rechecked exactly.
            let pattern = Self.containsPattern(needle.buffer)
            add("u.username LIKE $?") { $0.text(bytes: pattern) }
        }
        if q.email.isPresent {
            let email = q.email
            add("lower(u.email COLLATE \"C\") = lower($? COLLATE \"C\")") { $0.text(email) }
        }
        if q.has_role.isPresent {
            let role = q.has_role
            add("EXISTS (SELECT 1 FROM user_roles hr WHERE hr.user_id = u.id AND hr.role_slug = $?)") { $0.text(role) }
        }
        switch q.group_filter {
        case PROTEUS_GROUP_ANY: break
        case PROTEUS_GROUP_NONE: add("u.group_id IS NULL")
        case PROTEUS_GROUP_EQUALS:
            let group = q.group_id
            add("u.group_id = $?") { $0.id(group) }
        default:
            throw .invalid("unknown group filter \(q.group_filter) (expected PROTEUS_GROUP_ANY, _NONE or _EQUALS)")
        }
        if q.lacks_role_count > 0 {
            guard let roles = q.lacks_roles else { throw .invalid("lacks_role_count is \(q.lacks_role_count) but lacks_roles is NULL") }
            let list = (0..<Int(q.lacks_role_count)).map { roles[$0] }
            add("NOT EXISTS (SELECT 1 FROM user_roles lr WHERE lr.user_id = u.id AND lr.role_slug = ANY($?::text[]))") { $0.textArray(list) }
        }
        if q.flags_mask != 0 || q.flags_value != 0 {
            let mask = q.flags_mask, value = q.flags_value
            add("(u.flags & $?) = $?") { $0.int64(mask); $0.int64(value) }
        }
    }
}
