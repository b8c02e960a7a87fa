// The audit log (ABI 2.5): one INSERT ... RETURNING in the writer's
// IMMEDIATE transaction; id is an AUTOINCREMENT rowid, so ids only grow
// (never reused after a delete); action compares by BINARY, byte order.
import StoreCore

extension SQLiteSQL {
    static let auditColumns = "id, occurred_at, actor_id, actor_name, source, address, action, target_kind, target_id, target_name, detail_json"
    var appendAuditEvent: String {
        """
        INSERT INTO audit_events (occurred_at, actor_id, actor_name, source, address, action, target_kind, target_id, target_name, detail_json) \
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id
        """
    }
    var selectAuditEvents: String { "SELECT \(Self.auditColumns) FROM audit_events" }
    var auditActorIs: String { "actor_id = $?" }
    var auditActionIs: String { "action = $?" }
    var auditActionIn: String { "action >= $? AND action < $?" }
    var auditTargetIs: String { "target_id = $?" }
    var auditSince: String { "occurred_at >= $?" }
    var auditUntil: String { "occurred_at < $?" }
    var auditBefore: String { "id < $?" }
    var auditNewestFirst: String { "ORDER BY id DESC LIMIT $?" }
}
