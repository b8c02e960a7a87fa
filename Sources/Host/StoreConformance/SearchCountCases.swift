// Cases: the counts behind user_search (schema 3 of both stores keeps them
// by trigger). Every total and every page must equal what a scan of the
// users says, after every kind of change: create, import (insert and
// upsert), rename, role and flag changes, delete, role delete. Users span
// created_at buckets at every level (2^10, 2^15, 2^20, 2^25, 2^30 ms,
// negative times too) so that deep pages cross bucket edges.
import PluginAPI
import PluginKit

extension StoreConformanceSuite {
    static var searchCountCases: [Case] {
        [
            Case(name: "search.counts_follow_changes", summary: "totals and pages of role, flag and 1-4 character substring filters equal a scan after every kind of change", body: { try $0.searchCountsFollowChanges() }),
            Case(name: "users.username_max", summary: "a username of PROTEUS_USERNAME_MAX bytes is stored and found by its substrings; one byte more is INVALID and changes nothing", body: { try $0.usernameMax() }),
        ]
    }

    func usernameMax() throws {
        let t = token(8)
        let max = Int(PROTEUS_USERNAME_MAX)
        // Two-byte characters: the counts' offsets go by characters, the limit by bytes.
        let longest = t + String(repeating: "é", count: (max - t.utf8.count) / 2)
        try expectEqual(longest.utf8.count, max, "the test's own username length")
        let role = try newRole("max")
        try client.createUser(newUser(longest, roles: [role]))
        var q = UserQuery()
        q.hasRole = role
        q.limit = 10
        for (needle, total) in [("é", 1), ("éé", 1), ("ééé", 1), (t, 1), ("éx", 0)] as [(String, UInt64)] {
            q.usernameContains = needle
            try expectEqual(try client.search(q).total, total, "total for \(needle)")
        }
        try expectStatus("a username one byte too long", PROTEUS_E_INVALID) { try client.createUser(newUser(longest + "y", roles: [role])) }
        q.usernameContains = nil
        try expectEqual(try client.search(q).total, 1, "users of the role after the refusal")
        var rename = try client.getUser(username: longest)
        rename.username = longest + "y"
        try expectStatus("a rename one byte too long", PROTEUS_E_INVALID) { _ = try client.updateUser(rename, fields: PROTEUS_FIELD_USERNAME) }
        try expectEqual(try client.getUser(id: rename.id).username, longest, "the username after the refused rename")
    }

    /// What the test believes the store holds: id → user (roles sorted).
    private struct Model {
        var users: [[UInt8]: UserRecord] = [:]

        func matching(_ q: UserQuery) -> [UserRecord] {
            users.values.filter { u in
                if let r = q.hasRole, !u.roles.contains(r) { return false }
                if q.lacksRoles.contains(where: { u.roles.contains($0) }) { return false }
                if u.flags & q.flagsMask != q.flagsValue { return false }
                if let n = q.usernameContains, !n.isEmpty {
                    guard let name = u.username, Array(name.utf8).contains(subsequence: Array(n.utf8)) else { return false }
                }
                return true
            }.sorted { a, b in a.createdAt != b.createdAt ? a.createdAt < b.createdAt : a.id.lexicographicallyPrecedes(b.id) }
        }
    }

    func searchCountsFollowChanges() throws {
        var g = SystemRandomNumberGenerator()
        let roleA = try newRole("cnta"), roleB = try newRole("cntb")
        let alphabet = Array("aAbé1")
        func name() -> String {
            let t = token(6)
            return t + String((0..<Int.random(in: 0...6, using: &g)).map { _ in alphabet.randomElement(using: &g)! })
        }
        let times: [Int64] = [-5_000_000_000, -1, 0, 1, 1023, 1024, (1 << 15) - 1, 1 << 15, 1_048_575, 1_048_576,
                              (1 << 25) - 1, 1 << 25, (1 << 30) - 1, 1 << 30, -(1 << 25) - 1,
                              (1 << 40) + 5, 1_700_000_000_000, 1_700_000_000_000]
        func roles() -> [String] { [[roleA], [roleB], [roleA, roleB]].randomElement(using: &g)! }
        var model = Model()

        // Created one by one (the store's clock) and imported (given times).
        for _ in 0..<20 {
            var u = newUser(name(), roles: roles())
            u.flags = [0, PROTEUS_USER_DISABLED, PROTEUS_USER_MFA_ENABLED].randomElement(using: &g)!
            try client.createUser(u)
            model.users[u.id] = try client.getUser(id: u.id)
        }
        var batch: [UserRecord] = []
        for i in 0..<90 {
            var u = newUser(i % 9 == 0 ? nil : name(), roles: roles())
            if i % 9 == 0 { u.username = nil }
            u.createdAt = times[i % times.count] + Int64(i / times.count)
            u.flags = i % 4 == 0 ? PROTEUS_USER_DISABLED : 0
            batch.append(u)
        }
        try client.importUsers(batch, mode: PROTEUS_IMPORT_INSERT)
        for u in batch { model.users[u.id] = try client.getUser(id: u.id) }
        try expectSearchesMatch(model, roleA, roleB, "after creates and an import")

        // Every kind of change, to a random third of the users each.
        let ids = Array(model.users.keys)
        for (i, id) in ids.enumerated() {
            guard var u = model.users[id] else { continue }
            switch i % 6 {
            case 0:
                u.username = name()
                try client.updateUser(u, fields: PROTEUS_FIELD_USERNAME)
            case 1:
                u.roles = roles()
                try client.updateUser(u, fields: PROTEUS_FIELD_ROLES)
            case 2:
                u.flags ^= PROTEUS_USER_DISABLED
                try client.updateUser(u, fields: PROTEUS_FIELD_FLAGS)
            case 3:
                try client.deleteUser(id)
                model.users[id] = nil
                continue
            default:
                continue
            }
            model.users[id] = try client.getUser(id: id)
        }
        try expectSearchesMatch(model, roleA, roleB, "after renames, role and flag changes, deletes")

        // An upsert import moves users in time, renames and re-roles them.
        var upserts: [UserRecord] = []
        for (i, u) in model.users.values.prefix(30).enumerated() {
            var v = u
            v.createdAt = times[(i * 5) % times.count] - 7
            v.username = i % 2 == 0 ? name() : u.username
            v.roles = roles()
            upserts.append(v)
        }
        try client.importUsers(upserts, mode: PROTEUS_IMPORT_UPSERT)
        for u in upserts { model.users[u.id] = try client.getUser(id: u.id) }
        try expectSearchesMatch(model, roleA, roleB, "after an upsert import")

        // Deleting a role takes it from every holder.
        try client.deleteRole(roleB)
        for (id, u) in model.users { model.users[id] = try client.getUser(id: u.id) }
        try expectSearchesMatch(model, roleA, nil, "after deleting a role")
    }

    /// Compares totals for many queries and every page (of 7) for some.
    private func expectSearchesMatch(_ model: Model, _ roleA: String, _ roleB: String?, _ when: String) throws {
        let names = model.users.values.compactMap(\.username)
        let fourChars = names.first { $0.unicodeScalars.count >= 10 }.map { String(String.UnicodeScalarView($0.unicodeScalars.dropFirst(6).prefix(4))) }
        let needles: [String?] = [nil, "a", "A", "é", "1", "ab", "aé", "Ab1", "bé1", fourChars, names.first]
        let roleSets: [(String, [String])] = [(roleA, []), (roleA, roleB.map { [$0] } ?? [])] + (roleB.map { [($0, []), ($0, [roleA])] } ?? [])
        let flagSets: [(UInt32, UInt32)] = [(0, 0), (PROTEUS_USER_DISABLED, 0), (PROTEUS_USER_DISABLED, PROTEUS_USER_DISABLED),
                                            (PROTEUS_USER_DISABLED | PROTEUS_USER_MFA_ENABLED, PROTEUS_USER_MFA_ENABLED)]
        for (has, lacks) in roleSets {
            for (mask, value) in flagSets {
                for (n, needle) in needles.enumerated() {
                    var q = UserQuery()
                    q.hasRole = has
                    q.lacksRoles = lacks
                    q.flagsMask = mask
                    q.flagsValue = value
                    q.usernameContains = needle
                    q.order = PROTEUS_ORDER_CREATED
                    let want = model.matching(q)
                    let what = "\(when): has \(has), lacks \(lacks), flags & \(mask) = \(value), contains \(needle ?? "-")"
                    // Every page for the unfiltered needle and one more; the first page otherwise.
                    let pages = n < 2 ? stride(from: 0, to: max(want.count, 1), by: 7).map { $0 } : [0]
                    for offset in pages {
                        q.offset = UInt64(offset)
                        q.limit = 7
                        let page = try client.search(q)
                        try expectEqual(page.total, UInt64(want.count), "\(what): total")
                        let expected = want.dropFirst(offset).prefix(7).map { Hex.encode($0.id) }
                        try expectEqual(page.users.map { Hex.encode($0.id) }, Array(expected), "\(what): page at \(offset)")
                    }
                }
            }
        }
    }
}

private extension Array where Element == UInt8 {
    func contains(subsequence s: [UInt8]) -> Bool {
        guard s.count <= count else { return false }
        if s.isEmpty { return true }
        for i in 0...(count - s.count) where self[i..<(i + s.count)].elementsEqual(s) { return true }
        return false
    }
}
