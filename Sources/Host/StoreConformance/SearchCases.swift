// Cases: user_search (substring, filters, ordering, paging, documents).
import PluginAPI
import PluginKit

extension StoreConformanceSuite {
    static var searchCases: [Case] {
        [
            Case(name: "search.substring", summary: "username_contains is a case-sensitive substring (3+ characters), wildcards and quotes are literal", body: { try $0.searchSubstring() }),
            Case(name: "search.short_substring", summary: "1-2 character substrings are case-sensitive too", body: { try $0.searchShortSubstring() }),
            Case(name: "search.filters", summary: "email, has_role, lacks_roles, flags and group filters, alone and combined", body: { try $0.searchFilters() }),
            Case(name: "search.ordering", summary: "CREATED (then id), USERNAME (bytes, absent first), ID", body: { try $0.searchOrdering() }),
            Case(name: "search.substring_created_order", summary: "a substring alone or with a role (case-sensitive, or folded CONTAINS; texts of 3 and of 4-8 characters too) in created order: total and every page as a scan says, with users created and imported out of created order, ties in created_at, created_at changed by an import, roles granted and taken back, deletes and renames", body: { try $0.searchSubstringCreatedOrder() }),
            Case(name: "search.paging", summary: "total ignores paging; offset beyond total; limit 0; limit > total; exact page", body: { try $0.searchPaging() }),
            Case(name: "search.documents", summary: "doc_ns absent / \"*\" / one namespace", body: { try $0.searchDocuments() }),
            Case(name: "search.invalid", summary: "unknown order or group filter is INVALID", body: { try $0.searchInvalid() }),
        ]
    }

    func query(_ contains: String?, limit: UInt32 = 1000, _ configure: (inout UserQuery) -> Void = { _ in }) -> UserQuery {
        var q = UserQuery()
        q.usernameContains = contains
        q.limit = limit
        q.order = PROTEUS_ORDER_USERNAME
        configure(&q)
        return q
    }

    func names(_ page: UserPage) -> [String] { page.users.map { $0.username ?? "<absent>" } }

    func expectNames(_ q: UserQuery, _ expected: [String], _ what: String) throws {
        let page = try client.search(q)
        let got = names(page).map { Hex.encode(Array($0.utf8)) }.sorted()
        let want = expected.map { Hex.encode(Array($0.utf8)) }.sorted()
        if got != want {
            throw ConformanceFailure(message: "\(what): expected \(expected.sorted()), got \(names(page).sorted())")
        }
        try expectEqual(page.total, UInt64(expected.count), "\(what): total")
    }

    func searchSubstringCreatedOrder() throws {
        let t = token(8), u = t.uppercased()
        let d = String(Int.random(in: 1_000_000..<2_000_000).description.dropFirst())   // six random digits
        let base: Int64 = 1_750_000_000_000
        let role = try newRole("order")
        var users: [UserRecord] = []
        // Created out of created order, some in the same millisecond; some
        // with a role (a substring and a role: the role tested on the
        // substring's users).
        for (i, at) in [50, 10, 50, 90, 30, 50, 70, 10, 60, 20].enumerated() {
            var user = newUser(i % 2 == 0 ? "so\(t)-\(i)" : "SO\(u)-x\(i)", roles: i % 3 == 0 ? [role] : [])
            user.createdAt = base + Int64(at) * 1000
            users.append(try createUser(user))
        }
        func fold(_ text: String) -> String {
            String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
        }
        func check(_ step: String) throws {
            let sorted = users.sorted { ($0.createdAt, Hex.encode($0.id)) < ($1.createdAt, Hex.encode($1.id)) }
            // Texts of 4 to 8 characters too (the stores' username_grams):
            // folded, or case-sensitive without letters; one held twice by
            // a name, some not ASCII. Texts of 3 characters (the trigram
            // postings) only with the case's role: alone they are in other
            // cases' usernames too.
            let threes: [(String, Bool)] = [(String(d.prefix(3)), false), (String(d.suffix(3)), true), (String(t.prefix(3)), true)]
            let texts: [(String, Bool)] = [("so\(t)", true), ("\(t)-x", true), ("so\(t)", false), ("SO\(u)", false), ("\(t)-1", false), ("so\(t)-none", true),
                         (t, true), (String(u.prefix(6)), true), ("\(t.suffix(4))-X", true), ("\(t.suffix(3))-lÄt", true), ("\(u.suffix(3))-LÄTE", true),
                         (d, false), ("-\(d)", false), ("-\(d)-", false), (d, true)]
            for ((text, isFolded), withRole) in texts.flatMap({ [($0, false), ($0, true)] }) + threes.map({ ($0, true) }) {
                let want = sorted.filter { user in
                    guard let name = user.username, !withRole || user.roles.contains(role) else { return false }
                    return isFolded ? fold(name).contains(fold(text)) : name.contains(text)
                }.map { Hex.encode($0.id) }
                for (offset, limit) in [(0, 3), (3, 3), (6, 3), (9, 3), (1, 100), (0, 0), (20, 5), (.max, 5)] as [(UInt64, UInt32)] {
                    let page = try client.search(query(isFolded ? nil : text, limit: limit) {
                        if isFolded {
                            $0.usernameFolded = text
                            $0.usernameFoldedMatch = PROTEUS_MATCH_CONTAINS
                        }
                        $0.order = PROTEUS_ORDER_CREATED
                        $0.offset = offset
                        if withRole { $0.hasRole = role }
                    })
                    let what = "\(step): \(isFolded ? "folded" : "case-sensitive") \"\(text)\"\(withRole ? " with a role" : ""), offset \(offset), limit \(limit)"
                    try expectEqual(page.total, UInt64(want.count), "\(what): total")
                    let expected = offset >= UInt64(want.count) ? [] : Array(want.dropFirst(Int(offset)).prefix(Int(limit)))
                    try expectEqual(page.users.map { Hex.encode($0.id) }, expected, "\(what): page")
                }
            }
        }
        try check("created")
        // Imported before and among the others, and after them.
        for (i, at) in [5, 50, 95].enumerated() {
            var user = newUser("so\(t)-imp\(i)-\(d)")
            user.createdAt = base + Int64(at) * 1000
            user.version = 1
            try client.importUsers([user], mode: PROTEUS_IMPORT_INSERT)
            users.append(try client.getUser(id: user.id))
        }
        try check("imported")
        // An import that moves users in the created order: the first last, a late one first.
        for (index, at) in [(1, 99), (3, 1)] {
            var moved = users[index]
            moved.createdAt = base + Int64(at) * 1000
            try client.importUsers([moved], mode: PROTEUS_IMPORT_UPSERT)
            users[index] = try client.getUser(id: moved.id)
        }
        try check("created_at changed")
        // A role granted, one taken back: the postings carry the facet.
        for (index, roles) in [(1, [role]), (3, [String]())] {
            var changed = users[index]
            changed.roles = roles
            try client.updateUser(changed, fields: PROTEUS_FIELD_ROLES)
            users[index] = try client.getUser(id: changed.id)
        }
        try check("roles changed")
        try client.deleteUser(users[0].id)
        users.remove(at: 0)
        users[2].username = "so\(t)-re\(t.prefix(6))-\(d)x\(d)"
        try client.updateUser(users[2], fields: PROTEUS_FIELD_USERNAME)
        users[2] = try client.getUser(id: users[2].id)
        // Created after all of them, then one more in the same millisecond.
        var late = newUser("so\(t)-lÄte🦊")
        late.createdAt = base + 200 * 1000
        users.append(try createUser(late))
        var tie = newUser("so\(t)-\(d)-tie")
        tie.createdAt = late.createdAt
        users.append(try createUser(tie))
        try check("deleted, renamed, created late")
    }

    func searchSubstring() throws {
        let t = token(8)
        let all = ["\(t)Alice", "\(t)alice", "x\(t)bob", "\(t)50%_off", "\(t)say\"hi\"", "\(t)🦊fox", "\(t)a*b OR c"]
        for n in all { try client.createUser(newUser(n)) }
        try expectNames(query(t), all, "contains the token")
        try expectNames(query("\(t)Ali"), ["\(t)Alice"], "case-sensitive (upper)")
        try expectNames(query("\(t)ali"), ["\(t)alice"], "case-sensitive (lower)")
        try expectNames(query("\(t)50%_o"), ["\(t)50%_off"], "% and _ are literal")
        try expectNames(query("\(t)5_%"), [], "no LIKE wildcards")
        try expectNames(query("y\"hi\""), ["\(t)say\"hi\""], "double quotes are literal")
        try expectNames(query("🦊fo"), ["\(t)🦊fox"], "a non-ASCII substring")
        try expectNames(query("\(t)a*b OR c"), ["\(t)a*b OR c"], "query syntax is literal")
        try expectNames(query("\(t)a*"), ["\(t)a*b OR c"], "* is literal")
        try expectNames(query("bob") { $0.usernameContains = "x\(t)b" }, ["x\(t)bob"], "a substring in the middle")
        try expectNames(query("\(t)zzz"), [], "no match")
        try expectNames(query("\(t)Alicex"), [], "longer than the name")
        // Empty or absent = any: restrict with a role to count.
        let role = try newRole("sub")
        for n in ["\(t)r1", "\(t)r2"] { try client.createUser(newUser(n, roles: [role])) }
        try expectNames(query("") { $0.hasRole = role }, ["\(t)r1", "\(t)r2"], "empty substring with a role filter")
        try expectNames(query(nil) { $0.hasRole = role }, ["\(t)r1", "\(t)r2"], "absent substring with a role filter")
        // Renames and deletes are reflected.
        let renamed = try client.getUser(username: "\(t)alice")
        var change = renamed
        change.username = "\(t)carol"
        try client.updateUser(change, fields: PROTEUS_FIELD_USERNAME)
        try expectNames(query("\(t)ali"), [], "old name after rename")
        try expectNames(query("\(t)car"), ["\(t)carol"], "new name after rename")
        try client.deleteUser(renamed.id)
        try expectNames(query("\(t)car"), [], "after delete")
    }

    func searchShortSubstring() throws {
        // Digits only: the one-letter probes below must not match the token.
        let t = String(token(12).unicodeScalars.map { Character(String(Int($0.value) % 10)) })
        let role = try newRole("short")
        for n in ["\(t)Ab", "\(t)ab", "\(t)xy", "\(t)é"] { try client.createUser(newUser(n, roles: [role])) }
        try expectNames(query("A") { $0.hasRole = role }, ["\(t)Ab"], "one upper-case character")
        try expectNames(query("ab") { $0.hasRole = role }, ["\(t)ab"], "two characters, case-sensitive")
        try expectNames(query("b") { $0.hasRole = role }, ["\(t)Ab", "\(t)ab"], "one character")
        try expectNames(query("é") { $0.hasRole = role }, ["\(t)é"], "one non-ASCII character")
        try expectNames(query("E") { $0.hasRole = role }, [], "no case folding")
        try expectNames(query("%") { $0.hasRole = role }, [], "% is literal")
        try expectNames(query("_") { $0.hasRole = role }, [], "_ is literal")
    }

    func searchFilters() throws {
        let t = token(8)
        let admin = try newRole("admin"), editor = try newRole("editor"), banned = try newRole("banned")
        let g = try newGroup()
        func make(_ suffix: String, roles: [String], flags: UInt32 = 0, group: Bool = false, email: String? = nil) throws {
            var u = newUser("\(t)\(suffix)", roles: roles, email: email)
            u.flags = flags
            u.groupID = group ? g.id : nil
            try client.createUser(u)
        }
        try make("a", roles: [admin], group: true, email: "Shared.\(t)@Example.org")
        try make("b", roles: [admin, editor], flags: PROTEUS_USER_DISABLED, email: "shared.\(t)@example.org")
        try make("c", roles: [editor], flags: PROTEUS_USER_MFA_ENABLED, group: true)
        try make("d", roles: [banned], flags: PROTEUS_USER_DISABLED | PROTEUS_USER_MFA_ENABLED)
        try make("e", roles: [])
        let p = t
        try expectNames(query(p) { $0.email = "SHARED.\(t)@EXAMPLE.ORG" }, ["\(t)a", "\(t)b"], "email (case-insensitive)")
        try expectNames(query(p) { $0.hasRole = admin }, ["\(t)a", "\(t)b"], "has_role")
        try expectNames(query(p) { $0.lacksRoles = [admin] }, ["\(t)c", "\(t)d", "\(t)e"], "lacks_roles one")
        try expectNames(query(p) { $0.lacksRoles = [admin, banned] }, ["\(t)c", "\(t)e"], "lacks_roles two")
        try expectNames(query(p) { $0.hasRole = editor; $0.lacksRoles = [admin] }, ["\(t)c"], "has_role and lacks_roles")
        try expectNames(query(p) { $0.flagsMask = PROTEUS_USER_DISABLED; $0.flagsValue = 0 }, ["\(t)a", "\(t)c", "\(t)e"], "enabled users")
        try expectNames(query(p) { $0.flagsMask = PROTEUS_USER_DISABLED; $0.flagsValue = PROTEUS_USER_DISABLED }, ["\(t)b", "\(t)d"], "disabled users")
        try expectNames(query(p) { $0.flagsMask = PROTEUS_USER_DISABLED | PROTEUS_USER_MFA_ENABLED; $0.flagsValue = PROTEUS_USER_MFA_ENABLED }, ["\(t)c"], "enabled with MFA")
        try expectNames(query(p) { $0.groupFilter = PROTEUS_GROUP_EQUALS; $0.groupID = g.id }, ["\(t)a", "\(t)c"], "in the group")
        try expectNames(query(p) { $0.groupFilter = PROTEUS_GROUP_NONE }, ["\(t)b", "\(t)d", "\(t)e"], "without a group")
        try expectNames(query(p) { $0.groupFilter = PROTEUS_GROUP_EQUALS; $0.groupID = randomID() }, [], "an unknown group")
        try expectNames(query(p) { $0.hasRole = "ct.none.\(token())" }, [], "an unknown role")
        try expectNames(query(p) {
            $0.hasRole = editor; $0.flagsMask = PROTEUS_USER_DISABLED; $0.flagsValue = 0
            $0.groupFilter = PROTEUS_GROUP_EQUALS; $0.groupID = g.id
        }, ["\(t)c"], "role, flags and group together")
        try expectNames(query("\(t)a") { $0.hasRole = admin }, ["\(t)a"], "substring and role")
    }

    func searchOrdering() throws {
        let t = token(8)
        let role = try newRole("order")
        // Creation times out of name order; two share a created_at (tie broken by id).
        let specs: [(String?, Int64)] = [("\(t)b", 3_000), ("\(t)B", 1_000), ("\(t)a", 2_000), ("\(t)é", 2_000),
                                         ("\(t)e\u{301}", 5_000), (nil, 4_000), (nil, 4_000)]
        var users: [UserRecord] = []
        for (name, created) in specs {
            var u = newUser(name ?? "", roles: [role])
            u.username = name
            u.createdAt = created
            try client.createUser(u)
            users.append(u)
        }
        func ids(_ order: Int32) throws -> [String] {
            try client.search(query(nil) { $0.hasRole = role; $0.order = order }).users.map { Hex.encode($0.id) }
        }
        func lessBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.lexicographicallyPrecedes(b) }
        let byCreated = users.sorted { ($0.createdAt, Hex.encode($0.id)) < ($1.createdAt, Hex.encode($1.id)) }
        try expectEqual(try ids(PROTEUS_ORDER_CREATED), byCreated.map { Hex.encode($0.id) }, "ORDER_CREATED")
        let byName = users.sorted { x, y in
            switch (x.username, y.username) {
            case (nil, nil): return lessBytes(x.id, y.id)
            case (nil, _): return true
            case (_, nil): return false
            case let (a?, b?): return lessBytes(Array(a.utf8), Array(b.utf8))
            }
        }
        try expectEqual(try ids(PROTEUS_ORDER_USERNAME), byName.map { Hex.encode($0.id) }, "ORDER_USERNAME (bytes, absent first)")
        let byID = users.sorted { lessBytes($0.id, $1.id) }
        try expectEqual(try ids(PROTEUS_ORDER_ID), byID.map { Hex.encode($0.id) }, "ORDER_ID")
    }

    func searchPaging() throws {
        let t = token(8)
        let n = 7
        for i in 0..<n { try client.createUser(newUser("\(t)-\(i)")) }
        let all = try client.search(query(t) { $0.order = PROTEUS_ORDER_USERNAME })
        try expectEqual(all.total, UInt64(n), "total")
        try expectEqual(names(all), (0..<n).map { "\(t)-\($0)" }, "all users in username order")
        var collected: [String] = []
        for offset in stride(from: 0, to: n, by: 3) {
            let page = try client.search(query(t, limit: 3) { $0.offset = UInt64(offset) })
            try expectEqual(page.total, UInt64(n), "total with offset \(offset)")
            try expectEqual(page.users.count, min(3, n - offset), "count with offset \(offset)")
            collected += names(page)
        }
        try expectEqual(collected, names(all), "pages put together")
        for (offset, limit, count) in [(UInt64(n), UInt32(3), 0), (UInt64(100), 3, 0), (UInt64.max, 3, 0),
                                       (0, 0, 0), (3, 0, 0), (0, 100, n), (0, UInt32(n), n), (UInt64(n - 1), 5, 1),
                                       (0, UInt32.max, n)] {
            let page = try client.search(query(t, limit: limit) { $0.offset = offset })
            try expectEqual(page.total, UInt64(n), "total (offset \(offset), limit \(limit))")
            try expectEqual(page.users.count, count, "count (offset \(offset), limit \(limit))")
        }
        // No match at all.
        let none = try client.search(query("\(t)-none", limit: 10))
        try expectEqual(none.total, 0, "total without matches")
        try expectEqual(none.users.count, 0, "count without matches")
    }

    func searchDocuments() throws {
        let t = token(8)
        var u = newUser("\(t)-docs")
        u.documents = [DocumentRecord(namespace: "ct.one", json: "1"), DocumentRecord(namespace: "ct.two", json: "2")]
        try client.createUser(u)
        let r1 = try client.search(query(t))
        try expectEqual(r1.users.first?.documents.count ?? -1, 0, "documents with doc_ns absent")
        let r2 = try client.search(query(t) { $0.documentNamespace = "*" })
        try expectEqual(r2.users.first?.documents.map(\.namespace).sorted() ?? [], ["ct.one", "ct.two"], "documents with doc_ns *")
        let r3 = try client.search(query(t) { $0.documentNamespace = "ct.two" })
        try expectEqual(r3.users.first?.documents.map(\.namespace) ?? [], ["ct.two"], "documents with doc_ns ct.two")
        try expectSame(r3.users.first?.document("ct.two"), "2", "document text")
        let role = try newRole()
        var change = u
        change.roles = [role]
        try client.updateUser(change, fields: PROTEUS_FIELD_ROLES)
        try expectEqual(try client.search(query(t)).users.first?.roles ?? [], [role], "roles in search results")
    }

    func searchInvalid() throws {
        try expectStatus("an unknown order", PROTEUS_E_INVALID) { _ = try client.search(query("x") { $0.order = 99 }) }
        try expectStatus("an unknown group filter", PROTEUS_E_INVALID) { _ = try client.search(query("x") { $0.groupFilter = 99 }) }
    }
}
