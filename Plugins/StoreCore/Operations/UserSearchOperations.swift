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
        // Count and page from one snapshot.
        let (total, users): (Int64, [UserRecord]) = try perform(q.limit > 0 ? .snapshot : .read, "searching users") { c in
            let total = try plan.count(c)
            guard q.limit > 0, offset < total else { return (total, []) }
            let page = try plan.page(c, SearchPage(total: total, offset: offset, limit: q.limit, documents: docs))
            return (total, try rows.readAll(c, page.sql, "searching users", documents: docs) { page.bind($0) })
        }
        out.pointee = try writer.userPage(total: UInt64(clamping: total), users: users)
    }
}
