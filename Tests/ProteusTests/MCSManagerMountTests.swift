// MCSManager and AIOStreams over one directory: users cross over both ways,
// documents never clobber each other, and route conflicts are decided at start.
import Foundation
import ProteusJSON
import XCTest

class MCSManagerMountTests: XCTestCase {
    func testPanelUserSignsInThroughAIOStreams() throws {
        let panel = try PanelServer(label: "mcsm-cross")
        defer { panel.stop() }
        let uuid = try panel.createUser("xena", password: "Xena0Password")
        let dashed = MCSM.dashed(uuid)
        let aio = APIClient(port: panel.port)
        let get = try aio.request("GET", "/api/v1/user?uuid=\(dashed)&password=Xena0Password")
        XCTAssertEqual(get.status, 200, get.text)
        XCTAssertEqual(get.json?["data"]?["userData"]?["uuid"]?.stringValue, dashed)
        XCTAssertEqual(try aio.request("GET", "/api/v1/user?uuid=\(dashed)&password=wrong-one").status, 400)
        // Each dialect writes its own document; neither clobbers the other.
        XCTAssertEqual(try aio.request("PUT", "/api/v1/user", json: ["uuid": .string(dashed), "password": "Xena0Password", "config": ["theme": "dark"]]).status, 200)
        assertEnvelope(try panel.keyClient().call("PUT", "/api/auth", json: ["uuid": .string(uuid), "config": ["isInit": true, "instances": [["instanceUuid": "i", "daemonId": "d"]]]], ajax: false), 200, true)
        let after = try aio.request("GET", "/api/v1/user?uuid=\(dashed)&password=Xena0Password")
        XCTAssertEqual(after.json?["data"]?["userData"]?["theme"], "dark")
        XCTAssertEqual(try aio.request("PUT", "/api/v1/user", json: ["uuid": .string(dashed), "password": "Xena0Password", "config": ["theme": "light"]]).status, 200)
        let row = try XCTUnwrap(try panel.search("page=1&page_size=5&userName=xena").json?["data"]?["data"]?[0])
        XCTAssertEqual(row["isInit"], true)
        XCTAssertEqual(row["instances"], [["instanceUuid": "i", "daemonId": "d"]])
        // A password changed through AIOStreams is the user's password here too.
        let change = try aio.request("POST", "/api/v1/user/password", headers: [APIClient.basic(dashed, "Xena0Password")], json: ["newPassword": "Changed0Pass"])
        XCTAssertEqual(change.status, 200, change.text)
        XCTAssertEqual(try PanelClient(port: panel.port).login("xena", "Changed0Pass").status, 200)
        // A ban here locks the user out there.
        assertEnvelope(try panel.keyClient().call("PUT", "/api/auth", json: ["uuid": .string(uuid), "config": ["permission": -1]], ajax: false), 200, true)
        XCTAssertEqual(try aio.request("GET", "/api/v1/user?uuid=\(dashed)&password=Changed0Pass").status, 400)
        // Deleted here, gone there.
        assertEnvelope(try panel.keyClient().call("DELETE", "/api/auth", json: [.string(uuid)], ajax: false), 200, true)
        XCTAssertEqual(try aio.request("HEAD", "/api/v1/user?uuid=\(dashed)").status, 400)
    }

    func testAIOStreamsUserIsListedWithoutNameUntilGivenOne() throws {
        let panel = try PanelServer(label: "mcsm-cross2")
        defer { panel.stop() }
        let aio = APIClient(port: panel.port)
        let created = try aio.request("POST", "/api/v1/user", json: ["config": ["addons": [1, 2]], "password": "hunter22"])
        XCTAssertEqual(created.status, 201, created.text)
        let dashed = try XCTUnwrap(created.json?["data"]?["uuid"]?.stringValue)
        let compact = dashed.replacingOccurrences(of: "-", with: "")
        let all = try XCTUnwrap(try panel.search("page=1&page_size=50").json?["data"])
        XCTAssertEqual(all["total"], 2)
        let row = try XCTUnwrap(all["data"]?.arrayValue?.first { $0["uuid"]?.stringValue == compact })
        XCTAssertEqual(row["userName"], "")
        XCTAssertEqual(row["permission"], 1)
        XCTAssertEqual(row["instances"], [])
        XCTAssertEqual(try panel.search("page=1&page_size=50&userName=dmin").json?["data"]?["total"], 1, "only the named administrator matches a name filter")
        // An administrator names the user; it signs in here with its AIOStreams password.
        assertEnvelope(try panel.keyClient().call("PUT", "/api/auth", json: ["uuid": .string(compact), "config": ["userName": "streamer", "instances": []]], ajax: false), 200, true)
        let session = PanelClient(port: panel.port)
        assertEnvelope(try session.login("streamer", "hunter22"), 200)
        let me = try session.call("GET", "/api/auth/")
        XCTAssertEqual(me.json?["data"]?["uuid"]?.stringValue, compact)
        // Its AIOStreams config is untouched.
        let get = try aio.request("GET", "/api/v1/user?uuid=\(dashed)&password=hunter22")
        XCTAssertEqual(get.json?["data"]?["userData"]?["addons"], [1, 2])
    }

    func testBothDialectsAtRootAreAccepted() throws {
        let dir = TemporaryDirectory.make("mcsm-mounts")
        try JSONSerialization.data(withJSONObject: MCSM.config(directory: dir)).write(to: URL(fileURLWithPath: dir + "/c.json"))
        let (status, output) = try ProteusProcess.run(["check-config", "--config", dir + "/c.json"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("mcsmanager at /"), output)
        XCTAssertTrue(output.contains("aiostreams at /"), output)
    }

    func testTwoPanelsAtRootAreRefused() throws {
        let dir = TemporaryDirectory.make("mcsm-mounts2")
        var config = MCSM.config(directory: dir)
        config["dialects"] = [["plugin": "mcsmanager", "mount": "/"], ["plugin": "mcsmanager", "mount": "/"]]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/c.json"))
        let (status, output) = try ProteusProcess.run(["check-config", "--config", dir + "/c.json"])
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("route conflict"), output)
        XCTAssertTrue(output.contains("/api/auth"), output)
        // Two panels under different prefixes share one directory.
        config["dialects"] = [["plugin": "mcsmanager", "mount": "/"], ["plugin": "mcsmanager", "mount": "/panel2"]]
        let server = try ProteusProcess(config: config, directory: dir)
        defer { server.stop() }
        let a = PanelClient(port: server.port)
        assertEnvelope(try a.call("POST", "/api/auth/install", json: ["username": "Root", "password": "Passw0rdRoot"]), 200, true)
        let b = PanelClient(port: server.port)
        let login = try b.call("POST", "/panel2/api/auth/login", json: ["username": "Root", "password": "Passw0rdRoot"])
        assertEnvelope(login, 200)
        XCTAssertTrue(login.header("Set-Cookie")?.contains("Path=/panel2") ?? false, login.header("Set-Cookie") ?? "")
        assertEnvelope(try APIClient(port: server.port).request("GET", "/panel2/api/nothing"), 404, "[404] Not Found")
    }
}
