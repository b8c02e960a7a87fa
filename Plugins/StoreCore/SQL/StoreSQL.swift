// The SQL text a backend supplies: one protocol per area of the store
// contract, every requirement one operation's statement. Each says which
// values it binds, in placeholder order, and which columns it returns.
// Adding a store operation adds one requirement here and one string in each
// backend (see docs/PLUGIN_GUIDE.md, "Adding a store operation").

/// Every statement of the store, in one backend's dialect.
public protocol StoreSQL: UserSQL, UserPartsSQL, UserTransferSQL, UserSearchSQL, GroupSQL, RoleSQL,
                          SessionSQL, APIKeySQL, IdentitySQL, CounterSQL, EntrySQL, AuditSQL, MaintenanceSQL {
    /// The placeholder of value n (1-based) in this dialect ("?3", "$3").
    func placeholder(_ n: Int) -> String
}
