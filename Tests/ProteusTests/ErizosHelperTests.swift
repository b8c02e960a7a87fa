// The PluginKit pieces the Erizos dialect relies on (Basic credentials,
// ISO timestamps, the loginRateLimit option) and the dialect's options as
// an operator meets them (check-config).
import Foundation
import PluginKit
import ProteusJSON
import XCTest

final class ErizosHelperTests: XCTestCase {
    func testBasicCredentials() {
        func basic(_ text: String) -> String { "Basic " + Data(text.utf8).base64EncodedString() }
        XCTAssertEqual(BasicCredentials.parse(basic("olga:secret pw")), BasicCredentials(user: "olga", password: "secret pw"))
        XCTAssertEqual(BasicCredentials.parse(basic("olga:a:b:")), BasicCredentials(user: "olga", password: "a:b:"), "colons after the first belong to the password")
        XCTAssertEqual(BasicCredentials.parse(basic(":")), BasicCredentials(user: "", password: ""))
        XCTAssertEqual(BasicCredentials.parse("bAsIc  " + Data("é:ü".utf8).base64EncodedString() + " "), BasicCredentials(user: "é", password: "ü"))
        for bad in ["", "Basic", "Basic ", "Bearer abc", "Basic !!!!", basic("no colon"), "Basic " + Data([0xFF, 0x3A, 0x41]).base64EncodedString()] {
            XCTAssertNil(BasicCredentials.parse(bad), bad)
        }
    }

    func testISOTimestamps() {
        XCTAssertEqual(ISOTime.format(millis: 1_578_848_720_616), "2020-01-12T17:05:20.616Z")
        XCTAssertEqual(ISOTime.format(millis: 0), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(ISOTime.format(millis: 951_782_400_007), "2000-02-29T00:00:00.007Z")
        XCTAssertEqual(ISOTime.format(millis: -1), "1969-12-31T23:59:59.999Z")
        // Years are printed unpadded (unchanged by gmtime_r); the ends of Int64 do not trap.
        XCTAssertEqual(ISOTime.format(millis: -62_135_596_800_001), "0-12-31T23:59:59.999Z")
        XCTAssertEqual(ISOTime.format(millis: 253_402_300_800_000), "10000-01-01T00:00:00.000Z")
        XCTAssertEqual(ISOTime.format(millis: .max), "292278994-08-17T07:12:55.807Z")
        XCTAssertEqual(ISOTime.format(millis: .min), "-292275055-05-16T16:47:04.192Z")
    }

    func testSignInLimitOption() throws {
        XCTAssertEqual(try SignInLimits(option: nil), .standard)
        XCTAssertEqual(try SignInLimits(option: true), .standard)
        XCTAssertEqual(try SignInLimits(option: false), SignInLimits(perAccount: nil, perIP: nil))
        let custom = try SignInLimits(option: ["perAccount": ["failures": 3], "perIP": false])
        XCTAssertEqual(custom.perAccount, SignInLimit(failures: 3, windowSeconds: 60))
        XCTAssertNil(custom.perIP)
        XCTAssertEqual(custom.perAccount?.budget, 15)
        for bad: JSONValue in ["yes", ["perAccount": ["requests": 5]], ["perIP": 3], ["other": [:]], ["perAccount": ["failures": 0]]] {
            XCTAssertThrowsError(try SignInLimits(option: bad), "\(bad)") { error in
                XCTAssertTrue("\(error)".contains("loginRateLimit"), "\(error)")
            }
        }
    }

    func testOptionsAreChecked() throws {
        for (options, word) in [(["sessionTTLSeconds": 5], "sessionTTLSeconds"), (["loginRateLimit": "no"], "loginRateLimit"),
                                (["mount": "/x"], "mount")] as [([String: Any], String)] {
            let dir = TemporaryDirectory.make("erizos-badopt")
            var config = Erizos.config(directory: dir)
            config["dialects"] = [["plugin": "erizos", "mount": "/", "options": options]]
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/c.json"))
            let (status, output) = try ProteusProcess.run(["check-config", "--config", dir + "/c.json"])
            XCTAssertEqual(status, 1, output)
            XCTAssertTrue(output.contains(word) && output.contains("erizos"), output)
        }
        let dir = TemporaryDirectory.make("erizos-goodopt")
        var config = Erizos.config(directory: dir)
        config["dialects"] = [["plugin": "erizos", "mount": "/", "options": ["sessionTTLSeconds": 3600, "loginRateLimit": false]]]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/c.json"))
        let (status, output) = try ProteusProcess.run(["check-config", "--config", dir + "/c.json"])
        XCTAssertEqual(status, 0, output)
    }
}

/// Erizos alone (no dialect that installs an administrator): the first ADMIN
/// comes from the option firstAdmin and the environment.
class ErizosFirstAdminTests: XCTestCase {
    private func config(_ dir: String, firstAdmin: [String: Any]?) -> [String: Any] {
        var c = Erizos.config(directory: dir)
        var options: [String: Any] = [:]
        if let firstAdmin { options["firstAdmin"] = firstAdmin }
        c["dialects"] = [["plugin": "erizos", "mount": "/", "options": options]]
        return c
    }

    func testFirstAdminFromConfigAndEnvironment() throws {
        let variable = "ERIZOS_TEST_ADMIN_PASSWORD"
        setenv(variable, "boot pw", 1)
        defer { unsetenv(variable) }
        let dir = TemporaryDirectory.make("erizos-first")
        let first = ["username": "chief", "passwordEnv": variable]
        var server = try ProteusProcess(config: config(dir, firstAdmin: first), directory: dir)
        let admin = ErizosClient(port: server.port)
        let login = try admin.login("chief", "boot pw")
        XCTAssertEqual(login.json?["roles"], ["ADMIN"])
        XCTAssertEqual(try admin.call("GET", "/api/users").json?.arrayValue?.count, 1)
        assertErizosError(try APIClient(port: server.port).request("POST", "/api/login", json: ["username": "admin", "password": "admin"]), 401)
        // A restart with another password in the environment changes nothing: an ADMIN exists.
        server.stop()
        setenv(variable, "other pw", 1)
        server = try ProteusProcess(config: config(dir, firstAdmin: first), directory: dir)
        defer { server.stop() }
        XCTAssertEqual(try ErizosClient(port: server.port).login("chief", "boot pw").status, 200)
        assertErizosError(try APIClient(port: server.port).request("POST", "/api/login", json: ["username": "chief", "password": "other pw"]), 401)
        let users = try XCTUnwrap(try ErizosClient(port: server.port).login("chief", "boot pw").json)
        XCTAssertEqual(users["username"], "chief")
    }

    func testWithoutAnAdminTheVariableMustBeSet() throws {
        let dir = TemporaryDirectory.make("erizos-first-missing")
        try JSONSerialization.data(withJSONObject: config(dir, firstAdmin: ["username": "chief", "passwordEnv": "ERIZOS_TEST_UNSET_VARIABLE"]))
            .write(to: URL(fileURLWithPath: dir + "/c.json"))
        let (status, output) = try ProteusProcess.run(["check-config", "--config", dir + "/c.json"])
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("ERIZOS_TEST_UNSET_VARIABLE") && output.contains("firstAdmin"), output)
        for bad: [String: Any] in [["username": "chief"], ["username": "", "passwordEnv": "X"], ["username": "chief", "passwordEnv": "X", "password": "pw"]] {
            try JSONSerialization.data(withJSONObject: config(dir, firstAdmin: bad)).write(to: URL(fileURLWithPath: dir + "/c.json"))
            let (status, output) = try ProteusProcess.run(["check-config", "--config", dir + "/c.json"])
            XCTAssertEqual(status, 1, output)
            XCTAssertTrue(output.contains("firstAdmin"), output)
        }
    }
}
