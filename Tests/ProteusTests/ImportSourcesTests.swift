// `proteus import csv | keycloak | kratos` against the real binary:
// fixtures written in the test from the published formats (a CSV, a
// Keycloak realm export with pbkdf2 and argon2 credentials, Kratos
// identities with crypt, PHC, cleartext and Firebase hashes), the summary
// text, the users as the store and the MCSManager dialect see them, sign-in
// with a bcrypt and an argon2id hash (the bcrypt one re-hashed to argon2id),
// re-runs that change nothing, malformed records reported by position and
// skipped with nothing written, --dry-run writing nothing, unknown hashes
// imported without a password. ImportSourcesPostgresTests runs them all on
// PostgreSQL.
import COpenSSL
import Foundation
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest
@testable import Host

class ImportSourcesTests: XCTestCase {
    /// "Bcrypt0Pass" (as in MCSManagerImportTests).
    static let bcrypt = "$2b$10$abcdefghijklmnopqrstuuzKLaYGYNz1NPo5cy8HNLkTxBHF3QJ9m"
    static let bcryptPassword = "Bcrypt0Pass"
    /// "Argon2Pass!" hashed by the password plugin at the tests' cost (m=1024, t=1, p=1).
    static let argon2 = "$argon2id$v=19$m=1024,t=1,p=1$2Tz73wwYKqivPNvVgom5kg$hiiqkv8QeGvM7OSleIJHY3zCzeBEXbFyK4VDrR0ukfE"
    static let argon2Password = "Argon2Pass!"

    // MARK: helpers

    private func setUpDirectory(_ label: String) throws -> (dir: String, config: String) {
        let dir = TemporaryDirectory.make(label)
        let config = dir + "/config.json"
        try JSONSerialization.data(withJSONObject: MCSM.config(directory: dir)).write(to: URL(fileURLWithPath: config))
        return (dir, config)
    }

    private func runImport(_ source: String, _ path: String, config: String, _ extra: [String] = []) throws -> (Int32, String) {
        try ProteusProcess.run(["import", source, "--from", path, "--config", config] + extra)
    }

    /// Every user of the config's store, with documents.
    static func users(_ configPath: String) throws -> [UserRecord] {
        let binding = try HostAssembly.storeOnly(try ConfigurationLoader.load(path: configPath))
        defer { binding.instance.destroy() }
        let client = StoreClient(binding, host: UnsafePointer(binding.instance.hostTable))
        var all: [UserRecord] = []
        var after: [UInt8]?
        while true {
            let page = try client.exportUsers(after: after, limit: 500)
            all += page.users
            guard page.users.count == 500, let last = page.users.last else { return all }
            after = last.id
        }
    }

    static func groups(_ configPath: String) throws -> [GroupRecord] {
        let binding = try HostAssembly.storeOnly(try ConfigurationLoader.load(path: configPath))
        defer { binding.instance.destroy() }
        return try StoreClient(binding, host: UnsafePointer(binding.instance.hostTable)).listGroups()
    }

    private func write(_ text: String, _ path: String) throws { try text.write(toFile: path, atomically: true, encoding: .utf8) }

    private func json(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    static func pbkdf2(_ password: String, salt: [UInt8], iterations: Int32, digest: OpaquePointer?, length: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        _ = password.withCString { p in PKCS5_PBKDF2_HMAC(p, Int32(strlen(p)), salt, Int32(salt.count), iterations, digest, Int32(length), &out) }
        return out
    }

    static func ab64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: ".")
    }

    // MARK: csv

    func testCSVImportReRunAndSignIn() throws {
        let (dir, config) = try setUpDirectory("import-csv")
        let csv = dir + "/users.csv"
        try write("""
        username,email,display_name,password_hash,roles\r
        alice,alice@example.com,"Liddell, Alice",\(Self.bcrypt),admin\r
        carol,carol@example.com,"Carol ""C"" Danvers","\(Self.argon2)",\r
        bob,bob@example.com,Bob,not-a-hash-at-all,\r
        dave,dave@example.com,Dave\r
        erin,erin@example.com,"Erin
        on two lines",,admin|admin\r
        frank,frank@example.com,Frank,\(Self.bcrypt),no-such-role\r
        ,nobody@example.com,Nobody,,\r
        alice,again@example.com,Alice Again,,\r
        
        """, csv)

        // A dry run reports what a real run would do and writes nothing.
        var (status, output) = try runImport("csv", csv, config: config, ["--dry-run"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("dry run, nothing written: imported 4, updated 0, unchanged 0, skipped 4 (csv, from \(csv))"), output)
        XCTAssertEqual(try Self.users(config).count, 0, "a dry run writes nothing")

        (status, output) = try runImport("csv", csv, config: config)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("imported 4, updated 0, unchanged 0, skipped 4 (csv, from \(csv))"), output)
        // Malformed records by the line they start on (erin's record spans lines 6-7).
        XCTAssertTrue(output.contains("line 5 (dave): skipped: 3 fields, the header has 5"), output)
        XCTAssertTrue(output.contains("line 8 (frank): skipped: unknown role \"no-such-role\""), output)
        XCTAssertTrue(output.contains("line 9: skipped: the username is empty"), output)
        XCTAssertTrue(output.contains("line 10 (alice): skipped: username \"alice\" already at line 2 (alice)"), output)
        XCTAssertTrue(output.contains("line 4 (bob): a password hash of an unknown format: imported without a password"), output)
        XCTAssertTrue(output.contains("skipped: a duplicate in the source 1, an unknown role 1, no username 1, wrong number of fields 1"), output)
        XCTAssertTrue(output.contains("password hashes: argon2id 1, bcrypt 1, none 1, unknown 1"), output)
        XCTAssertFalse(output.contains("not-a-hash-at-all"), "hashes never printed")

        let users = Dictionary(uniqueKeysWithValues: try Self.users(config).map { ($0.username ?? "", $0) })
        XCTAssertEqual(Set(users.keys), ["alice", "carol", "bob", "erin"])
        XCTAssertEqual(users["alice"]?.displayName, "Liddell, Alice")
        XCTAssertEqual(users["alice"]?.roles, ["admin"])
        XCTAssertEqual(users["carol"]?.displayName, "Carol \"C\" Danvers")
        XCTAssertEqual(users["carol"]?.passwordHash, Self.argon2)
        XCTAssertEqual(users["erin"]?.displayName, "Erin\non two lines")
        XCTAssertEqual(users["erin"]?.roles, ["admin"])
        XCTAssertNil(users["bob"]?.passwordHash, "an unknown format is never stored")
        XCTAssertNil(users["erin"]?.passwordHash)

        // Sign in through MCSManager with the bcrypt and the argon2id hash; bcrypt is re-hashed.
        let server = try ProteusProcess(config: MCSM.config(directory: dir), directory: dir)
        defer { server.stop() }
        let alice = PanelClient(port: server.port)
        assertEnvelope(try alice.login("alice", Self.bcryptPassword), 200)
        assertEnvelope(try PanelClient(port: server.port).login("carol", Self.argon2Password), 200)
        assertEnvelope(try PanelClient(port: server.port).login("bob", "not-a-hash-at-all"), 401)
        let upgraded = try Self.users(config).first { $0.username == "alice" }
        XCTAssertTrue(upgraded?.passwordHash?.hasPrefix("$argon2id$") ?? false, "bcrypt upgraded at sign-in: \(upgraded?.passwordHash ?? "nil")")
        // The users as the dialect lists them.
        let listed = try alice.call("GET", "/api/auth/search", query: [("page", "1"), ("page_size", "20")])
        assertEnvelope(listed, 200)
        let rows = try XCTUnwrap(listed.json?["data"]?["data"]?.arrayValue)
        XCTAssertEqual(Set(rows.compactMap { $0["userName"]?.stringValue }), ["alice", "carol", "bob", "erin"])
        XCTAssertEqual(rows.first { $0["userName"]?.stringValue == "alice" }?["permission"], 10)

        // A re-run changes nothing, also not alice's upgraded hash.
        (status, output) = try runImport("csv", csv, config: config)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("imported 0, updated 0, unchanged 4, skipped 4"), output)
        assertEnvelope(try PanelClient(port: server.port).login("alice", Self.bcryptPassword), 200)

        // A change in the source is written, and only that.
        var text = try String(contentsOfFile: csv, encoding: .utf8)
        text = text.replacingOccurrences(of: "carol@example.com", with: "carol@new.example")
        try write(text, csv)
        (status, output) = try runImport("csv", csv, config: config, ["--dry-run"])
        XCTAssertTrue(output.contains("dry run, nothing written: imported 0, updated 1, unchanged 3, skipped 4"), output)
        XCTAssertEqual(try Self.users(config).first { $0.username == "carol" }?.email, "carol@example.com")
        (status, output) = try runImport("csv", csv, config: config)
        XCTAssertTrue(output.contains("imported 0, updated 1, unchanged 3, skipped 4"), output)
        XCTAssertEqual(try Self.users(config).first { $0.username == "carol" }?.email, "carol@new.example")
        assertEnvelope(try PanelClient(port: server.port).login("carol", Self.argon2Password), 200)
    }

    func testCSVHeaderErrorsImportNothing() throws {
        let (dir, config) = try setUpDirectory("import-csv-header")
        let csv = dir + "/users.csv"
        try write("username,email,display_name,password_hash\nalice,a@x,A,\n", csv)
        var (status, output) = try runImport("csv", csv, config: config)
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("missing column \"roles\""), output)
        try write("username,email,display_name,password_hash,roles,phone\nalice,a@x,A,,,1\n", csv)
        (status, output) = try runImport("csv", csv, config: config)
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("unknown column \"phone\""), output)
        XCTAssertEqual(try Self.users(config).count, 0)
        (status, output) = try runImport("csv", dir + "/missing.csv", config: config)
        XCTAssertEqual(status, 1, output)
        (status, output) = try ProteusProcess.run(["import", "csv", "--from", csv, "--config", config, "--firebase-signer-key", "AAAA"])
        XCTAssertEqual(status, 2, output)
    }

    // MARK: keycloak

    func testKeycloakRealmExport() throws {
        let (dir, config) = try setUpDirectory("import-keycloak")
        let salt: [UInt8] = Array("keycloak-salt-16".utf8)
        let pbkdf = Self.pbkdf2("Pbkdf2Pass", salt: salt, iterations: 27500, digest: EVP_sha256(), length: 64)
        let parts = Self.argon2.split(separator: "$")   // argon2id, v=19, m=..., salt, hash
        func b64(_ nopad: Substring) -> String { Data(base64Encoded: nopad + String(repeating: "=", count: (4 - nopad.count % 4) % 4))!.base64EncodedString() }
        func password(_ secret: [String: Any], _ data: [String: Any]) throws -> [String: Any] {
            ["id": UUID().uuidString.lowercased(), "type": "password", "userLabel": "My password", "createdDate": 1_700_000_000_000,
             "secretData": try json(secret), "credentialData": try json(data)]
        }
        let aliceID = "5b1d8c8e-2f51-4d8e-9b0a-3f6f3c1d2e4a"
        let realm: [String: Any] = [
            "realm": "test", "enabled": true,
            "users": [
                ["id": aliceID, "username": "kc-alice", "email": "alice@kc.example", "firstName": "Alice", "lastName": "Keycloak",
                 "enabled": true, "createdTimestamp": 1_690_000_000_000, "realmRoles": ["admin", "offline_access", "default-roles-test"],
                 "groups": ["/staff", "/ops"],
                 "credentials": [try password(["value": Data(pbkdf).base64EncodedString(), "salt": Data(salt).base64EncodedString(), "additionalParameters": [:]],
                                              ["hashIterations": 27500, "algorithm": "pbkdf2-sha256", "additionalParameters": [:]]),
                                 ["type": "otp", "secretData": "{}", "credentialData": "{}"]]],
                ["id": "0d4e3c2b-1a09-4f8e-8d7c-6b5a49382716", "username": "kc-argon", "email": "argon@kc.example", "enabled": true,
                 "realmRoles": ["default-roles-test"], "groups": ["/staff"],
                 "credentials": [try password(["value": b64(parts[4]), "salt": b64(parts[3]), "additionalParameters": [:]],
                                              ["hashIterations": 1, "algorithm": "argon2",
                                               "additionalParameters": ["hashLength": ["32"], "memory": ["1024"], "type": ["id"], "version": ["1.3"], "parallelism": ["1"]]])]],
                ["id": "7f1e2d3c-4b5a-4968-8776-655443322110", "username": "kc-off", "enabled": false, "realmRoles": [], "groups": [],
                 "credentials": [try password(["value": "AAAA", "salt": "AAAA"], ["hashIterations": 1, "algorithm": "md4-custom"])]],
                ["id": "11111111-2222-4333-8444-555555555555", "username": "service-account-backend", "enabled": true,
                 "serviceAccountClientId": "backend", "realmRoles": [], "groups": []],
                ["id": "not-a-uuid", "username": "kc-bad", "enabled": true],
                ["username": 5],
            ],
        ]
        let path = dir + "/realm-export.json"
        try write(try json(realm), path)

        var (status, output) = try runImport("keycloak", path, config: config)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("imported 3, updated 0, unchanged 0, skipped 3 (keycloak, from \(path))"), output)
        XCTAssertTrue(output.contains("users[3] (service-account-backend): skipped: the service account of client \"backend\", not a person"), output)
        XCTAssertTrue(output.contains("users[4] (kc-bad): skipped: \"id\" is not a UUID"), output)
        XCTAssertTrue(output.contains("users[5]: skipped: \"username\" is missing or not a string"), output)
        XCTAssertTrue(output.contains("users[0] (kc-alice): in 2 groups; the directory holds one per user: kept staff, dropped ops"), output)
        XCTAssertTrue(output.contains("users[0] (kc-alice): credentials not imported: otp"), output)
        XCTAssertTrue(output.contains("users[2] (kc-off): a password hash of an unknown format: imported without a password"), output)
        XCTAssertTrue(output.contains("password hashes: argon2id 1, pbkdf2-sha256 1, unknown 1"), output)
        XCTAssertTrue(output.contains("note: roles the directory does not have, left out: default-roles-test (2), offline_access (1)"), output)
        XCTAssertTrue(output.contains("note: groups created: staff"), output)

        let users = Dictionary(uniqueKeysWithValues: try Self.users(config).map { ($0.username ?? "", $0) })
        XCTAssertEqual(Set(users.keys), ["kc-alice", "kc-argon", "kc-off"])
        let alice = try XCTUnwrap(users["kc-alice"])
        XCTAssertEqual(proteus_id(byteArray: alice.id).dashedUUID, aliceID, "Keycloak's id is kept")
        XCTAssertEqual(alice.passwordHash, "$pbkdf2-sha256$27500$\(Self.ab64(salt))$\(Self.ab64(pbkdf))")
        XCTAssertEqual(alice.displayName, "Alice Keycloak")
        XCTAssertEqual(alice.email, "alice@kc.example")
        XCTAssertEqual(alice.roles, ["admin"])
        XCTAssertEqual(alice.createdAt, 1_690_000_000_000)
        let staff = try XCTUnwrap(try Self.groups(config).first { $0.name == "staff" })
        XCTAssertEqual(alice.groupID, staff.id)
        XCTAssertEqual(users["kc-argon"]?.passwordHash, Self.argon2, "Keycloak's argon2 credential is the PHC string it was made from")
        XCTAssertEqual(users["kc-argon"]?.roles, [])
        XCTAssertTrue(users["kc-off"]?.isDisabled ?? false)
        XCTAssertNil(users["kc-off"]?.passwordHash)

        let server = try ProteusProcess(config: MCSM.config(directory: dir), directory: dir)
        defer { server.stop() }
        assertEnvelope(try PanelClient(port: server.port).login("kc-argon", Self.argon2Password), 200)
        assertEnvelope(try PanelClient(port: server.port).login("kc-argon", "wrong"), 401)
        // Keycloak's pbkdf2-sha256 (64-byte key) signs in as it was, then is argon2id.
        assertEnvelope(try PanelClient(port: server.port).login("kc-alice", "wrong"), 401)
        assertEnvelope(try PanelClient(port: server.port).login("kc-alice", "Pbkdf2Pass"), 200)
        XCTAssertTrue(try Self.users(config).first { $0.username == "kc-alice" }?.passwordHash?.hasPrefix("$argon2id$") ?? false)

        (status, output) = try runImport("keycloak", path, config: config)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("imported 0, updated 0, unchanged 3, skipped 3"), output)
        XCTAssertFalse(output.contains("groups created"), output)
    }

    // MARK: kratos

    func testKratosIdentities() throws {
        let (dir, config) = try setUpDirectory("import-kratos")
        let sha512crypt = "$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/"
        let pbkdfSalt = Array("kratos-salt".utf8)
        let pbkdfKey = Self.pbkdf2("KratosPbkdf", salt: pbkdfSalt, iterations: 100_000, digest: EVP_sha256(), length: 32)
        let kratosPbkdf = "$pbkdf2-sha256$i=100000,l=32$\(Data(pbkdfSalt).base64EncodedString().replacingOccurrences(of: "=", with: ""))$\(Data(pbkdfKey).base64EncodedString().replacingOccurrences(of: "=", with: ""))"
        let fireShort = "$firescrypt$ln=14,r=8,p=1$c2FsdHNhbHQ=$aGFzaGhhc2g="
        let signer = "c2lnbmVyLWtleS1mb3ItdGVzdHM="
        let separator = "Bw=="
        func identity(_ id: String?, _ traits: [String: Any], state: String = "active", password: [String: Any]?) -> [String: Any] {
            var i: [String: Any] = ["schema_id": "default", "traits": traits, "state": state]
            if let id { i["id"] = id }
            if let password { i["credentials"] = ["password": ["type": "password", "identifiers": [traits["email"] ?? ""], "config": password]] }
            return i
        }
        let list: [String: Any] = [
            "identities": [
                identity("9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", ["email": "kb@kratos.example", "username": "k-bcrypt", "name": ["first": "Kay", "last": "Bee"]],
                         password: ["hashed_password": Self.bcrypt]),
                identity("8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", ["email": "ka@kratos.example"], state: "inactive", password: ["hashed_password": Self.argon2]),
                identity(nil, ["email": "clear@kratos.example", "name": "Clear Text"], password: ["password": "Clear7extPass"]),
                identity("7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", ["email": "crypt@kratos.example"], password: ["hashed_password": "$sha512-crypt$" + sha512crypt.dropFirst(3)]),
                identity("6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", ["email": "pbkdf@kratos.example"], password: ["hashed_password": kratosPbkdf]),
                identity("5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", ["email": "fire@kratos.example"], password: ["hashed_password": fireShort]),
                ["id": "4a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "schema_id": "default"],
                identity("3a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", ["email": "odd@kratos.example"], state: "deleted", password: nil),
            ],
            "next_page_token": "",
        ]
        let path = dir + "/identities.json"
        try write(try json(list), path)

        // Without the project's keys the Firebase hash is incomplete: no password, reported.
        var (status, output) = try runImport("kratos", path, config: config, ["--dry-run"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("dry run, nothing written: imported 6, updated 0, unchanged 0, skipped 2"), output)
        XCTAssertTrue(output.contains("a Firebase scrypt hash without the project's keys"), output)
        XCTAssertEqual(try Self.users(config).count, 0)

        (status, output) = try runImport("kratos", path, config: config, ["--firebase-signer-key", signer, "--firebase-salt-separator", separator])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("imported 6, updated 0, unchanged 0, skipped 2 (kratos, from \(path))"), output)
        XCTAssertTrue(output.contains("identities[6] (4a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d): skipped: \"traits\" is missing or not an object"), output)
        XCTAssertTrue(output.contains("identities[7] (3a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d): skipped: \"state\" must be \"active\" or \"inactive\""), output)
        XCTAssertTrue(output.contains("password hashes: argon2id 1, bcrypt 1, cleartext (hashed with argon2id) 1, firescrypt 1, pbkdf2-sha256 1, sha512-crypt 1"), output)
        XCTAssertFalse(output.contains("Clear7extPass"), output)

        let users = Dictionary(uniqueKeysWithValues: try Self.users(config).map { ($0.username ?? "", $0) })
        XCTAssertEqual(Set(users.keys), ["k-bcrypt", "ka@kratos.example", "clear@kratos.example", "crypt@kratos.example", "pbkdf@kratos.example", "fire@kratos.example"])
        XCTAssertEqual(users["k-bcrypt"]?.displayName, "Kay Bee")
        XCTAssertEqual(users["k-bcrypt"].map { proteus_id(byteArray: $0.id).dashedUUID }, "9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
        XCTAssertEqual(users["ka@kratos.example"]?.isDisabled, true)
        XCTAssertEqual(users["crypt@kratos.example"]?.passwordHash, sha512crypt)
        XCTAssertEqual(users["pbkdf@kratos.example"]?.passwordHash, "$pbkdf2-sha256$100000$\(Self.ab64(pbkdfSalt))$\(Self.ab64(pbkdfKey))")
        XCTAssertEqual(users["fire@kratos.example"]?.passwordHash, fireShort + "$" + separator + "$" + signer)
        XCTAssertTrue(users["clear@kratos.example"]?.passwordHash?.hasPrefix("$argon2id$") ?? false)
        XCTAssertEqual(users["clear@kratos.example"]?.displayName, "Clear Text")

        let server = try ProteusProcess(config: MCSM.config(directory: dir), directory: dir)
        defer { server.stop() }
        assertEnvelope(try PanelClient(port: server.port).login("k-bcrypt", Self.bcryptPassword), 200)
        assertEnvelope(try PanelClient(port: server.port).login("clear@kratos.example", "Clear7extPass"), 200)
        XCTAssertNotEqual(try PanelClient(port: server.port).login("ka@kratos.example", Self.argon2Password).status, 200, "inactive = disabled")

        (status, output) = try runImport("kratos", path, config: config, ["--firebase-signer-key", signer, "--firebase-salt-separator", separator])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("imported 0, updated 0, unchanged 6, skipped 2"), output)
        // The user's state changed in Kratos: that, and only that, is written.
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"inactive\"", with: "\"active\"")
        try write(text, path)
        (status, output) = try runImport("kratos", path, config: config, ["--firebase-signer-key", signer, "--firebase-salt-separator", separator])
        XCTAssertTrue(output.contains("imported 0, updated 1, unchanged 5, skipped 2"), output)
        assertEnvelope(try PanelClient(port: server.port).login("ka@kratos.example", Self.argon2Password), 200)
    }
}

final class ImportSourcesPostgresTests: ImportSourcesTests {
    override func setUpWithError() throws {
        MCSM.usePostgres()
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        MCSM.useSQLite()
    }

    // Linux's XCTest finds only the tests a class declares itself.
    override func testCSVImportReRunAndSignIn() throws { try super.testCSVImportReRunAndSignIn() }
    override func testCSVHeaderErrorsImportNothing() throws { try super.testCSVHeaderErrorsImportNothing() }
    override func testKeycloakRealmExport() throws { try super.testKeycloakRealmExport() }
    override func testKratosIdentities() throws { try super.testKratosIdentities() }
}
