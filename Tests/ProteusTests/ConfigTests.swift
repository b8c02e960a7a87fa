// Every refusal of a bad config: the binary exits non-zero before serving and
// says which key, plugin or path is wrong and why.
import Foundation
import PluginAPI
import XCTest

final class ConfigTests: XCTestCase {
    /// Writes `config` (JSON object or raw text) and runs a command on it.
    private func run(_ config: Any, command: [String] = ["check-config"], directory: String? = nil) throws -> (status: Int32, output: String) {
        let dir = directory ?? TemporaryDirectory.make("config")
        let path = dir + "/config.json"
        if let text = config as? String {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } else {
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        }
        return try ProteusProcess.run(command + ["--config", path], directory: dir)
    }

    private func base(_ dir: String) -> [String: Any] { ProteusProcess.defaultConfig(directory: dir) }

    private func assertRefused(_ config: Any, mentions: [String], command: [String] = ["check-config"], directory: String? = nil,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let (status, output) = try run(config, command: command, directory: directory)
        XCTAssertEqual(status, 1, output, file: file, line: line)
        XCTAssertFalse(output.contains("listening on"), output, file: file, line: line)
        for m in mentions {
            XCTAssertTrue(output.contains(m), "expected \"\(m)\" in: \(output)", file: file, line: line)
        }
    }

    func testValidConfigPasses() throws {
        let dir = TemporaryDirectory.make("config-ok")
        let (status, output) = try run(base(dir), directory: dir)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("config OK"), output)
    }

    func testMissingFileAndInvalidJSON() throws {
        let (status, output) = try ProteusProcess.run(["check-config", "--config", "/nonexistent/proteus.json"])
        XCTAssertEqual(status, 1)
        XCTAssertTrue(output.contains("/nonexistent/proteus.json"), output)
        try assertRefused("{\"listen\": ", mentions: ["not valid JSON"])
        try assertRefused("[1, 2]", mentions: ["top level must be a JSON object"])
    }

    func testUnknownKeysAndWrongTypes() throws {
        let dir = TemporaryDirectory.make("config-keys")
        var c = base(dir); c["lisen"] = "127.0.0.1:1"
        try assertRefused(c, mentions: ["unknown key \"lisen\""])
        c = base(dir); c["listen"] = 8080
        try assertRefused(c, mentions: ["\"listen\"", "must be a string"])
        c = base(dir); c["listen"] = "localhost:99999"
        try assertRefused(c, mentions: ["\"listen\""])
        c = base(dir); c["secretKey"] = "abcd"
        try assertRefused(c, mentions: ["\"secretKey\"", "64 hexadecimal"])
        c = base(dir); c["store"] = ["plugin": "sqlite", "opts": [:]]
        try assertRefused(c, mentions: ["unknown key \"store.opts\""])
        c = base(dir); c["auth"] = "password"
        try assertRefused(c, mentions: ["\"auth\"", "must be an array"])
        c = base(dir); c["dialects"] = [["plugin": "aiostreams", "mount": "api"]]
        try assertRefused(c, mentions: ["\"dialects[0].mount\"", "must start with '/'"])
        c = base(dir); c["limits"] = ["maxBodyBytes": "big"]
        try assertRefused(c, mentions: ["\"limits.maxBodyBytes\"", "integer"])
        c = base(dir); c["trustedProxies"] = ["not-an-ip"]
        try assertRefused(c, mentions: ["trustedProxies[0]"])
        c = base(dir); c["dialects"] = [["plugin": "aiostreams", "mount": "/", "options": ["allowPasswordOnlyForMfaUsers": "yes"]]]
        try assertRefused(c, mentions: ["\"dialects[0].options.allowPasswordOnlyForMfaUsers\"", "true or false"])
        c = base(dir); c["store"] = ["plugin": "sqlite", "options": ["allowPasswordOnlyForMfaUsers": true]]
        try assertRefused(c, mentions: ["allowPasswordOnlyForMfaUsers"])
    }

    func testMissingPluginAndKindMismatch() throws {
        let dir = TemporaryDirectory.make("config-plugins")
        var c = base(dir); c["store"] = ["plugin": "nosuchstore"]
        try assertRefused(c, mentions: ["store.plugin", "nosuchstore", "libproteus-nosuchstore.so"])
        c = base(dir); c["store"] = ["plugin": "aiostreams"]
        try assertRefused(c, mentions: ["store.plugin", "is a dialect plugin, expected a store plugin"])
        c = base(dir); c["dialects"] = [["plugin": dir + "/missing.so"]]
        try assertRefused(c, mentions: ["dialects[0].plugin", dir + "/missing.so", "cannot read"])
    }

    func testBrokenLibrariesAreRefusedWithPathAndReason() throws {
        let dir = TemporaryDirectory.make("config-broken")
        let notALibrary = dir + "/libproteus-text.so"
        try "just text".write(toFile: notALibrary, atomically: true, encoding: .utf8)
        let noEntry = try CPluginBuilder.build(into: dir, name: "libproteus-noentry.so", defines: ["HELLO_NO_ENTRY"])
        let badMagic = try CPluginBuilder.build(into: dir, name: "libproteus-badmagic.so", defines: ["HELLO_BAD_MAGIC"])
        let badABI = try CPluginBuilder.build(into: dir, name: "libproteus-badabi.so", defines: ["HELLO_ABI_MAJOR=99"])
        let oldMajor = try CPluginBuilder.build(into: dir, name: "libproteus-abi1.so", defines: ["HELLO_ENTRY_V1"])
        let cases: [(String, [String])] = [
            (notALibrary, ["dlopen failed"]),
            (noEntry, ["no exported symbol proteus_plugin_entry_v2"]),
            (oldMajor, ["libproteus-abi1.so", "ABI mismatch", "plugin built for ABI 1.x", "host speaks 2.\(PROTEUS_ABI_MINOR)", "rebuild"]),
            (badMagic, ["bad descriptor magic"]),
            (badABI, ["ABI mismatch", "plugin built for ABI 99.", "host speaks 2."]),
        ]
        for (path, reasons) in cases {
            var c = base(dir); c["dialects"] = [["plugin": path, "mount": "/"]]
            try assertRefused(c, mentions: ["dialects[0].plugin", path] + reasons)
        }
    }

    func testFailingPluginInitIsRefused() throws {
        let dir = TemporaryDirectory.make("config-init")
        let library = try CPluginBuilder.build(into: dir)
        var c = base(dir); c["dialects"] = [["plugin": library, "options": ["fail": true]]]
        try assertRefused(c, mentions: ["dialects[0].plugin", "hello-c", library, "initialisation failed", "asked to fail"])
        c = base(dir); c["store"] = ["plugin": "sqlite", "options": ["pth": "x"]]
        try assertRefused(c, mentions: ["store.plugin", "sqlite", "unknown option \"pth\""])
        c = base(dir); c["auth"] = [["plugin": "password", "options": ["iterations": "two"]]]
        try assertRefused(c, mentions: ["auth[0].plugin", "password", "iterations"])
        c = base(dir); c["dialects"] = [["plugin": "aiostreams", "options": ["rateLimit": "fast"]]]
        try assertRefused(c, mentions: ["dialects[0].plugin", "aiostreams", "rateLimit"])
    }

    func testTwoDialectsClaimingTheSameRoute() throws {
        let dir = TemporaryDirectory.make("config-conflict")
        var c = base(dir)
        c["dialects"] = [["plugin": "aiostreams", "mount": "/"], ["plugin": "aiostreams", "mount": "/"]]
        try assertRefused(c, mentions: ["route conflict", "/api/v1/user"])
        // The same dialect at two different mounts is fine.
        c["dialects"] = [["plugin": "aiostreams", "mount": "/"], ["plugin": "aiostreams", "mount": "/aio"]]
        XCTAssertEqual(try run(c, directory: dir).status, 0)
    }

    func testServeRefusesBadConfigWithoutListening() throws {
        let dir = TemporaryDirectory.make("config-serve")
        var c = base(dir); c["store"] = ["plugin": "nosuchstore"]
        try assertRefused(c, mentions: ["nosuchstore"], command: [], directory: dir)
    }

    func testPortInUseIsRefused() throws {
        let dir = TemporaryDirectory.make("config-port")
        let first = try ProteusProcess(config: base(dir), directory: dir)
        defer { first.stop() }
        let other = TemporaryDirectory.make("config-port2")
        var c = base(other); c["listen"] = "127.0.0.1:\(first.port)"
        try assertRefused(c, mentions: ["\"listen\"", "Address already in use"], command: [], directory: other)
    }

    func testCommandLineUsage() throws {
        let help = try ProteusProcess.run(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.output.contains("check-config"))
        XCTAssertEqual(try ProteusProcess.run(["frobnicate"]).status, 2)
        XCTAssertEqual(try ProteusProcess.run(["--bogus"]).status, 2)
        XCTAssertEqual(try ProteusProcess.run(["check-config"]).status, 2)
    }

    func testEmbeddedDefaultServesWithoutConfig() throws {
        // No config: SQLite in ./data, AIOStreams at /, 127.0.0.1:8080 — unless
        // that port is taken on this machine, in which case it must refuse clearly.
        let dir = TemporaryDirectory.make("config-default")
        let process = try? ProteusProcess(config: [:], directory: dir, arguments: [])
        if let process {
            defer { process.stop() }
            XCTAssertEqual(process.port, 8080)
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/data/proteus.sqlite"))
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/data/secret.key"))
            let r = try APIClient(port: 8080).request("HEAD", "/api/v1/user?uuid=00000000-0000-4000-8000-000000000000")
            XCTAssertEqual(r.status, 400)
        } else {
            let (status, output) = try ProteusProcess.run([], directory: dir)
            XCTAssertEqual(status, 1)
            XCTAssertTrue(output.contains("127.0.0.1:8080"), output)
        }
    }

    func testSecretKeyPersistsAndBadKeyFileIsNotReplaced() throws {
        let dir = TemporaryDirectory.make("config-secret")
        let server = try ProteusProcess(config: base(dir), directory: dir)
        server.stop()
        let key = try String(contentsOfFile: dir + "/data/secret.key", encoding: .utf8)
        XCTAssertEqual(key.trimmingCharacters(in: .whitespacesAndNewlines).count, 64)
        let again = try ProteusProcess(config: base(dir), directory: dir)
        again.stop()
        XCTAssertEqual(try String(contentsOfFile: dir + "/data/secret.key", encoding: .utf8), key)
        try "garbage".write(toFile: dir + "/data/secret.key", atomically: true, encoding: .utf8)
        let (status, output) = try ProteusProcess.run(["--config", dir + "/config.json"], directory: dir)
        XCTAssertEqual(status, 1)
        XCTAssertTrue(output.contains("secret.key"), output)
        XCTAssertEqual(try String(contentsOfFile: dir + "/data/secret.key", encoding: .utf8), "garbage")
    }
}
