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
        let docs = StoreInput.DocSelection(q.doc_ns)
        let offset = Int64(clamping: q.offset)
        // A counted page is one statement (total and page): read alone,
        // without a transaction, while the matches are few.
        if q.limit > 0, plan.fixesItsPlans, rows.detailsInRow, let counted = plan.countedPage(offset: offset, limit: q.limit, documents: docs) {
            let answered: (Int64, [UserRecord])? = try perform(.read, "searching users") { c in
                var found: Int64?
                let users = try rows.readAll(c, counted.page.sql, "searching users", documents: docs, extra: { found = $0.int64(counted.totalColumn) }) {
                    counted.page.bind($0)
                }
                if let found, found < counted.cap { return (found, users) }
                // No row from the first page: no match at all.
                if found == nil && offset == 0 { return (0, []) }
                // Many matches, or a page past the last: count, then page.
                return nil
            }
            if let (total, users) = answered {
                out.pointee = try writer.userPage(total: UInt64(clamping: total), users: users)
                return
            }
        }
        // Count and page from one snapshot (a count alone is one statement).
        let unit: UnitOfWork = plan.fixesItsPlans ? (q.limit == 0 ? .read : .snapshotOfFixedPlans) : .snapshot
        let (total, users): (Int64, [UserRecord]) = try perform(unit, "searching users") { c in
            let total = try plan.count(c)
            guard q.limit > 0, offset < total else { return (total, []) }
            let page = try plan.page(c, SearchPage(total: total, offset: offset, limit: q.limit, documents: docs))
            return (total, try rows.readAll(c, page.sql, "searching users", documents: docs) { page.bind($0) })
        }
        out.pointee = try writer.userPage(total: UInt64(clamping: total), users: users)
    }
}
