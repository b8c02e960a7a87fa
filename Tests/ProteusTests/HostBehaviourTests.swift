// Host behaviour seen from outside: the access log, trusted proxies,
// graceful shutdown, the percent-decoded path.
import Foundation
import ProteusJSON
import XCTest

final class HostBehaviourTests: XCTestCase {
    func testAccessLogHasOneLinePerRequestAndNoSecrets() throws {
        let dir = TemporaryDirectory.make("log")
        let server = try ProteusProcess(config: AIOStreamsTests.config(directory: dir), directory: dir)
        let client = APIClient(port: server.port)
        let created = try client.request("POST", "/api/v1/user", json: ["config": [:], "password": "topsecret-pw"])
        let uuid = try XCTUnwrap(created.json?["data"]?["uuid"]?.stringValue)
        let token = try XCTUnwrap(created.json?["data"]?["encryptedPassword"]?.stringValue)
        _ = try client.request("GET", "/api/v1/user?uuid=\(uuid)&password=topsecret-pw")
        _ = try client.request("GET", "/api/v1/user", headers: [APIClient.basic(uuid, token)])
        XCTAssertEqual(server.stop(), 0)
        let log = server.outputText
        XCTAssertTrue(log.contains("POST /api/v1/user 201 "), log)
        XCTAssertEqual(log.components(separatedBy: "GET /api/v1/user 200 ").count - 1, 2, log)
        XCTAssertFalse(log.contains("topsecret-pw"), "password logged:\n\(log)")
        XCTAssertFalse(log.contains(token), "token logged")
        XCTAssertFalse(log.contains("uuid="), "query string logged")
        XCTAssertTrue(log.contains("stopped"), log)
    }

    func testForwardedForIsOnlyBelievedFromTrustedProxies() throws {
        func statuses(trusted: [String]) throws -> [Int] {
            let dir = TemporaryDirectory.make("xff")
            StepClock.awayFromWindowEnd(period: 86_400)   // the host's windows start at multiples of their length
            var config = AIOStreamsTests.config(directory: dir, aiostreamsOptions: ["rateLimit": ["requests": 1, "windowSeconds": 86_400]])
            config["trustedProxies"] = trusted
            let server = try ProteusProcess(config: config, directory: dir)
            defer { server.stop() }
            let client = APIClient(port: server.port)
            return try ["203.0.113.1", "203.0.113.2", "2001:db8:1:1::1", "2001:db8:1:1::2"].map {
                try client.request("HEAD", "/api/v1/user?uuid=x", headers: [("X-Forwarded-For", $0)]).status
            }
        }
        // Untrusted peer: the header is ignored, every request counts for 127.0.0.1.
        XCTAssertEqual(try statuses(trusted: []), [400, 429, 429, 429])
        // Trusted peer: each client address has its own allowance; IPv6 counts per /56.
        XCTAssertEqual(try statuses(trusted: ["127.0.0.1"]), [400, 400, 400, 429])
    }

    func testGracefulShutdownFinishesAndExitsZero() throws {
        let dir = TemporaryDirectory.make("shutdown")
        let server = try ProteusProcess(config: AIOStreamsTests.config(directory: dir), directory: dir)
        let client = APIClient(port: server.port)
        XCTAssertEqual(try client.request("POST", "/api/v1/user", json: ["config": [:], "password": "secret1"]).status, 201)
        XCTAssertEqual(server.stop(), 0)
        XCTAssertThrowsError(try APIClient(port: server.port).request("GET", "/api/v1/user"))
    }

    func testMountedDialectsAndEncodedPaths() throws {
        let dir = TemporaryDirectory.make("mounts")
        var config = AIOStreamsTests.config(directory: dir)
        config["dialects"] = [["plugin": "aiostreams", "mount": "/aio", "options": ["rateLimit": false]]]
        let server = try ProteusProcess(config: config, directory: dir)
        defer { server.stop() }
        let client = APIClient(port: server.port)
        XCTAssertEqual(try client.request("POST", "/aio/api/v1/user", json: ["config": [:], "password": "secret1"]).status, 201)
        XCTAssertEqual(try client.request("GET", "/aio/api/v1/%75ser").status, 400, "percent-decoded once before routing")
        XCTAssertEqual(try client.request("GET", "/aio/api/v1/%75ser").json?["error"]?["code"], "MISSING_REQUIRED_FIELDS")
        // Nothing is mounted at /: a plain 404 from the host.
        XCTAssertEqual(try client.request("GET", "/api/v1/user").status, 404)
        // A malformed escape under the mount is that dialect's 400 envelope.
        let bad = try client.request("GET", "/aio/api/v1/%zzuser")
        XCTAssertEqual(bad.status, 400)
        XCTAssertEqual(bad.json?["error"]?["code"], "BAD_REQUEST")
        XCTAssertEqual(try client.request("GET", "/aio/api/%00/user").status, 400)
    }
}
