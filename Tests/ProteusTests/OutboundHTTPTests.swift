// host->http_request end to end: the real proteus binary serves the C
// fixture dialect fetch_dialect.c, whose /fetch route calls the service
// against loopback HTTP(S) servers with a test PKI (OutboundTestServers).
import Foundation
import ProteusJSON
import XCTest

final class OutboundHTTPTests: XCTestCase {
    private static let ok: Int = 0, invalid = 4, denied = 5, unavailable = 7, tooLarge = 9

    /// Servers on loopback, so private networks are allowed unless a test
    /// says otherwise.
    private func startProteus(_ servers: OutboundTestServers, outbound: [String: Any]? = nil) throws -> ProteusProcess {
        let dir = TemporaryDirectory.make("outbound")
        let library = try CPluginBuilder.compile("fetch_dialect.c", into: dir + "/libproteus-fetch-c.so")
        var config = ProteusProcess.defaultConfig(directory: dir)
        config["workers"] = 1
        config["dialects"] = [["plugin": library, "mount": "/"]]
        config["outbound"] = outbound ?? [
            "allowPrivateNetworks": true, "extraCAFile": servers.extraCA,
            "maxResponseBytes": 65_536, "maxRedirects": 3, "timeoutMs": 5_000, "maxTimeoutMs": 5_000,
        ]
        return try ProteusProcess(config: config, directory: dir)
    }

    private struct Outcome {
        var proteus: Int
        var status: Int
        var bytes: Int
        var probe: String
        var message: String
    }

    private static func fetch(_ server: ProteusProcess, _ url: String, method: String = "GET", body: [UInt8]? = nil,
                       extraCA: Bool = false, timeoutMs: Int? = nil, probe: String? = nil) throws -> Outcome {
        var query = "url=" + url.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        if extraCA { query += "&ca=1" }
        if let timeoutMs { query += "&timeout=\(timeoutMs)" }
        if let probe { query += "&probe=" + probe }
        let response = try APIClient(port: server.port).request(method, "/fetch?" + query, body: body)
        guard response.status == 200, let json = response.json else { throw TestFailure("fetch-c answered \(response.status): \(response.text)") }
        return Outcome(proteus: json["proteus"]?.intValue ?? -1, status: json["status"]?.intValue ?? -1,
                       bytes: json["bytes"]?.intValue ?? -1, probe: json["probe"]?.stringValue ?? "",
                       message: json["message"]?.stringValue ?? "")
    }

    func testTrustedCertificateThroughTheExtraCAAndPlainHTTP() throws {
        let servers = try OutboundTestServers()
        defer { servers.stop() }
        let proteus = try startProteus(servers)
        defer { proteus.stop() }

        let good = try Self.fetch(proteus, servers.url("good", "/ok"), extraCA: true, probe: "abc")
        XCTAssertEqual(good.proteus, Self.ok, good.message)
        XCTAssertEqual(good.status, 200)
        XCTAssertEqual(good.bytes, 5)
        XCTAssertEqual(good.probe, "abc", "the request header reached the server and its answer header came back")

        let posted = try Self.fetch(proteus, servers.url("good", "/echo"), method: "POST", body: Array("twelve bytes".utf8), extraCA: true)
        XCTAssertEqual(posted.proteus, Self.ok, posted.message)
        XCTAssertEqual(posted.bytes, 12)

        // A non-2xx answer is still an answer.
        let missing = try Self.fetch(proteus, servers.url("good", "/status/404"), extraCA: true)
        XCTAssertEqual(missing.proteus, Self.ok, missing.message)
        XCTAssertEqual(missing.status, 404)

        // Plain HTTP on loopback, allowed by allowPrivateNetworks.
        let plain = try Self.fetch(proteus, servers.url("plain", "/ok"))
        XCTAssertEqual(plain.proteus, Self.ok, plain.message)
        XCTAssertEqual(plain.status, 200)
    }

    /// Serving threads call the service at the same time: each call has
    /// its own libcurl handle and answer.
    func testConcurrentCallsEachGetTheirOwnAnswer() throws {
        let servers = try OutboundTestServers()
        defer { servers.stop() }
        let proteus = try startProteus(servers)
        defer { proteus.stop() }
        let lock = NSLock()
        nonisolated(unsafe) var outcomes: Set<String> = []
        DispatchQueue.concurrentPerform(iterations: 12) { i in
            let outcome = try? Self.fetch(proteus, servers.url("good", "/ok"), extraCA: true, probe: "call\(i)")
            lock.withLock { _ = outcomes.insert("\(outcome?.proteus ?? -1) \(outcome?.status ?? -1) \(outcome?.probe ?? "-")") }
        }
        XCTAssertEqual(outcomes, Set((0..<12).map { "0 200 call\($0)" }))
    }

    func testUntrustedOrMisnamedCertificatesAreRefused() throws {
        let servers = try OutboundTestServers()
        defer { servers.stop() }
        let proteus = try startProteus(servers)
        defer { proteus.stop() }

        // The test CA is not in the system store: without the flag it is untrusted.
        let untrusted = try Self.fetch(proteus, servers.url("good", "/ok"))
        XCTAssertEqual(untrusted.proteus, Self.unavailable, untrusted.message)
        XCTAssertTrue(untrusted.message.contains("TLS"), untrusted.message)

        let wrongName = try Self.fetch(proteus, servers.url("wronghost", "/ok"), extraCA: true)
        XCTAssertEqual(wrongName.proteus, Self.unavailable, wrongName.message)
        XCTAssertTrue(wrongName.message.contains("TLS"), wrongName.message)

        let selfSigned = try Self.fetch(proteus, servers.url("selfsigned", "/ok"), extraCA: true)
        XCTAssertEqual(selfSigned.proteus, Self.unavailable, selfSigned.message)
        XCTAssertTrue(selfSigned.message.contains("TLS"), selfSigned.message)
    }

    func testTimeoutEndsTheCallAsUnavailable() throws {
        let servers = try OutboundTestServers()
        defer { servers.stop() }
        let proteus = try startProteus(servers)
        defer { proteus.stop() }

        var start = Date()
        let hung = try Self.fetch(proteus, servers.url("good", "/hang"), extraCA: true, timeoutMs: 1_000)
        XCTAssertEqual(hung.proteus, Self.unavailable, hung.message)
        XCTAssertTrue(hung.message.contains("timed out"), hung.message)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)

        // Asking for more than outbound.maxTimeoutMs (5 s here) gets the maximum.
        start = Date()
        let capped = try Self.fetch(proteus, servers.url("plain", "/hang"), timeoutMs: 3_600_000)
        XCTAssertEqual(capped.proteus, Self.unavailable, capped.message)
        XCTAssertLessThan(Date().timeIntervalSince(start), 30)
    }

    func testOversizedResponsesAreTooLarge() throws {
        let servers = try OutboundTestServers()
        defer { servers.stop() }
        let proteus = try startProteus(servers)
        defer { proteus.stop() }

        let fits = try Self.fetch(proteus, servers.url("good", "/big/60000"), extraCA: true)
        XCTAssertEqual(fits.proteus, Self.ok, fits.message)
        XCTAssertEqual(fits.bytes, 60_000)
        // Announced by Content-Length, and streamed without one.
        let announced = try Self.fetch(proteus, servers.url("good", "/big/200000"), extraCA: true)
        XCTAssertEqual(announced.proteus, Self.tooLarge, announced.message)
        let streamed = try Self.fetch(proteus, servers.url("plain", "/stream/200000"))
        XCTAssertEqual(streamed.proteus, Self.tooLarge, streamed.message)
    }

    func testRedirectsAreFollowedUpToTheLimit() throws {
        let servers = try OutboundTestServers()
        defer { servers.stop() }
        let proteus = try startProteus(servers)
        defer { proteus.stop() }

        let within = try Self.fetch(proteus, servers.url("good", "/redirect/2"), extraCA: true, probe: "kept")
        XCTAssertEqual(within.proteus, Self.ok, within.message)
        XCTAssertEqual(within.status, 200)
        XCTAssertEqual(within.bytes, 5)

        let beyond = try Self.fetch(proteus, servers.url("good", "/redirect/8"), extraCA: true)
        XCTAssertEqual(beyond.proteus, Self.unavailable, beyond.message)
        XCTAssertTrue(beyond.message.contains("redirects"), beyond.message)

        // Only http and https, also for redirects.
        let toFile = try Self.fetch(proteus, servers.url("plain", "/redirect-to?u=file%3A%2F%2F%2Fetc%2Fpasswd"))
        XCTAssertEqual(toFile.proteus, Self.denied, toFile.message)
    }

    func testPrivateDestinationsAreRefusedByDefault() throws {
        let servers = try OutboundTestServers()
        defer { servers.stop() }
        let proteus = try startProteus(servers, outbound: [:])
        defer { proteus.stop() }

        for url in [servers.url("plain", "/ok"), "http://localhost:\(servers.port("plain"))/ok",
                    "http://[::ffff:127.0.0.1]:\(servers.port("plain"))/ok", servers.url("good", "/ok")] {
            let refused = try Self.fetch(proteus, url)
            XCTAssertEqual(refused.proteus, Self.denied, "\(url): \(refused.message)")
            XCTAssertTrue(refused.message.contains("allowPrivateNetworks"), refused.message)
        }
        // Malformed requests are INVALID before any connection.
        XCTAssertEqual(try Self.fetch(proteus, "not a url").proteus, Self.invalid)
        XCTAssertEqual(try Self.fetch(proteus, "ftp://example.com/file").proteus, Self.invalid)
        // The extra-CA flag without outbound.extraCAFile.
        let noCA = try Self.fetch(proteus, "https://example.com/", extraCA: true)
        XCTAssertEqual(noCA.proteus, Self.invalid, noCA.message)
        XCTAssertTrue(noCA.message.contains("extraCAFile"), noCA.message)
    }

    func testBadOutboundConfigStopsTheStartNamingTheKey() throws {
        let dir = TemporaryDirectory.make("outbound-config")
        let cases: [([String: Any], String)] = [
            (["allowPrivateNetwork": true], "outbound.allowPrivateNetwork"),
            (["allowPrivateNetworks": "yes"], "outbound.allowPrivateNetworks"),
            (["extraCAFile": dir + "/missing.pem"], "outbound.extraCAFile"),
            (["maxResponseBytes": 0], "outbound.maxResponseBytes"),
            (["timeoutMs": 60_000, "maxTimeoutMs": 1_000], "outbound.timeoutMs"),
            (["extraCAFile": ""], "outbound.extraCAFile"),
            (["maxRedirects": "5"], "outbound.maxRedirects"),
        ]
        for (outbound, key) in cases {
            var config = ProteusProcess.defaultConfig(directory: dir)
            config["outbound"] = outbound
            let path = dir + "/config.json"
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
            for command in [["check-config"], []] {
                let (status, output) = try ProteusProcess.run(command + ["--config", path], directory: dir)
                XCTAssertEqual(status, 1, output)
                XCTAssertFalse(output.contains("listening on"), output)
                XCTAssertTrue(output.contains(key), "expected \(key) in: \(output)")
            }
        }
        // A file that exists but cannot be read (a directory) is refused too.
        var config = ProteusProcess.defaultConfig(directory: dir)
        config["outbound"] = ["extraCAFile": dir]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/config.json"))
        let (status, output) = try ProteusProcess.run(["check-config", "--config", dir + "/config.json"], directory: dir)
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("outbound.extraCAFile"), output)
    }
}
