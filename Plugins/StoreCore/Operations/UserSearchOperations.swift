// user_search: the checks, the count and one page are StoreCore's; how the
// page is found is the backend's plan (UserSearchSQL).
import PluginAPI
import PluginKit

extension StoreCore {
    public func searchUsers(_ input: UnsafePointer<proteus_user_query>?, arena: OpaquePointer?,
                            out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_user_page>?>?) throws {
        let asked = try UserQueryInput.read(input)
        let out = try output(out)
        let writer = try arenaWriter(arena)
        let order = try UserQueryInput.check(asked)
        let q = UserQueryInput.plain(asked)
        let plan = try sql.searchPlan(q, order: order)
        // A cursor (2.6) narrows the page, not the total: the total is the
        // plan's of the query without it.
        let cursor = q.after_username.isPresent
        let countPlan = cursor ? try sql.searchPlan(UserQueryInput.uncursored(q), order: order) : plan
        let total = SearchTotal(cap: q.total_cap, substring: UserQueryInput.hasSubstring(q))
        let docs = StoreInput.DocSelection(q.doc_ns)
        let offset = Int64(clamping: q.offset)
        // (2.7) The page's key presence: from its rows when the plan put it
        // there, else read after them on the page's connection.
        let keyColumn: (SearchPageQuery) -> Int? = { q.key_presence ? $0.keyPresenceColumn : nil }
        func readPage(_ c: any StoreConnection, _ page: SearchPageQuery,
                      extra: ((any StoreStatement) -> Void)? = nil) throws -> (users: [UserRecord], holdsInRow: [Bool]?) {
            var holds: [Bool]? = keyColumn(page).map { _ in [] }
            let users = try rows.readAll(c, page.sql, "searching users", documents: docs, extra: { s in
                extra?(s)
                if let column = keyColumn(page) { holds?.append(s.int64(column) != 0) }
            }) { page.bind($0) }
            return (users, holds)
        }
        func presence(_ c: any StoreConnection, _ read: (users: [UserRecord], holdsInRow: [Bool]?)) throws -> [Bool]? {
            guard q.key_presence else { return nil }
            return try read.holdsInRow ?? keyHolders(c, read.users.map(\.id), ns: q.key_ns)
        }
        if q.limit > 0, !cursor, plan.ordersPageByIndex {
            let answered: (Int64, [UserRecord], [Bool]?)? = try perform(.snapshot, "searching users") { c in
                guard let (found, page) = try plan.indexOrderedPage(c, offset: offset, limit: q.limit) else { return nil }
                let read = try readPage(c, page)
                return (found, read.users, try presence(c, read))
            }
            if let (found, users, holds) = answered {
                out.pointee = try writer.userPage(total: total.reported(found), users: users, totalIsLowerBound: total.isLowerBound(found), holdsKey: holds)
                return
            }
        }
        // A counted page is one statement (total and page), read while the
        // matches are few: alone, without a transaction, when a user's
        // details are in its row.
        if q.limit > 0, !cursor, let counted = plan.countedPage(offset: offset, limit: q.limit, documents: docs) {
            let totalColumn = rows.userColumnCount
            let answered: (Int64, [UserRecord], [Bool]?)? = try perform(rows.detailsInRow ? .read : .snapshot, "searching users") { c in
                var found: Int64?
                let read = try readPage(c, counted.page, extra: { found = $0.int64(totalColumn) })
                if let found, found < CountedPageQuery.cap { return (found, read.users, try presence(c, read)) }
                // No row from the first page: no match at all.
                if found == nil && offset == 0 { return (0, [], q.key_presence ? [] : nil) }
                // Many matches, or a page past the last: count, then page.
                return nil
            }
            if let (found, users, holds) = answered {
                out.pointee = try writer.userPage(total: total.reported(found), users: users, totalIsLowerBound: total.isLowerBound(found), holdsKey: holds)
                return
            }
        }
        // Count and page from one snapshot (a count alone is one statement).
        let unit: UnitOfWork = plan.fixesItsPlans && countPlan.fixesItsPlans ? (q.limit == 0 ? .read : .snapshotOfFixedPlans) : .snapshot
        let (found, users, holds): (Int64, [UserRecord], [Bool]?) = try perform(unit, "searching users") { c in
            let found = try total.countLimit.map { try countPlan.count(c, atMost: $0) } ?? countPlan.count(c)
            // A lower bound (a capped count) or a cursor's page says
            // nothing of where the matches end: the page looks.
            let exact = total.countLimit.map { found < $0 } ?? true
            guard q.limit > 0, !(exact && (found == 0 || (!cursor && offset >= found))) else { return (found, [], q.key_presence ? [] : nil) }
            let page = try plan.page(c, SearchPage(total: found, offset: offset, limit: q.limit, documents: docs,
                                                 totalIsLowerBound: !exact))
            let read = try readPage(c, page)
            return (found, read.users, try presence(c, read))
        }
        out.pointee = try writer.userPage(total: total.reported(found), users: users, totalIsLowerBound: total.isLowerBound(found), holdsKey: holds)
    }
}

/// A search's total under proteus_user_query.total_cap (2.6).
struct SearchTotal {
    /// 0 = exact.
    let cap: UInt64
    /// The query tests a substring (folded or not).
    let substring: Bool

    /// How far the count goes: nil = to the end. For a substring, past the
    /// cap up to what choosing the page's plan needs (its walk is chosen
    /// only above SearchPage.substringIndexTotal matches), so that a
    /// capped total never changes the plan of its page.
    var countLimit: Int64? {
        guard cap > 0 else { return nil }
        let limit = Int64(clamping: cap)
        return substring ? max(limit, SearchPage.substringIndexTotal + 1) : limit
    }

    func isLowerBound(_ found: Int64) -> Bool { cap > 0 && UInt64(clamping: found) >= cap }

    func reported(_ found: Int64) -> UInt64 { isLowerBound(found) ? cap : UInt64(clamping: found) }
}
