// The stores' auth cache (StoreCore's AuthCache) between store instances on
// one database. Instances of one host (one HostRuntime, one change counter)
// stand for its workers: a key revoked, a session ended or a user banned
// (or changed, for user_get_cached) through one is never answered from
// another's memory afterwards. Instances
// of two hosts: at most authCacheMs longer. Run on SQLite here and on
// PostgreSQL by the subclass.
import Glibc
import PluginAPI
import PluginKit
import XCTest
@testable import Host

class StoreAuthCacheTests: XCTestCase {
    private var path = ""

    override func setUpWithError() throws {
        path = SQLiteStoreFixture.makeTempDirectory("authcache") + "/db.sqlite"
    }

    override class func tearDown() {
        SQLiteStoreFixture.cleanUp()
        super.tearDown()
    }

    /// The hosts of this test, by number (each its own change counter).
    private var hosts: [Int: HostRuntime] = [:]

    func host(_ number: Int) throws -> HostRuntime {
        if let runtime = hosts[number] { return runtime }
        let runtime = HostRuntime(dataDirectory: SQLiteStoreFixture.makeTempDirectory("authcache-host"), secretKey: [UInt8](repeating: 7, count: 32),
                                  rateLimiter: try RateLimiter(), changeCounter: try ChangeCounter())
        hosts[number] = runtime
        return runtime
    }

    /// An instance on this test's database, in host `host` (nil: the default bound).
    func openStore(authCacheMs: Int?, host number: Int) throws -> StoreBinding {
        try SQLiteStoreFixture.open(path: path, extra: authCacheMs.map { "\"authCacheMs\":\($0)" } ?? "", runtime: try host(number))
    }

    /// The message of a store refused for its options.
    func refusal(authCacheMs: String) -> String? {
        SQLiteStoreFixture.refusal(options: SQLiteStoreFixture.optionsJSON(path: path, extra: "\"authCacheMs\":\(authCacheMs)"))
    }

    private func client(_ store: StoreBinding) -> StoreClient {
        StoreClient(store, host: UnsafePointer(store.instance.hostTable))
    }

    private struct Credentials {
        var user: UserRecord
        /// Revoked in the tests.
        var key: APIKeyRecord
        /// Kept: its owner is banned in the tests.
        var ownerKey: APIKeyRecord
        var session: SessionRecord
    }

    private func makeCredentials(_ c: StoreClient) throws -> Credentials {
        var user = UserRecord(id: PostgresStoreFixture.randomID())
        user.username = "cache-\(UInt32.random(in: 0...UInt32.max))"
        try c.createUser(user)
        let key = APIKeyRecord(keyHash: (0..<32).map { _ in UInt8.random(in: 0...255) }, userID: user.id, namespace: "t")
        let ownerKey = APIKeyRecord(keyHash: (0..<32).map { _ in UInt8.random(in: 0...255) }, userID: user.id, namespace: "t")
        let session = SessionRecord(tokenHash: (0..<32).map { _ in UInt8.random(in: 0...255) }, userID: user.id, namespace: "t")
        try c.createKey(key)
        try c.createKey(ownerKey)
        try c.createSession(session)
        return Credentials(user: user, key: key, ownerKey: ownerKey, session: session)
    }

    /// What `c` answers for the credentials: whether the key and the
    /// session are still found, whether the key owner is banned, and
    /// whether the user shown (user_get_cached) is.
    private struct Answers: Equatable {
        var keyFound: Bool
        var ownerOfKeyFound: Bool
        var sessionFound: Bool
        var ownerBanned: Bool
        var shownBanned: Bool
    }

    private func answers(_ c: StoreClient, _ cred: Credentials) throws -> Answers {
        func found(_ body: () throws -> Void) throws -> Bool {
            do { try body(); return true } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND { return false }
        }
        let now = c.now
        return Answers(keyFound: try found { _ = try c.getKey(cred.key.keyHash, now: now) },
                       ownerOfKeyFound: try found { _ = try c.getKeyOwner(cred.key.keyHash, now: now, docs: nil) },
                       sessionFound: try found { _ = try c.getSession(cred.session.tokenHash, now: now) },
                       ownerBanned: try c.getKeyOwner(cred.ownerKey.keyHash, now: now, docs: nil).user.isDisabled,
                       shownBanned: try shown(c, cred.user.id).user.isDisabled)
    }

    /// user_get_cached by id with the key presence of namespace "t" (no fallback).
    private func shown(_ c: StoreClient, _ id: [UInt8]) throws -> (user: UserRecord, holdsKey: Bool) {
        guard c.has(\.user_get_cached) else { throw TestFailure("the store has no user_get_cached") }
        var key = proteus_user_key()
        key.by = PROTEUS_LOOKUP_ID
        key.id = proteus_id(byteArray: id)
        return try c.getUserCached(key, docs: nil, presence: true, keyNS: "t")
    }

    private static let live = Answers(keyFound: true, ownerOfKeyFound: true, sessionFound: true, ownerBanned: false, shownBanned: false)
    private static let revoked = Answers(keyFound: false, ownerOfKeyFound: false, sessionFound: false, ownerBanned: true, shownBanned: true)

    /// Revokes the key, ends the session and bans the user through `c`.
    private func revoke(_ c: StoreClient, _ cred: Credentials) throws {
        try c.deleteKey(cred.key.keyHash)
        try c.deleteSession(cred.session.tokenHash)
        var ban = UserRecord(id: cred.user.id)
        ban.flags = PROTEUS_USER_DISABLED
        try c.updateUser(ban, fields: PROTEUS_FIELD_FLAGS)
    }

    private static func monotonicMillis() -> Int64 { Int64(AuthCacheClock.nanos() / 1_000_000) }

    /// Instance A may answer from memory until the bound has passed since
    /// B's revocations through another host, never after it: 200 ms, and
    /// the default (1000 ms).
    func testRevocationsThroughAnotherHostEndWithinTheBound() throws {
        for configured in [200, nil] as [Int?] {
            try revocationsThroughAnotherHost(configured: configured)
        }
    }

    private func revocationsThroughAnotherHost(configured: Int?) throws {
        let bound = configured ?? 1000
        let a = try openStore(authCacheMs: configured, host: 1), b = try openStore(authCacheMs: configured, host: 2)
        defer { a.instance.destroy(); b.instance.destroy() }
        let ca = client(a), cb = client(b)
        let cred = try makeCredentials(cb)
        XCTAssertEqual(try answers(ca, cred), Self.live)
        try revoke(cb, cred)
        let revokedAt = Self.monotonicMillis()
        XCTAssertEqual(try answers(cb, cred), Self.revoked, "the revoking instance sees its writes at once")
        // Poll A: it may still answer from memory for up to the bound.
        let deadline = revokedAt + Int64(bound) + 100
        var seen = try answers(ca, cred)
        while seen != Self.revoked && Self.monotonicMillis() < deadline {
            usleep(20_000)
            seen = try answers(ca, cred)
        }
        while Self.monotonicMillis() < deadline { usleep(10_000) }
        XCTAssertEqual(try answers(ca, cred), Self.revoked, "after the bound (\(bound) ms) and a margin, another host's instance still answered from memory")
    }

    /// Workers of one host share the change counter: B's revocations are
    /// seen by A's very next read, whatever the bound.
    func testRevocationsThroughAnotherWorkerAreSeenAtOnce() throws {
        let a = try openStore(authCacheMs: 60_000, host: 1), b = try openStore(authCacheMs: 60_000, host: 1)
        defer { a.instance.destroy(); b.instance.destroy() }
        let ca = client(a), cb = client(b)
        let cred = try makeCredentials(cb)
        XCTAssertEqual(try answers(ca, cred), Self.live)
        XCTAssertEqual(try answers(ca, cred), Self.live, "answered from memory")
        try revoke(cb, cred)
        XCTAssertEqual(try answers(ca, cred), Self.revoked, "a worker answered from memory after another worker's revocations")
        // And with the default bound.
        let c = try openStore(authCacheMs: nil, host: 1)
        defer { c.instance.destroy() }
        let other = try makeCredentials(cb)
        XCTAssertEqual(try answers(client(c), other), Self.live)
        try revoke(cb, other)
        XCTAssertEqual(try answers(client(c), other), Self.revoked)
    }

    /// With a long bound, A's answers come from memory (B's revocations
    /// through another host are not seen) until A itself writes: then they
    /// are read again at once.
    func testAnswersComeFromMemoryUntilThisInstanceWrites() throws {
        let a = try openStore(authCacheMs: 60_000, host: 1), b = try openStore(authCacheMs: 60_000, host: 2)
        defer { a.instance.destroy(); b.instance.destroy() }
        let ca = client(a), cb = client(b)
        let cred = try makeCredentials(cb)
        XCTAssertEqual(try answers(ca, cred), Self.live)
        try revoke(cb, cred)
        XCTAssertEqual(try answers(ca, cred), Self.live, "within the bound, answers come from the instance's memory")
        var unrelated = UserRecord(id: PostgresStoreFixture.randomID())
        unrelated.username = "unrelated-\(UInt32.random(in: 0...UInt32.max))"
        try ca.createUser(unrelated)
        XCTAssertEqual(try answers(ca, cred), Self.revoked, "a write through the instance clears its memory")
    }

    /// Revocations through the same instance are seen by its next read,
    /// whatever the bound.
    func testRevocationsThroughTheSameInstanceAreSeenAtOnce() throws {
        let a = try openStore(authCacheMs: 60_000, host: 1)
        defer { a.instance.destroy() }
        let ca = client(a)
        let cred = try makeCredentials(ca)
        XCTAssertEqual(try answers(ca, cred), Self.live)
        try revoke(ca, cred)
        XCTAssertEqual(try answers(ca, cred), Self.revoked)

        let other = try makeCredentials(ca)
        XCTAssertEqual(try answers(ca, other), Self.live)
        XCTAssertEqual(try ca.deleteKeys(user: other.user.id, ns: "t"), 2)
        XCTAssertEqual(try ca.deleteSessions(user: other.user.id, ns: nil), 1)
        XCTAssertThrowsError(try ca.getKeyOwner(other.key.keyHash, now: ca.now, docs: nil))
        XCTAssertThrowsError(try ca.getKey(other.ownerKey.keyHash, now: ca.now))
        XCTAssertThrowsError(try ca.getSession(other.session.tokenHash, now: ca.now))
    }

    /// A shown user's key presence follows key writes through any worker of
    /// the host at once: a key created (which keeps the other cached
    /// answers) or deleted.
    func testShownKeyPresenceFollowsKeyWritesOfTheHostAtOnce() throws {
        let a = try openStore(authCacheMs: 60_000, host: 1), b = try openStore(authCacheMs: 60_000, host: 1)
        defer { a.instance.destroy(); b.instance.destroy() }
        let ca = client(a), cb = client(b)
        var user = UserRecord(id: PostgresStoreFixture.randomID())
        user.username = "shown-\(UInt32.random(in: 0...UInt32.max))"
        try cb.createUser(user)
        XCTAssertFalse(try shown(ca, user.id).holdsKey)
        XCTAssertFalse(try shown(ca, user.id).holdsKey, "answered from memory")
        let key = APIKeyRecord(keyHash: (0..<32).map { _ in UInt8.random(in: 0...255) }, userID: user.id, namespace: "t")
        try cb.createKey(key)
        XCTAssertTrue(try shown(ca, user.id).holdsKey, "a key created through another worker was not seen at once")
        try cb.deleteKey(key.keyHash)
        XCTAssertFalse(try shown(ca, user.id).holdsKey, "a key deleted through another worker was not seen at once")
        // A user renamed through another worker is shown renamed.
        var renamed = UserRecord(id: user.id)
        renamed.username = user.username! + "-2"
        try cb.updateUser(renamed, fields: PROTEUS_FIELD_USERNAME)
        XCTAssertEqual(try shown(ca, user.id).user.username, renamed.username)
        // A user deleted through another worker is not found.
        try cb.deleteUser(user.id)
        XCTAssertThrowsError(try shown(ca, user.id)) { XCTAssertEqual(($0 as? PluginError)?.code, PROTEUS_E_NOT_FOUND) }
    }

    /// authCacheMs 0: every read goes to the database, even across hosts.
    func testZeroTurnsTheCacheOff() throws {
        let a = try openStore(authCacheMs: 0, host: 1), b = try openStore(authCacheMs: 0, host: 2)
        defer { a.instance.destroy(); b.instance.destroy() }
        let ca = client(a), cb = client(b)
        let cred = try makeCredentials(cb)
        XCTAssertEqual(try answers(ca, cred), Self.live)
        try revoke(cb, cred)
        XCTAssertEqual(try answers(ca, cred), Self.revoked)
    }

    func testAuthCacheOptionIsChecked() throws {
        for bad in ["-1", "60001", "\"1000\"", "1.5"] {
            let message = try XCTUnwrap(refusal(authCacheMs: bad), "authCacheMs \(bad) was accepted")
            XCTAssertTrue(message.contains("authCacheMs"), message)
        }
        XCTAssertNil(refusal(authCacheMs: "0"))
        XCTAssertNil(refusal(authCacheMs: "60000"))
    }
}

/// The monotonic clock the cache's bound is measured on.
enum AuthCacheClock {
    static func nanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// The same on PostgreSQL: two instances on one schema.
final class StoreAuthCachePostgresTests: StoreAuthCacheTests {
    private var schema = ""

    override func setUpWithError() throws {
        schema = PostgresServer.freshSchema("authcache")
    }

    override func openStore(authCacheMs: Int?, host number: Int) throws -> StoreBinding {
        try PostgresStoreFixture.open(schema: schema, extra: authCacheMs.map { ["authCacheMs": $0] } ?? [:], runtime: try host(number))
    }

    override func refusal(authCacheMs: String) -> String? {
        guard let url = try? PostgresServer.testDatabaseURL() else { return "no test database" }
        let options = PostgresServer.options(url: url, schema: schema)
        return PostgresStoreFixture.refusal(options: String(options.dropLast()) + ",\"authCacheMs\":\(authCacheMs)}")
    }

    override func testRevocationsThroughAnotherHostEndWithinTheBound() throws { try super.testRevocationsThroughAnotherHostEndWithinTheBound() }
    override func testRevocationsThroughAnotherWorkerAreSeenAtOnce() throws { try super.testRevocationsThroughAnotherWorkerAreSeenAtOnce() }
    override func testAnswersComeFromMemoryUntilThisInstanceWrites() throws { try super.testAnswersComeFromMemoryUntilThisInstanceWrites() }
    override func testRevocationsThroughTheSameInstanceAreSeenAtOnce() throws { try super.testRevocationsThroughTheSameInstanceAreSeenAtOnce() }
    override func testZeroTurnsTheCacheOff() throws { try super.testZeroTurnsTheCacheOff() }
    override func testShownKeyPresenceFollowsKeyWritesOfTheHostAtOnce() throws { try super.testShownKeyPresenceFollowsKeyWritesOfTheHostAtOnce() }
    override func testAuthCacheOptionIsChecked() throws { try super.testAuthCacheOptionIsChecked() }
}
