// `proteus user …` (issue 14), run as the real binary: on a config without
// dialects, every subcommand and every refusal; then the first administrator
// of a fresh install made on the shell signs in through each dialect that has
// password sign-in, and `passwd` / `disable` end what they must.
import Foundation
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest
@testable import Host

enum UserCLI {
    /// The store section when not SQLite (set by the PostgreSQL subclass).
    nonisolated(unsafe) static var storeOverride: ((String) -> [String: Any])?

    /// A fresh directory with no dialect at all: what an operator starts from.
    static func bareConfig(directory: String) -> [String: Any] {
        var c = ProteusProcess.defaultConfig(directory: directory)
        if let storeOverride { c["store"] = storeOverride(directory) }
        c["dialects"] = [Any]()
        return c
    }

    /// The five dialects of AllFive, over this suite's store.
    static func allFiveConfig(directory: String) -> [String: Any] {
        var c = AllFive.config(directory: directory)
        if let storeOverride { c["store"] = storeOverride(directory) }
        return c
    }

    static func write(_ config: [String: Any], to directory: String) throws -> String {
        let path = directory + "/config.json"
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: path))
        return path
    }
}

class UserCommandTests: XCTestCase {
    var directory = ""
    var configPath = ""

    override func setUpWithError() throws {
        directory = TemporaryDirectory.make("usercli")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: helpers

    /// `proteus user ARGS --config CONFIG` with `stdin` as standard input.
    @discardableResult
    func user(_ args: [String], stdin: String = "") throws -> (status: Int32, stdout: String, stderr: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        return try runToolSeparately(BuildProducts.proteus, ["user"] + args + ["--config", configPath], environment: environment, input: stdin)
    }

    /// Runs a subcommand that must succeed; returns its standard output.
    @discardableResult
    func userOK(_ args: [String], stdin: String = "", file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let r = try user(args, stdin: stdin)
        XCTAssertEqual(r.status, 0, "user \(args): \(r.stderr)", file: file, line: line)
        return r.stdout
    }

    /// Asserts a refusal: the exit status and words of the message.
    func assertRefused(_ args: [String], stdin: String = "", status: Int32, mentions words: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try user(args, stdin: stdin)
        XCTAssertEqual(r.status, status, "user \(args): \(r.stdout) \(r.stderr)", file: file, line: line)
        XCTAssertEqual(r.stdout, "", "nothing on stdout for a refusal", file: file, line: line)
        for word in words { XCTAssertTrue(r.stderr.contains(word), "\"\(word)\" not in: \(r.stderr)", file: file, line: line) }
    }

    /// `user list` as rows of its five tab-separated fields.
    func listed(_ extra: [String] = []) throws -> [[String]] {
        try userOK(["list"] + extra).split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// The store's record of `name`, read in this process.
    func storedUser(_ name: String) throws -> UserRecord {
        let binding = try HostAssembly.storeOnly(try ConfigurationLoader.load(path: configPath, dialectsRequired: false))
        defer { binding.instance.destroy() }
        return try StoreClient(binding, host: UnsafePointer(binding.instance.hostTable)).getUser(username: name)
    }

    /// Waits (up to 5 s) for `condition`: a server may answer a session
    /// from its auth cache for `authCacheMs` after another process ended it.
    func eventually(_ what: String, file: StaticString = #filePath, line: UInt = #line, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(5)
        while try !condition() {
            guard Date() < deadline else { return XCTFail("not within 5 s: \(what)", file: file, line: line) }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    // MARK: without dialects

    func testEverySubcommandOnAConfigWithoutDialects() throws {
        configPath = try UserCLI.write(UserCLI.bareConfig(directory: directory), to: directory)

        // --version: this build, the ABI, the plugins `proteus plugins` finds.
        let version = try ProteusProcess.run(["--version", "--config", configPath])
        XCTAssertEqual(version.status, 0, version.output)
        let lines = version.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(Array(lines.prefix(2)), ["proteus \(ProteusVersion.text)", "abi \(PROTEUS_ABI_MAJOR).\(PROTEUS_ABI_MINOR)"])
        XCTAssertTrue(lines.contains { $0.hasPrefix("auth    password") && $0.hasSuffix("libproteus-password.so") }, version.output)

        // Serving still needs a dialect; the user commands do not.
        let check = try ProteusProcess.run(["check-config", "--config", configPath])
        XCTAssertEqual(check.status, 1, check.output)
        XCTAssertTrue(check.output.contains("list at least one dialect"), check.output)
        XCTAssertEqual(try listed(), [])

        // The first administrator: the id alone on stdout, the password hashed by the password plugin.
        let rootID = try userOK(["add", "--username", "root", "--role", "admin", "--password-stdin"], stdin: "Root0Password\n")
            .trimmingCharacters(in: .newlines)
        XCTAssertNotNil(proteus_id(compactHex: rootID), rootID)
        let root = try storedUser("root")
        XCTAssertEqual(proteus_id(byteArray: root.id).compactHex, rootID)
        XCTAssertEqual(root.roles, ["admin"])
        XCTAssertTrue(root.passwordHash?.hasPrefix("$argon2id$") ?? false, root.passwordHash ?? "no hash")
        XCTAssertFalse(root.passwordHash?.contains("Root0Password") ?? true)

        let aliceID = try userOK(["add", "--username", "alice", "--email", "alice@example.com", "--password-stdin"], stdin: "Alice0Password")
            .trimmingCharacters(in: .newlines)
        XCTAssertEqual(try listed(), [[rootID, "root", "", "admin", "false"], [aliceID, "alice", "alice@example.com", "", "false"]])
        XCTAssertEqual(try listed(["--search", "LIC"]), [[aliceID, "alice", "alice@example.com", "", "false"]], "ASCII case-insensitive substring")
        XCTAssertEqual(try listed(["--search", "nobody"]), [])

        // A password in argv is refused, and never echoed.
        for args in [["add", "--username", "bob", "--password", "Secret0Value"], ["add", "--username", "bob", "--password=Secret0Value"],
                     ["passwd", "alice", "--password", "Secret0Value"]] {
            try assertRefused(args, status: 2, mentions: ["--password-stdin"])
            XCTAssertFalse(try user(args).stderr.contains("Secret0Value"))
        }
        // Bad input of every kind changes nothing.
        try assertRefused(["add", "--password-stdin"], stdin: "pw\n", status: 2, mentions: ["--username"])
        try assertRefused(["add", "--username", "bob"], stdin: "pw\n", status: 2, mentions: ["--password-stdin"])
        try assertRefused(["add", "--username", "bob", "--password-stdin"], stdin: "\n", status: 1, mentions: ["empty"])
        try assertRefused(["add", "--username", "bob", "--password-stdin"], stdin: "", status: 1, mentions: ["empty"])
        try assertRefused(["add", "--username", "bob", "--password-stdin", "--colour", "red"], stdin: "pw\n", status: 2, mentions: ["--colour"])
        try assertRefused(["add", "--username", "bob", "--role", "wizard", "--password-stdin"], stdin: "Bob0Password\n", status: 1, mentions: ["unknown role \"wizard\""])
        try assertRefused(["add", "--username", "root", "--password-stdin"], stdin: "Other0Password\n", status: 1, mentions: ["\"root\" already exists"])
        try assertRefused(["frobnicate"], status: 2, mentions: ["frobnicate"])
        try assertRefused(["list", "--revoke"], status: 2, mentions: ["--revoke"])
        try assertRefused(["disable"], status: 2, mentions: ["one user name"])
        XCTAssertEqual(try listed().map { $0[1] }, ["root", "alice"])
        XCTAssertEqual(try storedUser("root").passwordHash, root.passwordHash)

        // Unknown users are named.
        for args in [["passwd", "ghost", "--password-stdin"], ["disable", "ghost"], ["enable", "ghost"], ["delete", "ghost"],
                     ["roles", "ghost", "--set", "admin"], ["sessions", "ghost", "--revoke"]] {
            try assertRefused(args, stdin: "Ghost0Password\n", status: 1, mentions: ["\"ghost\""])
        }

        // roles --set replaces the roles; "" takes them all away.
        XCTAssertTrue(try userOK(["roles", "alice", "--set", "admin"]).contains("admin"))
        XCTAssertEqual(try listed()[1][3], "admin")
        try userOK(["roles", "alice", "--set", ""])
        XCTAssertEqual(try listed()[1][3], "")
        try assertRefused(["roles", "alice", "--set", "admin,wizard"], status: 1, mentions: ["\"wizard\""])
        try assertRefused(["roles", "alice", "--set", "admin,"], status: 2, mentions: ["empty role"])
        XCTAssertEqual(try listed()[1][3], "")

        // disable / enable, by username or by id.
        try userOK(["disable", "alice"])
        XCTAssertEqual(try listed()[1][4], "true")
        XCTAssertTrue(try storedUser("alice").isDisabled)
        try userOK(["enable", aliceID])
        XCTAssertEqual(try listed()[1][4], "false")

        // passwd: a new verifier.
        let before = try storedUser("alice").passwordHash
        try userOK(["passwd", "alice", "--password-stdin"], stdin: "Alice1Password\r\n")
        XCTAssertNotEqual(try storedUser("alice").passwordHash, before)
        XCTAssertTrue(try userOK(["sessions", "alice", "--revoke"]).hasPrefix("0 session(s)"))

        // delete.
        try userOK(["delete", "alice"])
        XCTAssertEqual(try listed(), [[rootID, "root", "", "admin", "false"]])
        try assertRefused(["delete", "alice"], status: 1, mentions: ["\"alice\""])
    }

    // MARK: the "done when"

    /// The first administrator made on the shell signs in through every
    /// dialect with password sign-in; `passwd` ends the sessions opened
    /// before and the new password works; `disable` stops every sign-in.
    func testFirstAdminFromTheShellSignsInEverywhere() throws {
        let config = UserCLI.allFiveConfig(directory: directory)
        configPath = try UserCLI.write(config, to: directory)
        let id = try userOK(["add", "--username", "root", "--role", "admin", "--password-stdin"], stdin: "Root0Password\n")
            .trimmingCharacters(in: .newlines)
        let dashed = try XCTUnwrap(proteus_id(compactHex: id)).dashedUUID

        let server = try ProteusProcess(config: config, directory: directory)
        defer { server.stop() }
        let port = server.port
        let lm = LMServer(server: server, config: config, mount: AllFive.lmMount)

        /// Sign-in through each dialect: the status each answered.
        func signIns(_ password: String) throws -> [String: Int] {
            [
                "mcsmanager": try PanelClient(port: port).login("root", password).status,
                "erizos": try APIClient(port: port).request("POST", "/api/login", json: ["username": "root", "password": .string(password)]).status,
                "cortexhub": try HubClient(port: port).login("root", password).status,
                "listenmoe": try lm.login("root", password).status,
                // AIOStreams has no sign-in step and no username: every call
                // carries the id and the password (here as Basic).
                "aiostreams": try APIClient(port: port).request("GET", "/api/v1/user", headers: [APIClient.basic(dashed, password)]).status,
            ]
        }
        let everyone = ["mcsmanager", "erizos", "cortexhub", "listenmoe", "aiostreams"]
        func assertAllAccept(_ password: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let answers = try signIns(password)
            for dialect in everyone { XCTAssertEqual(answers[dialect], 200, "\(dialect) refused \(password)", file: file, line: line) }
        }
        func assertNoneAccepts(_ password: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let answers = try signIns(password)
            for dialect in everyone { XCTAssertNotEqual(answers[dialect], 200, "\(dialect) accepted \(password)", file: file, line: line) }
        }

        // The administrator everywhere, sessions open in each dialect that has them.
        try assertAllAccept("Root0Password")
        let panel = PanelClient(port: port)
        XCTAssertEqual(try panel.login("root", "Root0Password").status, 200)
        let own = try panel.call("GET", "/api/auth/")
        XCTAssertEqual(own.status, 200, own.text)
        XCTAssertEqual(own.json?["data"]?["permission"], 10, "admin is the panel's administrator: \(own.text)")
        let erizos = ErizosClient(port: port)
        let erizosLogin = try erizos.login("root", "Root0Password")
        XCTAssertEqual(erizosLogin.json?["roles"], ["ADMIN"], erizosLogin.text)
        XCTAssertEqual(try erizos.call("GET", "/api/users/root").status, 200)
        let hub = HubClient(port: port)
        XCTAssertEqual(try hub.login("root", "Root0Password").json?["role"], "admin")
        XCTAssertEqual(try hub.call("GET", "/users/me").status, 200)
        let lmToken = try lm.token("root", "Root0Password")
        XCTAssertEqual(try lm.call("GET", "/users/root", token: lmToken).status, 200)

        // A new password from the shell while the server runs.
        let passwd = try user(["passwd", "root", "--password-stdin"], stdin: "Changed0Password\n")
        XCTAssertEqual(passwd.status, 0, passwd.stderr)
        XCTAssertFalse(passwd.stdout.contains("Changed0Password") || passwd.stderr.contains("Changed0Password"))
        try eventually("every session opened before passwd is over") {
            try panel.call("GET", "/api/auth/").status != 200
                && erizos.call("GET", "/api/users/root").status == 401
                && hub.call("GET", "/users/me").status != 200
                && lm.call("GET", "/users/root", token: lmToken).status == 401
        }
        try assertNoneAccepts("Root0Password")
        try assertAllAccept("Changed0Password")

        // Disabled: no sign-in anywhere, and what was opened since passwd
        // (sessions, a LISTEN.moe token, an MCSManager API key) is refused.
        let panelAgain = PanelClient(port: port)
        XCTAssertEqual(try panelAgain.login("root", "Changed0Password").status, 200)
        let keyClient = PanelClient(port: port)
        keyClient.apiKey = try XCTUnwrap(try panelAgain.call("PUT", "/api/auth/api", json: ["enable": true]).json?["data"]?.stringValue)
        XCTAssertEqual(try keyClient.call("GET", "/api/auth/", ajax: false).status, 200)
        let erizosAgain = ErizosClient(port: port)
        try erizosAgain.login("root", "Changed0Password")
        let hubAgain = HubClient(port: port)
        XCTAssertEqual(try hubAgain.login("root", "Changed0Password").status, 200)
        let lmTokenAgain = try lm.token("root", "Changed0Password")
        XCTAssertTrue(try userOK(["disable", "root"]).contains("disabled"))
        try eventually("everything opened after passwd is refused") {
            try panelAgain.call("GET", "/api/auth/").status != 200
                && keyClient.call("GET", "/api/auth/", ajax: false).status != 200
                && erizosAgain.call("GET", "/api/users/root").status == 401
                && hubAgain.call("GET", "/users/me").status != 200
                && lm.call("GET", "/users/root", token: lmTokenAgain).status == 401
        }
        try assertNoneAccepts("Changed0Password")
        XCTAssertEqual(try listed(), [[id, "root", "", "admin", "true"]])

        // Enabled again: the password works again.
        try userOK(["enable", "root"])
        try eventually("root signs in again") { try PanelClient(port: port).login("root", "Changed0Password").status == 200 }
        try assertAllAccept("Changed0Password")
    }
}
