// The connections of one store: one writer behind a mutex (every write and
// read-modify-write transaction) and a pool of WAL readers that run
// concurrently with it and with each other.
import Glibc
import PluginKit

final class ConnectionPool: @unchecked Sendable {
    private let writer: Connection
    private let writerLock = PluginMutex()
    private var idle: [Connection]
    private let all: [Connection]
    private let readersLock = PluginMutex()
    private let readerAvailable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var closed = false

    init(writer: Connection, readers: [Connection]) {
        self.writer = writer
        self.idle = readers
        self.all = readers
        pthread_cond_init(readerAvailable, nil)
    }

    deinit {
        pthread_cond_destroy(readerAvailable)
        readerAvailable.deallocate()
    }

    /// Runs `body` holding the writer (no transaction opened).
    func withWriter<R>(_ body: (Connection) throws -> R) rethrows -> R {
        writerLock.lock(); defer { writerLock.unlock() }
        return try body(writer)
    }

    /// Runs `body` holding the writer if it becomes free within the timeout.
    func tryWithWriter<R>(timeoutMs: Int, _ body: (Connection) throws -> R) rethrows -> R? {
        guard writerLock.lock(timeoutMs: timeoutMs) else { return nil }
        defer { writerLock.unlock() }
        return try body(writer)
    }

    /// Runs `body` inside BEGIN IMMEDIATE ... COMMIT on the writer.
    func write<R>(_ context: String, _ body: (Connection) throws -> R) throws -> R {
        try withWriter { c in try c.transaction(immediate: true, context) { try body(c) } }
    }

    /// Runs `body` inside a read transaction (one consistent snapshot) on an
    /// idle reader, waiting for one when all are busy.
    func read<R>(_ context: String, _ body: (Connection) throws -> R) throws -> R {
        readersLock.lock()
        while idle.isEmpty { pthread_cond_wait(readerAvailable, readersLock.mutex) }
        let c = idle.removeLast()
        readersLock.unlock()
        defer {
            readersLock.lock()
            idle.append(c)
            pthread_cond_signal(readerAvailable)
            readersLock.unlock()
        }
        return try c.transaction(immediate: false, context) { try body(c) }
    }

    /// [shutdown] Closes readers, then the writer (the last connection to
    /// close checkpoints the WAL into the database file).
    func close() {
        guard !closed else { return }
        closed = true
        for c in all { c.close() }
        writerLock.withLock {
            try? writer.execute("PRAGMA wal_checkpoint(TRUNCATE)", "checkpointing")
            writer.close()
        }
    }
}
