// username_folded (ABI 2.3) against a scan, on a store of its own where
// most users match a short prefix: so every plan a store picks from the
// density of the matches — the folded index, a walk of the ORDER BY index,
// the merge of a prefix's runs in username order, PostgreSQL's
// materialized cut, its counted page (one pass under 5,000 matches),
// SQLite's trigram index read in seq order —
// answers exactly what folding each username says, in every order, page and
// combination with a role filter; and contained texts (2.4) and case-sensitive
// substrings (username_contains), through the
// facet counts, the trigram pages and the counted page.
import PluginAPI
import PluginKit
import XCTest
@testable import Host

final class StoreFoldedSearchTests: XCTestCase {
    override class func tearDown() {
        SQLiteStoreFixture.cleanUp()
        super.tearDown()
    }

    /// Usernames of a small alphabet (letters in both cases, the neighbours
    /// of A-Z and a-z, a non-ASCII letter), so short prefixes match many.
    /// `inCreatedOrder`: each user created after the one before (SQLite's
    /// seq order is then created order, schema 8); else in random created order.
    /// `numberedFrom`: the first user's number (names end in it).
    private func fill(_ client: StoreClient, count: Int = 400, inCreatedOrder: Bool = false, numberedFrom first: Int = 0) throws -> [UserRecord] {
        try client.putRole(RoleRecord(slug: "fold.r"))
        let alphabet = ["a", "A", "b", "B", "@", "[", "_", "`", "é", "É", "1"]
        var g = SystemRandomNumberGenerator()
        var users: [UserRecord] = []
        for i in first..<(first + count) {
            var u = UserRecord(id: (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) })
            let length = Int.random(in: 1...4, using: &g)
            // Half with an infix, so a contained text of four characters matches thousands.
            u.username = i % 37 == 0 ? nil : (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &g)] }.joined()
                + (i % 2 == 0 ? "xYz9" : "") + "-\(i)"
            u.roles = i % 3 == 0 ? ["fold.r"] : []
            u.createdAt = inCreatedOrder ? Int64(i + 1) * 1_000 : Int64.random(in: 1...1_000, using: &g) * 1_000
            u.version = 1
            users.append(u)
        }
        for start in stride(from: 0, to: users.count, by: 1000) {
            try client.importUsers(Array(users[start..<min(start + 1000, users.count)]), mode: PROTEUS_IMPORT_INSERT)
        }
        return users
    }

    private func folded(_ s: String) -> [UInt8] { s.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 } }

    private func expectScanAnswers(_ client: StoreClient, _ users: [UserRecord]) throws {
        func less(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.lexicographicallyPrecedes(b) }
        let prefixes = ["", "a", "A", "ab", "aB", "@", "[", "_", "`", "é", "É", "a@", "1", "zz", "abab", "b-"]
        // Contained texts (2.4): of 1-3 characters (the facet counts, the trigram pages), of more (the
        // trigram index; a counted page under 5,000 matches, else count and page).
        let contained = ["É", "ab", "a-1", "XYZ", "xyz9", "yZ9-12", "nope"]
        // And case-sensitive substrings (username_contains, `caseSensitive`), through the same indexes.
        let caseSensitive: Int32 = -1
        let substrings = ["B", "aB", "a-1", "xYz9", "Yz9-12", "xyz9"]
        let texts = prefixes.flatMap { [($0, PROTEUS_MATCH_PREFIX), ($0, PROTEUS_MATCH_EQUALS)] } + contained.map { ($0, PROTEUS_MATCH_CONTAINS) }
            + substrings.map { ($0, caseSensitive) }
        for (text, match) in texts {
            do {
                let key = folded(text)
                let matching = users.filter { u in
                    guard let name = u.username else { return false }
                    let f = folded(name)
                    switch match {
                    case caseSensitive: return Array(name.utf8).firstRange(of: Array(text.utf8)) != nil
                    case PROTEUS_MATCH_PREFIX: return f.starts(with: key)
                    case PROTEUS_MATCH_CONTAINS: return f.firstRange(of: key) != nil
                    default: return f == key
                    }
                }
                for roleOnly in [false, true] {
                    let kept = roleOnly ? matching.filter { $0.roles == ["fold.r"] } : matching
                    let orders: [(Int32, [UserRecord])] = [
                        (PROTEUS_ORDER_CREATED, kept.sorted { ($0.createdAt, Hex.encode($0.id)) < ($1.createdAt, Hex.encode($1.id)) }),
                        (PROTEUS_ORDER_USERNAME, kept.sorted { less(Array($0.username!.utf8), Array($1.username!.utf8)) }),
                        (PROTEUS_ORDER_ID, kept.sorted { less($0.id, $1.id) }),
                    ]
                    for (order, expected) in orders {
                        for (offset, limit) in [(0, 10), (7, 5), (0, 1000), (30, 20), (5_990, 20), (.max, 5)] as [(UInt64, UInt32)] {
                            var q = UserQuery()
                            if match == caseSensitive {
                                q.usernameContains = text
                            } else {
                                q.usernameFolded = text
                                q.usernameFoldedMatch = match
                            }
                            q.hasRole = roleOnly ? "fold.r" : nil
                            q.order = order
                            q.offset = offset
                            q.limit = limit
                            let page = try client.search(q)
                            let what = "\(match == caseSensitive ? "username_contains" : ["equals", "prefix", "contains"][Int(match)]) \"\(text)\"\(roleOnly ? " with the role" : ""), order \(order), offset \(offset), limit \(limit)"
                            XCTAssertEqual(page.total, UInt64(kept.count), "\(what): total")
                            XCTAssertEqual(page.users.map { Hex.encode($0.id) },
                                           expected.dropFirst(Int(min(offset, UInt64(expected.count)))).prefix(Int(limit)).map { Hex.encode($0.id) }, "\(what): page")
                        }
                    }
                }
            }
        }
    }

    /// Enough users that "xyz9" passes CountedPageQuery.cap (5,000): its
    /// pages come from the count, then the trigram index in seq order.
    /// Created in random order, most users are out of seq order (schema 8).
    func testSQLiteAnswersAsAScan() throws {
        let store = try SQLiteStoreFixture.open(path: SQLiteStoreFixture.makeTempDirectory("folded-scan") + "/db.sqlite")
        defer { store.instance.destroy() }
        let client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        let users = try fill(client, count: 12_000)
        XCTAssertEqual(SQLiteStoreFixture.diagnostic(store, "check.username_index"), "ok")
        try expectScanAnswers(client, users)
    }

    /// The same, created in created order (no user out of seq order), then
    /// with older users imported after them: out of seq order, each after
    /// every page's first users in the index.
    func testSQLiteAnswersAsAScanInCreatedOrder() throws {
        let store = try SQLiteStoreFixture.open(path: SQLiteStoreFixture.makeTempDirectory("folded-scan-ordered") + "/db.sqlite")
        defer { store.instance.destroy() }
        let client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        var users = try fill(client, count: 12_000, inCreatedOrder: true)
        XCTAssertEqual(SQLiteStoreFixture.diagnostic(store, "check.username_index"), "ok")
        try expectScanAnswers(client, users)
        users += try fill(client, count: 300, numberedFrom: 12_000)
        XCTAssertEqual(SQLiteStoreFixture.diagnostic(store, "check.username_index"), "ok")
        try expectScanAnswers(client, users)
    }

    func testPostgresAnswersAsAScan() throws {
        let store = try PostgresStoreFixture.open(schema: PostgresServer.freshSchema("folded_scan"))
        defer { store.instance.destroy() }
        let client = PostgresStoreFixture.client(store)
        // Enough that a one-letter prefix passes CountedPageQuery.cap
        // (5,000): its pages come from the count, then a walk or a merge.
        let users = try fill(client, count: 30_000)
        XCTAssertEqual(PostgresStoreFixture.diagnostic(store, "analyze"), "ok")
        try expectScanAnswers(client, users)
    }
}
