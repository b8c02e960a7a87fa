// The audit log (ABI 2.5): append-only events. "An event row": id,
// occurred_at, actor_id, actor_name, source, address, action, target_kind,
// target_id, target_name, detail_json. Ids are the store's, increasing
// (SQLite: an AUTOINCREMENT rowid, never reused; PostgreSQL: an identity
// column); actions compare and sort byte-exact (SQLite BINARY, PostgreSQL
// "C"), so a prefix is a range of them. The statements are portable SQL,
// written once below in the backend's placeholders.

public protocol AuditSQL: Sendable {
    /// Inserts one event: binds occurred_at, actor_id (NULL: none),
    /// actor_name, source, address, action, target_kind (NULL), target_id
    /// (NULL: none), target_name (NULL), detail_json (NULL). Returns its id.
    var appendAuditEvent: String { get }
    /// The event rows, before their conditions ("SELECT ... FROM ...").
    var selectAuditEvents: String { get }
    /// Conditions of a page, each `$?` one value, combined with AND (see
    /// SQLConditions): the actor's id; the action; an action range (binds
    /// the prefix and the first text after every action holding it); the
    /// target's id; occurred_at >= since; occurred_at < until; id < the
    /// cursor.
    var auditActorIs: String { get }
    var auditActionIs: String { get }
    var auditActionIn: String { get }
    var auditTargetIs: String { get }
    var auditSince: String { get }
    var auditUntil: String { get }
    var auditBefore: String { get }
    /// After the conditions: newest first, binds the most rows.
    var auditNewestFirst: String { get }
}

extension AuditSQL where Self: StoreSQL {
    public var appendAuditEvent: String {
        let values = (1...10).map(placeholder).joined(separator: ", ")
        return "INSERT INTO audit_events (occurred_at, actor_id, actor_name, source, address, action, target_kind, target_id, target_name, detail_json) "
            + "VALUES (\(values)) RETURNING id"
    }
    public var selectAuditEvents: String {
        "SELECT id, occurred_at, actor_id, actor_name, source, address, action, target_kind, target_id, target_name, detail_json FROM audit_events"
    }
    public var auditActorIs: String { "actor_id = $?" }
    public var auditActionIs: String { "action = $?" }
    public var auditActionIn: String { "action >= $? AND action < $?" }
    public var auditTargetIs: String { "target_id = $?" }
    public var auditSince: String { "occurred_at >= $?" }
    public var auditUntil: String { "occurred_at < $?" }
    public var auditBefore: String { "id < $?" }
    public var auditNewestFirst: String { "ORDER BY id DESC LIMIT $?" }
}
