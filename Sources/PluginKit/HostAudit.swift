// host->audit (ABI 2.5) as a Swift call: a dialect records an
// administrative change it just made to someone (never a user's change of
// their own account). The dialect gives who (the acting user, or a named
// actor such as "scim:<token label>"), the action and the target; the host
// adds the time, the plugin's name as source and the request's client
// address. Recording never fails the change: `audit` returns the status
// (the host has logged a failure) and callers normally ignore it.
import PluginAPI

extension Host {
    /// Whether this host's table has audit (a 2.5 host or newer).
    public var offersAudit: Bool { service(\.audit) != nil }

    /// Records `event` (its time, source and address are the host's).
    /// Returns OK, or the failure's status: UNSUPPORTED on an older host or
    /// over a store without an audit log, INVALID for a field out of its
    /// bounds, UNAVAILABLE when the store is down or busy. Never throws.
    @discardableResult
    public func audit(_ event: AuditEventRecord) -> proteus_status {
        guard let audit = service(\.audit) else { return PROTEUS_E_UNSUPPORTED }
        guard let arena = api.pointee.arena_create(ctx) else { return PROTEUS_E_INTERNAL }
        defer { api.pointee.arena_destroy(arena) }
        let writer = ArenaWriter(host: api, arena: arena)
        guard var c = try? writer.auditEvent(event) else { return PROTEUS_E_INTERNAL }
        var err = proteus_error()
        return audit(ctx, &c, &err)
    }

    /// Records what `actor` (a user of the directory) did: actor name = the
    /// actor's username (its id when it has none).
    @discardableResult
    public func audit(by actor: UserRecord, _ action: String, target: UserRecord?, detail: String? = nil) -> proteus_status {
        audit(AuditEventRecord(actorID: actor.id, actorName: Self.auditName(actor), action: action,
                               targetKind: target == nil ? nil : "user", targetID: target?.id,
                               targetName: target.map(Self.auditName), detailJSON: detail))
    }

    /// A user as the audit log names it: the username, else the id (32 hex).
    public static func auditName(_ user: UserRecord) -> String {
        if let name = user.username, !name.isEmpty { return name }
        return proteus_id(byteArray: user.id).compactHex
    }
}
