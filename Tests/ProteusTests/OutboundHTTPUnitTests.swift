// The parts of host->http_request that are easier to see without a plugin:
// the address policy, the system store (CAPATH) next to the extra CA file
// (CAINFO) in libcurl's OpenSSL backend, and PluginKit on an old host.
import Foundation
@testable import Host
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest

final class OutboundHTTPUnitTests: XCTestCase {
    func testAddressPolicy() {
        let refused = ["0.0.0.0", "0.1.2.3", "10.1.2.3", "100.64.0.1", "100.127.255.254", "127.0.0.1", "127.255.0.9",
                       "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.168.1.1", "224.0.0.1", "255.255.255.255",
                       "::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "ff02::1",
                       "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a00:1", "2002:7f00:1::1"]
        let allowed = ["1.1.1.1", "8.8.8.8", "100.63.255.255", "100.128.0.1", "172.15.0.1", "172.32.0.1", "192.169.0.1",
                       "2606:4700:4700::1111", "2001:db9::1", "::ffff:8.8.8.8", "2a00:1450::1"]
        for text in refused {
            let bytes = TrustedProxies.parseAddress(text)!
            XCTAssertNotNil(OutboundAddressPolicy.refusal(bytes), "\(text) should be refused")
        }
        for text in allowed {
            let bytes = TrustedProxies.parseAddress(text)!
            XCTAssertNil(OutboundAddressPolicy.refusal(bytes), "\(text) should be allowed")
        }
    }

    /// The system store stays trusted when the extra CA file is added: both
    /// at once with the OpenSSL backend (CAPATH + CAINFO).
    func testSystemStoreAndExtraCAAreBothTrusted() throws {
        OutboundHTTP.initializeLibrary()
        let servers = try OutboundTestServers()
        defer { servers.stop() }
        var settings = OutboundSettings()
        settings.allowPrivateNetworks = true
        settings.extraCAFile = servers.extraCA
        let client = OutboundHTTP(settings: settings, systemCAPath: servers.systemCADirectory)

        for trustExtraCA in [false, true] {
            let system = try client.send(OutboundRequest(method: "GET", url: servers.url("system", "/ok"), trustExtraCA: trustExtraCA))
            XCTAssertEqual(system.status, 200)
            XCTAssertEqual(system.body, Array("hello".utf8))
        }
        XCTAssertEqual(try client.send(OutboundRequest(method: "GET", url: servers.url("good", "/ok"), trustExtraCA: true)).status, 200)
        XCTAssertThrowsError(try client.send(OutboundRequest(method: "GET", url: servers.url("good", "/ok")))) { error in
            XCTAssertEqual((error as? PluginError)?.code, PROTEUS_E_UNAVAILABLE, "\(error)")
        }
        let head = try client.send(OutboundRequest(method: "HEAD", url: servers.url("plain", "/ok")))
        XCTAssertEqual(head.status, 200)
        XCTAssertTrue(head.body.isEmpty)
        XCTAssertTrue(head.headers.contains { $0.name == Array("X-Method".utf8) && $0.value == Array("HEAD".utf8) })
    }

    /// The destination check runs on the connection a redirect opens, not
    /// only on the first URL: 127.0.0.2 is refused here, 127.0.0.1 is not.
    func testRedirectHopsAreCheckedToo() throws {
        let servers = try OutboundTestServers()
        defer { servers.stop() }
        let client = OutboundHTTP(settings: OutboundSettings(), destinationRefusal: { $0 == [127, 0, 0, 2] ? "refused by the test" : nil })
        XCTAssertEqual(try client.send(OutboundRequest(method: "GET", url: servers.url("plain", "/ok"))).status, 200)
        let hop = "http://127.0.0.2:\(servers.port("plain"))/ok".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        XCTAssertThrowsError(try client.send(OutboundRequest(method: "GET", url: servers.url("plain", "/redirect-to?u=" + hop)))) { error in
            XCTAssertEqual((error as? PluginError)?.code, PROTEUS_E_DENIED, "\(error)")
            XCTAssertTrue("\(error)".contains("127.0.0.2 is refused by the test"), "\(error)")
        }
    }

    func testMethodsBodiesAndHeaders() throws {
        let servers = try OutboundTestServers()
        defer { servers.stop() }
        var settings = OutboundSettings()
        settings.allowPrivateNetworks = true
        let client = OutboundHTTP(settings: settings)
        func method(_ r: OutboundResponse) -> String? {
            r.headers.first { $0.name == Array("X-Method".utf8) }.map { String(decoding: $0.value, as: UTF8.self) }
        }
        let put = try client.send(OutboundRequest(method: "PUT", url: servers.url("plain", "/echo"), body: Array("put body".utf8)))
        XCTAssertEqual(put.body, Array("put body".utf8))
        XCTAssertEqual(method(put), "PUT")
        let emptyPost = try client.send(OutboundRequest(method: "POST", url: servers.url("plain", "/echo")))
        XCTAssertEqual(emptyPost.status, 200)
        XCTAssertEqual(emptyPost.body, [])
        XCTAssertEqual(method(emptyPost), "POST")
        let delete = try client.send(OutboundRequest(method: "DELETE", url: servers.url("plain", "/echo")))
        XCTAssertEqual(method(delete), "DELETE")
        let probed = try client.send(OutboundRequest(method: "GET", url: servers.url("plain", "/ok"),
                                                     headers: [OutboundHeader(name: Array("X-Probe".utf8), value: Array("v 1".utf8))]))
        XCTAssertTrue(probed.headers.contains { $0.name == Array("X-Echo-Probe".utf8) && $0.value == Array("v 1".utf8) })
        // Only the final response's headers are kept after redirects.
        let redirected = try client.send(OutboundRequest(method: "GET", url: servers.url("plain", "/redirect/2")))
        XCTAssertFalse(redirected.headers.contains { $0.name == Array("Location".utf8) })
        XCTAssertEqual(redirected.body, Array("hello".utf8))
    }

    func testOutboundConfigDefaultsAndValues() throws {
        let defaults = try ConfigurationLoader.parse(JSONParser.parse(Array("{}".utf8))).outbound
        XCTAssertFalse(defaults.allowPrivateNetworks)
        XCTAssertNil(defaults.extraCAFile)
        XCTAssertEqual(defaults.maxResponseBytes, 1_048_576)
        XCTAssertEqual(defaults.connectTimeoutMs, 5_000)
        XCTAssertEqual(defaults.timeoutMs, 10_000)
        XCTAssertEqual(defaults.maxTimeoutMs, 30_000)
        XCTAssertEqual(defaults.maxRedirects, 5)

        let dir = TemporaryDirectory.make("outbound-ca")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".write(toFile: dir + "/ca.pem", atomically: true, encoding: .utf8)
        let text = """
            {"outbound": {"allowPrivateNetworks": true, "extraCAFile": "\(dir)/ca.pem", "maxResponseBytes": 4096,
                          "connectTimeoutMs": 250, "maxTimeoutMs": 2000, "maxRedirects": 0}}
            """
        let set = try ConfigurationLoader.parse(JSONParser.parse(Array(text.utf8))).outbound
        XCTAssertTrue(set.allowPrivateNetworks)
        XCTAssertEqual(set.extraCAFile, dir + "/ca.pem")
        XCTAssertEqual(set.maxResponseBytes, 4096)
        XCTAssertEqual(set.connectTimeoutMs, 250)
        XCTAssertEqual(set.timeoutMs, 2000, "a lower maximum lowers the default total time")
        XCTAssertEqual(set.maxRedirects, 0)

        try "not a certificate".write(toFile: dir + "/junk.pem", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ConfigurationLoader.parse(JSONParser.parse(Array("{\"outbound\": {\"extraCAFile\": \"\(dir)/junk.pem\"}}".utf8)))) {
            XCTAssertTrue("\($0)".contains("outbound.extraCAFile"), "\($0)")
        }
    }

    func testRefusedRequestHeadersAndMethods() throws {
        let client = OutboundHTTP(settings: OutboundSettings())
        let bad: [OutboundRequest] = [
            OutboundRequest(method: "GE T", url: "http://example.com/"),
            OutboundRequest(method: "", url: "http://example.com/"),
            OutboundRequest(method: "GET", url: "/relative"),
            OutboundRequest(method: "GET", url: "http://"),
            OutboundRequest(method: "GET", url: "http://example.com/", headers: [OutboundHeader(name: Array("Host".utf8), value: Array("x".utf8))]),
            OutboundRequest(method: "GET", url: "http://example.com/", headers: [OutboundHeader(name: Array("X-A".utf8), value: Array("a\r\nB: c".utf8))]),
            OutboundRequest(method: "GET", url: "http://example.com/", headers: [OutboundHeader(name: Array("Bad Name".utf8), value: [])]),
            OutboundRequest(method: "HEAD", url: "http://example.com/", body: [1]),
        ]
        for request in bad {
            XCTAssertThrowsError(try client.send(request), "\(request)") { error in
                XCTAssertEqual((error as? PluginError)?.code, PROTEUS_E_INVALID, "\(error)")
            }
        }
        XCTAssertEqual(client.effectiveTimeoutMs(0), 10_000)
        XCTAssertEqual(client.effectiveTimeoutMs(1_000), 1_000)
        XCTAssertEqual(client.effectiveTimeoutMs(999_999), 30_000)
    }

    /// A plugin built for 1.3 on a 1.2 host: UNSUPPORTED, not a crash.
    func testPluginKitOnAnOlderHostIsUnsupported() throws {
        var table = proteus_host_api()
        table.struct_size = UInt32(MemoryLayout<proteus_host_api>.offset(of: \proteus_host_api.http_request)!)
        table.abi_major = 1
        table.abi_minor = 2
        try withUnsafePointer(to: &table) { api in
            let host = PluginKit.Host(api)
            XCTAssertFalse(host.offersHTTPRequest)
            XCTAssertThrowsError(try host.httpRequest(method: "GET", url: "https://example.com/")) { error in
                XCTAssertEqual((error as? PluginError)?.code, PROTEUS_E_UNSUPPORTED, "\(error)")
            }
        }
    }
}
