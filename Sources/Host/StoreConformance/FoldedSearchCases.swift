// Cases: user_search's username_folded (ABI 2.3): usernames matched with
// A-Z folded to a-z and every other byte exact, whole or by prefix,
// combined with every other field of the query; a query built against 2.2
// leaves it unread. A store built before 2.3 skips them; CONTAINS (2.4) is
// skipped by a store built before 2.4.
import PluginAPI
import PluginKit

extension StoreConformanceSuite {
    static var foldedSearchCases: [Case] {
        [
            Case(name: "search.username_folded", summary: "username_folded EQUALS and PREFIX fold A-Z only: mixed case matches, non-ASCII bytes compare exactly; renames and deletes follow", body: { try $0.searchFolded() }),
            Case(name: "search.username_folded_paging", summary: "a folded prefix with a role filter: total, offset and limit exact in every order", body: { try $0.searchFoldedPaging() }),
            Case(name: "search.username_folded_edges", summary: "prefixes ending in @, [, _, `, DEL and U+10FFFF; the empty prefix is every user with a username", body: { try $0.searchFoldedEdges() }),
            Case(name: "search.username_folded_2_2", summary: "a query whose struct_size ends before username_folded (2.2) is accepted and the field is not read", body: { try $0.searchFoldedOldQuery() }),
            Case(name: "search.username_folded_contains", summary: "username_folded CONTAINS (2.4) folds A-Z only, anywhere in the name, 1-2 characters too; wildcards are literal; renames, deletes and imports follow; total and paging exact", body: { try $0.searchFoldedContains() }),
            Case(name: "search.username_folded_contains_counted", summary: "username_folded CONTAINS of 1-3 characters in created order (counted from the gram counts, schema 7): total and every page as a scan says, through renames, role and flag changes, deletes and imports of names in every case", body: { try $0.searchFoldedContainsCounted() }),
            Case(name: "search.username_folded_invalid", summary: "an unknown username_folded_match, or a text that is not UTF-8, is INVALID", body: { try $0.searchFoldedInvalid() }),
        ]
    }

    private func requireFoldedSearch() throws {
        guard client.readsFoldedUsernames else {
            throw ConformanceSkip(reason: "the store was built before ABI 2.3 (no username_folded)")
        }
    }

    /// A folded username query, in username order, all on one page.
    func folded(_ text: String, prefix: Bool = false, _ configure: (inout UserQuery) -> Void = { _ in }) -> UserQuery {
        var q = UserQuery()
        q.usernameFolded = text
        q.usernameFoldedMatch = prefix ? PROTEUS_MATCH_PREFIX : PROTEUS_MATCH_EQUALS
        q.limit = 1000
        q.order = PROTEUS_ORDER_USERNAME
        configure(&q)
        return q
    }

    /// user_search with the C query as `adjust` leaves it (raw fields, sizes).
    func rawSearch(_ q: UserQuery, _ adjust: (ArenaWriter, inout proteus_user_query) throws -> Void) throws -> UserPage {
        try client.withArena { w, arena in
            var c = try w.query(q)
            try adjust(w, &c)
            var out: UnsafeMutablePointer<proteus_user_page>?
            try client.invoke(\.user_search) { $0(client.store, &c, arena, &out, $1) }
            guard let out, let page = UserPage(out) else { throw ConformanceFailure(message: "user_search returned OK without a readable page") }
            return page
        }
    }

    func searchFolded() throws {
        try requireFoldedSearch()
        let t = token(8), u = t.uppercased()
        let alice = "fo\(t)Alice", alice2 = "FO\(u)ALICE2", upperUmlaut = "fo\(t)Älice", lowerUmlaut = "fo\(t)älice"
        let spaced = "fo\(t)alicE ", ali = "fo\(t)ali", inside = "xfo\(t)alice"
        for n in [alice, alice2, upperUmlaut, lowerUmlaut, spaced, ali, inside] { try client.createUser(newUser(n)) }
        // EQUALS: the whole username.
        try expectNames(folded("fo\(t)alice"), [alice], "equals, lower case")
        try expectNames(folded("FO\(u)ALICE"), [alice], "equals, upper case")
        try expectNames(folded("Fo\(t)aLiCe "), [spaced], "equals, a trailing space counts")
        try expectNames(folded("fo\(t)älice"), [lowerUmlaut], "equals: ä is not Ä")
        try expectNames(folded("FO\(u)ÄLICE"), [upperUmlaut], "equals: Ä is not ä")
        try expectNames(folded("fo\(t)a\u{308}lice"), [], "equals: no Unicode normalisation")
        try expectNames(folded("fo\(t)al"), [], "equals: a prefix is not the whole name")
        // PREFIX: the start of the username.
        try expectNames(folded("FO\(u)ALI", prefix: true), [alice, alice2, spaced, ali], "prefix, upper case")
        try expectNames(folded("fo\(t)alice", prefix: true), [alice, alice2, spaced], "prefix, a whole name")
        try expectNames(folded("fo\(t)ä", prefix: true), [lowerUmlaut], "prefix: ä is not Ä")
        try expectNames(folded("fo\(t)Ä", prefix: true), [upperUmlaut], "prefix: Ä is not ä")
        try expectNames(folded("FO\(u)", prefix: true), [alice, alice2, upperUmlaut, lowerUmlaut, spaced, ali], "prefix: not in the middle")
        try expectNames(folded("XFO\(u)", prefix: true), [inside], "prefix of the other name")
        try expectNames(folded("fo\(t)alicex", prefix: true), [], "prefix longer than the names")
        // With the other username filter (case-sensitive substring).
        try expectNames(folded("fo\(t)", prefix: true) { $0.usernameContains = "lice" }, [alice, upperUmlaut, lowerUmlaut], "prefix and username_contains")
        // Renames and deletes are reflected.
        var renamed = try client.getUser(username: ali)
        renamed.username = "fo\(t)ALIBABA"
        try client.updateUser(renamed, fields: PROTEUS_FIELD_USERNAME)
        try expectNames(folded("fo\(t)alibaba"), ["fo\(t)ALIBABA"], "equals after a rename")
        try expectNames(folded("fo\(t)ali", prefix: true), [alice, alice2, spaced, "fo\(t)ALIBABA"], "prefix after a rename")
        try client.deleteUser(renamed.id)
        try expectNames(folded("fo\(t)alibaba"), [], "equals after a delete")
    }

    func searchFoldedPaging() throws {
        try requireFoldedSearch()
        let t = token(8), u = t.uppercased()
        let role = try newRole("fold"), other = try newRole("fold-other")
        var holders: [UserRecord] = []
        for i in 0..<9 {
            // Mixed case, and created out of name order.
            let name = i % 3 == 0 ? "PG\(u)-\(i)" : i % 2 == 0 ? "pg\(t)-\(i)" : "Pg\(t)-\(i)"
            var user = newUser(name, roles: i % 4 == 3 ? [other] : [role])
            user.createdAt = Int64((i * 7) % 9 + 1) * 1_000
            user.flags = i == 5 ? PROTEUS_USER_DISABLED : 0
            try client.createUser(user)
            if i % 4 != 3 { holders.append(user) }
        }
        // Holders of the role whose names do not start so.
        try client.createUser(newUser("pgx\(t)-9", roles: [role]))
        try client.createUser(newUser("p\(t)", roles: [role]))

        func lessBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.lexicographicallyPrecedes(b) }
        let orders: [(Int32, String, [UserRecord])] = [
            (PROTEUS_ORDER_CREATED, "CREATED", holders.sorted { ($0.createdAt, Hex.encode($0.id)) < ($1.createdAt, Hex.encode($1.id)) }),
            (PROTEUS_ORDER_USERNAME, "USERNAME", holders.sorted { lessBytes(Array(($0.username ?? "").utf8), Array(($1.username ?? "").utf8)) }),
            (PROTEUS_ORDER_ID, "ID", holders.sorted { lessBytes($0.id, $1.id) }),
        ]
        for (order, orderName, expected) in orders {
            for (offset, limit) in [(0, 3), (3, 3), (6, 3), (2, 2), (6, 5), (7, 3), (100, 3), (0, 0), (0, 100)] as [(Int, UInt32)] {
                let q = folded("PG\(u)-", prefix: true) {
                    $0.hasRole = role
                    $0.order = order
                    $0.offset = UInt64(offset)
                    $0.limit = limit
                }
                let page = try client.search(q)
                let what = "ORDER_\(orderName), offset \(offset), limit \(limit)"
                try expectEqual(page.total, UInt64(expected.count), "\(what): total")
                let want = expected.dropFirst(offset).prefix(Int(limit)).map { Hex.encode($0.id) }
                try expectEqual(page.users.map { Hex.encode($0.id) }, Array(want), "\(what): page")
            }
        }
        // Other fields combine too.
        let enabled = holders.filter { !$0.isDisabled }.compactMap(\.username)
        try expectNames(folded("pg\(t)-", prefix: true) { $0.hasRole = role; $0.flagsMask = PROTEUS_USER_DISABLED }, enabled, "prefix, role and flags")
        try expectNames(folded("pg\(t)-", prefix: true) { $0.lacksRoles = [role] }, ["PG\(u)-3", "Pg\(t)-7"], "prefix and lacks_roles")
        try expectNames(folded("pg\(t)-4") { $0.hasRole = role }, ["pg\(t)-4"], "equals and role")
        try expectNames(folded("pg\(t)-4") { $0.hasRole = other }, [], "equals and another role")
        let count = try client.search(folded("pg\(t)-", prefix: true) { $0.hasRole = role; $0.limit = 0 })
        try expectEqual(count.total, UInt64(holders.count), "limit 0 counts")
        try expectEqual(count.users.count, 0, "limit 0 returns no users")
    }

    func searchFoldedEdges() throws {
        try requireFoldedSearch()
        let t = token(8), u = t.uppercased()
        let top = "\u{10FFFF}"
        let names = ["ed\(t)@x", "ed\(t)Ax", "ed\(t)ax", "ed\(t)[x", "ed\(t)_x", "ed\(t)`x", "ed\(t){x",
                     "ed\(t)\u{7F}x", "ed\(t)\u{80}x", "ed\(t)\(top)", "ed\(t)\(top)x", "ed\(t)\(top)\(top)"]
        for n in names { try client.createUser(newUser(n)) }
        // After "@" come A-Z, which fold away: the range must not take in "a"...
        try expectNames(folded("ed\(t)@", prefix: true), ["ed\(t)@x"], "prefix ending in @")
        try expectNames(folded("ED\(u)A", prefix: true), ["ed\(t)Ax", "ed\(t)ax"], "prefix ending in A")
        try expectNames(folded("ed\(t)[", prefix: true), ["ed\(t)[x"], "prefix ending in [")
        try expectNames(folded("ed\(t)_", prefix: true), ["ed\(t)_x"], "prefix ending in _")
        try expectNames(folded("ed\(t)`", prefix: true), ["ed\(t)`x"], "prefix ending in `")
        try expectNames(folded("ed\(t)\u{7F}", prefix: true), ["ed\(t)\u{7F}x"], "prefix ending in DEL (U+007F)")
        try expectNames(folded("ed\(t)\(top)", prefix: true), ["ed\(t)\(top)", "ed\(t)\(top)x", "ed\(t)\(top)\(top)"], "prefix ending in U+10FFFF")
        try expectNames(folded("ED\(u)\(top)\(top)", prefix: true), ["ed\(t)\(top)\(top)"], "prefix ending in U+10FFFF twice")
        try expectNames(folded("ED\(u)@X"), ["ed\(t)@x"], "equals with @")
        try expectNames(folded("ED\(u)", prefix: true), names, "every edge name")
        // The empty prefix: every user with a username (of the role).
        let role = try newRole("fold-empty")
        var unnamed = newUser(nil, roles: [role])
        unnamed.username = nil
        try client.createUser(unnamed)
        try client.createUser(newUser("ed\(t)-named", roles: [role]))
        try expectNames(folded("", prefix: true) { $0.hasRole = role }, ["ed\(t)-named"], "the empty prefix")
    }

    func searchFoldedContains() throws {
        try requireFoldedSearch()
        let t = token(8), u = t.uppercased()
        let role = try newRole("fold-contains")
        func contains(_ text: String, _ configure: (inout UserQuery) -> Void = { _ in }) -> UserQuery {
            folded(text) {
                $0.usernameFoldedMatch = PROTEUS_MATCH_CONTAINS
                $0.hasRole = role
                configure(&$0)
            }
        }
        // A store built before 2.4 refuses the match it does not know.
        let probe = Result { try client.search(contains("probe")) }
        if case .failure(let e as PluginError) = probe, e.code == PROTEUS_E_INVALID {
            throw ConformanceSkip(reason: "the store was built before ABI 2.4 (no PROTEUS_MATCH_CONTAINS)")
        }
        let kelvin = "\u{212A}" // folds to "k" in Unicode, not in A-Z
        let names = ["\(t)Alice", "x\(u)ALICE2", "y\(t)älice", "z\(t)Älice", "\(t)b%o_b\\", "\(t)\(kelvin)ey", "\(t)key", "\(t)qu\"ote", "\(t)12-34"]
        for n in names { try client.createUser(newUser(n, roles: [role])) }
        try client.createUser(newUser("\(t)alice-no-role"))
        var unnamed = newUser(nil, roles: [role])
        unnamed.username = nil
        try client.createUser(unnamed)

        try expectNames(contains("\(t)ALICE"), ["\(t)Alice", "x\(u)ALICE2"], "mixed case, at the start and inside")
        try expectNames(contains("LICE"), ["\(t)Alice", "x\(u)ALICE2", "y\(t)älice", "z\(t)Älice"], "inside, any case of A-Z")
        try expectNames(contains("äLICE"), ["y\(t)älice"], "ä is not Ä")
        try expectNames(contains("ÄLI"), ["z\(t)Älice"], "Ä is not ä")
        try expectNames(contains("\(t)KEY"), ["\(t)key"], "the Kelvin sign is not K")
        try expectNames(contains("\(kelvin)E"), ["\(t)\(kelvin)ey"], "the Kelvin sign matches itself")
        try expectNames(contains("%O_B\\"), ["\(t)b%o_b\\"], "% _ and \\ are literal")
        try expectNames(contains("%"), ["\(t)b%o_b\\"], "one wildcard character, literal")
        try expectNames(contains("2-3"), ["\(t)12-34"], "no letter to fold")
        try expectNames(contains("2-3") { $0.usernameContains = "34" }, ["\(t)12-34"], "no letter to fold, with the case-sensitive substring")
        try expectNames(contains("U\"O"), ["\(t)qu\"ote"], "a quote")
        try expectNames(contains("_B"), ["\(t)b%o_b\\"], "two characters")
        try expectNames(contains("Ä"), ["z\(t)Älice"], "one character")
        try expectNames(contains(""), names, "the empty text: every user with a username")
        try expectNames(contains("alicex"), [], "no match")
        try expectNames(contains("LICE") { $0.usernameContains = "ALICE" }, ["x\(u)ALICE2"], "with the case-sensitive substring")
        // Total and paging, in every order.
        for order in [PROTEUS_ORDER_CREATED, PROTEUS_ORDER_USERNAME, PROTEUS_ORDER_ID] {
            var seen: [String] = []
            for offset in stride(from: 0, to: 6, by: 2) {
                let page = try client.search(contains("lice") { $0.order = order; $0.offset = UInt64(offset); $0.limit = 2 })
                try expectEqual(page.total, 4, "total, order \(order), offset \(offset)")
                seen += page.users.compactMap(\.username)
            }
            try expectEqual(seen.sorted(), ["\(t)Alice", "x\(u)ALICE2", "y\(t)älice", "z\(t)Älice"].sorted(), "pages, order \(order)")
        }
        // Renames, deletes and imports follow.
        var renamed = try client.getUser(username: "\(t)Alice")
        renamed.username = "\(t)Bob"
        try client.updateUser(renamed, fields: PROTEUS_FIELD_USERNAME)
        try expectNames(contains("\(t)ALICE"), ["x\(u)ALICE2"], "after a rename, the old name")
        try expectNames(contains("\(t)BOB"), ["\(t)Bob"], "after a rename, the new name")
        try client.deleteUser(renamed.id)
        try expectNames(contains("\(t)BOB"), [], "after a delete")
        var imported = newUser("\(t)Imported", roles: [role])
        imported.version = 1
        try client.importUsers([imported], mode: PROTEUS_IMPORT_INSERT)
        try expectNames(contains("IMPORTED"), ["\(t)Imported"], "an imported user")
        imported.username = "\(t)Reimported"
        try client.importUsers([imported], mode: PROTEUS_IMPORT_UPSERT)
        try expectNames(contains("IMPORTED"), ["\(t)Reimported"], "an import that renames")
    }

    /// The totals and pages of short folded texts in created order, against
    /// a scan of the users the case made, after every kind of write.
    func searchFoldedContainsCounted() throws {
        try requireFoldedSearch()
        let t = token(6), u = t.uppercased()
        let role = try newRole("fold-counted")
        let probe = Result { try client.search(folded("probe") { $0.usernameFoldedMatch = PROTEUS_MATCH_CONTAINS; $0.hasRole = role }) }
        if case .failure(let e as PluginError) = probe, e.code == PROTEUS_E_INVALID {
            throw ConformanceSkip(reason: "the store was built before ABI 2.4 (no PROTEUS_MATCH_CONTAINS)")
        }
        var users: [UserRecord] = []
        for (i, name) in ["\(t)AbC", "\(t)aBc", "\(t)abc", "\(t)ABCABC", "\(t)xyz", "\(u)abc", "Q\(t)bCa", "\(t)ÄbC", "\(t)äBC", "\(t)X1-2", "1-2\(t)x"].enumerated() {
            var user = newUser(name, roles: [role])
            user.createdAt = 1_700_000_000_000 + Int64(i % 4) * 1000
            try client.createUser(user)
            users.append(try client.getUser(id: user.id))
        }
        func fold(_ text: String) -> String {
            String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
        }
        func check(_ step: String) throws {
            // Folded texts, and case-sensitive ones (`plain`) without a letter (paged from the same trigrams).
            let needles = ["ABC", "ab", "C", "bCa", "Äb", "äb", "\(t.prefix(3))", "Q", "zzz", "1-2"].map { ($0, false) } + [("1-2", true), ("-2", true)]
            for (needle, plain) in needles {
                for disabled in [false, true] {
                    let want = users.filter { user in
                        guard let name = user.username, user.roles.contains(role) else { return false }
                        let found = plain ? Array(name.utf8).firstRange(of: Array(needle.utf8)) != nil
                            : Array(fold(name).utf8).firstRange(of: Array(fold(needle).utf8)) != nil
                        return found && (!disabled || user.isDisabled)
                    }.sorted { ($0.createdAt, Hex.encode($0.id)) < ($1.createdAt, Hex.encode($1.id)) }.map { Hex.encode($0.id) }
                    var seen: [String] = []
                    for offset in stride(from: 0, through: want.count, by: 2) {
                        let page = try client.search(folded(needle) {
                            $0.usernameFoldedMatch = PROTEUS_MATCH_CONTAINS
                            if plain {
                                $0.usernameFolded = nil
                                $0.usernameContains = needle
                            }
                            $0.hasRole = role
                            $0.order = PROTEUS_ORDER_CREATED
                            $0.offset = UInt64(offset)
                            $0.limit = 2
                            if disabled {
                                $0.flagsMask = PROTEUS_USER_DISABLED
                                $0.flagsValue = PROTEUS_USER_DISABLED
                            }
                        })
                        try expectEqual(page.total, UInt64(want.count), "\(step): total of \(needle)\(plain ? " (case-sensitive)" : "")\(disabled ? ", disabled" : "")")
                        seen += page.users.map { Hex.encode($0.id) }
                    }
                    try expectEqual(seen, want, "\(step): pages of \(needle)\(plain ? " (case-sensitive)" : "")\(disabled ? ", disabled" : "") in created order")
                }
            }
        }
        try check("created")
        users[0].username = "\(t)ZZZ"
        try client.updateUser(users[0], fields: PROTEUS_FIELD_USERNAME)
        users[2].username = "\(t)ABCabc"
        try client.updateUser(users[2], fields: PROTEUS_FIELD_USERNAME)
        try check("renamed")
        users[3].flags = PROTEUS_USER_DISABLED
        try client.updateUser(users[3], fields: PROTEUS_FIELD_FLAGS)
        users[1].roles = []
        try client.updateUser(users[1], fields: PROTEUS_FIELD_ROLES)
        try check("a flag and a role changed")
        try client.deleteUser(users[5].id)
        users.remove(at: 5)
        try check("deleted")
        var imported = newUser("\(t)IMPabc", roles: [role])
        imported.version = 1
        try client.importUsers([imported], mode: PROTEUS_IMPORT_INSERT)
        users.append(try client.getUser(id: imported.id))
        try check("imported")
        imported = users[users.count - 1]
        imported.username = "\(t)impXYZ"
        try client.importUsers([imported], mode: PROTEUS_IMPORT_UPSERT)
        users[users.count - 1] = try client.getUser(id: imported.id)
        try check("an import that renames")
    }

    func searchFoldedOldQuery() throws {
        try requireFoldedSearch()
        let t = token(8)
        let role = try newRole("fold-old")
        for n in ["old\(t)a", "old\(t)b"] { try client.createUser(newUser(n, roles: [role])) }
        let q = folded("no-such-name-\(t)") { $0.hasRole = role }
        try expectEqual(try rawSearch(q) { _, _ in }.total, 0, "the folded username at the 2.3 size")
        let old = try rawSearch(q) { _, c in c.struct_size = UInt32(UserQueryLayout.size2_2) }
        try expectEqual(old.total, 2, "the same query at the 2.2 size (username_folded not read)")
        try expectEqual(old.users.compactMap(\.username).sorted(), ["old\(t)a", "old\(t)b"], "the users of the 2.2-size query")
        try expectStatus("a query smaller than 2.0's", PROTEUS_E_INVALID) {
            _ = try rawSearch(q) { _, c in c.struct_size = UInt32(UserQueryLayout.size2_2 - 8) }
        }
    }

    func searchFoldedInvalid() throws {
        try requireFoldedSearch()
        for match in [Int32(3), -1] {
            try expectStatus("username_folded_match \(match)", PROTEUS_E_INVALID) {
                _ = try client.search(folded("x") { $0.usernameFoldedMatch = match })
            }
        }
        try expectStatus("username_folded that is not UTF-8", PROTEUS_E_INVALID) {
            _ = try rawSearch(folded("x")) { w, c in
                let bytes: [UInt8] = [0x61, 0xC3]
                c.username_folded = try bytes.withUnsafeBytes { try w.str(bytes: $0) }
            }
        }
    }
}
