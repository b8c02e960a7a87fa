// The audit log (ABI 2.5): one INSERT ... RETURNING; id is an identity
// column (a sequence: increasing in the order rows were inserted, gaps
// allowed); action is "C" text, so a prefix is a byte range of its index.
import StoreCore

extension PostgresSQL {
    static let auditColumns = "id, occurred_at, actor_id, actor_name, source, address, action, target_kind, target_id, target_name, detail_json"
    var appendAuditEvent: String {
        """
        INSERT INTO audit_events (occurred_at, actor_id, actor_name, source, address, action, target_kind, target_id, target_name, detail_json) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id
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
