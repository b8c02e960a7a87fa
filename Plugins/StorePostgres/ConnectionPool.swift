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

    init(settings: ConnectSettings, size: Int) {
        self.settings = settings
        self.size = size
        self.idle = Array(repeating: nil, count: size)
    }

    /// Runs `body` on a healthy connection. Waits up to the statement
    /// timeout for a free slot; UNAVAILABLE when none frees up or the
    /// server cannot be reached.
    func withConnection<R>(_ context: String, _ body: (PGConnection) throws -> R) throws -> R {
        var connection = try borrow(context)
        defer { giveBack(connection) }
        if let c = connection, !c.isHealthy {
            c.close()
            connection = nil
        }
        if connection == nil { connection = try connect(context) }
        return try body(connection!)
    }

    /// A slot, within the statement timeout.
    private func borrow(_ context: String) throws -> PGConnection? {
        mutex.lock()
        defer { mutex.unlock() }
        let deadline = PluginMutex.deadline(afterMs: settings.statementTimeoutMs)
        while idle.isEmpty && !closed {
            if !available.wait(mutex, until: deadline) && idle.isEmpty {
                throw PGFailure(kind: .pool, message: "all \(size) PostgreSQL connections stayed busy for \(settings.statementTimeoutMs) ms", context: context)
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
            mutex.withLock { lastConnectFailure = nil }
            return c
        } catch let failure as PGFailure {
            mutex.withLock { lastConnectFailure = (Monotonic.now(), failure) }
            var e = failure
            e.context = context + " (connecting to \(settings.target.description))"
            throw e
        }
    }

    private func giveBack(_ connection: PGConnection?) {
        var keep = connection
        if let c = connection, c.broken || c.conn == nil {
            c.close()
            keep = nil
        }
        mutex.lock()
        if closed {
            mutex.unlock()
            keep?.close()
            return
        }
        idle.append(keep)
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
