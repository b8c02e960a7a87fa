// Cases: the audit log (ABI 2.5 audit_append, audit_list). Each case acts
// as actors and on targets of its own (fresh random ids) and lists through
// those filters, so the cases run on a store that already holds events; a
// store built before 2.5 skips them.
import Glibc
import PluginAPI
import PluginKit

extension StoreConformanceSuite {
    static var auditCases: [Case] {
        [
            Case(name: "audit.append_list", summary: "an event reads back field for field, with a store-assigned id > 0; time 0 is now; absent target fields stay absent, an absent address reads back empty", body: { try $0.auditAppendList() }),
            Case(name: "audit.newest_first_paging", summary: "pages are newest first by id; the cursor (next) walks every event once; the last page's next is 0, also when it is exactly full", body: { try $0.auditPaging() }),
            Case(name: "audit.cursor_stable", summary: "events appended after a page was read never appear in, nor shift, the pages after it", body: { try $0.auditCursorStable() }),
            Case(name: "audit.filters", summary: "actor, target, exact action, action prefix (\"x.\"), since (inclusive) and until (exclusive) each filter, and combine with AND", body: { try $0.auditFilters() }),
            Case(name: "audit.outlives_targets", summary: "events about a user stay after the user is deleted", body: { try $0.auditOutlivesTargets() }),
            Case(name: "audit.limits", summary: "texts at their PROTEUS_AUDIT_*_MAX are accepted; one byte more, empty required texts, other characters, a detail not shaped as an object, a negative time, a short or NULL record are INVALID and write nothing", body: { try $0.auditLimits() }),
            Case(name: "audit.query_checks", summary: "a limit of 0, a malformed action, negative since/until/before, a NULL or short query, no arena or output are INVALID", body: { try $0.auditQueryChecks() }),
            Case(name: "audit.concurrent_append", summary: "8 threads append 25 events each: all 200 are listed, with distinct ids", body: { try $0.auditConcurrentAppend() }),
            Case(name: "audit.limit_cap", summary: "a limit above PROTEUS_AUDIT_LIST_MAX returns at most PROTEUS_AUDIT_LIST_MAX events, with a cursor to the rest", body: { try $0.auditLimitCap() }),
        ]
    }

    /// Skips a store built before 2.5.
    private func requireAudit() throws {
        try requireFunction(\.audit_append, "audit_append")
        try requireFunction(\.audit_list, "audit_list")
    }

    private func auditEvent(actor: [UInt8]?, _ action: String, target: [UInt8]? = nil, time: Int64 = 0) -> AuditEventRecord {
        AuditEventRecord(actorID: actor, actorName: "ct-admin", source: "conformance", address: "192.0.2.7", action: action,
                         targetKind: target == nil ? nil : "user", targetID: target, targetName: target == nil ? nil : "ct-target",
                         detailJSON: "{\"n\":1}", time: time)
    }

    /// Every event of the query, page by page (`limit` each).
    private func allAuditEvents(_ query: AuditQuery) throws -> [AuditEventRecord] {
        var q = query
        var events: [AuditEventRecord] = []
        for _ in 0..<10_000 {
            let page = try client.listAudit(q)
            events += page.events
            if page.next == 0 { return events }
            q.before = page.next
        }
        throw ConformanceFailure(message: "audit_list's cursor never ended")
    }

    func auditAppendList() throws {
        try requireAudit()
        let actor = randomID(), target = randomID()
        let full = AuditEventRecord(actorID: actor, actorName: "Zoë admin", source: "mcsmanager", address: "2001:db8::1",
                                    action: "user.roles", targetKind: "user", targetID: target, targetName: "Zürich 🦊",
                                    detailJSON: "{ \"roles\" : [\"admin\"],\n \"was\":[] }", time: 1_700_000_000_123)
        try client.appendAudit(full)
        let page = try client.listAudit(AuditQuery(actorID: actor, limit: 10))
        try expectEqual(page.events.count, 1, "events of a fresh actor")
        try expectEqual(page.next, 0, "the cursor after the only page")
        let got = page.events[0]
        try expect(got.id > 0, "the event's id \(got.id) is not > 0")
        try expectEqual(got.time, full.time, "time")
        try expectEqual(got.actorID, actor, "actor_id")
        try expectSame(got.actorName, full.actorName, "actor_name")
        try expectSame(got.source, full.source, "source")
        try expectSame(got.address, full.address, "address")
        try expectSame(got.action, full.action, "action")
        try expectSame(got.targetKind, full.targetKind, "target_kind")
        try expectEqual(got.targetID, target, "target_id")
        try expectSame(got.targetName, full.targetName, "target_name")
        try expectSame(got.detailJSON, full.detailJSON, "detail_json (byte for byte)")

        // The CLI's shape: no actor id, no address, no target; time 0 = now.
        let before = now
        var cli = AuditEventRecord(actorName: "cli:root", source: "cli", action: "user.sessions_revoke")
        cli.address = ""
        let target2 = randomID()
        cli.targetID = target2
        try client.appendAudit(cli)
        try client.withArena { w, _ in
            var c = try w.auditEvent(AuditEventRecord(actorName: "cli:root", source: "cli", action: "user.sessions_revoke", targetID: target2))
            c.address = .absent
            try client.invoke(\.audit_append) { $0(client.store, &c, $1) }
        }
        let after = now
        let minimal = try client.listAudit(AuditQuery(targetID: target2, limit: 10)).events
        try expectEqual(minimal.count, 2, "events of the second target")
        for e in minimal {
            try expectEqual(e.actorID, nil, "actor_id of an event without one")
            try expectSame(e.address, "", "an empty or absent address")
            try expectSame(e.targetKind, nil, "an absent target_kind")
            try expectSame(e.targetName, nil, "an absent target_name")
            try expectSame(e.detailJSON, nil, "an absent detail")
            try expect(e.time >= before && e.time <= after, "time \(e.time) of an event appended with 0 is not now (\(before)...\(after))")
        }
        try expect(minimal[0].id > minimal[1].id, "ids of two events in append order: \(minimal[1].id), then \(minimal[0].id)")
        try expect(minimal[1].id > got.id, "an event appended later has a smaller id")
    }

    func auditPaging() throws {
        try requireAudit()
        let actor = randomID()
        for i in 0..<25 { try client.appendAudit(auditEvent(actor: actor, "ct.page.e\(i)")) }
        var q = AuditQuery(actorID: actor, limit: 10)
        let first = try client.listAudit(q)
        try expectEqual(first.events.map(\.action), (15..<25).reversed().map { "ct.page.e\($0)" }, "the first page's events")
        try expectEqual(first.next, first.events.last?.id ?? -1, "the first page's cursor")
        q.before = first.next
        let second = try client.listAudit(q)
        try expectEqual(second.events.map(\.action), (5..<15).reversed().map { "ct.page.e\($0)" }, "the second page's events")
        q.before = second.next
        let third = try client.listAudit(q)
        try expectEqual(third.events.map(\.action), (0..<5).reversed().map { "ct.page.e\($0)" }, "the last page's events")
        try expectEqual(third.next, 0, "the last page's cursor")
        let ids = (first.events + second.events + third.events).map(\.id)
        try expectEqual(ids, ids.sorted(by: >), "ids newest first")
        try expectEqual(Set(ids).count, 25, "distinct events over the pages")
        // A page that holds exactly the rest ends the walk.
        let exact = try client.listAudit(AuditQuery(actorID: actor, before: second.next, limit: 5))
        try expectEqual(exact.events.count, 5, "an exactly full last page")
        try expectEqual(exact.next, 0, "the cursor of an exactly full last page")
        try expectEqual(try client.listAudit(AuditQuery(actorID: actor, limit: 25)).next, 0, "one page of exactly every event")
        try expectEqual(try allAuditEvents(AuditQuery(actorID: actor, limit: 3)).count, 25, "every event walked 3 at a time")
        try expectEqual(try client.listAudit(AuditQuery(actorID: randomID(), limit: 10)).events.count, 0, "events of an unknown actor")
    }

    func auditCursorStable() throws {
        try requireAudit()
        let actor = randomID()
        for i in 0..<6 { try client.appendAudit(auditEvent(actor: actor, "ct.stable.e\(i)")) }
        let first = try client.listAudit(AuditQuery(actorID: actor, limit: 3))
        for i in 6..<9 { try client.appendAudit(auditEvent(actor: actor, "ct.stable.e\(i)")) }
        let second = try client.listAudit(AuditQuery(actorID: actor, before: first.next, limit: 3))
        try expectEqual(second.events.map(\.action), ["ct.stable.e2", "ct.stable.e1", "ct.stable.e0"], "the page after the cursor")
        try expectEqual(second.next, 0, "the cursor of the last page")
        try expectEqual(try client.listAudit(AuditQuery(actorID: actor, limit: 3)).events.map(\.action),
                        ["ct.stable.e8", "ct.stable.e7", "ct.stable.e6"], "the newest page now")
    }

    func auditFilters() throws {
        try requireAudit()
        let alice = randomID(), bob = randomID(), t1 = randomID(), t2 = randomID()
        let p = "ct\(token(8))"
        let base: Int64 = 1_600_000_000_000
        let events: [(actor: [UInt8], action: String, target: [UInt8]?, time: Int64)] = [
            (alice, "\(p).user.create", t1, base),
            (alice, "\(p).user.delete", t2, base + 10),
            (bob, "\(p).user.create", t2, base + 20),
            (bob, "\(p).group.create", nil, base + 30),
            (alice, "\(p).userx.create", t1, base + 40),
            (bob, "\(p).user", t1, base + 50),
        ]
        for e in events { try client.appendAudit(auditEvent(actor: e.actor, e.action, target: e.target, time: e.time)) }
        func actions(_ q: AuditQuery) throws -> [String] { try allAuditEvents(q).map(\.action) }
        func named(_ indexes: [Int]) -> [String] { indexes.reversed().map { events[$0].action } }
        try expectEqual(try actions(AuditQuery(actorID: alice, limit: 100)), named([0, 1, 4]), "by actor")
        try expectEqual(try actions(AuditQuery(actorID: bob, limit: 100)), named([2, 3, 5]), "by the other actor")
        try expectEqual(try actions(AuditQuery(targetID: t1, limit: 100)), named([0, 4, 5]), "by target")
        try expectEqual(try actions(AuditQuery(action: "\(p).user.create", limit: 100)), named([0, 2]), "by exact action")
        try expectEqual(try actions(AuditQuery(action: "\(p).user.", limit: 100)), named([0, 1, 2]), "by action prefix (not \"user\" itself, not \"userx.\")")
        try expectEqual(try actions(AuditQuery(action: "\(p).", limit: 100)), named([0, 1, 2, 3, 4, 5]), "by the widest prefix")
        try expectEqual(try actions(AuditQuery(action: "\(p).user", limit: 100)), named([5]), "an exact action is not a prefix")
        try expectEqual(try actions(AuditQuery(action: "\(p).", since: base + 20, limit: 100)), named([2, 3, 4, 5]), "since (inclusive)")
        try expectEqual(try actions(AuditQuery(action: "\(p).", until: base + 20, limit: 100)), named([0, 1]), "until (exclusive)")
        try expectEqual(try actions(AuditQuery(action: "\(p).", since: base + 10, until: base + 41, limit: 100)), named([1, 2, 3, 4]), "since and until")
        try expectEqual(try actions(AuditQuery(actorID: alice, action: "\(p).user.", targetID: t1, limit: 100)), named([0]), "actor, action prefix and target")
        try expectEqual(try actions(AuditQuery(actorID: bob, action: "\(p).user.", since: base + 25, limit: 100)), [], "filters that no event meets together")
        try expectEqual(try actions(AuditQuery(actorID: alice, action: "", limit: 100)), named([0, 1, 4]), "an empty action is any")
        // Filtered pages walk by the cursor too.
        try expectEqual(try actions(AuditQuery(action: "\(p).", limit: 2)), named([0, 1, 2, 3, 4, 5]), "a filtered walk two at a time")
    }

    func auditOutlivesTargets() throws {
        try requireAudit()
        let user = try createUser(newUser())
        try client.appendAudit(auditEvent(actor: randomID(), "user.delete", target: user.id))
        try client.deleteUser(user.id)
        let events = try client.listAudit(AuditQuery(targetID: user.id, limit: 10)).events
        try expectEqual(events.map(\.action), ["user.delete"], "events about a deleted user")
    }

    func auditLimits() throws {
        try requireAudit()
        let actor = randomID()
        func longest(_ n: Int32, _ c: Character = "a") -> String { String(repeating: c, count: Int(n)) }
        var max = auditEvent(actor: actor, "ct." + longest(PROTEUS_AUDIT_ACTION_MAX - 3))
        max.actorName = longest(PROTEUS_AUDIT_NAME_MAX, "é").prefix(Int(PROTEUS_AUDIT_NAME_MAX) / 2).description
        max.source = longest(PROTEUS_AUDIT_SOURCE_MAX)
        max.address = longest(PROTEUS_AUDIT_ADDRESS_MAX, "1")
        max.targetKind = longest(PROTEUS_AUDIT_KIND_MAX, "k")
        max.targetName = longest(PROTEUS_AUDIT_NAME_MAX, "n")
        max.detailJSON = "{\"d\":\"" + longest(PROTEUS_AUDIT_DETAIL_MAX - 8, "d") + "\"}"
        try expectEqual(max.actorName.utf8.count, Int(PROTEUS_AUDIT_NAME_MAX), "the test's longest actor name")
        try expectEqual(max.detailJSON?.utf8.count, Int(PROTEUS_AUDIT_DETAIL_MAX), "the test's longest detail")
        try client.appendAudit(max)
        let got = try client.listAudit(AuditQuery(actorID: actor, limit: 10)).events
        try expectEqual(got.count, 1, "the event of the maxima")
        try expectSame(got.first?.detailJSON, max.detailJSON, "the longest detail read back")
        try expectSame(got.first?.targetName, max.targetName, "the longest target name read back")
        try expectSame(got.first?.actorName, max.actorName, "the longest actor name read back")

        var refused: [(String, AuditEventRecord)] = []
        func refuse(_ what: String, _ change: (inout AuditEventRecord) -> Void) {
            var e = auditEvent(actor: actor, "ct.limits.refused", target: randomID())
            change(&e)
            refused.append((what, e))
        }
        refuse("an actor name over \(PROTEUS_AUDIT_NAME_MAX) bytes") { $0.actorName = longest(PROTEUS_AUDIT_NAME_MAX + 1) }
        refuse("an empty actor name") { $0.actorName = "" }
        refuse("a source over \(PROTEUS_AUDIT_SOURCE_MAX) bytes") { $0.source = longest(PROTEUS_AUDIT_SOURCE_MAX + 1) }
        refuse("an empty source") { $0.source = "" }
        refuse("an address over \(PROTEUS_AUDIT_ADDRESS_MAX) bytes") { $0.address = longest(PROTEUS_AUDIT_ADDRESS_MAX + 1, "1") }
        refuse("an action over \(PROTEUS_AUDIT_ACTION_MAX) bytes") { $0.action = longest(PROTEUS_AUDIT_ACTION_MAX + 1) }
        refuse("an empty action") { $0.action = "" }
        refuse("an action with capitals") { $0.action = "user.Create" }
        refuse("an action with a space") { $0.action = "user create" }
        refuse("an action ending in \".\"") { $0.action = "user." }
        refuse("an action starting with \".\"") { $0.action = ".user" }
        refuse("a target kind over \(PROTEUS_AUDIT_KIND_MAX) bytes") { $0.targetKind = longest(PROTEUS_AUDIT_KIND_MAX + 1) }
        refuse("an empty target kind") { $0.targetKind = "" }
        refuse("a target kind with a dot") { $0.targetKind = "user.x" }
        refuse("a target name over \(PROTEUS_AUDIT_NAME_MAX) bytes") { $0.targetName = longest(PROTEUS_AUDIT_NAME_MAX + 1) }
        refuse("a detail over \(PROTEUS_AUDIT_DETAIL_MAX) bytes") { $0.detailJSON = "{\"d\":\"" + longest(PROTEUS_AUDIT_DETAIL_MAX - 7) + "\"}" }
        refuse("a detail that is an array") { $0.detailJSON = "[1]" }
        refuse("an empty detail") { $0.detailJSON = "" }
        refuse("a negative time") { $0.time = -1 }
        for (what, e) in refused {
            try expectStatus("audit_append with \(what)", PROTEUS_E_INVALID) { try client.appendAudit(e) }
        }
        try client.withArena { w, _ in
            for field in ["actor_name", "source", "action", "struct_size", "utf8"] {
                var c = try w.auditEvent(auditEvent(actor: actor, "ct.limits.refused"))
                switch field {
                case "actor_name": c.actor_name = .absent
                case "source": c.source = .absent
                case "action": c.action = .absent
                case "utf8": c.target_name = try [UInt8]([0x66, 0xC3, 0x28]).withUnsafeBytes { try w.str(bytes: $0) }
                default: c.struct_size = UInt32(MemoryLayout<proteus_audit_event>.offset(of: \proteus_audit_event.detail_json) ?? 8)
                }
                try expectStatus("audit_append with \(field == "struct_size" ? "a short record" : field == "utf8" ? "a target name that is not UTF-8" : "an absent \(field)")", PROTEUS_E_INVALID) {
                    try client.invoke(\.audit_append) { $0(client.store, &c, $1) }
                }
            }
            try expectStatus("audit_append of NULL", PROTEUS_E_INVALID) { try client.invoke(\.audit_append) { $0(client.store, nil, $1) } }
        }
        try expectEqual(try client.listAudit(AuditQuery(actorID: actor, limit: 100)).events.count, 1, "events after the refused appends")
    }

    func auditQueryChecks() throws {
        try requireAudit()
        let bad: [(String, AuditQuery)] = [
            ("a limit of 0", AuditQuery(limit: 0)),
            ("an action with capitals", AuditQuery(action: "User.", limit: 1)),
            ("an action starting with \".\"", AuditQuery(action: ".user", limit: 1)),
            ("an action over \(PROTEUS_AUDIT_ACTION_MAX) bytes", AuditQuery(action: String(repeating: "a", count: Int(PROTEUS_AUDIT_ACTION_MAX) + 1), limit: 1)),
            ("a negative since", AuditQuery(since: -1, limit: 1)),
            ("a negative until", AuditQuery(until: -1, limit: 1)),
            ("a negative cursor", AuditQuery(before: -1, limit: 1)),
        ]
        for (what, q) in bad {
            try expectStatus("audit_list with \(what)", PROTEUS_E_INVALID) { _ = try client.listAudit(q) }
        }
        try client.withArena { w, arena in
            var out: UnsafeMutablePointer<proteus_audit_page>?
            try expectStatus("audit_list of NULL", PROTEUS_E_INVALID) { try client.invoke(\.audit_list) { $0(client.store, nil, arena, &out, $1) } }
            var q = try w.auditQuery(AuditQuery(limit: 1))
            try expectStatus("audit_list without an arena", PROTEUS_E_INVALID) { try client.invoke(\.audit_list) { $0(client.store, &q, nil, &out, $1) } }
            try expectStatus("audit_list without an output", PROTEUS_E_INVALID) { try client.invoke(\.audit_list) { $0(client.store, &q, arena, nil, $1) } }
            q.struct_size = UInt32(MemoryLayout<proteus_audit_query>.offset(of: \proteus_audit_query.limit) ?? 8)
            try expectStatus("audit_list with a short query", PROTEUS_E_INVALID) { try client.invoke(\.audit_list) { $0(client.store, &q, arena, &out, $1) } }
        }
    }

    func auditConcurrentAppend() throws {
        try requireAudit()
        let actor = randomID()
        let failures = Shared<[String]>([])
        let client = self.client
        runConcurrently(8) { t in
            for i in 0..<25 {
                let e = AuditEventRecord(actorID: actor, actorName: "ct", source: "conformance", action: "ct.concurrent.t\(t)-\(i)")
                do { try client.appendAudit(e) } catch { failures.update { $0.append("\(error)") } }
            }
        }
        try expect(failures.current.isEmpty, "concurrent appends failed: \(failures.current.prefix(3))")
        let events = try allAuditEvents(AuditQuery(actorID: actor, limit: 64))
        try expectEqual(events.count, 200, "events appended concurrently")
        try expectEqual(Set(events.map(\.id)).count, 200, "distinct ids")
        try expectEqual(Set(events.map(\.action)).count, 200, "distinct events")
    }

    func auditLimitCap() throws {
        try requireAudit()
        let actor = randomID()
        let max = Int(PROTEUS_AUDIT_LIST_MAX)
        let failures = Shared<[String]>([])
        let client = self.client
        // Four writers (one would take 1,001 commits in a row).
        runConcurrently(4) { t in
            for i in stride(from: t, through: max, by: 4) {
                let e = AuditEventRecord(actorID: actor, actorName: "ct", source: "conformance", action: "ct.cap.e\(i)")
                do { try client.appendAudit(e) } catch { failures.update { $0.append("\(error)") } }
            }
        }
        try expect(failures.current.isEmpty, "appending failed: \(failures.current.prefix(3))")
        let page = try client.listAudit(AuditQuery(actorID: actor, limit: UInt32.max))
        try expectEqual(page.events.count, max, "events of one page asked for more than the cap")
        try expect(page.next > 0, "no cursor after a capped page")
        let rest = try client.listAudit(AuditQuery(actorID: actor, before: page.next, limit: UInt32.max))
        try expectEqual(rest.events.count, 1, "events after the capped page")
        try expectEqual(rest.next, 0, "the cursor after the last page")
    }
}
