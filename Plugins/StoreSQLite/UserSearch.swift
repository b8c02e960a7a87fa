// user_search: filters compiled into one WHERE clause of fixed fragments
// (values are always bound), a count for `total` and one page.
import PluginAPI
import PluginKit

extension SQLiteStore {
    func searchUsers(_ input: UnsafePointer<proteus_user_query>?, arena: OpaquePointer?,
                     out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_user_page>?>?) throws {
        let q = try Input.record(input, "user query")
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        let writer = try arenaWriter(arena)
        let filter = try SearchFilter(q)
        let docs = Input.DocSelection(q.doc_ns)
        let orderBy: String
        switch q.order {
        case PROTEUS_ORDER_CREATED: orderBy = "u.created_at, u.id"
        case PROTEUS_ORDER_USERNAME: orderBy = "u.username, u.id"     // absent usernames first
        case PROTEUS_ORDER_ID: orderBy = "u.id"
        default: throw PluginError.invalid("unknown order \(q.order) (expected PROTEUS_ORDER_CREATED, _USERNAME or _ID)")
        }
        let offset = Int64(clamping: q.offset)
        let (total, users): (UInt64, [UserRecord]) = try pool.read("searching users") { c in
            let total = try c.with(filter.countSQL) { s in
                filter.bind(s)
                guard try s.step("counting users") else { return Int64(0) }
                return s.int64(0)
            }
            guard q.limit > 0, offset < total else { return (UInt64(total), []) }
            // Two ways to find the page: from the driving index (visit every
            // match, then sort), or walking the ORDER BY index and testing
            // each user until the page is full (about (offset + limit) /
            // density rows). The second wins when matches are dense, e.g. a
            // 3-letter substring held by 10% of a million users.
            // Rows walked ≈ (offset + limit) × users / total; rows visited from
            // the index = total, each costing several times a walked row
            // (table fetch + sort). Walk while it visits under 4 × total rows.
            var page = filter
            if filter.hasDriver {
                let users = try c.scalar("SELECT coalesce(max(seq), 0) FROM users", "estimating the user count")
                let wanted = Double(offset) + Double(q.limit)
                if wanted * Double(users) < 4 * Double(total) * Double(total) {
                    page = try SearchFilter(q, allowDriver: false)
                }
            }
            var users = try c.with("SELECT \(UserRows.columns) FROM users u\(page.whereClause) ORDER BY \(orderBy) LIMIT ? OFFSET ?") { s in
                let next = page.bind(s)
                s.bind(next, Int64(q.limit))
                s.bind(next + 1, offset)
                var users: [UserRecord] = []
                while try s.step("searching users") { users.append(UserRows.read(s)) }
                return users
            }
            for i in users.indices { try UserRows.complete(c, &users[i], docs: docs) }
            return (UInt64(total), users)
        }
        out.pointee = try writer.userPage(total: total, users: users)
    }
}

/// The WHERE clause of a query and the values to bind, in order.
///
/// Exactly one condition may use an index to find candidate rows (the
/// "driver", in this order of preference: trigram substring, email, role,
/// group); every other condition is written so the planner cannot use an
/// index for it (unary `+`, EXISTS). Without that, SQLite may combine two IN
/// lists into one multi-column probe and try every pair: a role filter plus
/// a substring once took 28 s on 100k users.
struct SearchFilter {
    private(set) var conditions: [String] = []
    private var binders: [(Statement, Int32) -> Void] = []
    /// A cheaper count query when one index alone answers it.
    private var countShortcut: String?

    var whereClause: String { conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ") }

    var countSQL: String {
        countShortcut ?? "SELECT count(*) FROM users u\(whereClause)"
    }

    private mutating func add(_ condition: String, _ bind: @escaping (Statement, Int32) -> Void) {
        conditions.append(condition)
        binders.append(bind)
    }

    /// Binds every value starting at 1; returns the next free index.
    @discardableResult
    func bind(_ s: Statement) -> Int32 {
        var i: Int32 = 1
        for b in binders { b(s, i); i += 1 }
        return i
    }

    /// True when one condition can drive an index lookup.
    private(set) var hasDriver = false

    /// `allowDriver` false: no condition may use an index to find rows (the
    /// planner then walks the ORDER BY index instead).
    init(_ q: proteus_user_query, allowDriver: Bool = true) throws(PluginError) {
        var driven = !allowDriver
        let needle = q.username_contains
        if needle.isPresent && needle.len > 0 {
            guard let text = needle.string, Input.isValidUTF8(needle) else {
                throw .invalid("username_contains is not valid UTF-8")
            }
            if text.unicodeScalars.count >= 3 && allowDriver {
                // The trigram index (case_sensitive 1) answers substrings of
                // three or more characters exactly: a phrase of consecutive
                // trigrams is the substring.
                let phrase = "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                add("u.seq IN (SELECT rowid FROM users_fts WHERE users_fts MATCH ?)") { $0.bind($1, phrase) }
                driven = true
            } else {
                // Shorter ones (and the walk along the ORDER BY index) test
                // each username: instr is case-sensitive, LIKE would fold
                // ASCII case.
                add("instr(u.username, ?) > 0") { $0.bind($1, needle) }
            }
        }
        if q.email.isPresent {
            let email = q.email
            add(driven ? "+u.email = ? COLLATE NOCASE" : "u.email = ? COLLATE NOCASE") { $0.bind($1, email) }
            driven = true
        }
        if q.has_role.isPresent {
            let role = q.has_role
            add(driven ? "EXISTS (SELECT 1 FROM user_roles hr WHERE hr.user_id = u.id AND hr.role_slug = ?)"
                       : "u.id IN (SELECT user_id FROM user_roles WHERE role_slug = ?)") { $0.bind($1, role) }
            driven = true
        }
        switch q.group_filter {
        case PROTEUS_GROUP_ANY: break
        case PROTEUS_GROUP_NONE:
            conditions.append(driven ? "+u.group_id IS NULL" : "u.group_id IS NULL")
            driven = true
        case PROTEUS_GROUP_EQUALS:
            let group = q.group_id
            add(driven ? "+u.group_id = ?" : "u.group_id = ?") { $0.bind($1, group) }
            driven = true
        default:
            throw .invalid("unknown group filter \(q.group_filter) (expected PROTEUS_GROUP_ANY, _NONE or _EQUALS)")
        }
        if q.lacks_role_count > 0 {
            guard let roles = q.lacks_roles else { throw .invalid("lacks_role_count is \(q.lacks_role_count) but lacks_roles is NULL") }
            let n = Int(q.lacks_role_count)
            guard n <= 1000 else { throw .invalid("lacks_roles lists \(n) roles; at most 1000 are accepted") }
            let marks = Array(repeating: "?", count: n).joined(separator: ", ")
            conditions.append("NOT EXISTS (SELECT 1 FROM user_roles lr WHERE lr.user_id = u.id AND lr.role_slug IN (\(marks)))")
            for i in 0..<n {
                let role = roles[i]
                binders.append { $0.bind($1, role) }
            }
        }
        if q.flags_mask != 0 || q.flags_value != 0 {
            let mask = q.flags_mask, value = q.flags_value
            conditions.append("(u.flags & ?) = ?")
            binders.append { $0.bind($1, mask) }
            binders.append { $0.bind($1, value) }
        }
        hasDriver = allowDriver && driven
        // Alone, the substring or the role filter can be counted from its
        // index without visiting users (every index row has its user).
        if conditions.count == 1 && conditions[0].hasPrefix("u.seq IN") {
            countShortcut = "SELECT count(*) FROM users_fts WHERE users_fts MATCH ?"
        } else if conditions.count == 1 && conditions[0].hasPrefix("u.id IN (SELECT user_id FROM user_roles") {
            countShortcut = "SELECT count(*) FROM user_roles WHERE role_slug = ?"
        }
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
