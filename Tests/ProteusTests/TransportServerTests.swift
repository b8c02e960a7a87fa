// End-to-end tests of the HTTP transport over real sockets on 127.0.0.1.

import Glibc
import XCTest
@testable import HTTPTransport

final class TransportServerTests: XCTestCase {
    var server: TestServer!

    override func setUpWithError() throws {
        server = try TestServer()
    }

    override func tearDown() {
        server?.stop()
        server = nil
    }

    func get(_ path: String, extra: String = "") -> String {
        "GET \(path) HTTP/1.1\r\nHost: test\r\n\(extra)\r\n"
    }

    func testSimpleGET() throws {
        let client = try server.client()
        client.send(get("/hello?x=1&y"))
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.bodyText.contains("method=GET\n"), response.bodyText)
        XCTAssertTrue(response.bodyText.contains("path=/hello\n"))
        XCTAssertTrue(response.bodyText.contains("query=x=1&y\n"))
        XCTAssertTrue(response.bodyText.contains("version=1.1\n"))
        XCTAssertTrue(response.bodyText.contains("peer=127.0.0.1\n"))
        XCTAssertTrue(response.bodyText.contains("h:Host=test\n"))
        XCTAssertEqual(response.header("X-Test"), "yes")
        XCTAssertEqual(response.header("Content-Length"), String(response.body.count))
        let date = try XCTUnwrap(response.header("Date"))
        XCTAssertTrue(date.hasSuffix(" GMT") && date.count == 29, date)
        XCTAssertNil(response.header("Connection"))
    }

    func testKeepAliveSeveralRequests() throws {
        let client = try server.client()
        for i in 0..<5 {
            client.send(get("/n\(i)"))
            let response = try client.readResponse()
            XCTAssertEqual(response.status, 200)
            XCTAssertTrue(response.bodyText.contains("path=/n\(i)\n"))
        }
    }

    func testPipelinedRequestsAnsweredInOrder() throws {
        let client = try server.client()
        client.send(get("/a") + "POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nxyz" + get("/c"))
        let a = try client.readResponse(), b = try client.readResponse(), c = try client.readResponse()
        XCTAssertTrue(a.bodyText.contains("path=/a\n"))
        XCTAssertTrue(b.bodyText.contains("path=/b\n") && b.bodyText.hasSuffix("body=xyz"), b.bodyText)
        XCTAssertTrue(c.bodyText.contains("path=/c\n"))
    }

    func testLeadingEmptyLinesIgnored() throws {
        let client = try server.client()
        client.send("\r\n\r\n" + get("/x"))
        XCTAssertEqual(try client.readResponse().status, 200)
        client.send("\r")
        usleep(30_000)
        client.send("\n" + get("/y"))
        XCTAssertEqual(try client.readResponse().status, 200)
    }

    func testContentLengthBody() throws {
        let client = try server.client()
        client.send("POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello")
        usleep(50_000)
        client.send(" world")
        let response = try client.readResponse()
        XCTAssertTrue(response.bodyText.hasSuffix("body=hello world"), response.bodyText)
        // Identical repeated values are accepted.
        client.send("POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok")
        XCTAssertTrue(try client.readResponse().bodyText.hasSuffix("body=ok"))
    }

    func testLargeContentLengthBodyWithinLimit() throws {
        let client = try server.client()
        let body = String(repeating: "abcdefgh", count: 100_000)   // 800 KB
        client.send("POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.bodyText.hasSuffix("body=" + body), "body mismatch (\(response.body.count) bytes)")
    }

    func testChunkedBodyWithExtensionsAndTrailers() throws {
        let client = try server.client()
        client.send("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value;quoted=\"a b\"\r\nhello\r\n")
        usleep(30_000)
        client.send("1\r\n \r\nA ; ext\r\n0123456789\r\n0\r\nX-Trailer: t\r\nX-Other: o\r\n\r\n" + get("/after"))
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.bodyText.hasSuffix("body=hello 0123456789"), response.bodyText)
        XCTAssertFalse(response.bodyText.contains("X-Trailer"))
        XCTAssertTrue(try client.readResponse().bodyText.contains("path=/after\n"))
    }

    func testExpectContinue() throws {
        let client = try server.client()
        client.send("PUT /e HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        let interim = try client.readResponse(timeout: 2)
        XCTAssertEqual(interim.status, 100)
        client.send("data")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.bodyText.hasSuffix("body=data"))
    }

    func testExpectContinueTooLargeGets413Without100() throws {
        server.stop()
        server = try TestServer { $0.maxBodyBytes = 10 }
        let client = try server.client()
        client.send("PUT /e HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n")
        let response = try client.readResponse(timeout: 2)
        XCTAssertEqual(response.status, 413)
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(client.waitForClose())
    }

    func testHEADHasContentLengthButNoBody() throws {
        let client = try server.client()
        client.send("HEAD /big?n=1234 HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse(bodyExpected: false)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Content-Length"), "1234")
        client.send(get("/next"))
        let next = try client.readResponse()   // would be garbled if body bytes had been sent
        XCTAssertTrue(next.bodyText.contains("path=/next\n"))
        XCTAssertTrue(client.unread.isEmpty)
    }

    func testHTTP10ClosesByDefault() throws {
        let client = try server.client()
        client.send("GET /old HTTP/1.0\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertTrue(response.bodyText.contains("version=1.0\n"))
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(client.waitForClose())
    }

    func testHTTP10KeepAlive() throws {
        let client = try server.client()
        client.send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.header("Connection"), "keep-alive")
        client.send("GET /again HTTP/1.0\r\n\r\n")
        XCTAssertTrue(try client.readResponse().bodyText.contains("path=/again\n"))
        XCTAssertTrue(client.waitForClose())
    }

    func testConnectionCloseHonoured() throws {
        let client = try server.client()
        client.send(get("/bye", extra: "Connection: close\r\n") + get("/ignored"))
        let response = try client.readResponse()
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(client.waitForClose())
        XCTAssertEqual(server.handler.calls.load(ordering: .relaxed), 1)
    }

    func testAbsoluteFormAndAsteriskForm() throws {
        let client = try server.client()
        client.send("GET http://example.com:8080/abs?q=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertTrue(response.bodyText.contains("path=/abs\nquery=q=1\n"), response.bodyText)
        client.send("GET http://[::1]:80 HTTP/1.1\r\nHost: [::1]:80\r\n\r\n")
        XCTAssertTrue(try client.readResponse().bodyText.contains("path=/\n"))
        client.send("OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertTrue(try client.readResponse().bodyText.contains("path=*\n"))
    }

    func testHandlerWithoutValidStatusGets500() throws {
        let client = try server.client()
        client.send(get("/nostatus"))
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 500)
        XCTAssertFalse(response.bodyText.contains("partial"))
        client.send(get("/fail"))
        XCTAssertEqual(try client.readResponse().status, 500)
    }

    /// Every rejection: the status, `Connection: close`, and the connection
    /// closed afterwards; the handler is never called.
    func testRejections() throws {
        let longTarget = "/" + String(repeating: "a", count: 9000)
        let manyHeaders = (0..<101).map { "X-\($0): v\r\n" }.joined()
        let bigHeader = "X-Big: " + String(repeating: "b", count: 17_000) + "\r\n"
        let cases: [(String, Int, String)] = [
            ("GET / HTTP/1.1\nHost: t\n\n", 400, "bare LF"),
            ("GET / HTTP/1.1\r\nHost: t\nX: y\r\n\r\n", 400, "bare LF in headers"),
            ("GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400, "space before colon"),
            ("GET / HTTP/1.1\r\nHost: t\r\nX-A: a\r\n  folded\r\n\r\n", 400, "obs-fold"),
            ("GET / HTTP/1.1\r\nHost: t\rX: y\r\n\r\n", 400, "bare CR"),
            ("GET / HTTP/1.1\r\nHost: t\r\nX: a\u{0}b\r\n\r\n", 400, "NUL in value"),
            ("GET / HTTP/1.1\r\nHost: t\r\nX: a\u{1}b\r\n\r\n", 400, "CTL in value"),
            ("GET / HTTP/1.1\r\nHost: t\r\nX: a\u{7f}b\r\n\r\n", 400, "DEL in value"),
            ("GET / HTTP/1.1\r\nHost: t\r\n: empty\r\n\r\n", 400, "empty field name"),
            ("GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505, "HTTP/2.0"),
            ("GET / HTTP/1.2\r\nHost: t\r\n\r\n", 505, "HTTP/1.2"),
            ("GET / HTTP/0.9\r\nHost: t\r\n\r\n", 505, "HTTP/0.9"),
            ("GET / http/1.1\r\nHost: t\r\n\r\n", 400, "lowercase version"),
            ("GET / HTTP/1.1 \r\nHost: t\r\n\r\n", 400, "trailing space in request line"),
            ("GET  / HTTP/1.1\r\nHost: t\r\n\r\n", 400, "double space"),
            ("G(T / HTTP/1.1\r\nHost: t\r\n\r\n", 400, "bad method"),
            ("GET abc HTTP/1.1\r\nHost: t\r\n\r\n", 400, "relative target"),
            ("GET * HTTP/1.1\r\nHost: t\r\n\r\n", 400, "asterisk for GET"),
            ("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n", 400, "authority-form"),
            ("GET /a#frag HTTP/1.1\r\nHost: t\r\n\r\n", 400, "fragment"),
            ("GET /a\"b HTTP/1.1\r\nHost: t\r\n\r\n", 400, "quote in target"),
            ("GET /\u{e9} HTTP/1.1\r\nHost: t\r\n\r\n", 400, "non-ASCII target"),
            ("GET ftp://x/ HTTP/1.1\r\nHost: t\r\n\r\n", 400, "other scheme"),
            ("GET http://user@x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400, "userinfo"),
            ("GET / HTTP/1.1\r\n\r\n", 400, "missing Host"),
            ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "two Hosts"),
            ("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "bad Host"),
            ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n", 400, "CL not digits"),
            ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n", 400, "CL negative"),
            ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: +1\r\n\r\nx", 400, "CL plus"),
            ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: \r\n\r\n", 400, "CL empty"),
            ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1, 2\r\n\r\nx", 400, "CL list differs"),
            ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx", 400, "CL repeated differs"),
            ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400, "CL overflow"),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "TE gzip"),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "TE gzip, chunked"),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400, "TE chunked not last"),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n", 400, "TE chunked not last (2 fields)"),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400, "TE chunked twice"),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: ,chunked\r\n\r\n", 400, "TE empty element"),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", 400, "TE quoted"),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n", 400, "TE and CL"),
            ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "TE in HTTP/1.0"),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "chunk size not hex"),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", 400, "chunk size 0x"),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n", 400, "chunk size leading space"),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", 400, "chunk data too long"),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", 400, "chunk line bare LF"),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;" + String(repeating: "e", count: 1100) + "\r\nhello\r\n0\r\n\r\n", 400, "chunk extension too long"),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer: x\r\n\r\n", 400, "bad trailer"),
            ("GET \(longTarget) HTTP/1.1\r\nHost: t\r\n\r\n", 414, "long request line"),
            ("GET / HTTP/1.1\r\nHost: t\r\n\(manyHeaders)\r\n", 431, "too many headers"),
            ("GET / HTTP/1.1\r\nHost: t\r\n\(bigHeader)\r\n", 431, "header section too large"),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\(bigHeader)\r\n", 431, "trailers too large"),
        ]
        for (request, status, name) in cases {
            let client = try server.client()
            client.send(request)
            do {
                let response = try client.readResponse(timeout: 3)
                XCTAssertEqual(response.status, status, name)
                XCTAssertEqual(response.header("Connection"), "close", name)
                XCTAssertTrue(client.waitForClose(timeout: 3), "not closed: \(name)")
            } catch {
                XCTFail("\(name): \(error)")
            }
        }
        XCTAssertEqual(server.handler.calls.load(ordering: .relaxed), 0)
    }

    func testRejectionAfterPipelinedRequestKeepsOrder() throws {
        let client = try server.client()
        client.send(get("/first") + "GET / HTTP/1.1\r\nHost : bad\r\n\r\n" + get("/never"))
        XCTAssertEqual(try client.readResponse().status, 200)
        XCTAssertEqual(try client.readResponse().status, 400)
        XCTAssertTrue(client.waitForClose())
        XCTAssertEqual(server.handler.calls.load(ordering: .relaxed), 1)
    }

    func testContentLengthAboveLimitGoesToHandlerWith413() throws {
        server.stop()
        server = try TestServer { $0.maxBodyBytes = 100 }
        let client = try server.client()
        client.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 101\r\n\r\n" + String(repeating: "x", count: 101))
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 413)
        XCTAssertEqual(response.bodyText, #"{"error":"too large"}"#)
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(client.waitForClose())
        XCTAssertEqual(server.handler.transportStatuses.withLock { $0 }, [413])
    }

    func testChunkedBodyAboveLimitGoesToHandlerWith413() throws {
        server.stop()
        server = try TestServer { $0.maxBodyBytes = 100 }
        let client = try server.client()
        let chunk = "32\r\n" + String(repeating: "y", count: 50) + "\r\n"
        client.send("POST /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk)
        usleep(50_000)
        client.send(chunk)
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 413)
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(client.waitForClose())
        // A huge declared chunk size is refused the same way (no overflow).
        let other = try server.client()
        other.send("POST /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffffffffffff\r\n")
        XCTAssertEqual(try other.readResponse().status, 413)
        XCTAssertTrue(other.waitForClose())
        XCTAssertEqual(server.handler.transportStatuses.withLock { $0 }, [413, 413])
    }

    func testSlowClientDoesNotBlockOthers() throws {
        let slow = try server.client()
        let request = Array(get("/slow").utf8)
        let fast = try server.client()
        for (i, byte) in request.enumerated() {
            slow.send([byte])
            if i == 3 {
                let start = now()
                fast.send(get("/fast"))
                XCTAssertEqual(try fast.readResponse().status, 200)
                XCTAssertLessThan(now() - start, 0.75)   // served while the slow request is still arriving
            }
            if i < 8 { usleep(100_000) }
        }
        XCTAssertTrue(try slow.readResponse().bodyText.contains("path=/slow\n"))
    }

    func testRequestTimeoutSends408() throws {
        server.stop()
        server = try TestServer { $0.requestTimeout = .milliseconds(600) }
        let client = try server.client()
        let start = now()
        client.send("GET /slowloris HTTP/1.1\r\nHost: t\r\n")
        // Keep trickling bytes: activity must not extend the request timeout.
        var response: RawResponse?
        for _ in 0..<10 {
            usleep(150_000)
            client.send("X")
            if let r = try? client.readResponse(timeout: 0.05) { response = r; break }
        }
        if response == nil { response = try client.readResponse(timeout: 2) }
        XCTAssertEqual(response?.status, 408)
        XCTAssertLessThan(now() - start, 2.0)
        XCTAssertTrue(client.waitForClose())
        XCTAssertEqual(server.handler.calls.load(ordering: .relaxed), 0)
    }

    func testIdleTimeoutCloses() throws {
        server.stop()
        server = try TestServer { $0.idleTimeout = .milliseconds(500) }
        let client = try server.client()
        client.send(get("/once"))
        XCTAssertEqual(try client.readResponse().status, 200)
        let start = now()
        XCTAssertTrue(client.waitForClose(timeout: 3))
        XCTAssertGreaterThan(now() - start, 0.3)
        let deadline = now() + 2   // the count drops just after the close the client saw
        while server.server.activeConnectionCount > 0 && now() < deadline { usleep(10_000) }
        XCTAssertEqual(server.server.activeConnectionCount, 0)
    }

    func testBlockingHandlerDoesNotDelayOtherConnections() throws {
        let sleeper = try server.client()
        sleeper.send(get("/sleep?ms=1000"))
        usleep(50_000)
        let start = now()
        for i in 0..<5 {
            let other = try server.client()
            other.send(get("/quick\(i)"))
            XCTAssertEqual(try other.readResponse().status, 200)
        }
        XCTAssertLessThan(now() - start, 0.75)   // a blocked request would take ≥ 0.9 s
        XCTAssertEqual(try sleeper.readResponse().status, 200)
    }

    func testMoreBlockedHandlersThanPollingThreads() throws {
        server.stop()
        server = try TestServer {
            $0.threadCount = 6
            $0.pollingThreads = 2
        }
        let sleepers = try (0..<4).map { _ in try server.client() }
        for sleeper in sleepers { sleeper.send(get("/sleep?ms=1000")) }
        usleep(100_000)
        let start = now()
        let other = try server.client()
        other.send(get("/quick"))
        XCTAssertEqual(try other.readResponse().status, 200)
        XCTAssertLessThan(now() - start, 0.75)   // a blocked request would take ≥ 0.9 s
        for sleeper in sleepers { XCTAssertEqual(try sleeper.readResponse().status, 200) }
        // Once the handlers return, the server keeps serving normally.
        for i in 0..<20 {
            other.send(get("/after\(i)"))
            XCTAssertEqual(try other.readResponse().status, 200)
        }
    }

    func testOutputBackpressureKeepsOrder() throws {
        server.stop()
        server = try TestServer { $0.maxPendingOutputBytes = 64 * 1024 }
        let client = try RawClient(port: server.port, receiveBuffer: 8192)
        var batch = ""
        for i in 0..<40 { batch += get("/big?n=\(100_000 + i)") }
        client.send(batch)
        usleep(300_000)   // the server must stop at the output limit, not buffer 4 MB
        for i in 0..<40 {
            let response = try client.readResponse()
            XCTAssertEqual(response.body.count, 100_000 + i)
        }
    }

    func testWriteTimeoutClosesSlowReader() throws {
        server.stop()
        server = try TestServer {
            $0.writeTimeout = .milliseconds(500)
            $0.maxPendingOutputBytes = 64 * 1024
        }
        let client = try RawClient(port: server.port, receiveBuffer: 4096)
        var batch = ""
        for _ in 0..<100 { batch += get("/big?n=200000") }
        client.send(batch)
        let deadline = now() + 4
        while server.server.activeConnectionCount > 0 && now() < deadline { usleep(50_000) }
        XCTAssertEqual(server.server.activeConnectionCount, 0)
    }

    func testMaxConnections() throws {
        server.stop()
        server = try TestServer { $0.maxConnections = 2 }
        let a = try server.client(), b = try server.client()
        a.send(get("/a")); b.send(get("/b"))
        XCTAssertEqual(try a.readResponse().status, 200)
        XCTAssertEqual(try b.readResponse().status, 200)
        let c = try server.client()
        c.send(get("/c"))
        if let response = try? c.readResponse(timeout: 2) {
            XCTAssertEqual(response.status, 503)
        }
        XCTAssertTrue(c.waitForClose())
        // The first two still work.
        a.send(get("/a2"))
        XCTAssertEqual(try a.readResponse().status, 200)
    }

    func testGracefulShutdown() throws {
        let inFlight = try server.client()
        inFlight.send(get("/sleep?ms=800"))
        let idle = try server.client()
        idle.send(get("/idle"))
        XCTAssertEqual(try idle.readResponse().status, 200)
        usleep(100_000)
        let started = now()
        let httpServer = server.server
        httpServer.beginShutdown(gracePeriod: .seconds(5))
        // New connections are refused.
        XCTAssertThrowsError(try RawClient(port: server.port))
        // Idle keep-alive connections are closed.
        XCTAssertTrue(idle.waitForClose(timeout: 2))
        // The in-flight request completes, marked as the last one.
        let response = try inFlight.readResponse(timeout: 3)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(inFlight.waitForClose())
        httpServer.wait()
        XCTAssertLessThan(now() - started, 3)
        XCTAssertEqual(httpServer.activeConnectionCount, 0)
    }

    func testShutdownDeadlineClosesStragglers() throws {
        let straggler = try server.client()
        straggler.send("GET /never-finished HTTP/1.1\r\nHost: t\r\n")
        usleep(50_000)
        let started = now()
        server.server.beginShutdown(gracePeriod: .milliseconds(300))
        XCTAssertTrue(straggler.waitForClose(timeout: 3))
        server.server.wait()
        XCTAssertLessThan(now() - started, 2)
    }

    func testRunReturnsAfterShutdownFromAnotherThread() throws {
        let listener = try HTTPListener.bind(host: "127.0.0.1", port: 0)
        var configuration = HTTPServerConfiguration()
        configuration.threadCount = 2
        let httpServer = try HTTPServer(listener: listener, configuration: configuration, handler: EchoHandler())
        let done = expectation(description: "run returned")
        let thread = Thread {
            try? httpServer.run()
            done.fulfill()
        }
        thread.start()
        usleep(100_000)
        let client = try RawClient(port: listener.port)
        client.send(get("/x"))
        XCTAssertEqual(try client.readResponse().status, 200)
        httpServer.beginShutdown()
        wait(for: [done], timeout: 5)
    }
}
