// Response framing owned by the transport: status line, Date, Content-Length,
// Connection, and the small plain-text error responses of the parser.

import Glibc

enum HTTPStatusText {
    /// Reason phrase for a status (RFC 9110 §15); "Unknown" for others.
    static func reason(_ status: Int) -> StaticString {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 203: return "Non-Authoritative Information"
        case 204: return "No Content"
        case 205: return "Reset Content"
        case 206: return "Partial Content"
        case 300: return "Multiple Choices"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 303: return "See Other"
        case 304: return "Not Modified"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 402: return "Payment Required"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 407: return "Proxy Authentication Required"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 411: return "Length Required"
        case 412: return "Precondition Failed"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 416: return "Range Not Satisfiable"
        case 417: return "Expectation Failed"
        case 421: return "Misdirected Request"
        case 422: return "Unprocessable Content"
        case 423: return "Locked"
        case 424: return "Failed Dependency"
        case 425: return "Too Early"
        case 426: return "Upgrade Required"
        case 428: return "Precondition Required"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 451: return "Unavailable For Legal Reasons"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        case 507: return "Insufficient Storage"
        case 511: return "Network Authentication Required"
        default: return "Unknown"
        }
    }

    /// 1xx, 204 and 304 responses carry neither Content-Length nor body.
    @inline(__always)
    static func forbidsBody(_ status: Int) -> Bool {
        status < 200 || status == 204 || status == 304
    }
}

/// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), recomputed at most once
/// per second. One per serving thread, so no locking.
struct HTTPDateCache {
    private(set) var second: Int = -1
    /// 29 bytes of IMF-fixdate.
    private(set) var bytes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    static let length = 29

    /// Refreshes when the wall-clock second changed.
    @inline(__always)
    mutating func refresh() {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &ts)
        let now = Int(ts.tv_sec)
        if now != second { format(now) }
    }

    private mutating func format(_ now: Int) {
        second = now
        var t = time_t(now)
        var parts = tm()
        gmtime_r(&t, &parts)
        let days: [StaticString] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months: [StaticString] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var out = [UInt8]()
        out.reserveCapacity(32)
        func put(_ s: StaticString) { out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)) }
        func digit(_ v: Int) -> UInt8 { UInt8(truncatingIfNeeded: 48 + abs(v % 10)) }
        func two(_ v: Int32) { out.append(digit(Int(v) / 10)); out.append(digit(Int(v))) }
        let wday = Int(parts.tm_wday), mon = Int(parts.tm_mon)
        put(days[(wday >= 0 && wday < 7) ? wday : 0]); put(", ")
        two(parts.tm_mday); out.append(32)
        put(months[(mon >= 0 && mon < 12) ? mon : 0]); out.append(32)
        let year = Int(parts.tm_year) + 1900
        out.append(digit(year / 1000)); out.append(digit(year / 100))
        out.append(digit(year / 10)); out.append(digit(year)); out.append(32)
        two(parts.tm_hour); out.append(58); two(parts.tm_min); out.append(58); two(parts.tm_sec)
        put(" GMT")
        withUnsafeMutableBytes(of: &bytes) { raw in
            for (i, b) in out.prefix(Self.length).enumerated() { raw[i] = b }
        }
    }

    @inline(__always)
    func append(to buffer: inout ByteBuffer) {
        withUnsafeBytes(of: bytes) { raw in
            if let p = raw.baseAddress { buffer.append(p, count: Self.length) }
        }
    }
}

enum HTTPResponseFraming {
    /// Appends the whole response the handler left in `writer`.
    /// `closing`: add `Connection: close`; `keepAlive10`: add
    /// `Connection: keep-alive` (HTTP/1.0 client that asked for it).
    static func appendResponse(_ writer: HTTPResponseWriter, status: Int, isHEAD: Bool,
                               closing: Bool, keepAlive10: Bool,
                               date: HTTPDateCache, to out: inout ByteBuffer) {
        appendStatusLine(status, to: &out)
        out.append("Date: ")
        date.append(to: &out)
        out.append("\r\n")
        writer.headerBytes.withUnsafeBytes { raw in
            if let p = raw.baseAddress { out.append(p, count: raw.count) }
        }
        let noBody = HTTPStatusText.forbidsBody(status)
        if !noBody {
            out.append("Content-Length: ")
            out.append(decimal: writer.body.count)
            out.append("\r\n")
        }
        if closing {
            out.append("Connection: close\r\n")
        } else if keepAlive10 {
            out.append("Connection: keep-alive\r\n")
        }
        out.append("\r\n")
        if !noBody && !isHEAD {
            writer.body.withUnsafeBytes { raw in
                if let p = raw.baseAddress { out.append(p, count: raw.count) }
            }
        }
    }

    @inline(__always)
    static func appendStatusLine(_ status: Int, to out: inout ByteBuffer) {
        out.append("HTTP/1.1 ")
        out.append(decimal: status)
        out.append(byte: 32)
        out.append(HTTPStatusText.reason(status))
        out.append("\r\n")
    }

    /// A transport error response: plain text, `Connection: close`.
    static func appendError(_ status: Int, date: HTTPDateCache, to out: inout ByteBuffer) {
        let reason = HTTPStatusText.reason(status)
        appendStatusLine(status, to: &out)
        out.append("Date: ")
        date.append(to: &out)
        out.append("\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ")
        out.append(decimal: reason.utf8CodeUnitCount + 1)
        out.append("\r\nConnection: close\r\n\r\n")
        out.append(reason)
        out.append(byte: 10)
    }

    static let continueResponse: StaticString = "HTTP/1.1 100 Continue\r\n\r\n"
}
