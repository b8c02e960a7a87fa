// Routing on the whole (mount + route): a request that no route of the
// longest mount serves falls through to a shorter mount whose routes serve
// it; 404/405 come from the dialect with the longest matching mount; two
// dialects claiming the same method on overlapping paths across mounts
// stop the start.
import Foundation
import ProteusJSON
import XCTest

final class RoutingAcrossMountsTests: XCTestCase {
    /// AIOStreams and MCSManager at `/`, the C hello dialect at `/api/v1`
    /// (where Cortex Hub goes): each dialect's routes answer.
    func testShorterMountsServeWhatTheLongestDoesNot() throws {
        let dir = TemporaryDirectory.make("routing-mounts")
        let hello = try CPluginBuilder.build(into: dir)
        var config = ProteusProcess.defaultConfig(directory: dir)
        config["dialects"] = [
            ["plugin": "aiostreams", "mount": "/", "options": ["rateLimit": false]],
            ["plugin": "mcsmanager", "mount": "/"],
            ["plugin": hello, "mount": "/api/v1"],
        ]
        let server = try ProteusProcess(config: config, directory: dir)
        defer { server.stop() }
        let client = APIClient(port: server.port)

        // The longest mount's own route.
        let greeting = try client.request("GET", "/api/v1/hello")
        XCTAssertEqual(greeting.status, 200, greeting.text)
        XCTAssertEqual(greeting.json?["plugin"]?.stringValue, "hello-c")

        // AIOStreams' /api/v1/user under the /api/v1 mount: falls through to `/`.
        let missing = try client.request("GET", "/api/v1/user")
        XCTAssertEqual(missing.status, 400, missing.text)
        XCTAssertEqual(missing.json?["error"]?["code"]?.stringValue, "MISSING_REQUIRED_FIELDS")
        let created = try client.request("POST", "/api/v1/user", json: ["config": ["x": 1], "password": "correct horse"])
        XCTAssertEqual(created.status, 201, created.text)

        // MCSManager's routes at `/` answer in its envelope.
        let panel = try client.request("GET", "/api/auth/")
        XCTAssertEqual(panel.json?["status"]?.intValue, panel.status, panel.text)

        // Nothing serves it: 404 from the longest matching mount's dialect.
        let unknown = try client.request("GET", "/api/v1/nothing")
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(unknown.json?["error"]?.stringValue, "not found", unknown.text)
        // A path served with other methods only: 405, also from the longest mount.
        let wrongMethod = try client.request("DELETE", "/api/v1/hello")
        XCTAssertEqual(wrongMethod.status, 405)
        XCTAssertEqual(wrongMethod.json?["error"]?.stringValue, "not found", wrongMethod.text)
        // Outside /api/v1 the `/` dialects keep their own 404s.
        let outside = try client.request("GET", "/nowhere")
        XCTAssertEqual(outside.status, 404)
        XCTAssertNotEqual(outside.json?["error"]?.stringValue, "not found", outside.text)
    }

    /// The layout of issue 17: AIOStreams and MCSManager at `/`, Cortex Hub
    /// at `/api/v1` (whose prefix covers AIOStreams' `/api/v1/user`), over
    /// one directory: every dialect's routes answer, in its own envelope.
    func testAIOStreamsMCSManagerAndCortexHubTogether() throws {
        let dir = TemporaryDirectory.make("routing-three")
        var config = ProteusProcess.defaultConfig(directory: dir)
        config["dialects"] = [
            ["plugin": "aiostreams", "mount": "/", "options": ["rateLimit": false]],
            ["plugin": "mcsmanager", "mount": "/", "options": ["loginRateLimit": false]],
            ["plugin": "cortexhub", "mount": "/api/v1"],
        ]
        let server = try ProteusProcess(config: config, directory: dir)
        defer { server.stop() }
        let client = APIClient(port: server.port)

        // MCSManager: the install makes the first administrator.
        let panel = PanelClient(port: server.port)
        assertEnvelope(try panel.call("POST", "/api/auth/install", json: ["username": "Root", "password": "Passw0rdRoot"]), 200, true)

        // Cortex Hub at /api/v1: the same administrator signs in.
        let hub = HubClient(port: server.port)
        let login = try hub.login("Root", "Passw0rdRoot")
        XCTAssertEqual(login.status, 200, login.text)
        let me = try hub.call("GET", "/users/me/profile")
        XCTAssertEqual(me.json?["username"]?.stringValue, "Root", me.text)
        XCTAssertEqual(try hub.call("GET", "/users/admin/users").status, 200)

        // AIOStreams' /api/v1/user, under Cortex Hub's mount, falls through.
        let created = try client.request("POST", "/api/v1/user", json: ["config": ["x": 1], "password": "correct horse"])
        XCTAssertEqual(created.status, 201, created.text)
        let uuid = try XCTUnwrap(created.json?["data"]?["uuid"]?.stringValue)
        let token = try XCTUnwrap(created.json?["data"]?["encryptedPassword"]?.stringValue)
        let read = try client.request("GET", "/api/v1/user", headers: [APIClient.basic(uuid, token)])
        XCTAssertEqual(read.status, 200, read.text)
        XCTAssertEqual(try client.request("HEAD", "/api/v1/user?uuid=" + uuid).status, 200)

        // 404 and 405 under /api/v1 come in Cortex Hub's envelope.
        let unknown = try client.request("GET", "/api/v1/nothing")
        XCTAssertEqual(unknown.status, 404)
        XCTAssertNotNil(unknown.json?["detail"], unknown.text)
        let wrongMethod = try client.request("DELETE", "/api/v1/users/me/profile")
        XCTAssertEqual(wrongMethod.status, 405, wrongMethod.text)
        XCTAssertNotNil(wrongMethod.json?["detail"], wrongMethod.text)
        // Elsewhere, the first dialect at `/` (AIOStreams) answers its own 404.
        let outside = try client.request("GET", "/nowhere")
        XCTAssertEqual(outside.status, 404)
        XCTAssertEqual(outside.json?["success"]?.boolValue, false, outside.text)
    }

    /// hello at `/api` claims GET /api/hello; a second hello at `/` with an
    /// extra route GET /api/hello claims the same: the start is refused,
    /// naming both mounts and the route.
    func testSameRouteThroughTwoMountsIsRefused() throws {
        let dir = TemporaryDirectory.make("routing-clash")
        let plain = try CPluginBuilder.build(into: dir)
        let extra = try CPluginBuilder.build(into: dir, name: "libproteus-hello-extra.so", defines: ["HELLO_EXTRA_ROUTE=\"/api/hello\""])
        var config = ProteusProcess.defaultConfig(directory: dir)
        config["dialects"] = [["plugin": plain, "mount": "/api"], ["plugin": extra, "mount": "/"]]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/c.json"))
        let (status, output) = try ProteusProcess.run(["check-config", "--config", dir + "/c.json"])
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("route conflict"), output)
        XCTAssertTrue(output.contains("GET /api/hello"), output)
        XCTAssertTrue(output.contains("mount /api ") && output.contains("mount / "), output)

        // An extra route on a path no other dialect claims is no clash.
        let post = try CPluginBuilder.build(into: dir, name: "libproteus-hello-post.so", defines: ["HELLO_EXTRA_ROUTE=\"/api/other\""])
        config["dialects"] = [["plugin": plain, "mount": "/api"], ["plugin": post, "mount": "/"]]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/c.json"))
        let (okStatus, okOutput) = try ProteusProcess.run(["check-config", "--config", dir + "/c.json"])
        XCTAssertEqual(okStatus, 0, okOutput)
    }
}
