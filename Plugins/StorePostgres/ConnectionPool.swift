// The connections of one store: a fixed number of slots, each holding an
// open connection or nothing (opened on first use, or again after the old
// one broke). Every store call borrows one slot for its duration.
//
// Recovery: a slot's connection is checked before it is lent (closed by
// the server, left in a transaction, or marked broken after an error ->
// closed and reopened), so after PostgreSQL restarts the pool heals by
// itself one connection at a time. While the server is unreachable, a
// failed connect is remembered for a moment and further callers fail fast
// with the same reason instead of each waiting on a connect of its own.
//
// The server's connection limit: every worker of every host has its own
// pool, so their sizes together may pass max_connections (the default 100;
// 2 × cores + 2 per worker, one worker per core, passes it from 8 cores on).
// A connect the server refuses for its limit (SQLSTATE 53300, or a role's
// or database's CONNECTION LIMIT) while this pool has connections open
// retires the slot: the call waits for one of the open connections, as in
// a full pool, instead of failing. A retired slot is tried again once per
// `retiredSlotRetryNanos`.
import Glibc
import PluginKit

final class ConnectionPool: @unchecked Sendable {
    let settings: ConnectSettings
    let size: Int
    private let mutex = PluginMutex()
    private let available = PluginCondition()
    /// Idle slots: nil = no connection open in that slot yet.
    private var idle: [PGConnection?]
    private var closed = false
    /// The last failed connect and when (monotonic ns).
    private var lastConnectFailure: (at: Int64, failure: PGFailure)?
    /// How long a failed connect answers for others.
    private static let failFastNanos: Int64 = 250_000_000
    /// Slots holding an open connection, idle or lent.
    private var open = 0
    /// Slots given up at the server's connection limit, and when the last
    /// was given up or tried again.
    private var retired = 0
    private var lastRetirement: Int64 = 0
    private static let retiredSlotRetryNanos: Int64 = 10_000_000_000
    /// Says (once per pool) that the server's limit was reached.
    private let warn: @Sendable (String) -> Void
    private var warned = false

    init(settings: ConnectSettings, size: Int, warn: @escaping @Sendable (String) -> Void = { _ in }) {
        self.settings = settings
        self.size = size
        self.warn = warn
        self.idle = Array(repeating: nil, count: size)
    }

    /// Runs `body` on a healthy connection. Waits up to the statement
    /// timeout for a free slot; UNAVAILABLE when none frees up or the
    /// server cannot be reached.
    func withConnection<R>(_ context: String, _ body: (PGConnection) throws -> R) throws -> R {
        while true {
            var connection = try borrow(context)
            if let c = connection, !c.isHealthy {
                c.close()
                connection = nil
                mutex.withLock { open -= 1 }
            }
            if connection == nil {
                do {
                    connection = try connect(context)
                } catch let failure as PGFailure where failure.sqlState == PGFailure.connectionLimit && retireSlot(failure) {
                    continue
                } catch {
                    giveBack(nil)
                    throw error
                }
            }
            defer { giveBack(connection) }
            return try body(connection!)
        }
    }

    /// A slot, within the statement timeout.
    private func borrow(_ context: String) throws -> PGConnection? {
        mutex.lock()
        defer { mutex.unlock() }
        let deadline = PluginMutex.deadline(afterMs: settings.statementTimeoutMs)
        while idle.isEmpty && !closed {
            if !available.wait(mutex, until: deadline) && idle.isEmpty {
                throw PGFailure(kind: .pool, message: "all \(size - retired) PostgreSQL connections stayed busy for \(settings.statementTimeoutMs) ms", context: context)
            }
        }
        if closed { throw PGFailure(kind: .pool, message: "the store is closed", context: context) }
        return idle.removeLast()
    }

    /// Opens a connection for a slot (or repeats a failure seen a moment ago).
    private func connect(_ context: String) throws -> PGConnection {
        let now = Monotonic.now()
        let recent: PGFailure? = mutex.withLock {
            guard let last = lastConnectFailure, now - last.at < Self.failFastNanos else { return nil }
            return last.failure
        }
        if var recent {
            recent.context = context
            throw recent
        }
        do {
            let c = try PGConnection.open(settings)
            mutex.withLock {
                lastConnectFailure = nil
                open += 1
            }
            return c
        } catch let failure as PGFailure {
            // The server's limit says nothing of its reachability: no fail-fast.
            if failure.sqlState != PGFailure.connectionLimit { mutex.withLock { lastConnectFailure = (Monotonic.now(), failure) } }
            var e = failure
            e.context = context + " (connecting to \(settings.target.description))"
            throw e
        }
    }

    /// Gives up the borrowed, empty slot after the server refused a
    /// connection for its limit, when other connections are open (the
    /// caller then waits for one of them); false when none is (the caller
    /// gives the slot back and fails).
    private func retireSlot(_ failure: PGFailure) -> Bool {
        let first: Bool? = mutex.withLock {
            guard open > 0, !closed else { return nil }
            retired += 1
            lastRetirement = Monotonic.now()
            defer { warned = true }
            return !warned
        }
        guard let first else { return false }
        if first {
            warn("PostgreSQL refused a connection for its connection limit (\(failure.message)): this worker goes on with the connections it has (poolSize \(size)); lower poolSize or raise max_connections")
        }
        return true
    }

    private func giveBack(_ connection: PGConnection?) {
        var keep = connection
        if let c = connection, c.broken || c.conn == nil {
            c.close()
            keep = nil
        }
        mutex.lock()
        if connection != nil && keep == nil { open -= 1 }
        if closed {
            mutex.unlock()
            keep?.close()
            return
        }
        idle.append(keep)
        // A retired slot is tried again once in a while.
        let now = Monotonic.now()
        if retired > 0 && now - lastRetirement > Self.retiredSlotRetryNanos {
            retired -= 1
            lastRetirement = now
            idle.append(nil)
        }
        available.signal()
        mutex.unlock()
    }

    /// [shutdown] Closes every idle connection (all are idle by then).
    func close() {
        mutex.lock()
        closed = true
        let all = idle
        idle.removeAll()
        available.broadcast()
        mutex.unlock()
        for c in all { c?.close() }
    }
}
