// stats.

public protocol MaintenanceSQL: Sendable {
    /// One row, from one snapshot: the numbers of users, documents, groups,
    /// roles, sessions, api keys and identities, then the schema version.
    var stats: String { get }
}
