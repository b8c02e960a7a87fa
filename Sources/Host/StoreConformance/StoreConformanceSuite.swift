// The store conformance suite: one set of cases, written against the store
// contract in proteus_plugin.h, that every store plugin must pass
// (`proteus check-store`). Cases are independent: each makes its own users,
// roles and groups with fresh random ids and names, so they run against a
// non-empty scratch database and in any order. They never assume a
// particular backend. Run it only against a scratch database: it writes.
//
// Where the header leaves room, the suite pins these rules down (they are
// part of the store contract):
//  - Records: an input record whose struct_size is below the ABI 2.0 size is
//    INVALID. Present-empty strings/bytes stay present-empty; absent stays
//    absent.
//  - user_create ignores the given version (stores 1); created_at 0 = now;
//    updated_at = now. Roles listed twice collapse to one. Documents with
//    absent json are skipped. A document namespace must be non-empty and
//    not "*" (INVALID); one namespace twice in one record is INVALID.
//  - user_update: fields with bits beyond PROTEUS_FIELD_LOGIN_AT are INVALID.
//    Every successful update (even fields == 0, even ACCESSED_AT alone) sets
//    version + 1 and updated_at = now. A failed update changes nothing, not
//    even the version.
//  - guard_role: GUARD exactly when the changed user was ENABLED and held the
//    role before the change, and no enabled user holds it afterwards.
//    Changing a disabled holder, or a user without the role, is never GUARD.
//  - Deleting a group ungroups its members and deleting a role removes it
//    from its holders; both count as an update of each affected user
//    (version + 1, updated_at = now).
//  - Missing user on session_create / apikey_create / identity_link: the
//    header allows NOT_FOUND or INVALID; the suite accepts both.
//  - session_delete, apikey_delete, identity_unlink, group_delete,
//    role_delete and user_delete of something missing are NOT_FOUND;
//    session_delete_user / apikey_delete_user of a user without any (or of
//    a missing user) are OK with a count of 0.
//  - apikey_get returns the record with last_used_at = now when it recorded
//    the use; apikey_list orders by created_at, then insertion order.
//  - apikey_presence and apikey_owner (2.1) are skipped for a store built
//    against 2.0. Whatever a store caches, a read after a write through the
//    same instance sees the write.
//  - user_search: username_contains matches UTF-8 bytes exactly (no case
//    folding, no normalisation, no wildcards); (flags & mask) == value is
//    taken literally; ORDER_USERNAME puts users without a username first
//    (then by id); offset beyond the total gives an empty page with the
//    right total; limit 0 counts only. Reads are snapshots: a record never
//    mixes two updates.
//  - Email lookups and filters, and username_folded (2.3), fold ASCII
//    letters only (Ä and ä differ); username_folded is not read from a
//    query whose struct_size ends before it.
//  - users_import takes version, created_at and updated_at as given; one
//    failing record fails the whole call and imports nothing. UPSERT
//    replaces every field, role and document of an existing id; a username
//    held by another id is CONFLICT.
//  - Counters: a live window's end never moves (not even for a hit with
//    another window_seconds); the first hit at or after the end starts a
//    new window at its weight; weight 0 reads (starting a window at 0 when
//    none is live); concurrent hits each see a distinct count.
//  - Plugin entries (2.3; skipped for an older store): created_at and
//    updated_at of the input are ignored; a refused put changes nothing;
//    the value is stored byte for byte, JSON or not; entry_get, entry_list
//    and entry_delete check namespace and key as entry_put does (INVALID).
//  - Audit log (2.5; skipped for an older store): ids are > 0 and grow in
//    append order; time 0 is the store's now; an absent address reads
//    back empty; a page exactly as long as the rest has next = 0; events
//    are no user's (deleting a user keeps them).
//  - Keyset paging and capped totals (2.6; skipped for an older store):
//    after_username pages in byte order and leaves the total alone; an
//    empty cursor starts before every present username; total_cap N
//    answers N with PROTEUS_PAGE_TOTAL_AT_LEAST as soon as N or more
//    match (exactly N included), the exact total below; a query whose
//    struct_size ends before them (2.5) leaves them unread.
//  - session_count_user (2.6; skipped for an older store) counts every
//    namespace, not sessions with expires_at <= now; 0 for a missing user.
//  - user_get_with_key_presence (2.7; skipped for an older store) reads
//    the user exactly as user_get does, whichever lookup and documents;
//    a search with key_presence (2.7) answers holds_key for every user of
//    the page as apikey_presence would, whichever plan finds the page, and
//    a query whose struct_size ends before key_presence gets none.
//  - user_get_cached (2.8; skipped for an older store) reads the user as
//    user_get_with_key_presence does (as user_get with holds_key NULL),
//    and a change, a key created or deleted, or a delete through the same
//    instance is seen by its next read, whatever it keeps in memory. (How
//    long another host's writes may take is the store's bound: the tests'
//    StoreAuthCacheTests.)
//  - Failure messages never contain password hashes, token or key hashes
//    (nor entry keys, which may be hashes).
import Glibc
import PluginAPI
import PluginKit

/// The outcome of one case.
struct StoreConformanceResult: Sendable {
    let name: String
    let passed: Bool
    /// Passed without running (e.g. the reopen case without a reopen closure).
    let skipped: Bool
    let message: String
    /// Seconds.
    let duration: Double
}

final class StoreConformanceSuite: @unchecked Sendable {
    struct Case {
        let name: String
        let summary: String
        let body: (StoreConformanceSuite) throws -> Void
    }

    let store: StoreBinding
    let host: UnsafePointer<proteus_host_api>
    let client: StoreClient
    /// Opens a second instance on the same database (for the persistence
    /// case); the suite destroys the instance it returns.
    let reopen: (() throws -> StoreBinding)?

    init(store: StoreBinding, host: UnsafePointer<proteus_host_api>, reopen: (() throws -> StoreBinding)? = nil) {
        self.store = store
        self.host = host
        self.client = StoreClient(store, host: host)
        self.reopen = reopen
    }

    /// Every case, in run order.
    static var cases: [Case] {
        var all: [Case] = []
        all += userCases
        all += guardCases
        all += documentCases
        all += groupRoleCases
        all += credentialCases
        all += authReadCases
        all += searchCases
        all += searchCountCases
        all += foldedSearchCases
        all += keysetSearchCases
        all += transferCases
        all += concurrencyCases
        all += counterCases
        all += entryCases
        all += auditCases
        all += persistenceCases
        return all
    }

    static var caseNames: [String] { cases.map(\.name) }

    /// Runs the cases whose name contains `filter` (all when nil), reporting
    /// each as it finishes. True when every case run passed.
    @discardableResult
    func run(filter: String? = nil, report: (StoreConformanceResult) -> Void) -> Bool {
        var allPassed = true
        for c in Self.cases where filter == nil || filter!.isEmpty || c.name.contains(filter!) {
            let result = run(c)
            if !result.passed { allPassed = false }
            report(result)
        }
        return allPassed
    }

    func run(_ c: Case) -> StoreConformanceResult {
        let start = Clock.monotonicNanos()
        var passed = true, skipped = false
        var message = "ok"
        do {
            try c.body(self)
        } catch let f as ConformanceFailure {
            passed = false
            message = f.message
        } catch let s as ConformanceSkip {
            skipped = true
            message = "skipped: " + s.reason
        } catch let f as PluginError {
            passed = false
            message = "unexpected store failure: \(f)"
        } catch {
            passed = false
            message = "unexpected error: \(error)"
        }
        let seconds = Double(Clock.monotonicNanos() - start) / 1e9
        return StoreConformanceResult(name: c.name, passed: passed, skipped: skipped, message: message, duration: seconds)
    }
}

// MARK: - expectations

struct ConformanceFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

struct ConformanceSkip: Error {
    let reason: String
}

func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw ConformanceFailure(message: message()) }
}

func expectEqual<T: Equatable>(_ actual: T, _ expected: T, _ what: @autoclosure () -> String) throws {
    if actual != expected { throw ConformanceFailure(message: "\(what()): expected \(expected), got \(actual)") }
}

/// Byte-exact string equality (Swift's == is canonical equivalence:
/// NFC and NFD forms compare equal there, never here).
func sameBytes(_ a: String?, _ b: String?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case let (x?, y?): return Array(x.utf8) == Array(y.utf8)
    default: return false
    }
}

func expectSame(_ actual: String?, _ expected: String?, _ what: @autoclosure () -> String) throws {
    if !sameBytes(actual, expected) {
        func show(_ s: String?) -> String { s.map { "\"\($0.count > 80 ? String($0.prefix(80)) + "…" : $0)\"" } ?? "absent" }
        throw ConformanceFailure(message: "\(what()): expected \(show(expected)), got \(show(actual))")
    }
}

/// The call must fail with one of `statuses`.
func expectStatus(_ what: @autoclosure () -> String, _ statuses: proteus_status..., body: () throws -> Void) throws {
    do {
        try body()
    } catch let f as PluginError {
        if statuses.contains(f.code) { return }
        throw ConformanceFailure(message: "\(what()): expected \(statuses.map { Status.name($0) }.joined(separator: " or ")), got \(f)")
    }
    throw ConformanceFailure(message: "\(what()): expected \(statuses.map { Status.name($0) }.joined(separator: " or ")), got ok")
}

/// Compares every field of two user records (documents as selected).
func expectUser(_ actual: UserRecord, _ expected: UserRecord, _ what: String, checkVersion: Bool = true, checkTimes: Bool = true) throws {
    try expectEqual(Hex.encode(actual.id), Hex.encode(expected.id), "\(what): id")
    try expectEqual(actual.flags, expected.flags, "\(what): flags")
    if checkVersion { try expectEqual(actual.version, expected.version, "\(what): version") }
    if checkTimes {
        try expectEqual(actual.createdAt, expected.createdAt, "\(what): created_at")
        try expectEqual(actual.accessedAt, expected.accessedAt, "\(what): accessed_at")
        try expectEqual(actual.loginAt, expected.loginAt, "\(what): login_at")
    }
    try expectSame(actual.username, expected.username, "\(what): username")
    try expectSame(actual.email, expected.email, "\(what): email")
    try expectSame(actual.displayName, expected.displayName, "\(what): display_name")
    try expectSame(actual.passwordHash, expected.passwordHash, "\(what): password_hash")
    try expectEqual(actual.mfaSecret, expected.mfaSecret, "\(what): mfa_secret")
    try expectEqual(actual.mfaLastStep, expected.mfaLastStep, "\(what): mfa_last_step")
    try expectEqual(actual.groupID.map { Hex.encode($0) }, expected.groupID.map { Hex.encode($0) }, "\(what): group")
    try expectEqual(Set(actual.roles), Set(expected.roles), "\(what): roles")
    try expectEqual(actual.roles.count, Set(actual.roles).count, "\(what): roles contain duplicates")
    let a = Dictionary(actual.documents.map { ($0.namespace, $0.json) }, uniquingKeysWith: { x, _ in x })
    let e = Dictionary(expected.documents.filter { $0.json != nil }.map { ($0.namespace, $0.json) }, uniquingKeysWith: { x, _ in x })
    try expectEqual(a.keys.sorted(), e.keys.sorted(), "\(what): document namespaces")
    for (ns, json) in e { try expectSame(a[ns] ?? nil, json, "\(what): document \(ns)") }
}

// MARK: - fixtures

extension StoreConformanceSuite {
    /// 16 random bytes in UUID v4 layout.
    func randomID() -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return proteus_id(randomBytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }).byteArray
    }

    func randomBytes(_ n: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<n).map { _ in UInt8.random(in: 0...255, using: &g) }
    }

    /// A random lowercase token, unique enough to isolate one case's data.
    func token(_ length: Int = 10) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var g = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &g)] })
    }

    /// A user with a fresh id and a unique username built from `name`.
    func newUser(_ name: String? = nil, roles: [String] = [], email: String? = nil) -> UserRecord {
        var u = UserRecord(id: randomID())
        u.username = name ?? "ct-\(token())"
        u.email = email
        u.roles = roles
        return u
    }

    /// Creates a user and returns it as stored.
    @discardableResult
    func createUser(_ u: UserRecord, docs: String? = "*") throws -> UserRecord {
        try client.createUser(u)
        return try client.getUser(id: u.id, docs: docs)
    }

    /// A fresh role slug, created.
    func newRole(_ hint: String = "role") throws -> String {
        let slug = "ct.\(hint).\(token(8))"
        try client.putRole(RoleRecord(slug: slug, name: "Conformance \(hint)", attributesJSON: "{\"color\":\"#123456\"}"))
        return slug
    }

    /// A fresh group, created.
    func newGroup() throws -> GroupRecord {
        var g = GroupRecord(id: randomID(), name: "ct-group-\(token())")
        g.description = "conformance group"
        g.policyJSON = "{\"models\":[\"a\",\"b\"]}"
        try client.createGroup(g)
        return try client.getGroup(g.id)
    }

    var now: Int64 { client.now }
}

// MARK: - threads

/// Runs `body(i)` on `count` threads released together; waits for all.
func runConcurrently(_ count: Int, _ body: @escaping (Int) -> Void) {
    final class Job: @unchecked Sendable {
        let body: (Int) -> Void
        let index: Int
        let barrier: UnsafeMutablePointer<pthread_barrier_t>
        init(_ body: @escaping (Int) -> Void, _ index: Int, _ barrier: UnsafeMutablePointer<pthread_barrier_t>) {
            self.body = body; self.index = index; self.barrier = barrier
        }
    }
    let barrier = UnsafeMutablePointer<pthread_barrier_t>.allocate(capacity: 1)
    pthread_barrier_init(barrier, nil, UInt32(count))
    defer { pthread_barrier_destroy(barrier); barrier.deallocate() }
    var threads: [pthread_t] = []
    for i in 0..<count {
        let job = Unmanaged.passRetained(Job(body, i, barrier)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { arg in
            guard let arg else { return nil }
            let job = Unmanaged<Job>.fromOpaque(arg).takeRetainedValue()
            pthread_barrier_wait(job.barrier)
            job.body(job.index)
            return nil
        }, job)
        precondition(rc == 0, "pthread_create failed")
        threads.append(thread)
    }
    for t in threads { pthread_join(t, nil) }
}

/// A value shared between threads under a lock.
final class Shared<T>: @unchecked Sendable {
    private var value: T
    private var mutex = pthread_mutex_t()
    init(_ value: T) { self.value = value; pthread_mutex_init(&mutex, nil) }
    func update<R>(_ body: (inout T) -> R) -> R {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        return body(&value)
    }
    var current: T { update { $0 } }
}
