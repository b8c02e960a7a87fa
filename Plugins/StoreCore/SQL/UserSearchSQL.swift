// user_search: how a backend finds the users of a query. StoreCore checks
// the query, counts, pages, reads and writes the output; the plan is the
// backend's (its indexes decide how a filter is best written).
import PluginAPI
import PluginKit

/// The order of a search (proteus_user_query.order).
public enum UserOrder: Sendable {
    case created, username, id
}

/// One page of a search.
public struct SearchPage {
    public let total: Int64
    public let offset: Int64
    public let limit: UInt32
    public let documents: StoreInput.DocSelection
    /// `total` is a capped count (2.6 total_cap): at least that many match,
    /// so the page cannot tell from it where the matches end.
    public var totalIsLowerBound = false

    public init(total: Int64, offset: Int64, limit: UInt32, documents: StoreInput.DocSelection, totalIsLowerBound: Bool = false) {
        self.total = total
        self.offset = offset
        self.limit = limit
        self.documents = documents
        self.totalIsLowerBound = totalIsLowerBound
    }
}

extension SearchPage {
    /// Two ways to find a page: from the index of a filter (visit every
    /// match, then sort), or walking the ORDER BY index and testing each
    /// user until the page is full (about (offset + limit) / density rows).
    /// The second wins when matches are dense, e.g. a 3-letter substring
    /// held by 10% of a million users. Rows walked ≈ (offset + limit) ×
    /// users / total; rows visited from the index = total, each costing
    /// several times a walked row (table fetch + sort). Walk while it visits
    /// under 4 × total rows. `users`: about how many users there are. It
    /// assumes the matches are spread along the order.
    public func walkBeatsIndex(users: Int64) -> Bool {
        (Double(offset) + Double(limit)) * Double(users) < 4 * Double(total) * Double(total)
    }

    /// The same for a substring's matches, which may lie together along the
    /// order (names numbered as they were created: "R12" in every
    /// user12xxxx), where a walk reads all that comes before them: up to
    /// `substringIndexTotal` matches are always read from the index, at a
    /// bounded cost.
    public func walkBeatsSubstringIndex(users: Int64) -> Bool {
        total > Self.substringIndexTotal && walkBeatsIndex(users: users)
    }

    public static let substringIndexTotal: Int64 = 50_000

    /// How many names a substring's walk in username order reads before a
    /// store may give up on it for the index (matches that lie together
    /// far along the order; SQLite's SearchPlan.pageAfterWindow).
    public static let substringWalkWindow: Int64 = 50_000
}

/// The statement of one page: a SELECT of user rows and its values.
public struct SearchPageQuery {
    public let sql: String
    public let bind: (any StoreStatement) -> Void
    /// (2.7) The column holding each row's key presence (1: the user holds
    /// an API key of the query's key_ns), when the plan put it in the row
    /// for a query with key_presence; nil: StoreCore asks after the page.
    public let keyPresenceColumn: Int?

    public init(sql: String, keyPresenceColumn: Int? = nil, bind: @escaping (any StoreStatement) -> Void) {
        self.sql = sql
        self.keyPresenceColumn = keyPresenceColumn
        self.bind = bind
    }
}

/// A backend's plan for one (already checked) query.
public protocol UserSearchPlan {
    /// How many users match, regardless of offset and limit.
    func count(_ c: any StoreConnection) throws -> Int64
    /// The same, counting at most about `limit` matches (2.6 total_cap):
    /// min(matches, limit), or the exact count when it costs no more
    /// (e.g. from the facet counts).
    func count(_ c: any StoreConnection, atMost limit: Int64) throws -> Int64
    /// The statement of one page (it may run statements to choose).
    func page(_ c: any StoreConnection, _ page: SearchPage) throws -> SearchPageQuery
    /// True when each statement's plan is fixed by its text (the search
    /// then runs in UnitOfWork.snapshotOfFixedPlans).
    var fixesItsPlans: Bool { get }
    /// One statement answering the total and the page at once, read in one
    /// pass while the matches are few; nil when the plan has none. Its rows
    /// are the page's users, each with the total in the column after the
    /// user's columns; it reads at most CountedPageQuery.cap matches, and the
    /// total is exact when under it, else count and page are asked for.
    /// Never with a cursor (after_username).
    func countedPage(offset: Int64, limit: UInt32, documents: StoreInput.DocSelection) -> CountedPageQuery?
    /// True when indexOrderedPage may answer.
    var ordersPageByIndex: Bool { get }
    /// The total and the page's statement, found by one pass over an index
    /// that yields the matches in the page's order (SQLite's trigram
    /// indexes in seq order, schema 8); nil when more than
    /// CountedPageQuery.cap match (count and page are then asked for).
    /// Never with a cursor (after_username).
    func indexOrderedPage(_ c: any StoreConnection, offset: Int64, limit: UInt32) throws -> (total: Int64, page: SearchPageQuery)?
}

extension UserSearchPlan {
    public func count(_ c: any StoreConnection, atMost limit: Int64) throws -> Int64 { try count(c) }
    public var fixesItsPlans: Bool { false }
    public func countedPage(offset: Int64, limit: UInt32, documents: StoreInput.DocSelection) -> CountedPageQuery? { nil }
    public var ordersPageByIndex: Bool { false }
    public func indexOrderedPage(_ c: any StoreConnection, offset: Int64, limit: UInt32) throws -> (total: Int64, page: SearchPageQuery)? { nil }
}

/// A statement of a page with its total (UserSearchPlan.countedPage).
public struct CountedPageQuery {
    /// Most matches a counted page reads (a few milliseconds of index).
    public static let cap: Int64 = 5_000

    public let page: SearchPageQuery

    public init(page: SearchPageQuery) { self.page = page }
}

public protocol UserSearchSQL: Sendable {
    /// The plan of `query`, which StoreCore has checked (UserQueryInput).
    func searchPlan(_ query: proteus_user_query, order: UserOrder) throws(PluginError) -> any UserSearchPlan
}
