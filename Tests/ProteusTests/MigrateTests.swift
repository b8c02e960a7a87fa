// `proteus migrate` and `proteus check-store` through the real binary.
import Foundation
import PluginAPI
import PluginKit
import XCTest
@testable import Host

final class MigrateTests: XCTestCase {
    /// A config file whose store is `store` (a {"plugin", "options"} object).
    static func writeConfig(_ dir: String, name: String, store: [String: Any]) throws -> String {
        let path = dir + "/\(name).json"
        let config: [String: Any] = ["dataDirectory": dir + "/data-\(name)", "store": store]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func sqliteStore(_ dir: String, _ name: String) -> [String: Any] {
        ["plugin": "sqlite", "options": ["path": dir + "/\(name).sqlite"]]
    }

    /// Fills a store with `count` users (documents, roles, groups, emails,
    /// unicode names), keys and identity links, through the store's bulk path.
    static func populate(configPath: String, users count: Int, prefix: String = "user") throws {
        let store = try HostAssembly.storeOnly(try ConfigurationLoader.load(path: configPath))
        defer { store.instance.destroy() }
        let client = StoreClient(store, host: store.instance.hostTable)
        _ = try client.putRole(RoleRecord(slug: "admin", name: "Administrator", attributesJSON: "{\"color\":\"#f00\"}"))
        _ = try client.putRole(RoleRecord(slug: "editor"))
        let group = GroupRecord(id: SecureRandom.bytes(16), name: "ops \(UUID().uuidString.prefix(4))")
        try client.createGroup(group)
        var batch: [UserRecord] = []
        var firstIDs: [[UInt8]] = []
        for i in 0..<count {
            var u = UserRecord(id: proteus_id(randomBytes: SecureRandom.bytes(16)).byteArray)
            u.version = UInt64(1 + i % 3)
            u.createdAt = 1_700_000_000_000 + Int64(i)
            u.updatedAt = u.createdAt + 5
            u.username = i % 5 == 0 ? nil : "\(prefix)-\(i)-ü"
            u.email = i % 2 == 0 ? "User\(i)@Example.org" : nil
            u.passwordHash = "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo\(i)"
            u.roles = i % 10 == 0 ? ["admin", "editor"] : (i % 3 == 0 ? ["editor"] : [])
            u.groupID = i % 7 == 0 ? group.id : nil
            u.documents = [DocumentRecord(namespace: "aiostreams", json: "{\"n\":\(i),\"s\":\"\u{1F600}\"}")]
            if i % 4 == 0 { u.documents.append(DocumentRecord(namespace: "mcsmanager", json: "{\"instances\":[]}")) }
            batch.append(u)
            if firstIDs.count < 10 { firstIDs.append(u.id) }
            if batch.count == 1000 || i == count - 1 {
                try client.importUsers(batch, mode: PROTEUS_IMPORT_INSERT)
                batch.removeAll(keepingCapacity: true)
            }
        }
        for (n, id) in firstIDs.enumerated() {
            var key = APIKeyRecord(keyHash: SecureRandom.bytes(32), userID: id, namespace: "mcsmanager")
            key.label = "key \(n)"
            try client.createKey(key)
            try client.link(IdentityRecord(provider: "https://issuer.example", subject: "sub-\(n)", userID: id))
        }
        // Plugin entries: a SCIM token's hash and a group's externalId.
        try client.putEntry(EntryRecord(namespace: "scim.tokens", key: Hex.encode(SecureRandom.bytes(32)), json: "{\"id\":\"1\",\"label\":\"okta\"}"), replace: true)
        try client.putEntry(EntryRecord(namespace: "scim.group-external-ids", key: Hex.encode(group.id), json: "\"ext-ops\""), replace: true)
        // The audit log: three events, the CLI's among them.
        try client.appendAudit(AuditEventRecord(actorName: "cli:root", source: "cli", action: "user.create", targetKind: "user",
                                                targetID: firstIDs.first, targetName: "\(prefix)-0", time: 1_700_000_000_001))
        try client.appendAudit(AuditEventRecord(actorID: firstIDs.last, actorName: "admin", source: "mcsmanager", address: "127.0.0.1",
                                                action: "user.disable", targetKind: "user", targetID: firstIDs.first, detailJSON: "{}",
                                                time: 1_700_000_000_002))
        try client.appendAudit(AuditEventRecord(actorName: "scim:okta", source: "scim", address: "::1", action: "group.create",
                                                targetKind: "group", targetID: group.id, targetName: group.name, time: 1_700_000_000_003))
    }

    /// Every audit event of a store, oldest first, without its id (a copy gets new ones).
    func auditLog(_ configPath: String) throws -> [String] {
        let store = try HostAssembly.storeOnly(try ConfigurationLoader.load(path: configPath))
        defer { store.instance.destroy() }
        return try StoreClient(store, host: store.instance.hostTable).listAudit(AuditQuery(limit: 1000)).events.reversed().map { e in
            var copy = e
            copy.id = 0
            return "\(copy)"
        }
    }

    /// Every plugin entry of a store, as "namespace key json".
    func entries(_ configPath: String) throws -> [String] {
        let store = try HostAssembly.storeOnly(try ConfigurationLoader.load(path: configPath))
        defer { store.instance.destroy() }
        return try StoreClient(store, host: store.instance.hostTable).listEntries(namespace: nil).map { "\($0.namespace) \($0.key) \($0.json)" }
    }

    func testMigrateSQLiteToSQLiteAndBackIsVerifiedAndIdempotent() throws {
        let dir = TemporaryDirectory.make("migrate")
        let a = try Self.writeConfig(dir, name: "a", store: Self.sqliteStore(dir, "a"))
        let b = try Self.writeConfig(dir, name: "b", store: Self.sqliteStore(dir, "b"))
        let c = try Self.writeConfig(dir, name: "c", store: Self.sqliteStore(dir, "c"))
        try Self.populate(configPath: a, users: 3000)
        try assertMigrates(from: a, to: b)
        try assertMigrates(from: a, to: b)   // re-run: nothing duplicated, still verified
        try assertMigrates(from: b, to: c)   // and onwards, identical checksum
        XCTAssertEqual(try checksum(a), try checksum(c))
        XCTAssertEqual(try entries(a).count, 2)
        XCTAssertEqual(try entries(c), try entries(a), "plugin entries (SCIM tokens) move too")
        XCTAssertEqual(try auditLog(a).count, 3)
        XCTAssertEqual(try auditLog(b), try auditLog(a), "the audit log moves once, oldest first, also when migrate runs again")
        XCTAssertEqual(try auditLog(c), try auditLog(a), "and onwards")
    }

    func testMigrateIntoANonEmptyStoreFailsVerification() throws {
        let dir = TemporaryDirectory.make("migrate-dirty")
        let a = try Self.writeConfig(dir, name: "a", store: Self.sqliteStore(dir, "a"))
        let b = try Self.writeConfig(dir, name: "b", store: Self.sqliteStore(dir, "b"))
        try Self.populate(configPath: a, users: 50)
        try Self.populate(configPath: b, users: 5, prefix: "other")
        let (status, output) = try ProteusProcess.run(["migrate", "--from", a, "--to", b])
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("VERIFICATION FAILED"), output)
        // A username held by a different user in the target stops the copy with a clear message.
        let c = try Self.writeConfig(dir, name: "c", store: Self.sqliteStore(dir, "c"))
        try Self.populate(configPath: c, users: 5)
        let clash = try ProteusProcess.run(["migrate", "--from", a, "--to", c])
        XCTAssertEqual(clash.status, 1, clash.output)
        XCTAssertTrue(clash.output.contains("already taken"), clash.output)
    }

    func testMigrateUsage() throws {
        XCTAssertEqual(try ProteusProcess.run(["migrate", "--from", "/x.json"]).status, 2)
        let missing = try ProteusProcess.run(["migrate", "--from", "/nonexistent-a.json", "--to", "/nonexistent-b.json"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.output.contains("/nonexistent-a.json"), missing.output)
        // A batch that is not a whole number from 1 to 100000 is refused by name, before any store is opened.
        for bad in ["0", "abc", "100001", "1.5"] {
            for command in [["migrate", "--from", "/nonexistent-a.json", "--to", "/nonexistent-b.json"],
                            ["generate-users", "--config", "/nonexistent-a.json", "--count", "10"],
                            ["import", "csv", "--from", "/nonexistent.csv", "--config", "/nonexistent-a.json"]] {
                let run = try ProteusProcess.run(command + ["--batch", bad])
                XCTAssertEqual(run.status, 2, "\(command[0]) --batch \(bad): \(run.output)")
                XCTAssertTrue(run.output.contains("--batch must be a whole number from 1 to 100000, not \"\(bad)\""), run.output)
            }
        }
        let count = try ProteusProcess.run(["generate-users", "--config", "/nonexistent-a.json", "--count", "ten"])
        XCTAssertEqual(count.status, 2, count.output)
        XCTAssertTrue(count.output.contains("--count must be a whole number from 1 to 100000000, not \"ten\""), count.output)
    }

    func testCheckStoreRunsTheSuiteOnAScratchDatabase() throws {
        let dir = TemporaryDirectory.make("check-store")
        let config = try Self.writeConfig(dir, name: "s", store: Self.sqliteStore(dir, "real"))
        let (status, output) = try ProteusProcess.run(["check-store", "--config", config])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("PASS users.create_get_roundtrip"), output)
        XCTAssertTrue(output.contains("PASS concurrency.same_username"), output)
        XCTAssertTrue(output.contains(" 0 failed"), output)
        XCTAssertFalse(output.contains("FAIL "), output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/real.sqlite"), "the configured database is not touched")
    }

    // MARK: helpers

    private func assertMigrates(from: String, to: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let (status, output) = try ProteusProcess.run(["migrate", "--from", from, "--to", to])
        XCTAssertEqual(status, 0, output, file: file, line: line)
        XCTAssertTrue(output.contains("verified: both stores hold the same content"), output, file: file, line: line)
    }

    private func checksum(_ configPath: String) throws -> String {
        let store = try HostAssembly.storeOnly(try ConfigurationLoader.load(path: configPath))
        defer { store.instance.destroy() }
        return try StoreChecksum.compute(StoreClient(store, host: store.instance.hostTable)).hex
    }
}

/// Moving a 100k-user directory from SQLite to PostgreSQL and back: identical
/// checksums on all three stores, and the migrated store serves sign-ins.
final class MigratePostgresTests: XCTestCase {
    func testMigrate100kUsersSQLiteToPostgresAndBack() throws {
        PostgresTestStore.prepare()
        let dir = TemporaryDirectory.make("migrate-pg")
        let sqliteA = try MigrateTests.writeConfig(dir, name: "a", store: MigrateTests.sqliteStore(dir, "a"))
        let postgres = try MigrateTests.writeConfig(dir, name: "pg", store: PostgresTestStore.config(directory: dir, prefix: "migrate_"))
        let sqliteB = try MigrateTests.writeConfig(dir, name: "b", store: MigrateTests.sqliteStore(dir, "b"))
        try MigrateTests.populate(configPath: sqliteA, users: 100_000)
        var sums: [String] = []
        for (from, to) in [(sqliteA, postgres), (postgres, sqliteB)] {
            let (status, output) = try ProteusProcess.run(["migrate", "--from", from, "--to", to, "--batch", "2000"])
            XCTAssertEqual(status, 0, output)
            XCTAssertTrue(output.contains("verified: both stores hold the same content"), output)
            XCTAssertTrue(output.contains("users: source 100000, target 100000"), output)
            // "checksum: source <hex>, target <hex>"
            let line = try XCTUnwrap(output.split(separator: "\n").first { $0.hasPrefix("checksum: source ") })
            sums += line.split(separator: " ").filter { $0.count >= 64 }.map { String($0.prefix(64)) }
        }
        XCTAssertEqual(sums.count, 4)
        XCTAssertEqual(Set(sums).count, 1, "checksums differ: \(sums)")
    }
}
