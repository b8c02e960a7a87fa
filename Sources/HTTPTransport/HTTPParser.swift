// Strict incremental HTTP/1.1 request-head parser (RFC 9112), working in
// place on the connection's read buffer.
//
// Two steps:
//  1. `scanHead` runs on every read: it looks for line ends (memchr for LF)
//     from where it stopped last time, rejects bare LF at once, and enforces
//     the request-line / header-section / header-count limits while the head
//     is still incomplete (so a client can never make us buffer more).
//  2. `parseHead` runs once the empty line has arrived: it validates the
//     whole head and produces borrowed views (method, target, path, query,
//     header fields) plus the framing decision.
// Offsets are relative to the first byte of the request, so the buffer may
// be compacted or reallocated between reads.
//
// Decisions where RFC 9112 leaves room (all errors close the connection):
// - Bare LF as a line terminator is refused (400) everywhere: request line,
//   field lines, chunk lines, trailers. A CR not followed by LF is a CTL → 400.
// - Empty lines (CRLF) before a request line are skipped (§2.2).
// - Only "HTTP/1.0" and "HTTP/1.1"; any other well-formed HTTP-version (even
//   HTTP/1.2) → 505; a malformed one (lowercase, extra spaces) → 400.
// - request-target: origin-form, absolute-form with http/https (userinfo
//   refused), "*" only for OPTIONS; authority-form and anything else → 400.
//   Characters outside RFC 3986 (space, CTL, non-ASCII, " < > \ ^ ` { | } #,
//   and [ ] outside the authority) → 400. Percent escapes are not checked
//   here (percentDecodePath does, for the router).
// - Field values may contain HTAB, SP, VCHAR and obs-text (0x80-0xFF);
//   every other CTL including DEL → 400. Whitespace before the colon and
//   obs-fold (a line starting with SP/HTAB) → 400.
// - Content-Length: 1*DIGIT; a comma list or repeated fields are accepted
//   only when all values are equal; empty/signed/overflowing → 400.
// - Transfer-Encoding: exactly "chunked" (case-insensitive) is supported.
//   chunked not last, chunked twice, empty list elements or parameters on
//   chunked → 400; other codings (gzip, "gzip, chunked", identity) → 501;
//   TE together with Content-Length, or TE in an HTTP/1.0 request → 400.
// - Chunked bodies: chunk-size is 1*HEXDIG (no sign, "0x" or whitespace
//   before it); extensions must follow the chunk-ext grammar (no trailing
//   whitespace) and a chunk line is at most maxChunkLineBytes; they are
//   ignored. Trailers are validated like header fields, count toward the
//   header limits, and are discarded.
// - Host: required for HTTP/1.1; more than one → 400; a value with
//   characters outside reg-name/IP-literal/port → 400. For absolute-form the
//   target's authority is not compared with Host.
// - Connection: "close" and "keep-alive" tokens are honoured; others ignored.
// - Expect: only "100-continue" (HTTP/1.1) is acted upon; other
//   expectations are ignored rather than answered with 417.

import Glibc

package struct HTTPParserLimits: Sendable, Equatable {
    /// Longest request line (without CRLF); longer → 414.
    package var maxRequestLineBytes: Int = 8 * 1024
    /// Header section bytes (field lines with their CRLFs, plus trailers of
    /// a chunked body); more → 431.
    package var maxHeaderBytes: Int = 16 * 1024
    /// Header field lines (plus trailer lines); more → 431.
    package var maxHeaderCount: Int = 100
    /// Largest request body (after de-chunking); more → the 413 path.
    package var maxBodyBytes: Int = 1 << 20
    /// Longest chunk-size line including extensions (without CRLF); more → 400.
    package var maxChunkLineBytes: Int = 1024

    package init(maxRequestLineBytes: Int = 8 * 1024, maxHeaderBytes: Int = 16 * 1024, maxHeaderCount: Int = 100,
                 maxBodyBytes: Int = 1 << 20, maxChunkLineBytes: Int = 1024) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkLineBytes = maxChunkLineBytes
    }
}

package enum BodyFraming: Equatable, Sendable {
    case none
    case length(Int)
    case chunked
}

/// Everything learnt from a complete, valid request head.
package struct ParsedHead {
    package var method = ByteView.empty
    package var target = ByteView.empty
    package var path = ByteView.empty
    package var query: ByteView? = nil
    package var version: HTTPVersion = .http11
    package var headerCount = 0
    /// Bytes of the header section (after the request line, final CRLF included).
    package var headerBytes = 0
    package var framing: BodyFraming = .none
    /// The request allows the connection to stay open after the response.
    package var keepAlive = true
    /// HTTP/1.1 request with `Expect: 100-continue`.
    package var expectContinue = false
    package var isHEAD = false

    package init() {}
}

/// Incremental line scanning state of the head being received.
package struct HeadScanState {
    /// Offset up to which line ends have been looked for.
    package var scanned = 0
    /// Offset of the first byte of the current line.
    package var lineStart = 0
    /// Offset of the LF ending the request line, -1 while not yet seen.
    package var requestLineEnd = -1
    /// Header field lines seen so far.
    package var headerLines = 0

    package init() {}
}

package enum HeadScanResult: Equatable {
    case incomplete
    /// The head is complete; its length including the final CRLF.
    case complete(Int)
    case failure(Int)
}

// MARK: - Character classes

package enum HTTPChar {
    package static let tchar: UInt8 = 1
    package static let fieldValue: UInt8 = 2   // VCHAR, obs-text, SP, HTAB
    package static let target: UInt8 = 4       // RFC 3986 pchar / "/" / "?" (and "%")
    package static let host: UInt8 = 8         // reg-name / IP-literal / port chars
    package static let hex: UInt8 = 16

    package nonisolated(unsafe) static let table: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        t.initialize(repeating: 0, count: 256)
        func set(_ chars: String, _ flag: UInt8) { for c in chars.utf8 { t[Int(c)] |= flag } }
        let alpha = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
        let digit = "0123456789"
        set(alpha + digit + "!#$%&'*+-.^_`|~", tchar)
        for c in 0x20...0x7E { t[c] |= fieldValue }
        for c in 0x80...0xFF { t[c] |= fieldValue }
        t[9] |= fieldValue
        let unreserved = alpha + digit + "-._~"
        let subDelims = "!$&'()*+,;="
        set(unreserved + subDelims + "%:@/?", target)
        set(unreserved + subDelims + "%:[]", host)
        set(digit + "abcdefABCDEF", hex)
        return UnsafePointer(t)
    }()

    @inline(__always) package static func `is`(_ c: UInt8, _ flag: UInt8) -> Bool { table[Int(c)] & flag != 0 }

    @inline(__always) package static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 48...57: return Int(c - 48)
        case 97...102: return Int(c - 87)
        case 65...70: return Int(c - 55)
        default: return nil
        }
    }
}

@inline(__always) private func isOWS(_ c: UInt8) -> Bool { c == 32 || c == 9 }

@inline(__always)
private func view(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> ByteView {
    ByteView(base: p + start, count: end - start)
}

/// Case-insensitive comparison of p[start..<end] with a lowercase literal.
@inline(__always)
private func equalsLower(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ literal: StaticString) -> Bool {
    view(p, start, end).equalsLowercased(literal)
}

package enum HTTPParser {
    /// Offset of the first LF in p[from..<from+length], or nil.
    @inline(__always)
    package static func findLF(_ p: UnsafePointer<UInt8>, from: Int, length: Int) -> Int? {
        guard length > 0, let hit = memchr(p + from, 10, length) else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(p)
    }

    /// Continues scanning the head in p[0..<count]. Bare LF → 400; request
    /// line too long → 414; header section too large or too many lines → 431.
    package static func scanHead(_ p: UnsafePointer<UInt8>, count: Int, state: inout HeadScanState,
                         limits: HTTPParserLimits) -> HeadScanResult {
        while state.scanned < count {
            guard let lf = findLF(p, from: state.scanned, length: count - state.scanned) else {
                state.scanned = count
                break
            }
            if lf == state.lineStart || p[lf - 1] != 13 { return .failure(400) }
            let lineLength = lf - 1 - state.lineStart
            if state.requestLineEnd < 0 {
                if lineLength > limits.maxRequestLineBytes { return .failure(414) }
                if lineLength == 0 { return .failure(400) }
                state.requestLineEnd = lf
            } else {
                let headerBytes = lf + 1 - (state.requestLineEnd + 1)
                if headerBytes > limits.maxHeaderBytes { return .failure(431) }
                if lineLength == 0 { return .complete(lf + 1) }
                state.headerLines += 1
                if state.headerLines > limits.maxHeaderCount { return .failure(431) }
            }
            state.lineStart = lf + 1
            state.scanned = lf + 1
        }
        if state.requestLineEnd < 0 {
            // +1: the CR of a line of exactly the maximum length may be here.
            if count - state.lineStart > limits.maxRequestLineBytes + 1 { return .failure(414) }
        } else if count - (state.requestLineEnd + 1) > limits.maxHeaderBytes {
            return .failure(431)
        }
        return .incomplete
    }

    /// Validates a field line p[start..<end] (CRLF excluded):
    /// token ":" OWS value OWS, no whitespace before the colon, no leading
    /// whitespace (obs-fold), no CTL but HTAB in the value.
    @inline(__always)
    package static func parseFieldLine(_ p: UnsafePointer<UInt8>, start: Int, end: Int,
                               nameEnd: inout Int, valueStart: inout Int, valueEnd: inout Int) -> Bool {
        let table = HTTPChar.table
        var j = start
        while j < end && table[Int(p[j])] & HTTPChar.tchar != 0 { j += 1 }
        if j == start || j >= end || p[j] != 58 { return false }
        nameEnd = j
        j += 1
        while j < end && isOWS(p[j]) { j += 1 }
        valueStart = j
        while j < end {
            if table[Int(p[j])] & HTTPChar.fieldValue == 0 { return false }
            j += 1
        }
        var e = end
        while e > valueStart && isOWS(p[e - 1]) { e -= 1 }
        valueEnd = e
        return true
    }

    /// Parses the complete head p[0..<length] (it ends with CRLF CRLF; the
    /// request line ends with the LF at `requestLineEnd`). Fills `headers`
    /// (capacity `headerCapacity`) and `head`. Returns 0, or the status of
    /// the error response (400, 431, 501, 505).
    package static func parseHead(_ p: UnsafePointer<UInt8>, length: Int, requestLineEnd: Int,
                          headers: UnsafeMutablePointer<HTTPHeaderField>, headerCapacity: Int,
                          into head: inout ParsedHead) -> Int {
        guard requestLineEnd >= 1, requestLineEnd < length, length >= 4 else { return 400 }
        // ---- request line: method SP request-target SP HTTP-version
        let lineEnd = requestLineEnd - 1   // the CR
        let table = HTTPChar.table
        var i = 0
        while i < lineEnd && table[Int(p[i])] & HTTPChar.tchar != 0 { i += 1 }
        if i == 0 || i >= lineEnd || p[i] != 32 { return 400 }
        let methodEnd = i
        head.method = view(p, 0, methodEnd)
        i += 1
        let targetStart = i
        while i < lineEnd && p[i] != 32 { i += 1 }
        if i == targetStart || i >= lineEnd { return 400 }
        let targetEnd = i
        i += 1
        // HTTP-version = "HTTP/" DIGIT "." DIGIT, exactly up to the CR.
        guard lineEnd - i == 8,
              p[i] == 72, p[i + 1] == 84, p[i + 2] == 84, p[i + 3] == 80, p[i + 4] == 47,
              p[i + 5] >= 48, p[i + 5] <= 57, p[i + 6] == 46, p[i + 7] >= 48, p[i + 7] <= 57
        else { return 400 }
        if p[i + 5] != 49 { return 505 }
        switch p[i + 7] {
        case 49: head.version = .http11
        case 48: head.version = .http10
        default: return 505
        }
        head.isHEAD = methodEnd == 4 && p[0] == 72 && p[1] == 69 && p[2] == 65 && p[3] == 68
        let status = parseTarget(p, start: targetStart, end: targetEnd, methodEnd: methodEnd, into: &head)
        if status != 0 { return status }

        // ---- header fields
        var pos = requestLineEnd + 1
        let sectionEnd = length - 2   // the final CRLF
        var count = 0
        var hostCount = 0
        var contentLength = -1
        var sawContentLength = false
        var sawTransferEncoding = false
        var chunkedCount = 0
        var otherCodings = 0
        var lastIsChunked = false
        var badCoding = false
        var connectionClose = false
        var connectionKeepAlive = false
        var expectContinue = false
        while pos < sectionEnd {
            guard let lf = findLF(p, from: pos, length: length - pos), lf - 1 >= pos else { return 400 }
            var nameEnd = 0, vs = 0, ve = 0
            if !parseFieldLine(p, start: pos, end: lf - 1, nameEnd: &nameEnd, valueStart: &vs, valueEnd: &ve) {
                return 400
            }
            if count >= headerCapacity { return 431 }
            headers[count] = HTTPHeaderField(name: view(p, pos, nameEnd), value: view(p, vs, ve))
            count += 1
            switch nameEnd - pos {
            case 4 where equalsLower(p, pos, nameEnd, "host"):
                hostCount += 1
                var k = vs
                while k < ve { if !HTTPChar.is(p[k], HTTPChar.host) { return 400 }; k += 1 }
            case 6 where equalsLower(p, pos, nameEnd, "expect"):
                if equalsLower(p, vs, ve, "100-continue") { expectContinue = true }
            case 10 where equalsLower(p, pos, nameEnd, "connection"):
                forEachListElement(p, vs, ve) { s, e in
                    if equalsLower(p, s, e, "close") { connectionClose = true }
                    else if equalsLower(p, s, e, "keep-alive") { connectionKeepAlive = true }
                    return true
                }
            case 14 where equalsLower(p, pos, nameEnd, "content-length"):
                sawContentLength = true
                if !parseContentLength(p, vs, ve, into: &contentLength) { return 400 }
            case 17 where equalsLower(p, pos, nameEnd, "transfer-encoding"):
                sawTransferEncoding = true
                let ok = forEachListElement(p, vs, ve) { s, e in
                    if s == e { return false }   // empty element: refuse
                    var k = s
                    while k < e && HTTPChar.is(p[k], HTTPChar.tchar) { k += 1 }
                    if k == s { return false }
                    let hasParameters = k < e
                    if hasParameters {
                        // coding *( OWS ";" OWS transfer-parameter ): only
                        // check that no CTL or bare separator slipped in.
                        var m = k
                        while m < e && isOWS(p[m]) { m += 1 }
                        if m >= e || p[m] != 59 { return false }
                    }
                    if equalsLower(p, s, k, "chunked") {
                        if hasParameters { return false }
                        chunkedCount += 1
                        lastIsChunked = true
                    } else {
                        otherCodings += 1
                        lastIsChunked = false
                    }
                    return true
                }
                if !ok { badCoding = true }
            default:
                break
            }
            pos = lf + 1
        }
        head.headerCount = count
        head.headerBytes = length - (requestLineEnd + 1)

        // ---- semantics
        if hostCount > 1 { return 400 }
        if hostCount == 0 && head.version == .http11 { return 400 }
        if sawTransferEncoding {
            // RFC 9112 §6.1 / §6.3: TE in HTTP/1.0 means faulty framing;
            // TE with CL is a smuggling signature. Both: 400 and close.
            if head.version == .http10 || sawContentLength || badCoding { return 400 }
            if chunkedCount > 1 { return 400 }
            if chunkedCount == 1 && !lastIsChunked { return 400 }
            if otherCodings > 0 || chunkedCount == 0 { return 501 }
            head.framing = .chunked
        } else if sawContentLength {
            head.framing = contentLength > 0 ? .length(contentLength) : .none
        } else {
            head.framing = .none
        }
        switch head.version {
        case .http11: head.keepAlive = !connectionClose
        case .http10: head.keepAlive = connectionKeepAlive && !connectionClose
        }
        head.expectContinue = expectContinue && head.version == .http11
        return 0
    }

    /// origin-form, absolute-form (http/https), or "*" for OPTIONS.
    private static func parseTarget(_ p: UnsafePointer<UInt8>, start: Int, end: Int, methodEnd: Int,
                                    into head: inout ParsedHead) -> Int {
        head.target = view(p, start, end)
        head.query = nil
        if p[start] == 42 /* * */ {
            let isOptions = methodEnd == 7 && equalsExact(p, 0, 7, "OPTIONS")
            guard end - start == 1, isOptions else { return 400 }
            head.path = view(p, start, end)
            return 0
        }
        let table = HTTPChar.table
        var pathStart: Int
        if p[start] == 47 /* / */ {
            pathStart = start
        } else {
            // absolute-form: "http://" or "https://" authority [path-abempty] ["?" query]
            let schemeEnd: Int
            if end - start > 7 && equalsLower(p, start, start + 7, "http://") {
                schemeEnd = start + 7
            } else if end - start > 8 && equalsLower(p, start, start + 8, "https://") {
                schemeEnd = start + 8
            } else {
                return 400
            }
            var a = schemeEnd
            while a < end && p[a] != 47 && p[a] != 63 {
                if !HTTPChar.is(p[a], HTTPChar.host) { return 400 }   // also refuses userinfo "@"
                a += 1
            }
            if a == schemeEnd { return 400 }
            pathStart = a
        }
        var k = pathStart
        while k < end { if table[Int(p[k])] & HTTPChar.target == 0 { return 400 }; k += 1 }
        var q = pathStart
        while q < end && p[q] != 63 /* ? */ { q += 1 }
        if q == pathStart {
            // absolute-form without a path: the path is "/".
            let slash: StaticString = "/"
            head.path = ByteView(base: slash.utf8Start, count: 1)
        } else {
            head.path = view(p, pathStart, q)
        }
        if q < end { head.query = view(p, q + 1, end) }
        return 0
    }

    @inline(__always)
    private static func equalsExact(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ literal: StaticString) -> Bool {
        guard end - start == literal.utf8CodeUnitCount else { return false }
        return memcmp(p + start, literal.utf8Start, end - start) == 0
    }

    /// Calls `body` with each comma-separated element of p[start..<end],
    /// OWS-trimmed (possibly empty). Stops and returns false when body does.
    @discardableResult
    @inline(__always)
    package static func forEachListElement(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int,
                                   _ body: (Int, Int) -> Bool) -> Bool {
        var s = start
        while true {
            var e = s
            while e < end && p[e] != 44 { e += 1 }
            var a = s, b = e
            while a < b && isOWS(p[a]) { a += 1 }
            while b > a && isOWS(p[b - 1]) { b -= 1 }
            if !body(a, b) { return false }
            if e >= end { return true }
            s = e + 1
        }
    }

    /// Content-Length = 1*DIGIT; a list of identical values is accepted
    /// (RFC 9112 §6.3 item 5). `value` is -1 when none seen yet.
    package static func parseContentLength(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int,
                                   into value: inout Int) -> Bool {
        forEachListElement(p, start, end) { s, e in
            if s == e { return false }
            var n = 0
            var k = s
            while k < e {
                let c = p[k]
                guard c >= 48 && c <= 57 else { return false }
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int(c - 48))
                if o1 || o2 { return false }
                n = a
                k += 1
            }
            if value >= 0 && value != n { return false }
            value = n
            return true
        }
    }
}
