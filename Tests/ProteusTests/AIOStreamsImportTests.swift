// `proteus import aiostreams --from PATH_OR_URL`: an original AIOStreams
// database made in the test the way the original writes it
// (Tests/Fixtures/AIOStreams/original_db.py: bcrypt hashes, configs
// encrypted with PBKDF2-SHA512(password:SECRET_KEY) + AES-256-CBC + zlib),
// imported; users sign in with their original passwords, which opens their
// configs and upgrades the hashes to argon2id; re-runs change nothing;
// malformed rows are skipped by position; SQLite and PostgreSQL sources.
import Foundation
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest
@testable import Host

class AIOStreamsImportTests: XCTestCase {
    static let secretKey = "0F1E2D3C4B5A69788796A5B4C3D2E1F00f1e2d3c4b5a69788796a5b4c3d2e1f0"
    static let alice = "3f0b6a62-5a2c-4d0e-9a7e-0c6f1d2b9e11"
    static let bob = "b2c4e6f8-1a3b-4c5d-8e9f-0a1b2c3d4e5f"
    static let carol = "c0ffee00-1234-4abc-9def-00112233aabb"
    static let aliceConfig: JSONValue = ["addons": [["id": "torrentio", "enabled": true]], "theme": "dark", "sortCriteria": ["global": ["quality"]]]
    static let bobConfig: JSONValue = ["addons": [], "language": "fr"]
    static let carolConfig: JSONValue = ["addons": [["id": "comet"]]]

    static var python: String { CPluginBuilder.repositoryRoot + "/.build/tools/python/bin/python" }
    static var fixtureScript: String { CPluginBuilder.repositoryRoot + "/Tests/Fixtures/AIOStreams/original_db.py" }

    /// The rows: three users and four malformed rows (rowids 4-7).
    static func rows(alicePassword: String = "hunter22", aliceConfig: JSONValue = aliceConfig) -> [JSONValue] {
        [
            ["uuid": .string(alice), "password": .string(alicePassword), "config": aliceConfig, "created_at": "2024-05-01 10:20:30", "accessed_at": "2024-06-01 00:00:00"],
            ["uuid": .string(bob), "password": "B0bsPassword", "config": bobConfig, "created_at": "2023-12-31 23:59:59"],
            ["uuid": .string(carol), "password": "carol-pass", "config": carolConfig],
            ["raw": ["uuid": "not-a-uuid", "password_hash": "$2b$10$abcdefghijklmnopqrstuuzKLaYGYNz1NPo5cy8HNLkTxBHF3QJ9m", "config": "eyJ9", "config_salt": "x"]],
            ["raw": ["uuid": "d1d1d1d1-0000-4000-8000-000000000004", "password_hash": "plaintext-password", "config": "eyJ9", "config_salt": "x"]],
            ["raw": ["uuid": "d1d1d1d1-0000-4000-8000-000000000005", "password_hash": "$2b$10$abcdefghijklmnopqrstuuzKLaYGYNz1NPo5cy8HNLkTxBHF3QJ9m", "config": "not encrypted", "config_salt": "x"]],
            ["raw": ["uuid": "d1d1d1d1-0000-4000-8000-000000000006", "password_hash": "$2b$10$abcdefghijklmnopqrstuuzKLaYGYNz1NPo5cy8HNLkTxBHF3QJ9m",
                     "config": "eyJpIjoiQUFBQUFBQUFBQUFBQUFBQUFBQUFBQT09IiwiZSI6IkFBQUFBQUFBQUFBQUFBQUFBQUFBQUE9PSIsInQiOiJhIn0", "config_salt": "x", "created_at": "yesterday"]],
        ]
    }

    /// Runs the fixture maker: a SQLite file at `path`, or (path nil) the SQL
    /// text for psql.
    static func makeOriginal(_ rows: [JSONValue], sqlite path: String?) throws -> String {
        let spec = JSONValue.object(["secretKey": .string(secretKey), "rows": .array(rows)]).serialized()
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TestFailure("\(python) is missing: scripts/test installs it (python3-venv + cryptography, scripts/lib/python-tools.sh)")
        }
        let arguments = path.map { [fixtureScript, "--sqlite", $0] } ?? [fixtureScript, "--sql"]
        let r = try runToolSeparately(python, arguments, input: spec)
        guard r.status == 0 else { throw TestFailure("original_db.py failed (\(r.status)): \(r.stderr)") }
        return r.stdout
    }

    /// Proteus with the aiostreams dialect (and the original's SECRET_KEY unless `secretKey` is false).
    static func config(directory: String, secretKey: Bool = true) -> [String: Any] {
        var options: [String: Any] = ["rateLimit": false]
        if secretKey { options["importedSecretKey"] = Self.secretKey }
        return AIOStreamsTests.config(directory: directory, aiostreamsOptions: options)
    }

    static func writeConfig(_ config: [String: Any], _ path: String) throws {
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
    }

    static func importOriginal(_ source: String, config: String) throws -> (Int32, String) {
        try ProteusProcess.run(["import", "aiostreams", "--from", source, "--config", config])
    }

    static func get(_ client: APIClient, _ uuid: String, _ password: String) throws -> APIResponse {
        try client.request("GET", "/api/v1/user", headers: [APIClient.basic(uuid, password)])
    }

    static func record(_ server: ProteusProcess, _ uuid: String) throws -> UserRecord {
        let (store, binding) = try MCSM.store(server)
        defer { binding.instance.destroy() }
        return try store.getUser(id: proteus_id(dashedUUID: uuid)!.byteArray, docs: "*")
    }

    func testImportSQLiteThenSignInOpensConfigs() throws {
        let dir = TemporaryDirectory.make("aio-import")
        let source = dir + "/original/db.sqlite"
        try FileManager.default.createDirectory(atPath: dir + "/original", withIntermediateDirectories: true)
        _ = try Self.makeOriginal(Self.rows(), sqlite: source)
        let configPath = dir + "/config.json"
        try Self.writeConfig(Self.config(directory: dir), configPath)
        let sourceBefore = try Data(contentsOf: URL(fileURLWithPath: source))

        // A dry run counts the same and writes nothing.
        let dry = try ProteusProcess.run(["import", "aiostreams", "--from", source, "--config", configPath, "--dry-run"])
        XCTAssertEqual(dry.0, 0, dry.1)
        XCTAssertTrue(dry.1.contains("dry run, nothing written: imported 3, updated 0, unchanged 0, skipped 4"), dry.1)
        XCTAssertTrue(dry.1.contains("rowid 4 (uuid not-a-uuid): skipped: uuid is not a UUID"), dry.1)

        let (status, output) = try Self.importOriginal(source, config: configPath)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("imported 3, updated 0, unchanged 0, skipped 4 (aiostreams, from \(source))"), output)
        XCTAssertTrue(output.contains("password hashes: bcrypt 3"), output)
        XCTAssertTrue(output.contains("rowid 4 (uuid not-a-uuid): skipped: uuid is not a UUID"), output)
        XCTAssertTrue(output.contains("rowid 5 (uuid d1d1d1d1-0000-4000-8000-000000000004): skipped: password_hash is not a bcrypt hash"), output)
        XCTAssertTrue(output.contains("rowid 6 (uuid d1d1d1d1-0000-4000-8000-000000000005): skipped: config is not an AIOStreams encrypted config"), output)
        XCTAssertTrue(output.contains("rowid 7 (uuid d1d1d1d1-0000-4000-8000-000000000006): skipped: created_at is not a timestamp"), output)
        XCTAssertFalse(output.contains("hunter22"), output)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: source)), sourceBefore, "the source is opened read-only")

        let server = try ProteusProcess(config: Self.config(directory: dir), directory: dir)
        defer { server.stop() }
        let client = APIClient(port: server.port)
        XCTAssertEqual(try server.userCount(), 3)

        // Stored as imported: the bcrypt hash as it was, the config sealed.
        var alice = try Self.record(server, Self.alice)
        XCTAssertTrue(alice.passwordHash?.hasPrefix("$2b$10$") ?? false, alice.passwordHash ?? "nil")
        XCTAssertNil(alice.document("aiostreams"))
        XCTAssertTrue(alice.document("aiostreams.import")?.contains("\"state\":\"sealed\"") ?? false)
        XCTAssertEqual(alice.createdAt, 1_714_558_830_000, "created_at 2024-05-01 10:20:30 UTC")
        XCTAssertEqual(alice.accessedAt, 1_717_200_000_000)

        // Users keep their uuids and passwords; a wrong password opens nothing.
        XCTAssertEqual(try client.request("HEAD", "/api/v1/user?uuid=\(Self.alice)").status, 200)
        XCTAssertEqual(try Self.get(client, Self.alice, "hunter23").json?["error"]?["code"], "USER_INVALID_DETAILS")
        let r = try Self.get(client, Self.alice, "hunter22")
        XCTAssertEqual(r.status, 200, r.text)
        var expected = Self.aliceConfig.objectValue!
        expected["uuid"] = .string(Self.alice)
        XCTAssertEqual(r.json?["data"]?["userData"], .object(expected))
        XCTAssertTrue(r.json?["data"]?["encryptedPassword"]?.stringValue?.hasPrefix("eyJ") ?? false)

        // The first sign-in stored the config as ours and upgraded the hash.
        alice = try Self.record(server, Self.alice)
        XCTAssertTrue(alice.passwordHash?.hasPrefix("$argon2id$") ?? false, alice.passwordHash ?? "nil")
        let stored = try JSONParser.parse(Array(try XCTUnwrap(alice.document("aiostreams")).utf8))
        XCTAssertEqual(stored, .object(expected))
        XCTAssertEqual(alice.document("aiostreams.import").flatMap { try? JSONParser.parse(Array($0.utf8)) }?["state"], "opened")
        XCTAssertFalse(alice.document("aiostreams.import")?.contains("\"config\"") ?? true, "the sealed blob is gone")
        XCTAssertEqual(try Self.get(client, Self.alice, "hunter22").json?["data"]?["userData"], .object(expected), "and reads back")

        // Bob signs in through verify (the original's created time), which opens his config too.
        let verified = try client.request("POST", "/api/v1/user/verify", headers: [APIClient.basic(Self.bob, "B0bsPassword")])
        XCTAssertEqual(verified.status, 200, verified.text)
        XCTAssertEqual(verified.json?["data"]?["createdAt"], "2023-12-31T23:59:59.000Z")
        XCTAssertEqual(try Self.record(server, Self.bob).document("aiostreams").flatMap { try? JSONParser.parse(Array($0.utf8)) }?["language"], "fr")

        // Carol replaces her config before her first read: hers wins, the sealed one is dropped at sign-in.
        let put = try client.request("PUT", "/api/v1/user", headers: [APIClient.basic(Self.carol, "carol-pass")], json: ["config": ["fresh": true]])
        XCTAssertEqual(put.status, 200, put.text)
        XCTAssertEqual(try Self.get(client, Self.carol, "carol-pass").json?["data"]?["userData"], ["fresh": true, "uuid": .string(Self.carol)])
        XCTAssertEqual(try Self.record(server, Self.carol).document("aiostreams.import").flatMap { try? JSONParser.parse(Array($0.utf8)) }?["state"], "opened")

        // A re-run changes nothing, even after the sign-ins.
        let (again, output2) = try Self.importOriginal(source, config: configPath)
        XCTAssertEqual(again, 0, output2)
        XCTAssertTrue(output2.contains("imported 0, updated 0, unchanged 3, skipped 4"), output2)
        XCTAssertTrue(try Self.record(server, Self.alice).passwordHash?.hasPrefix("$argon2id$") ?? false)
        XCTAssertEqual(try Self.get(client, Self.alice, "hunter22").status, 200)

        // A row that changed in the original since: the original's new password and config replace ours.
        // (Alice's row only: made anew, then copied over hers as the original's password change would.)
        let changed = dir + "/changed.sqlite"
        _ = try Self.makeOriginal(Array(Self.rows(alicePassword: "n3w-password", aliceConfig: ["theme": "light"]).prefix(1)), sqlite: changed)
        let copy = try runTool(Self.python, ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("ATTACH ? AS changed", (sys.argv[2],))
            db.execute("UPDATE users SET (password_hash, config, config_salt) = (SELECT password_hash, config, config_salt FROM changed.users) WHERE uuid = ?", (sys.argv[3],))
            db.commit()
            """, source, changed, Self.alice])
        XCTAssertEqual(copy.status, 0, copy.output)
        let (third, output3) = try Self.importOriginal(source, config: configPath)
        XCTAssertEqual(third, 0, output3)
        XCTAssertTrue(output3.contains("imported 0, updated 1, unchanged 2, skipped 4"), output3)
        XCTAssertTrue(output3.contains("rowid 1 (uuid \(Self.alice)): updated"), output3)
        XCTAssertEqual(try Self.get(client, Self.alice, "hunter22").status, 400)
        XCTAssertEqual(try Self.get(client, Self.alice, "n3w-password").json?["data"]?["userData"], ["theme": "light", "uuid": .string(Self.alice)])
    }

    /// The original's encryptedPassword token for `password` under `key`.
    static func originalToken(_ password: String, key: String = secretKey) throws -> String {
        let spec = JSONValue.object(["secretKey": .string(key), "password": .string(password)]).serialized()
        let r = try runToolSeparately(python, [fixtureScript, "--token"], input: spec)
        guard r.status == 0 else { throw TestFailure("original_db.py --token failed (\(r.status)): \(r.stderr)") }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Tokens users saved from the original (addon URLs) still sign in once
    /// the dialect has its SECRET_KEY: they carry the password, verified as
    /// any other. Another key's token, or one of a wrong password, does not.
    func testTokensOfTheOriginalSignIn() throws {
        let dir = TemporaryDirectory.make("aio-import-tokens")
        let source = dir + "/db.sqlite"
        _ = try Self.makeOriginal(Array(Self.rows().prefix(1)), sqlite: source)
        let configPath = dir + "/config.json"
        try Self.writeConfig(Self.config(directory: dir), configPath)
        XCTAssertEqual(try Self.importOriginal(source, config: configPath).0, 0)
        let server = try ProteusProcess(config: Self.config(directory: dir), directory: dir)
        defer { server.stop() }
        let client = APIClient(port: server.port)

        let token = try Self.originalToken("hunter22")
        XCTAssertTrue(token.hasPrefix("eyJpIjoi"), token)
        let r = try client.request("GET", "/api/v1/user?uuid=\(Self.alice)&password=\(token)")
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r.json?["data"]?["userData"]?["theme"], "dark")
        XCTAssertEqual(try Self.get(client, Self.alice, token).status, 200)
        let otherKey = try Self.originalToken("hunter22", key: String(repeating: "ab", count: 32))
        XCTAssertEqual(try Self.get(client, Self.alice, otherKey).json?["error"]?["code"], "USER_INVALID_DETAILS")
        XCTAssertEqual(try Self.get(client, Self.alice, try Self.originalToken("hunter23")).json?["error"]?["code"], "USER_INVALID_DETAILS")
    }

    func testSealedConfigsWithoutTheSecretKey() throws {
        let dir = TemporaryDirectory.make("aio-import-nokey")
        let source = dir + "/db.sqlite"
        _ = try Self.makeOriginal(Array(Self.rows().prefix(2)), sqlite: source)
        let configPath = dir + "/config.json"
        try Self.writeConfig(Self.config(directory: dir, secretKey: false), configPath)
        let (status, output) = try Self.importOriginal(source, config: configPath)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("imported 2, updated 0, unchanged 0, skipped 0"), output)
        XCTAssertTrue(output.contains("no \"importedSecretKey\" option"), output)

        var server = try ProteusProcess(config: Self.config(directory: dir, secretKey: false), directory: dir)
        var client = APIClient(port: server.port)
        // The original's answer for a config it cannot decrypt.
        let r = try Self.get(client, Self.alice, "hunter22")
        XCTAssertEqual(r.status, 500, r.text)
        XCTAssertEqual(r.json?["error"]?["code"], "ENCRYPTION_ERROR")
        XCTAssertEqual(try Self.get(client, Self.alice, "wrong-pass").json?["error"]?["code"], "USER_INVALID_DETAILS")
        // Signing in works; changing the password (which re-encrypts the config) does not.
        XCTAssertEqual(try client.request("POST", "/api/v1/user/verify", headers: [APIClient.basic(Self.alice, "hunter22")]).status, 200)
        let change = try client.request("POST", "/api/v1/user/password", headers: [APIClient.basic(Self.alice, "hunter22")], json: ["newPassword": "another-one"])
        XCTAssertEqual(change.json?["error"]?["code"], "ENCRYPTION_ERROR", change.text)
        XCTAssertTrue(try Self.record(server, Self.alice).passwordHash?.hasPrefix("$argon2id$") ?? false, "the hash is upgraded meanwhile")
        XCTAssertTrue(server.stop() == 0)

        // With the key set, the next sign-in opens it (the argon2id hash verifies the same password).
        server = try ProteusProcess(config: Self.config(directory: dir), directory: dir)
        defer { server.stop() }
        client = APIClient(port: server.port)
        var expected = Self.aliceConfig.objectValue!
        expected["uuid"] = .string(Self.alice)
        XCTAssertEqual(try Self.get(client, Self.alice, "hunter22").json?["data"]?["userData"], .object(expected))
        let changed = try client.request("POST", "/api/v1/user/password", headers: [APIClient.basic(Self.bob, "B0bsPassword")], json: ["newPassword": "an0ther-one"])
        XCTAssertEqual(changed.status, 200, changed.text)
        XCTAssertEqual(try Self.get(client, Self.bob, "an0ther-one").json?["data"]?["userData"]?["language"], "fr")
    }

    func testWrongSecretKeyKeepsConfigsSealed() throws {
        // The secret key only matters at sign-in: a wrong one leaves the config sealed, and says so in the log.
        let dir = TemporaryDirectory.make("aio-import-badkey")
        let source = dir + "/db.sqlite"
        _ = try Self.makeOriginal(Array(Self.rows().prefix(1)), sqlite: source)
        var config = Self.config(directory: dir)
        var dialect = (config["dialects"] as! [[String: Any]])[0]
        dialect["options"] = ["rateLimit": false, "importedSecretKey": String(repeating: "ab", count: 32)]
        config["dialects"] = [dialect]
        try Self.writeConfig(config, dir + "/config.json")
        XCTAssertEqual(try Self.importOriginal(source, config: dir + "/config.json").0, 0)
        let server = try ProteusProcess(config: config, directory: dir)
        defer { server.stop() }
        XCTAssertEqual(try Self.get(APIClient(port: server.port), Self.alice, "hunter22").json?["error"]?["code"], "ENCRYPTION_ERROR")
        XCTAssertTrue(server.outputText.contains("does not open"), server.outputText)
    }

    func testImportErrors() throws {
        let dir = TemporaryDirectory.make("aio-import-err")
        let configPath = dir + "/config.json"
        try Self.writeConfig(Self.config(directory: dir), configPath)
        var r = try Self.importOriginal(dir + "/missing.sqlite", config: configPath)
        XCTAssertEqual(r.0, 1, r.1)
        XCTAssertTrue(r.1.contains("missing.sqlite"), r.1)
        // A SQLite file that is not the original's.
        let other = dir + "/other.sqlite"
        _ = try runTool(Self.python, ["-c", "import sqlite3; sqlite3.connect('\(other)').execute('create table t(x)')"])
        r = try Self.importOriginal(other, config: configPath)
        XCTAssertEqual(r.0, 1, r.1)
        XCTAssertTrue(r.1.contains("not an AIOStreams database"), r.1)
        // The original's DATABASE_URI form, and an empty database.
        _ = try Self.makeOriginal([], sqlite: dir + "/empty.sqlite")
        r = try Self.importOriginal("sqlite://" + dir + "/empty.sqlite", config: configPath)
        XCTAssertEqual(r.0, 0, r.1)
        XCTAssertTrue(r.1.contains("imported 0, updated 0, unchanged 0, skipped 0"), r.1)
        // Options: the secret key must look like the original's.
        var bad = Self.config(directory: dir)
        bad["dialects"] = [["plugin": "aiostreams", "mount": "/", "options": ["importedSecretKey": "short"]]]
        try Self.writeConfig(bad, configPath)
        r = try ProteusProcess.run(["check-config", "--config", configPath])
        XCTAssertEqual(r.0, 1, r.1)
        XCTAssertTrue(r.1.contains("importedSecretKey"), r.1)
    }

    func testImportFromPostgreSQL() throws {
        let base = try PostgresServer.testDatabaseURL()
        let schema = PostgresServer.freshSchema("aio_original")
        try PostgresServer.psql(base, "CREATE SCHEMA \(schema)")
        let sql = try Self.makeOriginal(Self.rows(), sqlite: nil)
        try PostgresServer.psql(base, "SET search_path TO \(schema);\n" + sql)
        let source = base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"

        let dir = TemporaryDirectory.make("aio-import-pg")
        let configPath = dir + "/config.json"
        try Self.writeConfig(Self.config(directory: dir), configPath)
        let (status, output) = try Self.importOriginal(source, config: configPath)
        XCTAssertEqual(status, 0, output)
        // ('yesterday' is a timestamp to PostgreSQL, so that row is imported here.)
        XCTAssertTrue(output.contains("imported 4, updated 0, unchanged 0, skipped 3"), output)
        // PostgreSQL rows are numbered in uuid order.
        XCTAssertTrue(output.contains("row 7 (uuid not-a-uuid): skipped: uuid is not a UUID"), output)
        XCTAssertTrue(output.contains("(uuid d1d1d1d1-0000-4000-8000-000000000004): skipped: password_hash is not a bcrypt hash"), output)

        let server = try ProteusProcess(config: Self.config(directory: dir), directory: dir)
        defer { server.stop() }
        let client = APIClient(port: server.port)
        XCTAssertEqual(try Self.get(client, Self.bob, "B0bsPassword").json?["data"]?["userData"], ["addons": [], "language": "fr", "uuid": .string(Self.bob)])
        XCTAssertEqual(try Self.record(server, Self.bob).createdAt, 1_704_067_199_000)
        XCTAssertTrue(try Self.record(server, Self.bob).passwordHash?.hasPrefix("$argon2id$") ?? false)
        let (again, output2) = try Self.importOriginal(source, config: configPath)
        XCTAssertEqual(again, 0, output2)
        XCTAssertTrue(output2.contains("imported 0, updated 0, unchanged 4, skipped 3"), output2)
        XCTAssertEqual(try PostgresServer.psql(base, "SELECT count(*) FROM \(schema).users"), "7", "the source is unchanged")
    }
}
