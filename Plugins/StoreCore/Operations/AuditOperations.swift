// The audit log (ABI 2.5): administrative changes, appended one statement
// each and listed newest first by id. Never cached; writes change no
// cached auth answer, so the auth cache stays.
import PluginAPI
import PluginKit

extension StoreCore {
    /// An event row (AuditSQL).
    static func readAuditEvent(_ s: any StoreStatement) -> AuditEventRecord {
        var e = AuditEventRecord(actorID: s.id(2), actorName: s.text(3) ?? "", source: s.text(4) ?? "",
                                 address: s.text(5) ?? "", action: s.text(6) ?? "", targetKind: s.text(7),
                                 targetID: s.id(8), targetName: s.text(9), detailJSON: s.text(10), time: s.int64(1))
        e.id = s.int64(0)
        return e
    }

    /// Appends the event with the next id; time 0 is now.
    public func appendAudit(_ input: UnsafePointer<proteus_audit_event>?) throws {
        let e = try StoreInput.record(input, "audit event")
        try AuditInput.check(e)
        let time = e.time == 0 ? now() : e.time
        let actor = AuditIDs.optional(e.actor_id).map { _ in e.actor_id }
        let target = AuditIDs.optional(e.target_id).map { _ in e.target_id }
        let id = try perform(.write, "appending an audit event", keepsAuthAnswers: true) { c in
            try c.first(sql.appendAuditEvent, "appending an audit event", { v in
                v.bind(time)
                v.bind(idOrNull: actor)
                v.bind(e.actor_name)
                v.bind(e.source)
                if e.address.isPresent { v.bind(e.address) } else { v.bind(text: "") }
                v.bind(e.action)
                v.bind(e.target_kind)
                v.bind(idOrNull: target)
                v.bind(e.target_name)
                v.bind(e.detail_json)
            }) { $0.int64(0) }
        }
        guard let id, id > 0 else { throw PluginError.internal("appending an audit event returned no id") }
    }

    /// The events matching the query, newest first, with the next page's
    /// cursor (one row more is read to tell whether there is one).
    public func listAudit(_ input: UnsafePointer<proteus_audit_query>?, arena: OpaquePointer?,
                          out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_audit_page>?>?) throws {
        let q = try StoreInput.record(input, "audit query")
        let out = try output(out)
        let writer = try arenaWriter(arena)
        try AuditInput.check(q)
        let limit = Int(min(q.limit, UInt32(PROTEUS_AUDIT_LIST_MAX)))
        var conditions = SQLConditions(placeholder: sql.placeholder)
        if let actor = AuditIDs.optional(q.actor_id) { conditions.add(sql.auditActorIs) { $0.bind(bytes: actor) } }
        if let action = q.action.string, !action.isEmpty {
            if action.hasSuffix(".") {
                let end = AuditInput.prefixEnd(action)
                conditions.add(sql.auditActionIn) { s in
                    s.bind(text: action)
                    s.bind(text: end)
                }
            } else {
                conditions.add(sql.auditActionIs) { $0.bind(text: action) }
            }
        }
        if let target = AuditIDs.optional(q.target_id) { conditions.add(sql.auditTargetIs) { $0.bind(bytes: target) } }
        let since = q.since, until = q.until, before = q.before
        if since > 0 { conditions.add(sql.auditSince) { $0.bind(since) } }
        if until > 0 { conditions.add(sql.auditUntil) { $0.bind(until) } }
        if before > 0 { conditions.add(sql.auditBefore) { $0.bind(before) } }
        let text = sql.selectAuditEvents + conditions.whereClause + " "
            + sql.auditNewestFirst.split(separator: "$?", omittingEmptySubsequences: false).joined(separator: conditions.placeholder(after: 1))
        let rows = try perform(.read, "listing audit events") { c in
            try c.all(text, "listing audit events", { s in
                conditions.bind(s)
                s.bind(limit + 1)
            }, Self.readAuditEvent)
        }
        let events = Array(rows.prefix(limit))
        let next = rows.count > limit ? (events.last?.id ?? 0) : 0
        out.pointee = try writer.auditPage(AuditPage(events: events, next: next))
    }
}
