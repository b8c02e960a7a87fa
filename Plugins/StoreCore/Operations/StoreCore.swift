// The store contract (proteus_store_api) written once, over a
// backend (StoreBackend): every operation's argument checks, units of work
// and retries, optimistic versions (STALE), the guard-role rule, error
// meanings and messages, and its outputs. The operations live in the
// *Operations.swift files beside this one.
import PluginAPI
import PluginKit

public final class StoreCore: @unchecked Sendable {
    public let backend: any StoreBackend
    let host: Host
    let sql: any StoreSQL
    let rows: UserRows
    let writes: UserWrites
    /// Recently resolved API keys, owners and sessions (AuthCache).
    let authCache: AuthCache

    /// Runs of one unit of work at most, whatever the backend says.
    static let maxAttempts = 8

    public init(host: Host, backend: any StoreBackend) {
        self.backend = backend
        self.host = host
        self.sql = backend.sql
        self.rows = UserRows(details: backend.sql.userDetails)
        self.writes = UserWrites(backend: backend, sql: backend.sql)
        let counter: ((Bool) -> UInt64)? = host.offersChangeCounter ? { bump in host.changeCounter(bump: bump) ?? 0 } : nil
        self.authCache = AuthCache(lifetimeMillis: backend.authCacheMillis, changeCounter: counter)
    }

    /// [shutdown]
    public func close() { backend.close() }

    /// Wall clock from the host, unix milliseconds.
    @inline(__always) func now() -> Int64 { host.nowMillis() }

    /// Where the outputs of one call go.
    func arenaWriter(_ arena: OpaquePointer?) throws(PluginError) -> ArenaWriter {
        guard let arena else { throw .invalid("no arena was given for the output") }
        return ArenaWriter(host: host.api, arena: arena)
    }

    /// Runs `body` as one unit of work, again (from the start) while the
    /// backend says a failed run may simply be repeated (a deadlock, a
    /// connection that broke before anything was sent). A `.write` clears
    /// the auth cache when it ends, committed or not (its outcome may be
    /// unknown), unless the caller says it `keepsAuthAnswers`: it only adds
    /// rows no cached answer can depend on (a new session, key, user,
    /// counter hit...).
    func perform<R>(_ unit: UnitOfWork, _ context: String, keepsAuthAnswers: Bool = false,
                    _ body: (any StoreConnection) throws -> R) throws -> R {
        defer { if unit == .write && !keepsAuthAnswers { authCache.invalidate() } }
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try backend.perform(unit, context, body)
            } catch {
                guard attempt < Self.maxAttempts, backend.mayRetry(error, after: unit, attempt: attempt) else { throw error }
            }
        }
    }

    /// A best-effort write (UnitOfWork.touch): true when it ran; its failure
    /// changes nothing for the caller.
    @discardableResult
    func touch(_ context: String, _ body: (any StoreConnection) throws -> Void) -> Bool {
        (try? backend.perform(.touch, context, body)) != nil
    }
}

/// The output pointer of a call that returns something.
@inline(__always)
func output<T>(_ out: UnsafeMutablePointer<T>?) throws(PluginError) -> UnsafeMutablePointer<T> {
    guard let out else { throw .invalid("no output pointer was given") }
    return out
}
