// What a database backend supplies to StoreCore: units of work on its
// connections, what its failures mean, the SQL text of every operation and
// its diagnostics. Everything else — argument checks, retries, versions,
// the guard-role rule, messages, outputs — is StoreCore's.

/// How much a piece of work needs from the database.
public enum UnitOfWork: Sendable, Equatable {
    /// One read statement: no transaction needed. Its plan is the one its
    /// text fixes (a database that caches plans may run it with its generic
    /// plan): a statement whose best plan depends on its values runs in a
    /// snapshot.
    case read
    /// Several reads that must see one consistent state, each planned for
    /// its values.
    case snapshot
    /// A snapshot whose statements each have the plan their text fixes
    /// (UserSearchPlan.fixesItsPlans): a database that caches plans may run
    /// them with its generic ones rather than plan each execution anew.
    case snapshotOfFixedPlans
    /// A transaction: all of it or nothing; rolled back when the body throws.
    case write
    /// A best-effort write outside any transaction that waits only briefly
    /// (recording a key's use, clean-ups). Callers ignore its failure.
    case touch
}

/// A store's database, as StoreCore drives it. Every method may be called
/// from many threads at once.
public protocol StoreBackend: AnyObject, Sendable {
    /// The SQL text of every operation, in this database's dialect.
    var sql: any StoreSQL { get }

    /// Runs `body` as one unit of work on a connection of this backend.
    /// Failures are thrown as they are (StoreCore decides about retries).
    func perform<R>(_ unit: UnitOfWork, _ context: String, _ body: (any StoreConnection) throws -> R) throws -> R

    /// True when a unit of work that failed with `error` on its `attempt`-th
    /// run (1 = first) may simply run again: nothing of it was kept and
    /// another run can succeed (a deadlock, a connection that broke before
    /// anything was sent).
    func mayRetry(_ error: any Error, after unit: UnitOfWork, attempt: Int) -> Bool

    /// What a refused statement broke; nil when `error` is not a constraint
    /// failure.
    func violation(in error: any Error) -> ConstraintViolation?

    /// True when the database refused a statement for what it holds (a
    /// constraint, a value it cannot take), rather than being unreachable or
    /// busy: running the work again record by record says which record.
    func isRefusal(_ error: any Error) -> Bool

    /// How long StoreCore may answer API-key and session reads from memory
    /// (the store option "authCacheMs", read with AuthCacheOption); 0 =
    /// never.
    var authCacheMillis: Int { get }

    /// The get_extension id of this backend's diagnostics ("sqlite.diagnostics.v1").
    var diagnosticsID: String { get }
    /// The answer to one diagnostic question (nil: an unknown name).
    func diagnostic(_ name: String) -> String?

    /// [shutdown] Closes every connection.
    func close()
}
