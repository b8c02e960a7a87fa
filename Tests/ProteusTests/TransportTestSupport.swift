// Helpers for the transport tests: a tiny blocking socket client, test
// handlers, and an in-process server fixture on an ephemeral port.

import Glibc
import Synchronization
import XCTest
@testable import HTTPTransport

struct RawResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    var bodyText: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// Blocking TCP client speaking raw bytes, with deadlines on every read.
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    /// `sourceAddress`: a loopback address (127.x.y.z) to connect from, so
    /// that many clients are many addresses to per-client rate limits.
    init(port: UInt16, receiveBuffer: Int32? = nil, sourceAddress: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ClientError.io("socket: \(errno)") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, 4)
        }
        if let sourceAddress {
            var source = sockaddr_in()
            source.sin_family = sa_family_t(AF_INET)
            source.sin_addr.s_addr = inet_addr(sourceAddress)
            let bound = withUnsafePointer(to: &source) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if bound != 0 {
                let e = errno
                Glibc.close(fd)
                throw ClientError.io("bind \(sourceAddress): \(e)")
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc != 0 {
            let e = errno
            Glibc.close(fd)
            throw ClientError.connectFailed(e)
        }
    }

    deinit { Glibc.close(fd) }

    enum ClientError: Error { case io(String), connectFailed(Int32), timeout, closed, malformed(String) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    /// Reads more bytes into the buffer. False on EOF/error/timeout.
    private func fill(deadline: Double) throws -> Bool {
        let remaining = deadline - now()
        if remaining <= 0 { throw ClientError.timeout }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&p, 1, Int32(remaining * 1000) + 1)
        if ready == 0 { throw ClientError.timeout }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    /// Reads one response. `bodyExpected: false` for HEAD.
    func readResponse(timeout: Double = 5, bodyExpected: Bool = true) throws -> RawResponse {
        let deadline = now() + timeout
        var headEnd: Int?
        while true {
            if let i = find([13, 10, 13, 10], in: buffer) { headEnd = i; break }
            if try !fill(deadline: deadline) { throw ClientError.closed }
        }
        guard let headEnd else { throw ClientError.closed }
        let head = String(decoding: buffer[0..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0] == "HTTP/1.1", let status = Int(parts[1]) else {
            throw ClientError.malformed(statusLine)
        }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw ClientError.malformed(line) }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        buffer.removeFirst(headEnd + 4)
        var response = RawResponse(status: status, headers: headers, body: [])
        if status >= 200, status != 204, status != 304, bodyExpected {
            let length = Int(response.header("Content-Length") ?? "0") ?? 0
            while buffer.count < length {
                if try !fill(deadline: deadline) { throw ClientError.closed }
            }
            response.body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        }
        return response
    }

    /// True when the server closes the connection (EOF or reset) within
    /// `timeout`, discarding any bytes that arrive first.
    func waitForClose(timeout: Double = 5) -> Bool {
        let deadline = now() + timeout
        buffer.removeAll()
        while true {
            do {
                if try !fill(deadline: deadline) { return true }
            } catch {
                return false
            }
        }
    }

    /// Bytes received so far that no readResponse consumed.
    var unread: [UInt8] { buffer }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    var i = 0
    while i <= haystack.count - needle.count {
        if haystack[i] == needle[0] && Array(haystack[i..<i + needle.count]) == needle { return i }
        i += 1
    }
    return nil
}

/// Echoes the request as text; special paths: /sleep?ms=N blocks, /big?n=N
/// returns N bytes, /nostatus leaves status 0, /fail sets status 1234.
final class EchoHandler: HTTPHandler, @unchecked Sendable {
    let transportStatuses = Mutex<[Int]>([])
    let calls = Atomic<Int>(0)

    func handle(_ request: HTTPRequest, _ response: HTTPResponseWriter) {
        calls.wrappingAdd(1, ordering: .relaxed)
        transportStatuses.withLock { $0.append(request.transportStatus) }
        let path = request.path.string
        let query = request.query?.string
        func queryInt(_ key: String) -> Int? {
            guard let query else { return nil }
            for pair in query.split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                if kv.count == 2 && kv[0] == key { return Int(kv[1]) }
            }
            return nil
        }
        switch path {
        case "/sleep":
            usleep(UInt32((queryInt("ms") ?? 1000) * 1000))
        case "/big":
            response.status = 200
            response.appendBody([UInt8](repeating: 120, count: queryInt("n") ?? 100_000))
            return
        case "/nostatus":
            response.status = 0
            response.appendBody("partial".utf8)
            return
        case "/fail":
            response.status = 1234
            return
        default:
            break
        }
        if request.transportStatus != 0 {
            response.status = request.transportStatus
            response.addHeader("Content-Type", "application/json")
            response.appendBody(#"{"error":"too large"}"#.utf8)
            return
        }
        var text = "method=\(request.method.string)\n"
        text += "target=\(request.target.string)\n"
        text += "path=\(path)\n"
        text += "query=\(query ?? "<nil>")\n"
        text += "version=\(request.version == .http11 ? "1.1" : "1.0")\n"
        text += "peer=\(request.peerAddress.string)\n"
        for field in request.headers { text += "h:\(field.name.string)=\(field.value.string)\n" }
        text += "body=\(request.body.string)"
        response.status = 200
        response.addHeader("Content-Type", "text/plain")
        response.addHeader("X-Test", "yes")
        response.appendBody(text.utf8)
    }
}

/// A running in-process server; shut down and joined by `stop()`.
final class TestServer {
    let server: HTTPServer
    let handler: EchoHandler
    var port: UInt16 { server.port }

    init(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws {
        var configuration = HTTPServerConfiguration()
        configuration.threadCount = 4
        configuration.sweepInterval = .milliseconds(100)
        configure(&configuration)
        handler = EchoHandler()
        let listener = try HTTPListener.bind(host: "127.0.0.1", port: 0)
        server = try HTTPServer(listener: listener, configuration: configuration, handler: handler)
        try server.start()
    }

    func client() throws -> RawClient { try RawClient(port: port) }

    func stop() {
        server.beginShutdown(gracePeriod: .milliseconds(100))
        server.wait()
    }
}
