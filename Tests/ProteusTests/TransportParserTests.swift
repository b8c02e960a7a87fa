// Unit tests of the head parser, the chunked decoder, percent-decoding and
// the listener.

import Glibc
import XCTest
@testable import HTTPTransport

final class TransportParserTests: XCTestCase {
    struct Parsed {
        var status: Int
        var method = "", target = "", path = "", query: String?
        var version: HTTPVersion = .http11
        var framing: BodyFraming = .none
        var keepAlive = false, expectContinue = false, isHEAD = false
        var headers: [(String, String)] = []
        var headLength = 0
    }

    /// Scans `text` (fed `step` bytes at a time) and parses the head.
    func parse(_ text: String, step: Int? = nil, limits: HTTPParserLimits = HTTPParserLimits()) -> Parsed {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer -> Parsed in
            guard let p = buffer.baseAddress else { return Parsed(status: -1) }
            var state = HeadScanState()
            var result = HeadScanResult.incomplete
            var available = 0
            let increment = step ?? max(1, bytes.count)
            while available < bytes.count {
                available = min(bytes.count, available + increment)
                result = HTTPParser.scanHead(p, count: available, state: &state, limits: limits)
                if result != .incomplete { break }
            }
            switch result {
            case .incomplete: return Parsed(status: 0)
            case .failure(let status): return Parsed(status: status)
            case .complete(let length):
                let fields = UnsafeMutablePointer<HTTPHeaderField>.allocate(capacity: limits.maxHeaderCount)
                defer { fields.deallocate() }
                var head = ParsedHead()
                let status = HTTPParser.parseHead(p, length: length, requestLineEnd: state.requestLineEnd,
                                                  headers: fields, headerCapacity: limits.maxHeaderCount, into: &head)
                var parsed = Parsed(status: status == 0 ? 200 : status)
                guard status == 0 else { return parsed }
                parsed.method = head.method.string
                parsed.target = head.target.string
                parsed.path = head.path.string
                parsed.query = head.query?.string
                parsed.version = head.version
                parsed.framing = head.framing
                parsed.keepAlive = head.keepAlive
                parsed.expectContinue = head.expectContinue
                parsed.isHEAD = head.isHEAD
                parsed.headers = (0..<head.headerCount).map { (fields[$0].name.string, fields[$0].value.string) }
                parsed.headLength = length
                return parsed
            }
        }
    }

    func testValidRequestParsedWhole() {
        let text = "GET /a/b%20c?x=1&y=2 HTTP/1.1\r\nHost: example.com\r\nAccept:  text/plain \t\r\nX-Empty:\r\n\r\nBODY"
        for step in [nil, 1, 3, 7] {
            let r = parse(text, step: step)
            XCTAssertEqual(r.status, 200)
            XCTAssertEqual(r.method, "GET")
            XCTAssertEqual(r.target, "/a/b%20c?x=1&y=2")
            XCTAssertEqual(r.path, "/a/b%20c")
            XCTAssertEqual(r.query, "x=1&y=2")
            XCTAssertEqual(r.version, .http11)
            XCTAssertTrue(r.keepAlive)
            XCTAssertEqual(r.headers.map { $0.0 }, ["Host", "Accept", "X-Empty"])
            XCTAssertEqual(r.headers.map { $0.1 }, ["example.com", "text/plain", ""])
            XCTAssertEqual(r.headLength, text.utf8.count - 4)
        }
    }

    func testQueryForms() {
        XCTAssertNil(parse("GET /p HTTP/1.1\r\nHost: h\r\n\r\n").query)
        XCTAssertEqual(parse("GET /p? HTTP/1.1\r\nHost: h\r\n\r\n").query, "")
        XCTAssertEqual(parse("GET /p?a?b=/ HTTP/1.1\r\nHost: h\r\n\r\n").query, "a?b=/")
        let absolute = parse("GET https://h.example/x?q HTTP/1.1\r\nHost: h.example\r\n\r\n")
        XCTAssertEqual(absolute.path, "/x")
        XCTAssertEqual(absolute.query, "q")
        let bare = parse("GET http://h.example?q HTTP/1.1\r\nHost: h.example\r\n\r\n")
        XCTAssertEqual(bare.path, "/")
        XCTAssertEqual(bare.query, "q")
    }

    func testFraming() {
        XCTAssertEqual(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n").framing, .length(10))
        XCTAssertEqual(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n").framing, .none)
        XCTAssertEqual(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 007\r\n\r\n").framing, .length(7))
        XCTAssertEqual(parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n").framing, .chunked)
        XCTAssertEqual(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9223372036854775807\r\n\r\n").framing,
                       .length(Int.max))
        XCTAssertEqual(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9223372036854775808\r\n\r\n").status, 400)
        XCTAssertEqual(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1 2\r\n\r\n").status, 400)
    }

    func testConnectionSemantics() {
        XCTAssertFalse(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Close\r\n\r\n").keepAlive)
        XCTAssertTrue(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\n\r\n").keepAlive)
        XCTAssertFalse(parse("GET / HTTP/1.0\r\n\r\n").keepAlive)
        XCTAssertTrue(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keepAlive)
        XCTAssertTrue(parse("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\n\r\n").expectContinue)
        XCTAssertFalse(parse("PUT / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n").expectContinue)
        XCTAssertTrue(parse("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n").isHEAD)
        XCTAssertFalse(parse("head / HTTP/1.1\r\nHost: h\r\n\r\n").isHEAD)   // methods are case-sensitive
    }

    func testLimits() {
        var limits = HTTPParserLimits()
        limits.maxRequestLineBytes = 20
        limits.maxHeaderBytes = 40
        limits.maxHeaderCount = 2
        XCTAssertEqual(parse("GET /123456 HTTP/1.1\r\nHost: h\r\n\r\n", limits: limits).status, 200)
        XCTAssertEqual(parse("GET /1234567 HTTP/1.1\r\nHost: h\r\n\r\n", limits: limits).status, 414)
        // Detected while incomplete, byte by byte, without waiting for the end.
        XCTAssertEqual(parse("GET /1234567890123456789", step: 1, limits: limits).status, 414)
        XCTAssertEqual(parse("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: limits).status, 431)
        XCTAssertEqual(parse("GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "v", count: 40), step: 1,
                             limits: limits).status, 431)
        XCTAssertEqual(parse("GET / HTTP/1.1\r\nHost: h\r\n").status, 0)   // incomplete
    }

    func testChunkedDecoderIncremental() {
        let raw = Array("HEAD7\r\nMozilla\r\n9;a=\"b\"\r\nDeveloper\r\n7\r\nNetwork\r\n0\r\nT: x\r\n\r\nNEXT".utf8)
        for step in [1, 2, 5, raw.count] {
            var buffer = [UInt8](repeating: 0, count: raw.count)
            var state = ChunkedDecoderState(bodyStart: 4)
            var count = 4
            for i in 0..<4 { buffer[i] = raw[i] }
            var step0 = ChunkedStep.needMore
            var fed = 4
            buffer.withUnsafeMutableBufferPointer { b in
                guard let p = b.baseAddress else { return }
                while fed < raw.count {
                    let n = min(step, raw.count - fed)
                    for i in 0..<n { p[count + i] = raw[fed + i] }
                    fed += n
                    count += n
                    step0 = HTTPChunkedDecoder.decode(p, count: count, state: &state, limits: HTTPParserLimits(),
                                                      headerBytes: 0, headerCount: 0)
                    if step0 != .needMore { break }
                    count = HTTPChunkedDecoder.compact(p, count: count, state: &state)
                }
            }
            XCTAssertEqual(step0, .done, "step \(step)")
            XCTAssertEqual(String(decoding: buffer[4..<(4 + state.decodedCount)], as: UTF8.self), "MozillaDeveloperNetwork")
            XCTAssertEqual(String(decoding: buffer[state.readOffset..<count], as: UTF8.self), "NEXT".prefix(count - state.readOffset).description)
        }
    }

    func testChunkedDecoderRejects() {
        func decode(_ text: String, maxBody: Int = 1 << 20) -> ChunkedStep {
            var bytes = Array(text.utf8)
            var limits = HTTPParserLimits()
            limits.maxBodyBytes = maxBody
            var state = ChunkedDecoderState(bodyStart: 0)
            let count = bytes.count
            return bytes.withUnsafeMutableBufferPointer { b in
                guard let p = b.baseAddress else { return .failure(-1) }
                return HTTPChunkedDecoder.decode(p, count: count, state: &state, limits: limits, headerBytes: 0, headerCount: 0)
            }
        }
        XCTAssertEqual(decode("0\r\n\r\n"), .done)
        XCTAssertEqual(decode("-1\r\n"), .failure(400))
        XCTAssertEqual(decode("1 \r\nx\r\n0\r\n\r\n"), .failure(400))     // BWS without extension
        XCTAssertEqual(decode("1 ;e\r\nx\r\n0\r\n\r\n"), .done)
        XCTAssertEqual(decode("1;e\u{1}\r\nx\r\n"), .failure(400))
        XCTAssertEqual(decode("1;a=b;c;d = \"q \\\" ;\"\r\nx\r\n0\r\n\r\n"), .done)
        XCTAssertEqual(decode("1;\r\nx\r\n0\r\n\r\n"), .failure(400))         // no ext-name
        XCTAssertEqual(decode("1;a=\r\nx\r\n0\r\n\r\n"), .failure(400))       // no ext-val
        XCTAssertEqual(decode("1;a=\"open\r\nx\r\n0\r\n\r\n"), .failure(400)) // unterminated quote
        XCTAssertEqual(decode("1;a=b c\r\nx\r\n0\r\n\r\n"), .failure(400))
        XCTAssertEqual(decode("1;a@b\r\nx\r\n0\r\n\r\n"), .failure(400))
        XCTAssertEqual(decode("1;a=b \r\nx\r\n0\r\n\r\n"), .failure(400))       // trailing BWS
        XCTAssertEqual(decode("1\rx\r\n"), .failure(400))
        XCTAssertEqual(decode("1\r\nx\n0\r\n\r\n"), .failure(400))
        XCTAssertEqual(decode("0\r\nT: a\nU: b\r\n\r\n"), .failure(400))
        XCTAssertEqual(decode("0\r\n folded: x\r\n\r\n"), .failure(400))
        XCTAssertEqual(decode("b\r\nhello world\r\n0\r\n\r\n", maxBody: 10), .tooLarge)
        XCTAssertEqual(decode("5\r\nhello\r\n6\r\n", maxBody: 10), .tooLarge)
        XCTAssertEqual(decode(String(repeating: "f", count: 64) + "\r\n"), .tooLarge)
        XCTAssertEqual(decode(String(repeating: "0", count: 200) + "1\r\nx\r\n0\r\n\r\n"), .done)
        XCTAssertEqual(decode(String(repeating: "0", count: 1100)), .failure(400))
    }

    func testPercentDecodePath() {
        func decode(_ s: String) -> PercentDecodeResult {
            let bytes = Array(s.utf8)
            return bytes.withUnsafeBufferPointer { percentDecodePath(ByteView(base: $0.baseAddress, count: $0.count)) }
        }
        XCTAssertEqual(decode("/plain/path"), .decoded(Array("/plain/path".utf8)))
        XCTAssertEqual(decode(""), .decoded([]))
        XCTAssertEqual(decode("/a%20b%2Fc+d"), .decoded(Array("/a b/c+d".utf8)))
        XCTAssertEqual(decode("/caf%C3%A9"), .decoded(Array("/café".utf8)))
        XCTAssertEqual(decode("/%f0%9f%98%80"), .decoded(Array("/😀".utf8)))
        XCTAssertEqual(decode("/%"), .malformedEscape)
        XCTAssertEqual(decode("/%2"), .malformedEscape)
        XCTAssertEqual(decode("/%zz"), .malformedEscape)
        XCTAssertEqual(decode("/%2g"), .malformedEscape)
        XCTAssertEqual(decode("/a%00b"), .encodedNUL)
        XCTAssertEqual(decode("/%C3"), .invalidUTF8)
        XCTAssertEqual(decode("/%C0%AF"), .invalidUTF8)         // overlong "/"
        XCTAssertEqual(decode("/%ED%A0%80"), .invalidUTF8)      // surrogate
        XCTAssertEqual(decode("/%F4%90%80%80"), .invalidUTF8)   // > U+10FFFF
        XCTAssertEqual(decode("/%FF"), .invalidUTF8)
    }

    func testListenerBindsIPv4AndIPv6AndReportsErrors() throws {
        let v4 = try HTTPListener.bind(host: "127.0.0.1", port: 0)
        defer { v4.close() }
        XCTAssertGreaterThan(v4.port, 0)
        XCTAssertEqual(HTTPListener.boundPort(v4.fd), v4.port)
        let flags = fcntl(v4.fd, F_GETFL)
        XCTAssertNotEqual(flags & O_NONBLOCK, 0)
        XCTAssertNotEqual(fcntl(v4.fd, F_GETFD) & FD_CLOEXEC, 0)

        XCTAssertThrowsError(try HTTPListener.bind(host: "127.0.0.1", port: v4.port)) { error in
            XCTAssertEqual("\(error)", "cannot listen on 127.0.0.1:\(v4.port): Address already in use")
        }
        XCTAssertThrowsError(try HTTPListener.bind(host: "localhost.invalid", port: 0)) { error in
            XCTAssertTrue("\(error)".contains("not an IPv4 or IPv6 address literal"))
        }
        if let v6 = try? HTTPListener.bind(host: "::1", port: 0) {   // IPv6 may be disabled
            XCTAssertGreaterThan(v6.port, 0)
            v6.close()
        }
        let any = try HTTPListener.bind(host: "0.0.0.0", port: 0)
        any.close()

        let adopted = try HTTPListener(adopting: v4.fd, ownsDescriptor: false)
        XCTAssertEqual(adopted.port, v4.port)
        XCTAssertThrowsError(try HTTPListener(adopting: 0, ownsDescriptor: false))
    }

    func testServerOnIPv6AndAdoptedListener() throws {
        guard let v6 = try? HTTPListener.bind(host: "::", port: 0) else { return }
        let adopted = try HTTPListener(adopting: v6.fd, ownsDescriptor: true)
        var configuration = HTTPServerConfiguration()
        configuration.threadCount = 2
        let server = try HTTPServer(listener: adopted, configuration: configuration, handler: EchoHandler())
        try server.start()
        defer { server.beginShutdown(gracePeriod: .milliseconds(100)); server.wait() }
        // Dual-stack "::" also takes IPv4; the peer is shown as IPv4.
        let client = try RawClient(port: adopted.port)
        client.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        XCTAssertTrue(try client.readResponse().bodyText.contains("peer=127.0.0.1\n"))
    }
}

/// Deterministic mutation fuzzing of the parser and the chunked decoder:
/// nothing may crash, and every outcome is one of the allowed statuses.
final class TransportFuzzTests: XCTestCase {
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    }

    func testMutatedRequestsNeverCrash() {
        let seeds = [
            "GET /a?b=c HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n",
            "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
            "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: v\r\n\r\n",
            "GET http://h:1/x HTTP/1.0\r\nExpect: 100-continue\r\n\r\n",
        ].map { Array($0.utf8) }
        let interesting: [UInt8] = [0, 9, 10, 13, 32, 34, 44, 58, 59, 37, 48, 57, 102, 70, 127, 128, 255, 47, 63, 42]
        var rng = SplitMix(state: 0x5EED)
        var limits = HTTPParserLimits()
        limits.maxHeaderCount = 8
        limits.maxHeaderBytes = 256
        limits.maxRequestLineBytes = 128
        limits.maxBodyBytes = 64
        limits.maxChunkLineBytes = 32
        let fields = UnsafeMutablePointer<HTTPHeaderField>.allocate(capacity: limits.maxHeaderCount)
        defer { fields.deallocate() }
        let allowed: Set<Int> = [0, 400, 414, 431, 501, 505]
        for iteration in 0..<20_000 {
            var bytes = seeds[iteration % seeds.count]
            for _ in 0..<(1 + rng.below(4)) {
                let position = rng.below(bytes.count)
                switch rng.below(4) {
                case 0: bytes[position] = interesting[rng.below(interesting.count)]
                case 1: bytes.insert(interesting[rng.below(interesting.count)], at: position)
                case 2: bytes.remove(at: position)
                default: bytes[position] = UInt8(truncatingIfNeeded: rng.next())
                }
                if bytes.isEmpty { bytes = [13] }
            }
            let step = 1 + rng.below(16)
            bytes.withUnsafeMutableBufferPointer { buffer in
                guard let p = buffer.baseAddress else { return }
                var state = HeadScanState()
                var available = 0
                var result = HeadScanResult.incomplete
                while available < buffer.count {
                    available = min(buffer.count, available + step)
                    result = HTTPParser.scanHead(p, count: available, state: &state, limits: limits)
                    if result != .incomplete { break }
                }
                guard case .complete(let length) = result else {
                    if case .failure(let status) = result { XCTAssertTrue(allowed.contains(status)) }
                    return
                }
                var head = ParsedHead()
                let status = HTTPParser.parseHead(p, length: length, requestLineEnd: state.requestLineEnd,
                                                  headers: fields, headerCapacity: limits.maxHeaderCount, into: &head)
                XCTAssertTrue(allowed.contains(status), "status \(status)")
                guard status == 0, head.framing == .chunked else { return }
                var chunked = ChunkedDecoderState(bodyStart: length)
                var count = length
                while count < buffer.count {
                    count = min(buffer.count, count + step)
                    let outcome = HTTPChunkedDecoder.decode(p, count: count, state: &chunked, limits: limits,
                                                            headerBytes: head.headerBytes, headerCount: head.headerCount)
                    if outcome != .needMore { break }
                    let compacted = HTTPChunkedDecoder.compact(p, count: count, state: &chunked)
                    // Keep the unread tail in place for the next round.
                    let gap = count - compacted
                    if gap > 0 {
                        for i in compacted..<(buffer.count - gap) { p[i] = p[i + gap] }
                    }
                    count = compacted
                    XCTAssertLessThanOrEqual(chunked.decodedCount, limits.maxBodyBytes)
                }
            }
        }
    }
}
