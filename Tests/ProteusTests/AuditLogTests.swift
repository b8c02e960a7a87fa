// The audit log end to end, through the real binary (issue 15): every
// administrative change made through MCSManager, SCIM, Erizos, Cortex Hub
// or `proteus user` is in `proteus audit` with who (actor name and id),
// what (action, target), when (time) and from where (source, and the
// client address the host saw: 127.0.0.1); the filters work; a user's
// change of their own password (through AIOStreams) is no administrative
// event. AuditLogPostgresTests runs it on PostgreSQL.
import Foundation
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest
@testable import Host

class AuditLogTests: XCTestCase {
    var server: ProteusProcess!
    var panel: PanelServer!
    var scim: SCIMClient!
    var port: UInt16 { server.port }

    /// The all-five layout plus SCIM at /scim/v2.
    func config(directory: String) -> [String: Any] {
        var c = AllFive.config(directory: directory)
        var dialects = c["dialects"] as? [[String: Any]] ?? []
        dialects.append(["plugin": "scim", "mount": SCIM.mount, "options": [:] as [String: Any]])
        c["dialects"] = dialects
        return c
    }

    override func setUpWithError() throws {
        let dir = TemporaryDirectory.make("audit")
        server = try ProteusProcess(config: config(directory: dir), directory: dir)
        panel = try PanelServer(server: server)
        scim = SCIMClient(port: server.port, token: try SCIMServer.createToken(server.configPath, label: "okta"))
    }

    override func tearDown() {
        server?.stop()
        server = nil
        panel = nil
        scim = nil
    }

    /// One event of `proteus audit` (its tab-separated fields).
    struct Line {
        let fields: [String]
        var id: Int { Int(fields[0]) ?? -1 }
        var time: String { fields[1] }
        var actor: String { fields[2] }
        var actorID: String { fields[3] }
        var source: String { fields[4] }
        var address: String { fields[5] }
        var action: String { fields[6] }
        var targetKind: String { fields[7] }
        var targetID: String { fields[8] }
        var targetName: String { fields[9] }
        var detail: String { fields[10] }
    }

    /// `proteus audit ARGS --config` against the server's store.
    func audit(_ arguments: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws -> [Line] {
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let r = try runToolSeparately(BuildProducts.proteus, ["audit"] + arguments + ["--config", server.configPath], environment: environment)
        XCTAssertEqual(r.status, 0, r.stderr, file: file, line: line)
        return r.stdout.split(separator: "\n").map { Line(fields: $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)) }
    }

    /// `proteus user ARGS --config`.
    func user(_ arguments: [String], stdin: String? = nil) throws {
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let r = try runToolSeparately(BuildProducts.proteus, ["user"] + arguments + ["--config", server.configPath], environment: environment, input: stdin)
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    func testAdministrativeChangesAreAuditedWithWhoWhatWhenAndWhere() throws {
        let start = Int64(Date().timeIntervalSince1970 * 1000) - 1000

        // MCSManager (the administrator's API key): create bob, ban him.
        let bob = try panel.createUser("bob", password: "Bob0Password")
        let ban = try panel.keyClient().call("PUT", "/api/auth", json: ["uuid": .string(bob), "config": ["permission": -1]], ajax: false)
        XCTAssertEqual(ban.status, 200, ban.text)

        // SCIM (a token labelled "okta"): create carol, deactivate her.
        let carolResource = try scim.call("POST", "/Users", json: ["schemas": [.string(SCIM.userSchema)], "userName": "carol", "password": "Carol0Password"])
        XCTAssertEqual(carolResource.status, 201, carolResource.text)
        let carol = try XCTUnwrap(carolResource.json?["id"]?.stringValue)
        let off = try scim.call("PATCH", "/Users/\(carol)", json: SCIM.patch([["op": "replace", "path": "active", "value": false]]))
        XCTAssertEqual(off.status, 200, off.text)

        // Erizos (the administrator signed in): create dave, delete him.
        let erizos = ErizosClient(port: port)
        try erizos.login(MCSM.adminName, MCSM.adminPassword)
        let dave = try erizos.call("POST", "/api/users", json: ["username": "dave", "password": "Dave0Password", "name": "Dave", "roles": []])
        XCTAssertEqual(dave.status, 200, dave.text)
        XCTAssertEqual(try erizos.call("DELETE", "/api/users/dave").status, 200)

        // Cortex Hub (the administrator): a group.
        let hub = HubClient(port: port)
        XCTAssertEqual(try hub.login(MCSM.adminName, MCSM.adminPassword).status, 200)
        let group = try hub.call("POST", "/users/admin/groups", json: ["name": "ops"])
        XCTAssertEqual(group.status, 200, group.text)

        // The CLI: bob enabled again, his sessions revoked.
        try user(["enable", "bob"])
        try user(["sessions", "bob", "--revoke"])

        // Self-service: alice (made by the administrator) changes her own
        // password through AIOStreams.
        let alice = try panel.createUser("alice", password: "Alice0Password")
        let own = try APIClient(port: port).request("POST", "/api/v1/user/password", headers: [APIClient.basic(MCSM.dashed(alice), "Alice0Password")],
                                                    json: ["newPassword": "Alice1Password"])
        XCTAssertEqual(own.status, 200, own.text)
        let end = Int64(Date().timeIntervalSince1970 * 1000) + 1000

        let all = try audit()
        let admins = try audit(["--actor", MCSM.adminName])
        let adminID = try XCTUnwrap(admins.first?.actorID)
        XCTAssertEqual(adminID.count, 32, "the administrator's id, 32 hex digits")
        func find(_ source: String, _ action: String, _ target: String) -> Line? {
            all.first { $0.source == source && $0.action == action && $0.targetName == target }
        }
        let expected: [(String, String, String, String)] = [
            ("mcsmanager", "user.create", "bob", MCSM.adminName),
            ("mcsmanager", "user.disable", "bob", MCSM.adminName),
            ("scim", "user.create", "carol", "scim:okta"),
            ("scim", "user.disable", "carol", "scim:okta"),
            ("erizos", "user.create", "dave", MCSM.adminName),
            ("erizos", "user.delete", "dave", MCSM.adminName),
            ("cortexhub", "group.create", "ops", MCSM.adminName),
            ("cli", "user.enable", "bob", CLIAudit.actorName),
            ("cli", "user.sessions_revoke", "bob", CLIAudit.actorName),
            ("mcsmanager", "user.create", "alice", MCSM.adminName),
        ]
        for (source, action, target, actor) in expected {
            guard let e = find(source, action, target) else {
                XCTFail("no \(action) of \(target) through \(source) in\n\(all.map { $0.fields.joined(separator: " | ") }.joined(separator: "\n"))")
                continue
            }
            XCTAssertEqual(e.actor, actor, "\(source) \(action)")
            XCTAssertEqual(e.address, source == "cli" ? "-" : "127.0.0.1", "\(source) \(action): where from")
            XCTAssertEqual(e.actorID, actor == MCSM.adminName ? adminID : "-", "\(source) \(action): actor id")
            XCTAssertEqual(e.targetKind, target == "ops" ? "group" : "user")
            XCTAssertEqual(e.targetID.count, 32, "\(source) \(action): target id")
            let at = try XCTUnwrap(RFC3339.parse(e.time), e.time)
            XCTAssertTrue(at >= start && at <= end, "\(e.time) is not the time of the change")
        }
        XCTAssertEqual(find("mcsmanager", "user.create", "bob")?.targetID, bob)
        XCTAssertEqual(find("scim", "user.create", "carol")?.targetID, carol)
        // Self-service is no administrative event.
        XCTAssertFalse(all.contains { $0.targetName == "alice" && $0.action != "user.create" }, "alice's own password change was audited")
        XCTAssertFalse(all.contains { $0.source == "aiostreams" })
        // Newest first.
        XCTAssertEqual(all.map(\.id), all.map(\.id).sorted(by: >))
        XCTAssertEqual(all.first?.action, "user.create", "the newest event: alice's creation")

        // Filters.
        XCTAssertEqual(Set(try audit(["--action", "user.create"]).map(\.action)), ["user.create"])
        XCTAssertEqual(try audit(["--action", "user.create"]).map(\.targetName), ["alice", "dave", "carol", "bob"])
        XCTAssertTrue(try audit(["--action", "user."]).allSatisfy { $0.action.hasPrefix("user.") })
        XCTAssertEqual(try audit(["--action", "group."]).map(\.targetName), ["ops"])
        XCTAssertEqual(Set(admins.map(\.actor)), [MCSM.adminName])
        XCTAssertEqual(admins.count, all.filter { $0.actor == MCSM.adminName }.count)
        XCTAssertEqual(try audit(["--actor", adminID]).map(\.id), admins.map(\.id), "--actor by id or by username")
        XCTAssertEqual(try audit(["--target", "bob"]).map(\.action), ["user.sessions_revoke", "user.enable", "user.disable", "user.create"])
        XCTAssertEqual(try audit(["--target", carol, "--action", "user.disable"]).map(\.actor), ["scim:okta"])
        XCTAssertEqual(try audit(["--limit", "2"]).map(\.id), Array(all.prefix(2).map(\.id)))
        XCTAssertEqual(try audit(["--since", "2999-01-01T00:00:00Z"]).count, 0)
        XCTAssertEqual(try audit(["--since", ISOTime.format(millis: start)]).count, all.count)
        XCTAssertEqual(try audit(["--until", ISOTime.format(millis: start)]).count, 0)
        // Usage errors.
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        for bad in [["--since", "yesterday"], ["--limit", "0"], ["--action", "User"], ["--actor", "nobody-at-all"]] {
            let r = try runToolSeparately(BuildProducts.proteus, ["audit"] + bad + ["--config", server.configPath], environment: environment)
            XCTAssertEqual(r.status, 2, "\(bad): \(r.stdout) \(r.stderr)")
        }
    }
}
