// Cases: behaviour under concurrent callers, and persistence across instances.
import PluginAPI
import PluginKit

extension StoreConformanceSuite {
    static var concurrencyCases: [Case] {
        [
            Case(name: "concurrency.same_username", summary: "16 threads create the same username: exactly one wins, the rest are CONFLICT", body: { try $0.concurrentSameUsername() }),
            Case(name: "concurrency.no_lost_updates", summary: "8 threads increment one counter with versions and retry on STALE: no update is lost", body: { try $0.concurrentIncrements() }),
            Case(name: "concurrency.guard_demote_each_other", summary: "two admins demoting each other at once: exactly one succeeds", body: { try $0.concurrentGuard() }),
            Case(name: "concurrency.readers_during_writes", summary: "reads stay consistent while another thread writes", body: { try $0.concurrentReadsAndWrites() }),
        ]
    }

    static var persistenceCases: [Case] {
        [
            Case(name: "persistence.reopen", summary: "a second instance on the same database sees every write, and the first sees its writes", body: { try $0.reopenCase() }),
        ]
    }

    func concurrentSameUsername() throws {
        let name = "ct-race-\(token())"
        let outcomes = Shared<[proteus_status]>([])
        let client = self.client
        let ids = (0..<16).map { _ in randomID() }
        runConcurrently(16) { i in
            var u = UserRecord(id: ids[i])
            u.username = name
            let status = StoreClient.status { try client.createUser(u) }
            outcomes.update { $0.append(status) }
        }
        let statuses = outcomes.current
        let wins = statuses.filter { $0 == PROTEUS_OK }.count
        let conflicts = statuses.filter { $0 == PROTEUS_E_CONFLICT }.count
        try expect(wins == 1 && conflicts == 15, "expected 1 OK and 15 CONFLICT, got \(statuses.map { Status.name($0) })")
        let winner = try client.getUser(username: name)
        try expect(ids.contains(winner.id), "the stored user is none of the racers")
    }

    func concurrentIncrements() throws {
        var u = newUser()
        u.documents = [DocumentRecord(namespace: "ct.counter", json: "0")]
        try client.createUser(u)
        let threads = 8, perThread = 25
        let errors = Shared<[String]>([])
        let retries = Shared(0)
        let client = self.client
        let id = u.id
        runConcurrently(threads) { _ in
            var done = 0
            while done < perThread {
                do {
                    let current = try client.getUser(id: id, docs: "ct.counter")
                    let n = Int(current.document("ct.counter") ?? "") ?? -1_000_000
                    var change = UserRecord(id: id)
                    change.documents = [DocumentRecord(namespace: "ct.counter", json: String(n + 1))]
                    try client.updateUser(change, fields: PROTEUS_FIELD_DOCS, expectedVersion: current.version)
                    done += 1
                } catch let f as PluginError where f.code == PROTEUS_E_STALE {
                    retries.update { $0 += 1 }
                } catch {
                    errors.update { $0.append("\(error)") }
                    return
                }
            }
        }
        try expect(errors.current.isEmpty, "increments failed: \(errors.current.prefix(3))")
        let final = try client.getUser(id: id, docs: "ct.counter")
        try expectSame(final.document("ct.counter"), String(threads * perThread), "counter after \(threads * perThread) increments (\(retries.current) STALE retries)")
        try expectEqual(final.version, UInt64(1 + threads * perThread), "version after the increments")
    }

    func concurrentGuard() throws {
        let client = self.client
        for round in 0..<8 {
            let admin = try newRole("admin")
            let a = try createUser(newUser(roles: [admin]))
            let b = try createUser(newUser(roles: [admin]))
            let outcomes = Shared<[proteus_status]>([])
            runConcurrently(2) { i in
                var change = i == 0 ? b : a   // each demotes the other
                change.roles = []
                let status = StoreClient.status { try client.updateUser(change, fields: PROTEUS_FIELD_ROLES, guardRole: admin) }
                outcomes.update { $0.append(status) }
            }
            let statuses = outcomes.current.sorted()
            try expect(statuses == [PROTEUS_OK, PROTEUS_E_GUARD], "round \(round): expected one OK and one GUARD, got \(statuses.map { Status.name($0) })")
            let holders = try [a, b].filter { try client.getUser(id: $0.id).roles == [admin] }
            try expectEqual(holders.count, 1, "round \(round): holders left")
        }
    }

    func concurrentReadsAndWrites() throws {
        var u = newUser()
        u.email = "rw0@example.org"
        u.displayName = "0"
        try client.createUser(u)
        let client = self.client
        let id = u.id
        let problems = Shared<[String]>([])
        runConcurrently(4) { i in
            for step in 1...40 {
                do {
                    if i == 0 {
                        var change = UserRecord(id: id)
                        change.email = "rw\(step)@example.org"
                        change.displayName = String(step)
                        try client.updateUser(change, fields: PROTEUS_FIELD_EMAIL | PROTEUS_FIELD_DISPLAY_NAME)
                    } else {
                        let got = try client.getUser(id: id)
                        // Both fields were written in one update: they must agree.
                        if got.email != "rw\(got.displayName ?? "?")@example.org" {
                            problems.update { $0.append("torn read: \(got.email ?? "-") / \(got.displayName ?? "-")") }
                        }
                        if got.version != UInt64(Int(got.displayName ?? "") ?? -1) + 1 {
                            problems.update { $0.append("version \(got.version) does not match display name \(got.displayName ?? "-")") }
                        }
                    }
                } catch {
                    problems.update { $0.append("\(error)") }
                }
            }
        }
        try expect(problems.current.isEmpty, "problems: \(problems.current.prefix(3))")
    }

    func reopenCase() throws {
        guard let reopen else { throw ConformanceSkip(reason: "no way to open a second instance was given") }
        let role = try newRole("persist"), g = try newGroup()
        var u = fullUser(roles: [role], group: g.id)
        u.documents.append(DocumentRecord(namespace: "ct.persist", json: largeJSON("persist")))
        try client.createUser(u)
        let session = SessionRecord(tokenHash: randomBytes(32), userID: u.id, namespace: "ct")
        try client.createSession(session)
        let second = try reopen()
        defer { second.instance.destroy() }
        let other = StoreClient(second, host: host)
        var expected = u
        expected.version = 1
        try expectUser(try other.getUser(id: u.id, docs: "*"), expected, "the user read through a second instance")
        _ = try other.getSession(session.tokenHash, now: now)
        try expectSame(try other.getGroup(g.id).name, g.name, "the group through a second instance")
        var change = UserRecord(id: u.id)
        change.email = "second@example.org"
        try other.updateUser(change, fields: PROTEUS_FIELD_EMAIL, expectedVersion: 1)
        let back = try client.getUser(id: u.id)
        try expectSame(back.email, "second@example.org", "a write of the second instance seen by the first")
        try expectEqual(back.version, 2, "version seen by the first instance")
    }
}
