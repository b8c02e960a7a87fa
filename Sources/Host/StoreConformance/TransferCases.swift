// Cases: users_import and users_export.
import PluginAPI
import PluginKit

extension StoreConformanceSuite {
    static var transferCases: [Case] {
        [
            Case(name: "transfer.import_insert", summary: "INSERT takes versions and timestamps as given; any conflict fails the whole batch", body: { try $0.importInsert() }),
            Case(name: "transfer.import_upsert", summary: "UPSERT replaces by id and is idempotent", body: { try $0.importUpsert() }),
            Case(name: "transfer.import_invalid", summary: "unknown role or group fails the whole batch with INVALID", body: { try $0.importInvalid() }),
            Case(name: "transfer.export", summary: "id order, complete records, cursor paging, total = user count", body: { try $0.exportUsers() }),
        ]
    }

    /// Complete records for import.
    func importBatch(_ count: Int, role: String, group: [UInt8]?) -> [UserRecord] {
        let t = token(8)
        return (0..<count).map { i in
            var u = newUser("\(t)-imp-\(i)", roles: i % 2 == 0 ? [role] : [], email: "imp\(i).\(t)@example.org")
            u.version = UInt64(7 + i)
            u.createdAt = 1_500_000_000_000 + Int64(i)
            u.updatedAt = 1_500_000_100_000 + Int64(i)
            u.accessedAt = Int64(i)
            u.loginAt = Int64(i * 2)
            u.flags = i % 3 == 0 ? PROTEUS_USER_DISABLED : 0
            u.passwordHash = "$2b$10$abcdefghijklmnopqrstuu\(i)"
            u.groupID = i % 4 == 0 ? group : nil
            u.documents = [DocumentRecord(namespace: "ct.imp", json: "{\"i\":\(i)}")]
            if i % 5 == 0 { u.documents.append(DocumentRecord(namespace: "ct.extra", json: "[\(i)]")) }
            return u
        }
    }

    func expectStored(_ users: [UserRecord], _ what: String) throws {
        for u in users {
            let got = try client.getUser(id: u.id, docs: "*")
            try expectUser(got, u, what)
            try expectEqual(got.updatedAt, u.updatedAt, "\(what): updated_at taken as given")
        }
    }

    func importInsert() throws {
        let role = try newRole("imp"), g = try newGroup()
        let batch = importBatch(20, role: role, group: g.id)
        try client.importUsers(batch, mode: PROTEUS_IMPORT_INSERT)
        try expectStored(batch, "after INSERT import")
        // A batch with one new user and one existing id fails as a whole.
        let fresh = importBatch(1, role: role, group: nil)[0]
        var dupID = fresh
        dupID.id = batch[3].id
        dupID.username = "\(token())-dup"
        try expectStatus("INSERT of an existing id", PROTEUS_E_CONFLICT) { try client.importUsers([fresh, dupID], mode: PROTEUS_IMPORT_INSERT) }
        try expectStatus("the batch's new user", PROTEUS_E_NOT_FOUND) { _ = try client.getUser(id: fresh.id) }
        var dupName = newUser(batch[5].username)
        dupName.email = "dup@example.org"
        try expectStatus("INSERT of a taken username", PROTEUS_E_CONFLICT) { try client.importUsers([fresh, dupName], mode: PROTEUS_IMPORT_INSERT) }
        try expectStatus("the batch's new user", PROTEUS_E_NOT_FOUND) { _ = try client.getUser(id: fresh.id) }
        try expectStored(batch, "after refused batches")
        try client.importUsers([], mode: PROTEUS_IMPORT_INSERT)
    }

    func importUpsert() throws {
        let role = try newRole("ups"), other = try newRole("ups2"), g = try newGroup()
        var batch = importBatch(12, role: role, group: g.id)
        try client.importUsers(batch, mode: PROTEUS_IMPORT_UPSERT)
        try expectStored(batch, "after the first UPSERT")
        try client.importUsers(batch, mode: PROTEUS_IMPORT_UPSERT)
        try expectStored(batch, "after the same UPSERT again")
        // Changed records replace the stored ones completely (documents and roles too).
        for i in batch.indices where i % 2 == 0 {
            batch[i].email = "changed\(i)@example.org"
            batch[i].roles = [other]
            batch[i].documents = [DocumentRecord(namespace: "ct.new", json: "true")]
            batch[i].groupID = nil
            batch[i].version += 10
            batch[i].username = batch[i].username! + "-renamed"
        }
        batch.append(importBatch(1, role: role, group: nil)[0])
        try client.importUsers(batch, mode: PROTEUS_IMPORT_UPSERT)
        try expectStored(batch, "after a changed UPSERT")
        try client.importUsers(batch, mode: PROTEUS_IMPORT_UPSERT)
        try expectStored(batch, "after repeating the changed UPSERT")
        // UPSERT still refuses a username held by another id, for the whole batch.
        var thief = batch[1]
        thief.username = batch[3].username
        var extra = importBatch(1, role: role, group: nil)[0]
        extra.email = "extra@example.org"
        try expectStatus("UPSERT taking another user's username", PROTEUS_E_CONFLICT) { try client.importUsers([extra, thief], mode: PROTEUS_IMPORT_UPSERT) }
        try expectStatus("the batch's new user", PROTEUS_E_NOT_FOUND) { _ = try client.getUser(id: extra.id) }
        try expectStored(batch, "after a refused UPSERT")
        try expectStatus("an unknown import mode", PROTEUS_E_INVALID) { try client.importUsers([extra], mode: 7) }
    }

    func importInvalid() throws {
        let role = try newRole("inv")
        var batch = importBatch(3, role: role, group: nil)
        batch[2].roles = ["ct.missing.\(token())"]
        try expectStatus("import with an unknown role", PROTEUS_E_INVALID) { try client.importUsers(batch, mode: PROTEUS_IMPORT_INSERT) }
        batch[2].roles = []
        batch[1].groupID = randomID()
        try expectStatus("import with an unknown group", PROTEUS_E_INVALID) { try client.importUsers(batch, mode: PROTEUS_IMPORT_UPSERT) }
        for u in batch { try expectStatus("a user of a refused batch", PROTEUS_E_NOT_FOUND) { _ = try client.getUser(id: u.id) } }
    }

    /// The id just below `id` (nil for the all-zero id).
    func predecessor(_ id: [UInt8]) -> [UInt8]? {
        var b = id
        var i = 15
        while i >= 0 {
            if b[i] > 0 { b[i] -= 1; return b }
            b[i] = 255
            i -= 1
        }
        return nil
    }

    func exportUsers() throws {
        let role = try newRole("exp"), g = try newGroup()
        let batch = importBatch(25, role: role, group: g.id)
        try client.importUsers(batch, mode: PROTEUS_IMPORT_INSERT)
        let ours = Dictionary(uniqueKeysWithValues: batch.map { (Hex.encode($0.id), $0) })
        let sortedIDs = batch.map(\.id).sorted { $0.lexicographicallyPrecedes($1) }
        let stats = try client.stats()
        let countOnly = try client.exportUsers(after: nil, limit: 0)
        try expectEqual(countOnly.users.count, 0, "users_export with limit 0")
        try expect(countOnly.total >= UInt64(batch.count), "users_export total \(countOnly.total) is below the users just imported")
        try expectEqual(countOnly.total, stats.users, "users_export total = stats users")
        // Page from just before our smallest id until past our largest.
        var cursor = predecessor(sortedIDs[0])
        var seen: [String: UserRecord] = [:]
        var previous: [UInt8]? = cursor
        var pages = 0
        while true {
            let page = try client.exportUsers(after: cursor, limit: 7)
            pages += 1
            try expect(page.users.count <= 7, "users_export returned more than limit")
            try expectEqual(page.total, countOnly.total, "users_export total on page \(pages)")
            for u in page.users {
                if let p = previous { try expect(p.lexicographicallyPrecedes(u.id), "users_export is not in strictly increasing id order") }
                previous = u.id
                if ours[Hex.encode(u.id)] != nil { seen[Hex.encode(u.id)] = u }
            }
            // Stop once the page reaches our largest id (or the end).
            guard let last = page.users.last, last.id.lexicographicallyPrecedes(sortedIDs.last!) else { break }
            cursor = last.id
        }
        try expectEqual(seen.count, batch.count, "imported users found by users_export")
        for (key, u) in ours { try expectUser(seen[key]!, u, "users_export record") }
    }
}
