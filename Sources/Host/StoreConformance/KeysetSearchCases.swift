// Cases: what ABI 2.6 added for the admin console: user_search's keyset
// paging (after_username) and capped total (total_cap, the page's
// PROTEUS_PAGE_TOTAL_AT_LEAST), and session_count_user. A store built
// before 2.6 skips them.
import PluginAPI
import PluginKit

extension StoreConformanceSuite {
    static var keysetSearchCases: [Case] {
        [
            Case(name: "search.keyset", summary: "after_username pages walk every user once, in byte order, alone and with a username, folded or role filter; the total ignores the cursor", body: { try $0.searchKeyset() }),
            Case(name: "search.keyset_invalid", summary: "after_username with order CREATED or ID, or not UTF-8, is INVALID", body: { try $0.searchKeysetInvalid() }),
            Case(name: "search.total_cap", summary: "total_cap: the exact total below the cap, the cap with PROTEUS_PAGE_TOTAL_AT_LEAST from it on; the page is unchanged", body: { try $0.searchTotalCap() }),
            Case(name: "search.keyset_2_5", summary: "a query whose struct_size ends before after_username (2.5) is accepted and neither 2.6 field is read", body: { try $0.searchKeysetOldQuery() }),
            Case(name: "sessions.count_user", summary: "session_count_user counts live sessions of every namespace: after create, delete, delete by user and expiry; 0 for a missing user", body: { try $0.sessionsCountUser() }),
        ]
    }

    private func requireKeyset() throws {
        guard client.readsKeysetQueries else {
            throw ConformanceSkip(reason: "the store was built before ABI 2.6 (no after_username, total_cap or session_count_user)")
        }
    }

    /// Every page of `q` from the cursor `start`, `size` users each, each
    /// following the last username of the one before; checks every page's
    /// total is `total`.
    private func keysetWalk(_ q: UserQuery, from start: String?, size: UInt32, total: UInt64, _ what: String) throws -> [String] {
        var q = q
        q.limit = size
        q.afterUsername = start
        var seen: [String] = []
        while true {
            let page = try client.search(q)
            try expectEqual(page.total, total, "\(what): total after \(q.afterUsername ?? "<start>")")
            try expect(page.users.count <= Int(size), "\(what): a page of \(page.users.count) users, limit \(size)")
            seen += names(page)
            guard page.users.count == Int(size), let last = page.users.last?.username else { return seen }
            q.afterUsername = last
            try expect(seen.count <= 1000, "\(what): the walk does not end")
        }
    }

    /// `names` in username order: unsigned bytes.
    private func byteOrder(_ names: [String]) -> [String] {
        names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    private func expectWalk(_ got: [String], _ want: [String], _ what: String) throws {
        let hex = { (n: [String]) in n.map { Hex.encode(Array($0.utf8)) } }
        if hex(got) != hex(want) { throw ConformanceFailure(message: "\(what): expected \(want), got \(got)") }
    }

    func searchKeyset() throws {
        try requireKeyset()
        let t = token(8), u = t.uppercased()
        let role = try newRole("keyset")
        // Byte order, not a collation: "B" < "a", "é" and "🦊" after "z".
        let mine = ["ks\(t)a", "ks\(t)B", "ks\(t)ab", "ks\(t)a b", "ks\(t)z", "ks\(t)é", "ks\(t)🦊", "ks\(t)A", "ks\(t)b1", "ks\(t)b2", "ks\(t)b3"]
        for n in mine { try client.createUser(newUser(n, roles: [role])) }
        var nameless = newUser(nil, roles: [role])
        nameless.username = nil
        try client.createUser(nameless)
        let ordered = byteOrder(mine)
        // No filter: from just before the token every user of it comes next
        // (no other username starts with it), in order, once each.
        var all = UserQuery()
        all.order = PROTEUS_ORDER_USERNAME
        all.limit = 4
        all.afterUsername = "ks\(t)"
        let first = try client.search(all)
        try expectWalk(names(first), Array(ordered.prefix(4)), "the first page after ks\(t)")
        all.afterUsername = ordered[3]
        try expectWalk(names(try client.search(all)), Array(ordered[4..<8]), "the page after \(ordered[3])")
        // A role filter isolates them: pages of every size walk them all.
        var byRole = UserQuery()
        byRole.order = PROTEUS_ORDER_USERNAME
        byRole.hasRole = role
        for size in [UInt32(1), 2, 3, 5, 11, 50] {
            // The empty cursor is before every present username; the user
            // without one never follows a cursor, but counts in the total.
            try expectWalk(try keysetWalk(byRole, from: "", size: size, total: 12, "role, pages of \(size)"), ordered, "role, pages of \(size)")
        }
        // Combined with offset: it skips from the cursor on.
        var skipping = byRole
        skipping.afterUsername = ordered[1]
        skipping.offset = 2
        skipping.limit = 3
        try expectWalk(names(try client.search(skipping)), Array(ordered[4..<7]), "cursor and offset")
        // A cursor that is no username: the users after where it would be.
        var between = byRole
        between.afterUsername = "ks\(t)b"
        between.limit = 3
        try expectWalk(names(try client.search(between)), ["ks\(t)b1", "ks\(t)b2", "ks\(t)b3"], "a cursor between usernames")
        between.afterUsername = "ks\(t)🦊"
        try expectWalk(names(try client.search(between)), [], "a cursor after the last")
        // Folded username filters: a prefix (its runs) and contained text.
        var prefix = UserQuery()
        prefix.order = PROTEUS_ORDER_USERNAME
        prefix.usernameFolded = "KS\(u)"
        prefix.usernameFoldedMatch = PROTEUS_MATCH_PREFIX
        try expectWalk(try keysetWalk(prefix, from: nil, size: 3, total: 11, "folded prefix"), ordered, "folded prefix")
        let bees = ["ks\(t)B", "ks\(t)b1", "ks\(t)b2", "ks\(t)b3", "ks\(t)ab", "ks\(t)a b"]
        var contains = UserQuery()
        contains.order = PROTEUS_ORDER_USERNAME
        contains.usernameFolded = "\(u)B"
        contains.usernameFoldedMatch = PROTEUS_MATCH_CONTAINS
        contains.hasRole = role
        try expectWalk(try keysetWalk(contains, from: "", size: 2, total: 4, "folded contains"),
                       byteOrder(bees.filter { $0.lowercased().contains("\(t)b") }), "folded contains")
        // The case-sensitive substring.
        var substring = UserQuery()
        substring.order = PROTEUS_ORDER_USERNAME
        substring.usernameContains = "\(t)b"
        try expectWalk(try keysetWalk(substring, from: "ks\(t)b1", size: 1, total: 3, "substring"), ["ks\(t)b2", "ks\(t)b3"], "substring after ks\(t)b1")
        // Renames and deletes are followed.
        var renamed = try client.getUser(username: "ks\(t)z")
        renamed.username = "ks\(t)0"
        try client.updateUser(renamed, fields: PROTEUS_FIELD_USERNAME)
        try client.deleteUser(try client.getUser(username: "ks\(t)b2").id)
        let now = byteOrder(mine.filter { $0 != "ks\(t)z" && $0 != "ks\(t)b2" } + ["ks\(t)0"])
        try expectWalk(try keysetWalk(byRole, from: "", size: 4, total: 11, "after a rename and a delete"), now, "after a rename and a delete")
    }

    func searchKeysetInvalid() throws {
        try requireKeyset()
        for order in [PROTEUS_ORDER_CREATED, PROTEUS_ORDER_ID] {
            var q = UserQuery()
            q.order = order
            q.limit = 10
            q.afterUsername = "a"
            try expectStatus("after_username with order \(order)", PROTEUS_E_INVALID) { _ = try client.search(q) }
        }
        var q = UserQuery()
        q.order = PROTEUS_ORDER_USERNAME
        q.limit = 10
        try expectStatus("after_username that is not UTF-8", PROTEUS_E_INVALID) {
            _ = try rawSearch(q) { w, c in
                let bytes: [UInt8] = [0x61, 0xC3]
                c.after_username = try bytes.withUnsafeBytes { try w.str(bytes: $0) }
            }
        }
    }

    func searchTotalCap() throws {
        try requireKeyset()
        let t = token(8)
        let role = try newRole("cap")
        let mine = (1...5).map { "cap\(t)\($0)" }
        for n in mine { try client.createUser(newUser(n, roles: [role])) }
        func capped(_ cap: UInt64, limit: UInt32 = 2, _ configure: (inout UserQuery) -> Void) throws -> UserPage {
            var q = UserQuery()
            q.order = PROTEUS_ORDER_USERNAME
            q.limit = limit
            q.totalCap = cap
            configure(&q)
            return try client.search(q)
        }
        let filters: [(String, (inout UserQuery) -> Void)] = [
            ("a role", { $0.hasRole = role }),
            ("a substring", { $0.usernameContains = "cap\(t)" }),
            ("a folded prefix", { $0.usernameFolded = "CAP\(t.uppercased())"; $0.usernameFoldedMatch = PROTEUS_MATCH_PREFIX }),
            ("a folded contained text", { $0.usernameFolded = "AP\(t.uppercased())"; $0.usernameFoldedMatch = PROTEUS_MATCH_CONTAINS }),
            ("a role in created order", { $0.hasRole = role; $0.order = PROTEUS_ORDER_CREATED }),
        ]
        for (what, filter) in filters {
            for limit in [UInt32(0), 2] {
                let exact = try capped(0, limit: limit, filter)
                try expectEqual(exact.total, 5, "\(what), limit \(limit), no cap: total")
                try expect(!exact.totalIsLowerBound, "\(what), limit \(limit): an exact total flagged as a lower bound")
                let under = try capped(6, limit: limit, filter)
                try expectEqual(under.total, 5, "\(what), limit \(limit), cap 6: total")
                try expect(!under.totalIsLowerBound, "\(what), limit \(limit), cap 6: a total under the cap flagged as a lower bound")
                for cap in [UInt64(5), 2, 1] {
                    let page = try capped(cap, limit: limit, filter)
                    try expectEqual(page.total, cap, "\(what), limit \(limit), cap \(cap): total")
                    try expect(page.totalIsLowerBound, "\(what), limit \(limit), cap \(cap): PROTEUS_PAGE_TOTAL_AT_LEAST missing")
                    try expectEqual(page.users.count, Int(limit), "\(what), limit \(limit), cap \(cap): the page")
                }
            }
        }
        // The page is the uncapped query's, also past the cap.
        let deep = try capped(2, limit: 2) { $0.hasRole = role; $0.offset = 3 }
        try expectWalk(names(deep), Array(mine[3...]), "cap 2, offset 3")
        let cursor = try capped(1, limit: 10) { $0.hasRole = role; $0.afterUsername = mine[1] }
        try expectWalk(names(cursor), Array(mine[2...]), "cap 1 with a cursor")
        try expectEqual(cursor.total, 1, "cap 1 with a cursor: total")
        let none = try capped(3, limit: 2) { $0.usernameContains = "cap\(t)x" }
        try expectEqual(none.total, 0, "no match, cap 3: total")
        try expect(!none.totalIsLowerBound && none.users.isEmpty, "no match, cap 3: flagged or not empty")
    }

    func searchKeysetOldQuery() throws {
        try requireKeyset()
        let t = token(8)
        let role = try newRole("keyset-old")
        for n in ["ko\(t)a", "ko\(t)b", "ko\(t)c"] { try client.createUser(newUser(n, roles: [role])) }
        var q = UserQuery()
        q.order = PROTEUS_ORDER_CREATED
        q.hasRole = role
        q.limit = 10
        q.afterUsername = "ko\(t)b"
        q.totalCap = 1
        let old = try rawSearch(q) { _, c in c.struct_size = UInt32(UserQueryLayout.size2_5) }
        try expectEqual(old.total, 3, "the 2.5-size query's total (total_cap not read)")
        try expect(!old.totalIsLowerBound, "the 2.5-size query's total flagged as a lower bound")
        try expectEqual(byteOrder(names(old)), ["ko\(t)a", "ko\(t)b", "ko\(t)c"], "the 2.5-size query's users (after_username not read, so no INVALID order either)")
    }

    func sessionsCountUser() throws {
        try requireKeyset()
        let u = try createUser(newUser()), other = try createUser(newUser())
        let t0 = now
        try expectEqual(try client.sessionCount(user: u.id, now: t0), 0, "a user without sessions")
        var hashes: [[UInt8]] = []
        for (ns, expires) in [("ct.a", Int64(0)), ("ct.a", t0 + 3_600_000), ("ct.b", t0 + 1_000), ("ct.b", t0 - 1)] {
            var s = SessionRecord(tokenHash: randomBytes(32), userID: u.id, namespace: ns)
            s.expiresAt = expires
            try client.createSession(s)
            hashes.append(s.tokenHash)
        }
        try client.createSession(SessionRecord(tokenHash: randomBytes(32), userID: other.id, namespace: "ct.a"))
        try expectEqual(try client.sessionCount(user: u.id, now: t0), 3, "live sessions of every namespace (one already expired)")
        try expectEqual(try client.sessionCount(user: u.id, now: t0 + 1_000), 2, "at a session's expires_at it is gone")
        try expectEqual(try client.sessionCount(user: u.id, now: t0 + 3_600_000), 1, "only the one that never expires")
        try expectEqual(try client.sessionCount(user: other.id, now: t0), 1, "the other user's")
        try client.deleteSession(hashes[0])
        try expectEqual(try client.sessionCount(user: u.id, now: t0), 2, "after session_delete")
        try expectEqual(try client.deleteSessions(user: u.id, ns: "ct.b"), 2, "sessions deleted in ct.b")
        try expectEqual(try client.sessionCount(user: u.id, now: t0), 1, "after session_delete_user of ct.b")
        try expectEqual(try client.sessionCount(user: randomID(), now: t0), 0, "a missing user")
        try client.deleteUser(u.id)
        try expectEqual(try client.sessionCount(user: u.id, now: t0), 0, "a deleted user")
        try expectEqual(try client.sessionCount(user: other.id, now: t0), 1, "the other user's, after the delete")
        try expectStatus("session_count_user without an output", PROTEUS_E_INVALID) {
            try client.invoke(\.session_count_user) { $0(client.store, proteus_id(byteArray: other.id), t0, nil, $1) }
        }
    }
}
