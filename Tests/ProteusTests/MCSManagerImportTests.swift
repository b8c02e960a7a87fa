// `proteus import mcsmanager --from DIR`: a panel's data/User/*.json files
// (bcrypt and md5 users, API keys, unknown fields), malformed files skipped
// by name, re-runs that duplicate nothing, and the command's exit codes.
import Foundation
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest
@testable import Host

class MCSManagerImportTests: XCTestCase {
    static let alpha = "55a8120adb4f4bb3bee672ef305bae62"
    static let beta = "046afc351bfb44a99aa5641c06e70e5a"
    static let gamma = "1fcdacc01eac44a7bf8fe83d34215d05"
    static let delta = "82e856fd33424e018fc2c007e1a3c4d3"
    static let alphaKey = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
    static let epsilon = "9b3e1f0a6c2d4e5f8a7b6c5d4e3f2a1b"
    static let epsilonSecret = "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF"

    /// A panel data directory: data/User/<uuid>.json as the panel writes them (4-space JSON).
    static func makePanelData(_ root: String) throws -> String {
        let users = root + "/panel/data/User"
        try FileManager.default.createDirectory(atPath: users, withIntermediateDirectories: true)
        func write(_ name: String, _ text: String) throws { try text.write(toFile: users + "/" + name, atomically: true, encoding: .utf8) }
        func user(_ fields: [String: Any]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: fields, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
        }
        try write("\(alpha).json", try user([
            "uuid": alpha, "userName": "Alpha", "passWord": "$2b$10$abcdefghijklmnopqrstuuzKLaYGYNz1NPo5cy8HNLkTxBHF3QJ9m",
            "passWordType": 1, "salt": "", "permission": 10, "registerTime": "10/28/2023, 5:38:44 PM", "loginTime": "10/14/2023, 1:01:58 AM",
            "instances": [["instanceUuid": "82e856fd33424e018fc2c007e1a3c4d3", "daemonId": "1fcdacc01eac44a7bf8fe83d34215d05"]],
            "apiKey": alphaKey, "isInit": false, "secret": "", "open2FA": false, "ssoSub": "", "ssoBound": false,
            "customField": ["kept": true],
        ]))
        try write("\(beta).json", try user([
            "uuid": beta, "userName": "beta", "passWord": MCSM.md5Hex("Md5Passw0rd"), "passWordType": 0, "salt": "",
            "permission": 1, "registerTime": "1/5/2022, 9:00:00 AM", "loginTime": "", "instances": [], "apiKey": "", "isInit": true,
            "secret": "", "open2FA": false,
        ]))
        try write("\(gamma).json", try user([
            "uuid": gamma, "userName": "gamma", "passWord": "$2a$10$ABCDEFGHIJKLMNOPQRSTUu7hhVO88n59PWgbWmPLtQsoDTprUCxLC",
            "passWordType": 1, "permission": -1, "registerTime": "2023/10/28 17:38:44", "loginTime": "", "instances": [],
        ]))
        // A 2FA user: its base32 secret is enrolled with the totp method.
        try write("\(epsilon).json", try user([
            "uuid": epsilon, "userName": "epsilon", "passWord": MCSM.md5Hex("Eps1lonPass"), "passWordType": 0,
            "permission": 1, "secret": epsilonSecret, "open2FA": true,
        ]))
        // Malformed files, each skipped by name.
        try write("broken.json", "{\"uuid\": \"\(delta)\", \"userName\": ")
        try write("bad-uuid.json", try user(["uuid": "zzz", "userName": "nobody", "passWord": "x", "passWordType": 0]))
        try write("\(delta).json", try user(["uuid": delta, "userName": "delta", "passWord": MCSM.md5Hex("x"), "passWordType": 1, "permission": 1]))
        try write("0123456789abcdef0123456789abcdef.json", try user(["uuid": "fedcba9876543210fedcba9876543210", "userName": "eps", "passWord": "", "permission": 1]))
        try write("notes.txt", "not a user")
        return root + "/panel/data"
    }

    private func runImport(_ source: String, config: String) throws -> (Int32, String) {
        try ProteusProcess.run(["import", "mcsmanager", "--from", source, "--config", config])
    }

    func testImportPanelUsers() throws {
        let dir = TemporaryDirectory.make("mcsm-import")
        let data = try Self.makePanelData(dir)
        let configPath = dir + "/config.json"
        try JSONSerialization.data(withJSONObject: MCSM.config(directory: dir)).write(to: URL(fileURLWithPath: configPath))

        let (status, output) = try runImport(data, config: configPath)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("imported 4, updated 0, unchanged 0, skipped 4 (mcsmanager, from \(data))"), output)
        XCTAssertTrue(output.contains("password hashes: bcrypt 2, md5 2"), output)
        for name in ["broken.json", "bad-uuid.json", "\(Self.delta).json", "0123456789abcdef0123456789abcdef.json"] {
            XCTAssertTrue(output.contains(name + ": skipped"), "\(name) not reported:\n\(output)")
        }
        XCTAssertFalse(output.contains("notes.txt"), output)
        XCTAssertTrue(output.contains("import: 8/8 (100%)"), output)
        XCTAssertFalse(output.contains(Self.alphaKey), "no secrets in the output")
        XCTAssertFalse(output.contains(Self.epsilonSecret), "no secrets in the output")

        let server = try ProteusProcess(config: MCSM.config(directory: dir), directory: dir)
        defer { server.stop() }
        XCTAssertEqual(try server.userCount(), 4)
        // bcrypt and md5 users sign in with their panel passwords.
        let alpha = PanelClient(port: server.port)
        assertEnvelope(try alpha.login("Alpha", "Bcrypt0Pass"), 200)
        assertEnvelope(try PanelClient(port: server.port).login("beta", "Md5Passw0rd"), 200)
        assertEnvelope(try PanelClient(port: server.port).login("beta", "md5passw0rd"), 401)
        assertEnvelope(try PanelClient(port: server.port).login("gamma", "Bcrypt0Pass2"), 401, "Incorrect account or password")
        // The imported 2FA user needs its code.
        assertEnvelope(try PanelClient(port: server.port).login("epsilon", "Eps1lonPass"), 200, "NEED_2FA")
        assertEnvelope(try PanelClient(port: server.port).login("epsilon", "Eps1lonPass", code: MCSM.totp(Self.epsilonSecret)), 200)
        // The imported API key works (only its hash was stored).
        let listed = try APIClient(port: server.port).request("GET", "/api/auth/search?page=1&page_size=10&apikey=\(Self.alphaKey)")
        assertEnvelope(listed, 200)
        let rows = try XCTUnwrap(listed.json?["data"]?["data"]?.arrayValue)
        func row(_ name: String) -> JSONValue? { rows.first { $0["userName"]?.stringValue == name } }
        XCTAssertEqual(row("Alpha")?["uuid"]?.stringValue, Self.alpha)
        XCTAssertEqual(row("Alpha")?["permission"], 10)
        XCTAssertEqual(row("Alpha")?["apiKey"], "__MCSM_SECRET_DATA__")
        XCTAssertEqual(row("Alpha")?["registerTime"], "10/28/2023, 5:38:44 PM")
        XCTAssertEqual(row("Alpha")?["instances"], [["instanceUuid": "82e856fd33424e018fc2c007e1a3c4d3", "daemonId": "1fcdacc01eac44a7bf8fe83d34215d05"]])
        XCTAssertEqual(row("beta")?["isInit"], true)
        XCTAssertEqual(row("beta")?["passWordType"], 1, "re-hashed at its first sign-in")
        XCTAssertEqual(row("gamma")?["permission"], -1)
        XCTAssertEqual(row("gamma")?["registerTime"], "2023/10/28 17:38:44")
        XCTAssertEqual(row("gamma")?["passWordType"], 1)
        // Unknown fields are kept in the mcsmanager document, secrets are not.
        let (store, binding) = try MCSM.store(server)
        let record = try store.getUser(id: MCSM.id(Self.alpha), docs: "mcsmanager")
        let beta = try store.getUser(id: MCSM.id(Self.beta))
        binding.instance.destroy()
        let doc = try XCTUnwrap(record.document("mcsmanager"))
        XCTAssertTrue(doc.contains("\"customField\":{\"kept\":true}"), doc)
        XCTAssertTrue(doc.contains("\"ssoBound\":false"), doc)
        XCTAssertFalse(doc.contains(Self.alphaKey), doc)
        XCTAssertFalse(doc.contains("$2b$10$"), doc)
        XCTAssertTrue(beta.passwordHash?.hasPrefix("$argon2id$") ?? false, "the md5 verifier was replaced")
        // Imported users are directory users: AIOStreams signs beta in by id.
        let aio = try APIClient(port: server.port).request("GET", "/api/v1/user?uuid=\(MCSM.dashed(Self.beta))&password=Md5Passw0rd")
        XCTAssertEqual(aio.status, 200, aio.text)

        // A re-run duplicates nothing and keeps what changed since (beta's new hash).
        let (again, output2) = try runImport(data, config: configPath)
        XCTAssertEqual(again, 0, output2)
        XCTAssertTrue(output2.contains("imported 0, updated 0, unchanged 4, skipped 4"), output2)
        XCTAssertEqual(try server.userCount(), 4)
        assertEnvelope(try PanelClient(port: server.port).login("beta", "Md5Passw0rd"), 200)
        // The data/User directory itself works as the source too.
        let (third, output3) = try runImport(data + "/User", config: configPath)
        XCTAssertEqual(third, 0, output3)
        XCTAssertTrue(output3.contains("imported 0, updated 0, unchanged 4, skipped 4"), output3)
    }

    func testImportSkipsNamesTakenByOtherUsers() throws {
        let panel = try PanelServer(label: "mcsm-import-taken")
        defer { panel.stop() }
        try panel.createUser("beta")
        let data = try Self.makePanelData(panel.server.directory)
        let (status, output) = try runImport(data, config: panel.server.configPath)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("\(Self.beta).json: skipped: username \"beta\" is already in use"), output)
        XCTAssertTrue(output.contains("imported 3, updated 0, unchanged 0, skipped 5"), output)
        XCTAssertTrue(output.contains("username already in use by another user 1"), output)
        XCTAssertEqual(try PanelClient(port: panel.port).login("beta", "Md5Passw0rd").status, 401, "the existing beta keeps its password")
    }

    /// import_run's dry run (ABI 2.5): the same checks and counts, nothing written.
    func testImportDryRunWritesNothing() throws {
        let dir = TemporaryDirectory.make("mcsm-import-dry")
        let data = try Self.makePanelData(dir)
        let configPath = dir + "/config.json"
        try JSONSerialization.data(withJSONObject: MCSM.config(directory: dir)).write(to: URL(fileURLWithPath: configPath))
        let (status, output) = try ProteusProcess.run(["import", "mcsmanager", "--from", data, "--config", configPath, "--dry-run"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("dry run, nothing written: imported 4, updated 0, unchanged 0, skipped 4"), output)
        XCTAssertTrue(output.contains("broken.json: skipped"), output)
        XCTAssertTrue(output.contains("password hashes: bcrypt 2, md5 2"), output)
        XCTAssertEqual(try ImportSourcesTests.users(configPath).count, 0, "a dry run writes nothing")
        XCTAssertEqual(try runImport(data, config: configPath).0, 0)
        let again = try ProteusProcess.run(["import", "mcsmanager", "--from", data, "--config", configPath, "--dry-run"])
        XCTAssertTrue(again.output.contains("dry run, nothing written: imported 0, updated 0, unchanged 4, skipped 4"), again.output)
        // A dialect refuses options it does not know (firebase keys mean nothing to the panel).
        let refused = try ProteusProcess.run(["import", "mcsmanager", "--from", data, "--config", configPath,
                                              "--firebase-signer-key", "AAAA", "--firebase-salt-separator", "Bw=="])
        XCTAssertEqual(refused.status, 1, refused.output)
        XCTAssertTrue(refused.output.contains("unknown import option \"firebaseSignerKey\""), refused.output)
    }

    func testImportCommandErrors() throws {
        let dir = TemporaryDirectory.make("mcsm-import-err")
        let configPath = dir + "/config.json"
        try JSONSerialization.data(withJSONObject: MCSM.config(directory: dir)).write(to: URL(fileURLWithPath: configPath))
        var r = try ProteusProcess.run(["import", "mcsmanager", "--config", configPath])
        XCTAssertEqual(r.status, 2, r.output)
        r = try ProteusProcess.run(["import", "--from", dir, "--config", configPath])
        XCTAssertEqual(r.status, 2, r.output)
        r = try runImport(dir + "/does-not-exist", config: configPath)
        XCTAssertEqual(r.0, 1, r.1)
        XCTAssertTrue(r.1.contains("does-not-exist"), r.1)
        r = try ProteusProcess.run(["import", "nosuch", "--from", dir, "--config", configPath])
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.output.contains("no import source or dialect \"nosuch\""), r.output)
        // (aiostreams imports an original AIOStreams database: a directory is not one.)
        r = try ProteusProcess.run(["import", "aiostreams", "--from", dir, "--config", configPath])
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.output.contains("is not a file"), r.output)
        // An empty directory is a complete (empty) import.
        try FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: true)
        r = try runImport(dir + "/empty", config: configPath)
        XCTAssertEqual(r.0, 0, r.1)
        XCTAssertTrue(r.1.contains("imported 0, updated 0, unchanged 0, skipped 0"), r.1)
        XCTAssertTrue(try ProteusProcess.run(["--help"]).output.contains("import"))
    }
}
