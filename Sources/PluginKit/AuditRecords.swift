// The audit log's records (ABI 2.5): an event (proteus_audit_event), a
// query (proteus_audit_query) and a page, as Swift values, and their C
// forms in an arena. An all-zero proteus_id is "none" (nil here).
import PluginAPI

/// One administrative change: who (actor), what (action, target, detail),
/// when (time, unix ms) and from where (source, address). `id` is the
/// store's (ignored when appending).
public struct AuditEventRecord: Sendable, Equatable {
    public var id: Int64 = 0
    public var time: Int64 = 0
    /// The acting user; nil for the CLI or a SCIM token.
    public var actorID: [UInt8]?
    public var actorName: String
    public var source: String
    public var address: String = ""
    public var action: String
    public var targetKind: String?
    public var targetID: [UInt8]?
    public var targetName: String?
    /// One small JSON object as text.
    public var detailJSON: String?

    public init(actorID: [UInt8]? = nil, actorName: String, source: String = "", address: String = "", action: String,
                targetKind: String? = nil, targetID: [UInt8]? = nil, targetName: String? = nil,
                detailJSON: String? = nil, time: Int64 = 0) {
        self.actorID = actorID; self.actorName = actorName; self.source = source; self.address = address
        self.action = action; self.targetKind = targetKind; self.targetID = targetID; self.targetName = targetName
        self.detailJSON = detailJSON; self.time = time
    }

    public init(_ c: proteus_audit_event) {
        id = c.id
        time = c.time
        actorID = AuditIDs.optional(c.actor_id)
        actorName = c.actor_name.string ?? ""
        source = c.source.string ?? ""
        address = c.address.string ?? ""
        action = c.action.string ?? ""
        targetKind = c.target_kind.string
        targetID = AuditIDs.optional(c.target_id)
        targetName = c.target_name.string
        detailJSON = c.detail_json.string
    }
}

/// Which events to list (proteus_audit_query): every filter set must hold;
/// newest first, `limit` at most, older than the cursor `before` (0: from
/// the newest).
public struct AuditQuery: Sendable, Equatable {
    public var actorID: [UInt8]?
    /// Exact, or a prefix when it ends in "." ("user.").
    public var action: String?
    public var targetID: [UInt8]?
    public var since: Int64 = 0
    public var until: Int64 = 0
    public var before: Int64 = 0
    public var limit: UInt32 = 100

    public init(actorID: [UInt8]? = nil, action: String? = nil, targetID: [UInt8]? = nil,
                since: Int64 = 0, until: Int64 = 0, before: Int64 = 0, limit: UInt32 = 100) {
        self.actorID = actorID; self.action = action; self.targetID = targetID
        self.since = since; self.until = until; self.before = before; self.limit = limit
    }

    public init(_ c: proteus_audit_query) {
        actorID = AuditIDs.optional(c.actor_id)
        action = c.action.string
        targetID = AuditIDs.optional(c.target_id)
        since = c.since
        until = c.until
        before = c.before
        limit = c.limit
    }
}

/// A page of events, newest first; `next` is the cursor of the following
/// page (0: none).
public struct AuditPage: Sendable, Equatable {
    public var events: [AuditEventRecord]
    public var next: Int64
    public init(events: [AuditEventRecord], next: Int64) { self.events = events; self.next = next }
}

public enum AuditIDs {
    /// nil for the all-zero id ("none").
    public static func optional(_ id: proteus_id) -> [UInt8]? {
        let bytes = id.byteArray
        return bytes.allSatisfy { $0 == 0 } ? nil : bytes
    }

    /// The all-zero id for nil.
    public static func id(_ bytes: [UInt8]?) -> proteus_id {
        guard let bytes, bytes.count == 16 else { return proteus_id() }
        return proteus_id(byteArray: bytes)
    }
}

extension ArenaWriter {
    public func auditEvent(_ r: AuditEventRecord) throws -> proteus_audit_event {
        var c = proteus_audit_event()
        c.struct_size = RecordArray.size(of: proteus_audit_event.self)
        c.id = r.id
        c.time = r.time
        c.actor_id = AuditIDs.id(r.actorID)
        c.actor_name = try str(r.actorName)
        c.source = try str(r.source)
        c.address = try str(r.address)
        c.action = try str(r.action)
        c.target_kind = try str(r.targetKind)
        c.target_id = AuditIDs.id(r.targetID)
        c.target_name = try str(r.targetName)
        c.detail_json = try str(r.detailJSON)
        return c
    }

    public func auditQuery(_ q: AuditQuery) throws -> proteus_audit_query {
        var c = proteus_audit_query()
        c.struct_size = RecordArray.size(of: proteus_audit_query.self)
        c.actor_id = AuditIDs.id(q.actorID)
        c.action = try str(q.action)
        c.target_id = AuditIDs.id(q.targetID)
        c.since = q.since
        c.until = q.until
        c.before = q.before
        c.limit = q.limit
        return c
    }

    public func auditPage(_ page: AuditPage) throws -> UnsafeMutablePointer<proteus_audit_page> {
        let p = try allocate(proteus_audit_page.self, count: 1)
        p.pointee.struct_size = RecordArray.size(of: proteus_audit_page.self)
        if !page.events.isEmpty {
            let items = try allocate(proteus_audit_event.self, count: page.events.count)
            for (i, e) in page.events.enumerated() { items[i] = try auditEvent(e) }
            p.pointee.items = UnsafePointer(items)
        }
        p.pointee.count = UInt32(page.events.count)
        p.pointee.next = page.next
        return p
    }
}
