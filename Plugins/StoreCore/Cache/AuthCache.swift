// What one store instance (one worker process) remembers of the reads that
// authenticate a request — API keys, their owners, sessions — and of the
// users it shows (user_get_cached, a point read), for at most `lifetime`,
// so a busy client does not cost a database round trip per request.
//   - Writes through this instance clear everything at once (`invalidate`)
//     and bump the host's change counter (host->change_counter, shared by
//     every worker of the host); an instance that sees the counter move
//     clears everything before its next answer. So within one host a key
//     revoked, a session ended or a user banned is never answered from
//     memory after the write returned.
//   - Across hosts on one database only the bound holds: such a change made
//     through another host is no longer answered from here once `lifetime`
//     has passed since the read that filled the entry began.
//   - A read that began before a write (here or in another worker) never
//     fills an entry: the generation it started in is over.
import Glibc
import PluginKit

final class AuthCache: @unchecked Sendable {
    /// Where an owner lookup's answer depends on its document selection.
    struct OwnerKey: Hashable {
        let keyHash: [UInt8]
        let documents: DocumentsKey
    }

    enum DocumentsKey: Hashable {
        case none, all, one([UInt8])
    }

    struct Owner {
        var key: APIKeyRecord
        var user: UserRecord
    }

    /// Where a shown user's answer (user_get_cached) depends on its
    /// document selection and the key presence asked.
    struct ShownUserKey: Hashable {
        let id: [UInt8]
        let documents: DocumentsKey
        let keyPresence: KeyPresenceKey
    }

    enum KeyPresenceKey: Hashable {
        case notAsked, any, one([UInt8])
    }

    struct ShownUser {
        var user: UserRecord
        var holdsKey: Bool
    }

    /// Taken before a read of the database; its answer is kept only under
    /// the same generation, and expires `lifetime` after `startedAt`.
    struct Ticket {
        fileprivate let generation: UInt64
        fileprivate let startedAt: UInt64
    }

    /// Entries per kind at most (keys, owners, sessions, shown users); a
    /// full table is first rid of expired entries, then emptied. Only
    /// answers the database gave are kept (never a NOT_FOUND), so filling
    /// it takes that many valid credentials (or existing users).
    static let capacity = 4096

    /// 0: nothing is kept, every call reads the database.
    let lifetimeNanos: UInt64
    var isEnabled: Bool { lifetimeNanos > 0 }

    private let lock = PluginMutex()
    /// Local: changes whenever the entries are cleared.
    private var generation: UInt64 = 0
    /// host->change_counter (nil on a host without it: then only writes
    /// through this instance clear it) and the value last seen.
    private let changeCounter: ((Bool) -> UInt64)?
    private var seenChanges: UInt64 = 0
    private var keys = ExpiringTable<[UInt8], APIKeyRecord>()
    private var owners = ExpiringTable<OwnerKey, Owner>()
    private var sessions = ExpiringTable<[UInt8], SessionRecord>()
    private var shownUsers = ExpiringTable<ShownUserKey, ShownUser>()

    init(lifetimeMillis: Int, changeCounter: ((Bool) -> UInt64)?) {
        lifetimeNanos = UInt64(max(lifetimeMillis, 0)) * 1_000_000
        self.changeCounter = changeCounter
        seenChanges = changeCounter?(false) ?? 0
    }

    /// Clears the entries when another worker wrote since the last look.
    /// Called with the lock held.
    private func followHostChanges() {
        guard let changeCounter else { return }
        let now = changeCounter(false)
        guard now != seenChanges else { return }
        seenChanges = now
        clear()
    }

    /// Called with the lock held.
    private func clear() {
        generation &+= 1
        keys.removeAll()
        owners.removeAll()
        sessions.removeAll()
        shownUsers.removeAll()
    }

    // MARK: reading
    // One function per table, not a generic one over key paths: a generic
    // lookup through ReferenceWritableKeyPath cost the cached point read
    // about 30 % (SQLite, 200,000 users: 37-39k against 51-57k requests/s).

    func key(_ hash: [UInt8]) -> APIKeyRecord? {
        guard isEnabled else { return nil }
        let now = Self.monotonicNanos()
        return lock.withLock {
            followHostChanges()
            return keys.value(hash, at: now)
        }
    }

    func owner(_ key: OwnerKey) -> Owner? {
        guard isEnabled else { return nil }
        let now = Self.monotonicNanos()
        return lock.withLock {
            followHostChanges()
            return owners.value(key, at: now)
        }
    }

    func session(_ hash: [UInt8]) -> SessionRecord? {
        guard isEnabled else { return nil }
        let now = Self.monotonicNanos()
        return lock.withLock {
            followHostChanges()
            return sessions.value(hash, at: now)
        }
    }

    func shownUser(_ key: ShownUserKey) -> ShownUser? {
        guard isEnabled else { return nil }
        let now = Self.monotonicNanos()
        return lock.withLock {
            followHostChanges()
            return shownUsers.value(key, at: now)
        }
    }

    // MARK: filling

    /// Take one before reading what `keep` will be given.
    func ticket() -> Ticket? {
        guard isEnabled else { return nil }
        let now = Self.monotonicNanos()
        return lock.withLock {
            followHostChanges()
            return Ticket(generation: generation, startedAt: now)
        }
    }

    func keep(_ record: APIKeyRecord, for hash: [UInt8], _ ticket: Ticket?) {
        fill(ticket) { keys.put(hash, record, expiresAt: $0) }
    }

    func keep(_ owner: Owner, for key: OwnerKey, _ ticket: Ticket?) {
        fill(ticket) { owners.put(key, owner, expiresAt: $0) }
    }

    func keep(_ record: SessionRecord, for hash: [UInt8], _ ticket: Ticket?) {
        fill(ticket) { sessions.put(hash, record, expiresAt: $0) }
    }

    func keep(_ shown: ShownUser, for key: ShownUserKey, _ ticket: Ticket?) {
        fill(ticket) { shownUsers.put(key, shown, expiresAt: $0) }
    }

    private func fill(_ ticket: Ticket?, _ put: (UInt64) -> Void) {
        guard let ticket else { return }
        lock.withLock {
            // A write ran since the read began: its answer may predate it.
            followHostChanges()
            guard ticket.generation == generation else { return }
            put(ticket.startedAt &+ lifetimeNanos)
        }
    }

    // MARK: writes

    /// Forgets everything, here and (through the host's change counter) in
    /// every worker of the host: a write through this instance may have
    /// changed any answer. Called after the write (committed or not),
    /// before its call returns; with the cache off too, since other
    /// workers' caches must hear of it all the same.
    func invalidate() {
        let changes = changeCounter?(true)
        guard isEnabled else { return }
        lock.withLock {
            if let changes { seenChanges = changes }
            clear()
        }
    }

    static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// A dictionary whose entries expire, bounded to AuthCache.capacity.
/// Not locked: AuthCache holds its lock around every use.
struct ExpiringTable<Key: Hashable, Value> {
    private var entries: [Key: (value: Value, expiresAt: UInt64)] = [:]

    mutating func value(_ key: Key, at now: UInt64) -> Value? {
        guard let entry = entries[key] else { return nil }
        guard now < entry.expiresAt else {
            entries[key] = nil
            return nil
        }
        return entry.value
    }

    mutating func put(_ key: Key, _ value: Value, expiresAt: UInt64) {
        if entries.count >= AuthCache.capacity && entries[key] == nil {
            let now = AuthCache.monotonicNanos()
            entries = entries.filter { now < $0.value.expiresAt }
            if entries.count >= AuthCache.capacity { entries.removeAll(keepingCapacity: true) }
        }
        entries[key] = (value, expiresAt)
    }

    mutating func removeAll() {
        if !entries.isEmpty { entries.removeAll(keepingCapacity: true) }
    }
}
