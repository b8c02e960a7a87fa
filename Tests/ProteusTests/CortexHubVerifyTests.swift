// Cortex Hub's POST /users/me/config/verify_llm|verify_tts|verify_stt against
// loopback providers: one that answers (ProviderStub below: 200 on /ok, 401
// on /auth without the right Bearer key, 500 on /fail), a closed port and a
// listener that never answers (LoopbackSocket.silent(), Support/LoopbackSocket.swift).
// Only the catalogue's URL is called; every outcome is 200 {success, message}
// within 20 s, never a 5xx.
import Foundation
import ProteusJSON
import XCTest

class CortexHubVerifyTests: XCTestCase {
    var hub: HubServer!
    var stub: ProviderStub!
    var silent: LoopbackSocket!
    var closed: LoopbackSocket!

    override func setUpWithError() throws {
        stub = try ProviderStub()
        silent = try LoopbackSocket.silent()
        closed = try LoopbackSocket.refusing()
        hub = try HubServer(options: ["providers": catalogue()], label: "ch-verify",
                            extraConfig: ["outbound": ["allowPrivateNetworks": true]])
    }

    override func tearDown() {
        hub?.stop()
        hub = nil
        stub?.stop()
        silent?.close()
        closed?.close()
    }

    func catalogue(stubPort: UInt16? = nil) -> [String: Any] {
        let s = "http://127.0.0.1:\(stubPort ?? stub.port)"
        return [
            "llm": [
                "answers": ["models": ["m1"], "url": s + "/ok"],
                "keyed": ["models": ["m2"], "url": s + "/auth"],
                "failing": ["models": [], "url": s + "/fail"],
                "refusing": ["models": [], "url": "http://127.0.0.1:\(closed.port)/v1"],
                "hanging": ["models": [], "url": "http://127.0.0.1:\(silent.port)/v1"],
                "nourl": ["models": ["m3"]],
            ],
            "tts": ["answers": ["models": [], "url": s + "/ok"]],
            "stt": ["answers": ["models": [], "url": s + "/ok"], "hanging": ["models": [], "url": "http://127.0.0.1:\(silent.port)/"]],
        ]
    }

    /// 200 {"success": <success>, "message": "..."} whose message contains `text`.
    func assertVerified(_ r: APIResponse, _ success: Bool, _ text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 200, r.text, file: file, line: line)
        XCTAssertEqual(r.json?.objectValue?.keys.sorted(), ["message", "success"], r.text, file: file, line: line)
        XCTAssertEqual(r.json?["success"], .bool(success), r.text, file: file, line: line)
        XCTAssertTrue(r.json?["message"]?.stringValue?.contains(text) ?? false, "\(r.text) should contain \(text)", file: file, line: line)
    }

    func testAnsweringProviderSucceedsInEverySectionCallingOnlyTheCatalogueURL() throws {
        try hub.createUser("vera")
        let vera = try hub.signedIn("vera")
        for section in ["llm", "tts", "stt"] {
            // A URL in the body is ignored: the catalogue's is called.
            let r = try vera.call("POST", "/users/me/config/verify_\(section)",
                                  json: ["provider_name": "answers", "url": .string("http://127.0.0.1:\(closed.port)/")])
            assertVerified(r, true, "Provider 'answers' answered 200")
        }
        let requests = stub.requests
        XCTAssertEqual(requests.count, 3, "\(requests)")
        for head in requests {
            XCTAssertTrue(head.hasPrefix("GET /ok HTTP/1.1\r\n"), head)
            XCTAssertFalse(head.lowercased().contains("authorization:"), head)
        }
    }

    func testAPIKeyComesFromTheBodyOrTheStoredPreferences() throws {
        let path = "/users/me/config/verify_llm"
        assertVerified(try hub.admin.call("POST", path, json: ["provider_name": "keyed"]), false, "refused the credentials (HTTP 401)")
        assertVerified(try hub.admin.call("POST", path, json: ["provider_name": "keyed", "api_key": "sk-good"]), true, "answered 200")
        assertVerified(try hub.admin.call("POST", path, json: ["provider_name": "keyed", "api_key": nil]), false, "HTTP 401")
        XCTAssertTrue(stub.requests.contains { $0.contains("\r\nAuthorization: Bearer sk-good\r\n") }, "\(stub.requests)")

        // Stored with the caller's preferences: used when the body has none.
        let put = try hub.admin.call("PUT", "/users/me/config", json: ["llm": ["providers": ["keyed": ["api_key": "sk-good"]]]])
        XCTAssertEqual(put.status, 200, put.text)
        assertVerified(try hub.admin.call("POST", path, json: ["provider_name": "keyed"]), true, "answered 200")
        // The body's key wins.
        assertVerified(try hub.admin.call("POST", path, json: ["provider_name": "keyed", "api_key": "sk-bad"]), false, "HTTP 401")
        // Another user's stored key is not this user's.
        try hub.createUser("bob")
        assertVerified(try hub.signedIn("bob").call("POST", path, json: ["provider_name": "keyed"]), false, "HTTP 401")
        // The active provider's section-level key.
        let active = try hub.admin.call("PUT", "/users/me/config", json: ["llm": ["active_provider": "keyed", "api_key": "sk-good"]])
        XCTAssertEqual(active.status, 200, active.text)
        assertVerified(try hub.admin.call("POST", path, json: ["provider_name": "keyed"]), true, "answered 200")
    }

    func testFailingRefusingAndURLlessProvidersAreSuccessFalse() throws {
        let path = "/users/me/config/verify_llm"
        assertVerified(try hub.admin.call("POST", path, json: ["provider_name": "failing"]), false, "Provider 'failing' answered HTTP 500")
        let refused = try hub.admin.call("POST", path, json: ["provider_name": "refusing"])
        assertVerified(refused, false, "Could not reach provider 'refusing'")
        XCTAssertFalse(refused.text.contains("\(closed.port)"), "the caller does not learn the URL: \(refused.text)")
        assertVerified(try hub.admin.call("POST", path, json: ["provider_name": "nourl"]), false, "no URL")
    }

    func testHangingProviderIsSuccessFalseWithinTwentySeconds() throws {
        for section in ["llm", "stt"] {
            let started = Date()
            let r = try hub.admin.http.request("POST", CH.mount + "/users/me/config/verify_\(section)",
                                               headers: [("X-User-ID", hub.admin.userID ?? "")],
                                               json: ["provider_name": "hanging"], timeout: 30)
            let elapsed = Date().timeIntervalSince(started)
            assertVerified(r, false, "Provider 'hanging' did not answer within")
            XCTAssertLessThan(elapsed, 20, "the probe is bounded")
        }
        // The server still serves meanwhile and afterwards.
        assertVerified(try hub.admin.call("POST", "/users/me/config/verify_tts", json: ["provider_name": "answers"]), true, "answered 200")
    }

    func testDeniedDestinationIsSuccessFalse() throws {
        hub.stop()
        // Without outbound.allowPrivateNetworks the host refuses loopback.
        hub = try HubServer(options: ["providers": catalogue()], label: "ch-verify-denied")
        let r = try hub.admin.call("POST", "/users/me/config/verify_llm", json: ["provider_name": "answers"])
        assertVerified(r, false, "destination this server may not reach")
        XCTAssertTrue(stub.requests.isEmpty, "\(stub.requests)")
    }

    /// A full waiting lane refuses the outbound call for load: 503 with
    /// Retry-After (the one non-200 outcome of a known provider's probe).
    func testFullWaitingLaneIs503WithRetryAfter() throws {
        hub.stop()
        hub = try HubServer(options: ["providers": catalogue()], label: "ch-verify-lane",
                            extraConfig: ["outbound": ["allowPrivateNetworks": true], "threads": 2, "waitingThreads": 2,
                                          // The lane is per worker: one worker, so all three calls meet it.
                                          "workers": 1])
        let port = hub.port
        let id = hub.admin.userID ?? ""
        let answers = ResultSlots<APIResponse>(2)
        for i in 0..<2 {
            Thread.detachNewThread {
                answers[i] = try? HubClient(port: port, userID: id).http.request(
                    "POST", CH.mount + "/users/me/config/verify_llm", headers: [("X-User-ID", id)],
                    json: ["provider_name": "hanging"], timeout: 30)
            }
        }
        usleep(1_500_000)  // both probes are waiting on the silent provider
        let r = try hub.admin.call("POST", "/users/me/config/verify_llm", json: ["provider_name": "answers"])
        assertDetail(r, 503)
        XCTAssertNotNil(r.header("Retry-After"), r.text)
        let deadline = Date().addingTimeInterval(25)
        while answers.values.compactMap({ $0 }).count < 2 && Date() < deadline { usleep(50_000) }
        let waited = answers.values.compactMap { $0 }
        XCTAssertEqual(waited.count, 2)
        for w in waited { assertVerified(w, false, "did not answer within") }
        // The lane is free again.
        assertVerified(try hub.admin.call("POST", "/users/me/config/verify_llm", json: ["provider_name": "answers"]), true, "answered 200")
    }

    func testUnknownProviderValidationAndSignIn() throws {
        let path = "/users/me/config/verify_llm"
        assertDetail(try hub.admin.call("POST", path, json: ["provider_name": "nobody"]), 404, "Unknown provider 'nobody' in section 'llm'")
        assertDetail(try hub.admin.call("POST", "/users/me/config/verify_tts", json: ["provider_name": "keyed"]), 404,
                     "Unknown provider 'keyed' in section 'tts'")
        assertValidation(try hub.admin.call("POST", path), loc: ["body"], type: "missing")
        assertValidation(try hub.admin.call("POST", path, body: Array("{nope".utf8), headers: [("Content-Type", "application/json")]),
                         loc: ["body", 0], type: "json_invalid")
        assertValidation(try hub.admin.call("POST", path, json: ["answers"]), loc: ["body"], type: "model_attributes_type")
        assertValidation(try hub.admin.call("POST", path, json: [:]), loc: ["body", "provider_name"], type: "missing")
        assertValidation(try hub.admin.call("POST", path, json: ["provider_name": 5]), loc: ["body", "provider_name"], type: "string_type")
        let both = try hub.admin.call("POST", path, json: ["provider_name": nil, "api_key": 7])
        assertValidation(both, loc: ["body", "provider_name"], type: "string_type")
        XCTAssertEqual(both.json?["detail"]?[1]?["loc"], ["body", "api_key"], both.text)
        XCTAssertEqual(both.json?["detail"]?[1]?["type"]?.stringValue, "string_type", both.text)

        let anonymous = HubClient(port: hub.port)
        for section in ["llm", "tts", "stt"] {
            let r = try anonymous.call("POST", "/users/me/config/verify_\(section)", json: ["provider_name": "answers"])
            assertDetail(r, 401, "Invalid or missing user id")
        }
        assertDetail(try HubClient(port: hub.port, userID: "forged").call("POST", path, json: ["provider_name": "answers"]), 401)
        XCTAssertTrue(stub.requests.isEmpty, "no probe without a signed-in user: \(stub.requests)")
    }
}

/// Every verify test with the store on PostgreSQL (it matters for keys
/// stored with the caller's preferences).
final class CortexHubVerifyPostgresTests: CortexHubVerifyTests {
    override func setUpWithError() throws {
        CH.usePostgres()
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        CH.useSQLite()
    }
    // Listed so that test discovery sees them on this class.
    override func testAnsweringProviderSucceedsInEverySectionCallingOnlyTheCatalogueURL() throws { try super.testAnsweringProviderSucceedsInEverySectionCallingOnlyTheCatalogueURL() }
    override func testAPIKeyComesFromTheBodyOrTheStoredPreferences() throws { try super.testAPIKeyComesFromTheBodyOrTheStoredPreferences() }
    override func testFailingRefusingAndURLlessProvidersAreSuccessFalse() throws { try super.testFailingRefusingAndURLlessProvidersAreSuccessFalse() }
    override func testHangingProviderIsSuccessFalseWithinTwentySeconds() throws { try super.testHangingProviderIsSuccessFalseWithinTwentySeconds() }
    override func testDeniedDestinationIsSuccessFalse() throws { try super.testDeniedDestinationIsSuccessFalse() }
    override func testFullWaitingLaneIs503WithRetryAfter() throws { try super.testFullWaitingLaneIs503WithRetryAfter() }
    override func testUnknownProviderValidationAndSignIn() throws { try super.testUnknownProviderValidationAndSignIn() }
}

/// A loopback "provider": GET /ok → 200 {}, /auth → 200 with
/// `Authorization: Bearer sk-good` else 401, anything else → 500. Keeps
/// every request head it reads.
final class ProviderStub: @unchecked Sendable {
    let port: UInt16
    private let socket: LoopbackSocket
    private let lock = NSLock()
    private var heads: [String] = []

    var requests: [String] { lock.withLock { heads } }

    init() throws {
        socket = try LoopbackSocket(listening: 64)
        port = socket.port
        Thread.detachNewThread { [self] in serve() }
    }

    private func serve() {
        while true {
            let client = accept(socket.fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            var data: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !String(decoding: data, as: UTF8.self).contains("\r\n\r\n") && data.count < 65_536 {
                let n = read(client, &buffer, buffer.count)
                if n <= 0 { break }
                data += buffer[0..<n]
            }
            let head = String(decoding: data, as: UTF8.self)
            lock.withLock { heads.append(head) }
            let target = head.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            let status: String
            switch target {
            case "/ok": status = "200 OK"
            case "/auth": status = head.contains("\r\nAuthorization: Bearer sk-good\r\n") ? "200 OK" : "401 Unauthorized"
            default: status = "500 Internal Server Error"
            }
            let answer = Array("HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".utf8)
            _ = answer.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            Glibc.close(client)
        }
    }

    func stop() { socket.close() }
}
