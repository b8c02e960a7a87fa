// The seam between the HTTP transport and the rest of the host.
// The transport parses bytes into `HTTPRequest`s and writes what a
// `HTTPHandler` puts into an `HTTPResponseWriter`; it knows nothing of
// dialects, plugins or routing.

/// A borrowed view of bytes inside a connection buffer. Valid only while the
/// handler call that received it runs.
package struct ByteView: @unchecked Sendable {
    package var base: UnsafePointer<UInt8>?
    package var count: Int

    package static let empty = ByteView(base: nil, count: 0)

    package init(base: UnsafePointer<UInt8>?, count: Int) {
        self.base = base
        self.count = count
    }

    package var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }
    package var string: String { String(decoding: buffer, as: UTF8.self) }

    /// ASCII case-insensitive comparison with a lowercase literal.
    package func equalsLowercased(_ lowercase: StaticString) -> Bool {
        guard lowercase.utf8CodeUnitCount == count else { return false }
        guard let base else { return count == 0 }
        let other = lowercase.utf8Start
        for i in 0..<count {
            var c = base[i]
            if c >= 65 && c <= 90 { c |= 0x20 }
            if c != other[i] { return false }
        }
        return true
    }
}

package struct HTTPHeaderField: Sendable {
    package var name: ByteView
    package var value: ByteView   // leading/trailing whitespace already trimmed

    package init(name: ByteView, value: ByteView) {
        self.name = name
        self.value = value
    }
}

package enum HTTPVersion: Sendable { case http10, http11 }

/// One parsed request. Everything points into the connection's buffers.
package struct HTTPRequest: @unchecked Sendable {
    package var method: ByteView
    /// The raw request-target as received (origin-form or absolute-form).
    package var target: ByteView
    /// The raw path of the target (origin-form path; for absolute-form the
    /// path after the authority), not percent-decoded, without the query.
    package var path: ByteView
    /// Raw query after '?', or nil when the target has no '?'.
    package var query: ByteView?
    package var version: HTTPVersion
    package var headers: UnsafeBufferPointer<HTTPHeaderField>
    /// The complete body, de-chunked. Empty when there is none.
    package var body: ByteView
    /// The socket peer's address as text ("127.0.0.1", "::1").
    package var peerAddress: ByteView
    /// 0 for a normal request. 413 when the transport refused the body as too
    /// large: the handler renders the error (in its dialect's envelope) and
    /// the transport closes the connection after writing it.
    package var transportStatus: Int
    /// Seconds since some fixed point, monotonic, taken when the request head
    /// was complete (for access-log durations).
    package var receivedAtNanos: UInt64
}

/// Where a handler writes its response. The transport owns framing: it adds
/// Content-Length, Date and Connection itself and drops the body for HEAD.
/// Reused between requests on one thread; never shared between threads.
package final class HTTPResponseWriter {
    package var status: Int = 200
    /// Header block being built: "Name: value\r\n" lines.
    private(set) var headerBytes: [UInt8] = []
    private(set) var body: [UInt8] = []

    package init() {
        headerBytes.reserveCapacity(512)
        body.reserveCapacity(4096)
    }

    package func reset() {
        status = 200
        headerBytes.removeAll(keepingCapacity: true)
        body.removeAll(keepingCapacity: true)
    }

    /// Adds a header unless it is one the transport owns. Names and values
    /// containing CR, LF or NUL are dropped (no header injection).
    package func addHeader<N: Collection<UInt8>, V: Collection<UInt8>>(name: N, value: V) {
        if name.isEmpty { return }
        for c in name where c == 13 || c == 10 || c == 0 || c == 58 || c == 32 { return }
        for c in value where c == 13 || c == 10 || c == 0 { return }
        if Self.isTransportOwned(name) { return }
        headerBytes.append(contentsOf: name)
        headerBytes.append(58); headerBytes.append(32)
        headerBytes.append(contentsOf: value)
        headerBytes.append(13); headerBytes.append(10)
    }

    package func addHeader(_ name: String, _ value: String) {
        addHeader(name: name.utf8, value: value.utf8)
    }

    /// Whether a header of this name (lowercase ASCII) was added.
    package func hasHeader(_ lowercaseName: StaticString) -> Bool {
        var lineStart = 0
        let n = lowercaseName.utf8CodeUnitCount
        while lineStart < headerBytes.count {
            var lineEnd = lineStart
            while lineEnd < headerBytes.count && headerBytes[lineEnd] != 10 { lineEnd += 1 }
            if lineEnd - lineStart > n && headerBytes[lineStart + n] == 58 {
                var same = true
                for i in 0..<n {
                    var c = headerBytes[lineStart + i]
                    if c >= 65 && c <= 90 { c |= 0x20 }
                    if c != lowercaseName.utf8Start[i] { same = false; break }
                }
                if same { return true }
            }
            lineStart = lineEnd + 1
        }
        return false
    }

    package func appendBody<C: Collection<UInt8>>(_ bytes: C) { body.append(contentsOf: bytes) }
    package func appendBody(_ bytes: UnsafeRawBufferPointer) { body.append(contentsOf: bytes) }

    private static func isTransportOwned<N: Collection<UInt8>>(_ name: N) -> Bool {
        // ASCII case-insensitive comparison, without allocating.
        func equals(_ literal: StaticString) -> Bool {
            guard name.count == literal.utf8CodeUnitCount else { return false }
            var i = 0
            for c in name {
                let lowered = c >= 65 && c <= 90 ? c | 0x20 : c
                if lowered != literal.utf8Start[i] { return false }
                i += 1
            }
            return true
        }
        return equals("content-length") || equals("transfer-encoding")
            || equals("connection") || equals("date") || equals("keep-alive")
    }
}

/// Answers requests. Called on a serving thread; may block (store and KDF
/// calls). Must always leave a complete response in `response`.
package protocol HTTPHandler: AnyObject, Sendable {
    func handle(_ request: HTTPRequest, _ response: HTTPResponseWriter)
}
