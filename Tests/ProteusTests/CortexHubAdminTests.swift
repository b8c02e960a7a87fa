// The Cortex Hub admin routes against the real binary: users with role and
// group, role changes (the last administrator, also under 20 concurrent
// demotions), group assignment and the groups themselves.
import Foundation
import ProteusJSON
import XCTest

class CortexHubAdminTests: XCTestCase {
    var hub: HubServer!

    override func setUpWithError() throws { hub = try HubServer(label: "ch-admin") }

    override func tearDown() {
        hub?.stop()
        hub = nil
    }

    func testAdminRoutesRefuseNonAdminsAndStrangers() throws {
        try hub.createUser("uma")
        let uma = try hub.signedIn("uma")
        let gid = "0123456789abcdef0123456789abcdef"
        let calls: [(String, String, JSONValue?)] = [
            ("GET", "/users/admin/users", nil),
            ("PUT", "/users/admin/users/\(gid)/role", ["role": "admin"]),
            ("PUT", "/users/admin/users/\(gid)/group", ["group_id": nil]),
            ("GET", "/users/admin/groups", nil),
            ("POST", "/users/admin/groups", ["name": "g"]),
            ("PUT", "/users/admin/groups/\(gid)", ["name": "g"]),
            ("DELETE", "/users/admin/groups/\(gid)", nil),
        ]
        for (method, path, body) in calls {
            assertDetail(try uma.call(method, path, json: body), 403)
            assertDetail(try HubClient(port: hub.port).call(method, path, json: body), 401)
        }
    }

    func testUserListAndRoleChanges() throws {
        let vic = try hub.createUser("vic")
        let list = try hub.admin.call("GET", "/users/admin/users")
        XCTAssertEqual(list.status, 200, list.text)
        let items = try XCTUnwrap(list.json?.arrayValue)
        XCTAssertEqual(items.count, 2)
        let item = try XCTUnwrap(items.first { $0["username"]?.stringValue == "vic" })
        for key in ["id", "username", "email", "role", "group_id"] { XCTAssertNotNil(item[key], key) }
        XCTAssertEqual(item["id"]?.stringValue, vic)
        XCTAssertEqual(item["role"]?.stringValue, "user")
        XCTAssertEqual(item["group_id"], .null)
        XCTAssertEqual(items.first { $0["username"]?.stringValue == MCSM.adminName }?["role"]?.stringValue, "admin")
        XCTAssertFalse(list.text.contains("argon2"))

        let promoted = try hub.admin.call("PUT", "/users/admin/users/\(vic)/role", json: ["role": "admin"])
        XCTAssertEqual(promoted.status, 200, promoted.text)
        XCTAssertEqual(promoted.json?["role"]?.stringValue, "admin")
        assertValidation(try hub.admin.call("PUT", "/users/admin/users/\(vic)/role", json: ["role": "root"]), loc: ["body", "role"])
        assertValidation(try hub.admin.call("PUT", "/users/admin/users/\(vic)/role", json: [:]), loc: ["body", "role"], type: "missing")
        assertDetail(try hub.admin.call("PUT", "/users/admin/users/0123456789abcdef0123456789abcdef/role", json: ["role": "user"]), 404)
        assertDetail(try hub.admin.call("PUT", "/users/admin/users/not-an-id/role", json: ["role": "user"]), 404)
        // Down to one admin: demoting it is refused, and nothing changes.
        XCTAssertEqual(try hub.admin.call("PUT", "/users/admin/users/\(vic)/role", json: ["role": "user"]).status, 200)
        let adminID = try XCTUnwrap(try hub.admin.call("GET", "/users/me").json?["id"]?.stringValue)
        assertDetail(try hub.admin.call("PUT", "/users/admin/users/\(adminID)/role", json: ["role": "user"]), 409)
        XCTAssertEqual(try hub.admin.call("GET", "/users/me").json?["role"]?.stringValue, "admin")
    }

    func testTwentyConcurrentDemotionsOfTheLastTwoAdminsLeaveOne() throws {
        let zed = try hub.createUser("zed", permission: 10)
        let zedClient = try hub.signedIn("zed")
        let adminID = try XCTUnwrap(try hub.admin.call("GET", "/users/me").json?["id"]?.stringValue)
        let ids = [try XCTUnwrap(hub.admin.userID), try XCTUnwrap(zedClient.userID)]
        let targets = [zed, adminID]
        let statuses = StatusList()
        let port = hub.port
        // Connections open and signed in first, then all 20 released at once,
        // so that the demotions pass the admin check together and meet in the store.
        let clients = (0..<20).map { HubClient(port: port, userID: ids[$0 % 2]) }
        for c in clients { XCTAssertEqual(try c.call("GET", "/users/me").status, 200) }
        let gate = DispatchGroup()
        gate.enter()
        let ready = DispatchGroup(), done = DispatchGroup()
        for (i, client) in clients.enumerated() {
            ready.enter()
            done.enter()
            // Even: Admin demotes zed; odd: zed demotes Admin.
            Thread.detachNewThread {
                ready.leave()
                gate.wait()
                statuses.add((try? client.call("PUT", "/users/admin/users/\(targets[i % 2])/role", json: ["role": "user"]).status) ?? -1)
                done.leave()
            }
        }
        ready.wait()
        gate.leave()
        XCTAssertEqual(done.wait(timeout: .now() + 60), .success)
        for s in statuses.all { XCTAssertTrue([200, 403, 409].contains(s), "status \(s)") }
        XCTAssertGreaterThanOrEqual(statuses.all.filter { $0 == 200 }.count, 1)
        let survivor = ids.map { HubClient(port: port, userID: $0) }.first { (try? $0.call("GET", "/users/me").json?["role"]?.stringValue) == "admin" }
        let list = try XCTUnwrap(try survivor?.call("GET", "/users/admin/users").json?.arrayValue, "no admin left")
        XCTAssertEqual(list.filter { $0["role"]?.stringValue == "admin" }.count, 1, "\(list)")
    }

    func testGroupsAndGroupAssignment() throws {
        let wes = try hub.createUser("wes")
        XCTAssertEqual(try hub.admin.call("GET", "/users/admin/groups").json, [])
        let created = try hub.admin.call("POST", "/users/admin/groups", json: ["name": "research", "description": "R&D", "policy": ["llm": ["allowed": ["openai"]]]])
        XCTAssertEqual(created.status, 200, created.text)
        XCTAssertEqual(created.json?.objectValue?.keys.sorted(), ["description", "id", "name", "policy"])
        XCTAssertEqual(created.json?["policy"], ["llm": ["allowed": ["openai"]]])
        let gid = try XCTUnwrap(created.json?["id"]?.stringValue)
        let plain = try hub.admin.call("POST", "/users/admin/groups", json: ["name": "plain"])
        XCTAssertEqual(plain.json?["policy"], [:])
        XCTAssertEqual(plain.json?["description"], .null)
        assertDetail(try hub.admin.call("POST", "/users/admin/groups", json: ["name": "research"]), 409)
        assertValidation(try hub.admin.call("POST", "/users/admin/groups", json: ["description": "x"]), loc: ["body", "name"], type: "missing")
        assertValidation(try hub.admin.call("POST", "/users/admin/groups", json: ["name": "p", "policy": [1]]), loc: ["body", "policy"], type: "dict_type")
        XCTAssertEqual(try hub.admin.call("GET", "/users/admin/groups").json?.arrayValue?.count, 2)

        let renamed = try hub.admin.call("PUT", "/users/admin/groups/\(gid)", json: ["name": "labs"])
        XCTAssertEqual(renamed.status, 200, renamed.text)
        XCTAssertEqual(renamed.json?["description"]?.stringValue, "R&D", "omitted fields stay")
        XCTAssertEqual(renamed.json?["name"]?.stringValue, "labs")
        XCTAssertEqual(try hub.admin.call("PUT", "/users/admin/groups/\(gid)", json: ["policy": ["tts": false]]).json?["policy"], ["tts": false])
        assertDetail(try hub.admin.call("PUT", "/users/admin/groups/\(gid)", json: ["name": "plain"]), 409)
        assertDetail(try hub.admin.call("PUT", "/users/admin/groups/0123456789abcdef0123456789abcdef", json: ["name": "x"]), 404)

        let assigned = try hub.admin.call("PUT", "/users/admin/users/\(wes)/group", json: ["group_id": .string(gid)])
        XCTAssertEqual(assigned.status, 200, assigned.text)
        XCTAssertEqual(assigned.json?["group_id"]?.stringValue, gid)
        assertDetail(try hub.admin.call("PUT", "/users/admin/users/\(wes)/group", json: ["group_id": "0123456789abcdef0123456789abcdef"]), 404)
        assertDetail(try hub.admin.call("PUT", "/users/admin/users/0123456789abcdef0123456789abcdef/group", json: ["group_id": nil]), 404)
        assertValidation(try hub.admin.call("PUT", "/users/admin/users/\(wes)/group", json: [:]), loc: ["body", "group_id"], type: "missing")
        XCTAssertEqual(try hub.signedIn("wes").call("GET", "/users/me/profile").json?["group_id"]?.stringValue, gid)

        // Deleting the group ungroups its users.
        XCTAssertEqual(try hub.admin.call("DELETE", "/users/admin/groups/\(gid)").status, 200)
        assertDetail(try hub.admin.call("DELETE", "/users/admin/groups/\(gid)"), 404)
        let wesItem = try hub.admin.call("GET", "/users/admin/users").json?.arrayValue?.first { $0["id"]?.stringValue == wes }
        XCTAssertEqual(wesItem?["group_id"], .null)
        XCTAssertEqual(try hub.admin.call("PUT", "/users/admin/users/\(wes)/group", json: ["group_id": nil]).json?["group_id"], .null)
    }
}

/// Statuses collected from concurrent requests.
final class StatusList: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Int] = []
    func add(_ status: Int) { lock.lock(); items.append(status); lock.unlock() }
    var all: [Int] { lock.lock(); defer { lock.unlock() }; return items }
}
