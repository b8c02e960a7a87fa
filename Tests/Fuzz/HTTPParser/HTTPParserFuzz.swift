// Fuzz target: the HTTP/1.1 request path of the transport — head scanning
// and parsing, Content-Length and chunked framing (HTTPChunkedDecoder with
// its in-place compaction), pipelining, and percent-decoding of the path.
//
// Input: one control byte, then segment lengths, then the byte stream a
// client sends on one connection:
//   byte 0, bits 0-3: k, the number of segment-length bytes that follow
//           bit 4:    small limits (64-byte request line, 256 header bytes,
//                     8 fields, 64-byte bodies, 16-byte chunk lines), so the
//                     414/431/413 paths are reachable with short inputs
//   k bytes: the stream is delivered in reads of (b + 1) bytes, cycling
//           through them; k = 0 delivers it one byte per read.
// The stream is replayed twice on a simulated connection — once in a single
// read, once in the reads above — and both must dispatch the same requests.
//
// `Connection` follows HTTPServer.processBuffered step by step (the same
// calls in the same order: skip empty lines, scanHead, parseHead, framing,
// decode/compact, re-parse, finish), minus sockets. AddressSanitizer has
// every byte of its buffer past what was received poisoned, so any read
// beyond the input is an error; consumed input is freed (the rest moves).
//
// Checked: no crash or over-read; every scan/decode offset stays within the
// bytes available, and what is consumed is at most what is there; parse
// errors are one of the statuses the transport answers with; a parsed
// request's method, target, path, query, header names and values are slices
// of its head (path may be the static "/" of an absolute-form target) and
// obey the grammar (tchar names, no CR/LF/NUL or other CTL in values, no
// surrounding whitespace); the body is a slice of the buffer; the framing
// agrees with the Content-Length/Transfer-Encoding fields (a length body has
// exactly that many bytes, every Content-Length value equals it, chunked
// means no Content-Length and a final "chunked" coding); re-parsing a head
// after the buffer moved gives the same result; the percent-decoded path
// matches a reference decoder and is valid UTF-8 without NUL; and splitting
// the stream differently changes nothing but, at worst, which of 400/414/431
// refuses a connection that is refused either way.
import FuzzSupport
import Glibc
import HTTPTransport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = data[0]
    let k = Int(control & 0x0F)
    guard size > 1 + k else { return 0 }
    let segments = k == 0 ? [1] : (0..<k).map { Int(data[1 + $0]) + 1 }
    let stream = UnsafeBufferPointer(start: data + 1 + k, count: size - 1 - k)
    var limits = HTTPParserLimits()
    if control & 0x10 != 0 {
        limits = HTTPParserLimits(maxRequestLineBytes: 64, maxHeaderBytes: 256, maxHeaderCount: 8,
                                  maxBodyBytes: 64, maxChunkLineBytes: 16)
    }

    let whole = Connection(limits: limits, capacity: stream.count)
    whole.receive(stream)
    let split = Connection(limits: limits, capacity: stream.count)
    var offset = 0
    var turn = 0
    while offset < stream.count {
        let n = min(segments[turn % segments.count], stream.count - offset)
        split.receive(UnsafeBufferPointer(rebasing: stream[offset..<(offset + n)]))
        offset += n
        turn += 1
    }
    compare(whole.outcome, split.outcome, segments: segments)
    return 0
}

// MARK: - What a connection did

struct Dispatched: Equatable {
    var method: [UInt8]
    var target: [UInt8]
    var path: [UInt8]
    var query: [UInt8]?
    var version: HTTPVersion
    var headers: [[UInt8]]   // name ":" value
    var body: [UInt8]
    var transportStatus: Int
    var keepAlive: Bool
    var isHEAD: Bool
    var expectContinue: Bool
    var decodedPath: PercentDecodeResult
}

enum Ending: Equatable {
    /// All input was used; waiting for more in this phase.
    case waiting(Connection.Phase)
    /// Refused with this status; the connection closes.
    case refused(Int)
    /// A dispatched request closes the connection (Connection: close,
    /// HTTP/1.0, 413).
    case closed
}

struct Outcome {
    var requests: [Dispatched] = []
    var ending: Ending = .waiting(.head)
}

func compare(_ whole: Outcome, _ split: Outcome, segments: [Int]) {
    let context = "reads of \(segments) bytes vs one read"
    fuzzCheck(whole.requests.count == split.requests.count,
              "\(context): \(split.requests.count) requests dispatched instead of \(whole.requests.count)")
    for (i, (a, b)) in zip(whole.requests, split.requests).enumerated() {
        fuzzCheck(a == b, "\(context): request \(i) differs:\n  one read: \(a)\n  split:    \(b)")
    }
    switch (whole.ending, split.ending) {
    case let (.refused(a), .refused(b)) where a != b:
        // Which limit or grammar rule trips first may depend on how much had
        // arrived (a long line is refused before its LF is seen).
        let interchangeable: Set<Int> = [400, 414, 431]
        fuzzCheck(interchangeable.contains(a) && interchangeable.contains(b),
                  "\(context): refused with \(b) instead of \(a)")
    default:
        fuzzCheck(whole.ending == split.ending, "\(context): ended \(split.ending) instead of \(whole.ending)")
    }
}

// MARK: - The simulated connection

final class Connection {
    enum Phase: Equatable { case head, body, chunked }

    let limits: HTTPParserLimits
    let headerCapacity: Int
    let headers: UnsafeMutablePointer<HTTPHeaderField>
    /// Room for the whole stream. Bytes [0, count) are the received,
    /// unconsumed input; AddressSanitizer has the rest poisoned, so reading
    /// past what was received is an error. Consuming moves the input to a
    /// new allocation (the real buffer moves too when it grows or compacts).
    var storage: UnsafeMutablePointer<UInt8>
    let capacity: Int
    var count = 0
    var buffer: UnsafeMutablePointer<UInt8>? { count > 0 ? storage : nil }
    var phase = Phase.head
    var scan = HeadScanState()
    var headLength = 0
    var bodyLength = 0
    var headerBytes = 0
    var headerCount = 0
    var chunked = ChunkedDecoderState(bodyStart: 0)
    /// The first parse of the current head, as offsets, for the re-parse check.
    var firstParse: HeadSummary?
    var outcome = Outcome()
    var done = false

    init(limits: HTTPParserLimits, capacity: Int) {
        self.limits = limits
        self.capacity = max(1, capacity)
        storage = Self.allocate(self.capacity)
        headerCapacity = max(1, limits.maxHeaderCount)   // as HTTPServingContext
        headers = UnsafeMutablePointer<HTTPHeaderField>.allocate(capacity: headerCapacity)
        headers.initialize(repeating: HTTPHeaderField(name: .empty, value: .empty), count: headerCapacity)
    }

    deinit {
        headers.deinitialize(count: headerCapacity)
        headers.deallocate()
        asanUnpoison(storage, capacity)
        free(storage)
    }

    private static func allocate(_ capacity: Int) -> UnsafeMutablePointer<UInt8> {
        let p = malloc(capacity)!.assumingMemoryBound(to: UInt8.self)
        asanPoison(p, capacity)
        return p
    }

    func receive(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !done, let base = bytes.baseAddress, bytes.count > 0 else { return }
        fuzzCheck(count + bytes.count <= capacity, "stream longer than announced")
        asanUnpoison(storage + count, bytes.count)
        memcpy(storage + count, base, bytes.count)
        count += bytes.count
        process()
    }

    /// Drops `n` bytes from the front; the rest moves to a new allocation.
    private func consume(_ n: Int) {
        fuzzCheck(n >= 0 && n <= count, "consumed \(n) of \(count) bytes")
        let fresh = Self.allocate(capacity)
        asanUnpoison(fresh, count - n)
        if count - n > 0 { memcpy(fresh, storage + n, count - n) }
        asanUnpoison(storage, capacity)
        free(storage)
        storage = fresh
        count -= n
    }

    /// Keeps the first `newCount` bytes (after the chunked decoder compacted).
    private func truncate(to newCount: Int) {
        fuzzCheck(newCount >= 0 && newCount <= count, "truncated \(count) bytes to \(newCount)")
        asanPoison(storage + newCount, count - newCount)
        count = newCount
    }

    private func finish(_ ending: Ending) {
        outcome.ending = ending
        done = true
    }

    /// HTTPServer.processBuffered, without sockets.
    private func process() {
        while !done {
            guard let p = buffer else { outcome.ending = .waiting(phase); return }
            switch phase {
            case .head:
                if scan.scanned == 0 {
                    var skip = 0
                    while count - skip >= 2 && p[skip] == 13 && p[skip + 1] == 10 { skip += 2 }
                    if skip > 0 {
                        consume(skip)
                        continue
                    }
                }
                if count == 0 || (count == 1 && p[0] == 13 && scan.scanned == 0) {
                    outcome.ending = .waiting(phase)
                    return
                }
                let before = scan
                let result = HTTPParser.scanHead(p, count: count, state: &scan, limits: limits)
                fuzzCheck(scan.scanned <= count && scan.lineStart <= count && scan.requestLineEnd < count
                          && scan.scanned >= before.scanned,
                          "scan state \(scan) outside the \(count) bytes available")
                switch result {
                case .incomplete:
                    outcome.ending = .waiting(phase)
                    return
                case .failure(let status):
                    fuzzCheck([400, 414, 431].contains(status), "scanHead failed with \(status)")
                    return finish(.refused(status))
                case .complete(let length):
                    fuzzCheck(length >= 4 && length <= count, "head of \(length) bytes with \(count) available")
                    fuzzCheck(p[length - 4] == 13 && p[length - 3] == 10 && p[length - 2] == 13 && p[length - 1] == 10,
                              "head does not end with CRLF CRLF")
                    fuzzCheck(scan.requestLineEnd > 0 && scan.requestLineEnd < length, "request line end \(scan.requestLineEnd)")
                    var head = ParsedHead()
                    let status = HTTPParser.parseHead(p, length: length, requestLineEnd: scan.requestLineEnd,
                                                      headers: headers, headerCapacity: headerCapacity, into: &head)
                    if status != 0 {
                        fuzzCheck([400, 431, 501, 505].contains(status), "parseHead failed with \(status)")
                        return finish(.refused(status))
                    }
                    headLength = length
                    headerBytes = head.headerBytes
                    headerCount = head.headerCount
                    firstParse = HeadSummary(head, base: p)
                    checkHead(head, p, headLength: length)
                    switch head.framing {
                    case .none:
                        let keep = dispatch(head, p, body: .empty, transportStatus: 0)
                        finishRequest(consumed: length)
                        if !keep { return finish(.closed) }
                    case .length(let bodyLength):
                        fuzzCheck(bodyLength > 0, "length framing of \(bodyLength) bytes")
                        if bodyLength > limits.maxBodyBytes {
                            _ = dispatch(head, p, body: .empty, transportStatus: 413)
                            return finish(.closed)
                        }
                        if count - length >= bodyLength {
                            let keep = dispatch(head, p, body: ByteView(base: UnsafePointer(p + length), count: bodyLength),
                                                transportStatus: 0)
                            finishRequest(consumed: length + bodyLength)
                            if !keep { return finish(.closed) }
                        } else {
                            phase = .body
                            self.bodyLength = bodyLength
                            outcome.ending = .waiting(phase)
                            return
                        }
                    case .chunked:
                        phase = .chunked
                        chunked = ChunkedDecoderState(bodyStart: length)
                        continue
                    }
                }
            case .body:
                let total = headLength + bodyLength
                if count < total {
                    outcome.ending = .waiting(phase)
                    return
                }
                let head = reparse(p)
                let keep = dispatch(head, p, body: ByteView(base: UnsafePointer(p + headLength), count: bodyLength),
                                    transportStatus: 0)
                finishRequest(consumed: total)
                if !keep { return finish(.closed) }
            case .chunked:
                let before = chunked
                let step = HTTPChunkedDecoder.decode(p, count: count, state: &chunked, limits: limits,
                                                     headerBytes: headerBytes, headerCount: headerCount)
                fuzzCheck(chunked.bodyStart == headLength && chunked.writeOffset >= chunked.bodyStart
                          && chunked.writeOffset <= chunked.readOffset && chunked.readOffset <= count
                          && chunked.readOffset >= before.readOffset && chunked.writeOffset >= before.writeOffset,
                          "chunked state read \(chunked.readOffset) write \(chunked.writeOffset) body start \(chunked.bodyStart) of \(count) bytes")
                fuzzCheck(chunked.decodedCount <= limits.maxBodyBytes, "decoded \(chunked.decodedCount) bytes over the limit")
                switch step {
                case .needMore:
                    let newCount = HTTPChunkedDecoder.compact(p, count: count, state: &chunked)
                    fuzzCheck(newCount <= count && newCount >= chunked.readOffset && chunked.readOffset == chunked.writeOffset,
                              "compacted \(count) to \(newCount), read \(chunked.readOffset) write \(chunked.writeOffset)")
                    truncate(to: newCount)
                    outcome.ending = .waiting(phase)
                    return
                case .failure(let status):
                    fuzzCheck([400, 431].contains(status), "chunked decoding failed with \(status)")
                    return finish(.refused(status))
                case .tooLarge:
                    let head = reparse(p)
                    _ = dispatch(head, p, body: .empty, transportStatus: 413)
                    return finish(.closed)
                case .done:
                    fuzzCheck(chunked.phase == .done, "done in phase \(chunked.phase)")
                    let head = reparse(p)
                    let body = ByteView(base: UnsafePointer(p + chunked.bodyStart), count: chunked.decodedCount)
                    let keep = dispatch(head, p, body: body, transportStatus: 0)
                    finishRequest(consumed: chunked.readOffset)
                    if !keep { return finish(.closed) }
                }
            }
        }
    }

    /// parseHead again on the (possibly moved) buffer: must give the same.
    private func reparse(_ p: UnsafeMutablePointer<UInt8>) -> ParsedHead {
        var head = ParsedHead()
        let status = HTTPParser.parseHead(p, length: headLength, requestLineEnd: scan.requestLineEnd,
                                          headers: headers, headerCapacity: headerCapacity, into: &head)
        fuzzCheck(status == 0, "re-parsing a valid head gave \(status)")
        let again = HeadSummary(head, base: p)
        fuzzCheck(again == firstParse, "re-parse differs: \(again) vs \(String(describing: firstParse))")
        return head
    }

    private func finishRequest(consumed: Int) {
        consume(consumed)
        phase = .head
        scan = HeadScanState()
        headLength = 0
        bodyLength = 0
        headerBytes = 0
        headerCount = 0
        firstParse = nil
    }

    /// Records the request as the handler would see it, after checking it.
    private func dispatch(_ head: ParsedHead, _ p: UnsafeMutablePointer<UInt8>, body: ByteView, transportStatus: Int) -> Bool {
        checkHead(head, p, headLength: headLength)
        if body.count > 0 {
            let start = body.base! - UnsafePointer(p)
            fuzzCheck(start >= headLength && start + body.count <= count, "body at \(start)+\(body.count) of \(count)")
        }
        fuzzCheck(body.count <= limits.maxBodyBytes, "body of \(body.count) bytes over the limit")
        let fields = UnsafeBufferPointer(start: headers, count: head.headerCount)
        checkFraming(head, fields, body: body, transportStatus: transportStatus)
        let decoded = percentDecodePath(head.path)
        checkPercentDecoding(head.path, decoded)
        let keepAlive = head.keepAlive && transportStatus == 0
        outcome.requests.append(Dispatched(
            method: Array(head.method.buffer), target: Array(head.target.buffer), path: Array(head.path.buffer),
            query: head.query.map { Array($0.buffer) }, version: head.version,
            headers: fields.map { Array($0.name.buffer) + [58] + Array($0.value.buffer) },
            body: Array(body.buffer), transportStatus: transportStatus, keepAlive: keepAlive,
            isHEAD: head.isHEAD, expectContinue: head.expectContinue, decodedPath: decoded))
        return keepAlive
    }

    // MARK: checks

    private func checkHead(_ head: ParsedHead, _ p: UnsafeMutablePointer<UInt8>, headLength: Int) {
        let lineEnd = scan.requestLineEnd - 1   // the CR
        func offset(_ v: ByteView) -> Int { v.base.map { $0 - UnsafePointer(p) } ?? -1 }
        func inside(_ v: ByteView, _ from: Int, _ to: Int) -> Bool {
            guard let base = v.base else { return v.count == 0 }
            let o = base - UnsafePointer(p)
            return o >= from && o + v.count <= to
        }
        fuzzCheck(offset(head.method) == 0 && head.method.count > 0 && inside(head.method, 0, lineEnd)
                  && head.method.buffer.allSatisfy { HTTPChar.is($0, HTTPChar.tchar) },
                  "method \(escaped(head.method.buffer))")
        fuzzCheck(inside(head.target, head.method.count + 1, lineEnd) && head.target.count > 0
                  && offset(head.target) == head.method.count + 1,
                  "target at \(offset(head.target))+\(head.target.count), line end \(lineEnd)")
        let targetEnd = offset(head.target) + head.target.count
        for c in head.target.buffer {
            fuzzCheck(c > 0x20 && c < 0x7F && !Array("\"<>\\^`{|}#".utf8).contains(c),
                      "target byte \(c) in \(escaped(head.target.buffer))")
        }
        let version: [UInt8] = Array((head.version == .http11 ? "HTTP/1.1" : "HTTP/1.0").utf8)
        fuzzCheck(targetEnd + 1 + 8 == lineEnd && Array(UnsafeBufferPointer(start: p + targetEnd + 1, count: 8)) == version,
                  "version")
        if head.path.count == 1 && head.path.base!.pointee == 47 && !inside(head.path, 0, headLength) {
            // absolute-form without a path: the static "/".
            fuzzCheck(head.target.buffer.first != 47, "static path for an origin-form target")
        } else {
            fuzzCheck(inside(head.path, offset(head.target), targetEnd) && head.path.count > 0, "path outside the target")
            fuzzCheck(head.path.buffer.first == 47 || (head.path.count == 1 && head.path.buffer.first == 42),
                      "path \(escaped(head.path.buffer)) does not start with /")
            fuzzCheck(!head.path.buffer.contains(63), "path contains ?")
        }
        if let query = head.query {
            fuzzCheck(inside(query, offset(head.target), targetEnd) && offset(query) + query.count == targetEnd
                      && p[offset(query) - 1] == 63, "query outside the target")
        } else {
            fuzzCheck(!head.target.buffer.contains(63), "target with ? but no query")
        }
        fuzzCheck(head.headerCount <= headerCapacity && head.headerCount <= limits.maxHeaderCount, "\(head.headerCount) fields")
        fuzzCheck(head.headerBytes == headLength - scan.requestLineEnd - 1, "header bytes \(head.headerBytes)")
        fuzzCheck(head.isHEAD == (head.method.buffer.elementsEqual("HEAD".utf8)), "isHEAD")
        var hosts = 0
        for field in UnsafeBufferPointer(start: headers, count: head.headerCount) {
            fuzzCheck(inside(field.name, scan.requestLineEnd + 1, headLength - 2) && field.name.count > 0
                      && field.name.buffer.allSatisfy { HTTPChar.is($0, HTTPChar.tchar) },
                      "field name \(escaped(field.name.buffer))")
            fuzzCheck(inside(field.value, scan.requestLineEnd + 1, headLength - 2), "field value outside the head")
            let value = field.value.buffer
            fuzzCheck(value.allSatisfy { HTTPChar.is($0, HTTPChar.fieldValue) }, "field value \(escaped(value))")
            fuzzCheck(value.first != 32 && value.first != 9 && value.last != 32 && value.last != 9, "untrimmed value \(escaped(value))")
            if field.name.equalsLowercased("host") { hosts += 1 }
        }
        fuzzCheck(hosts <= 1 && (hosts == 1 || head.version == .http10), "\(hosts) Host fields in \(head.version)")
        // Connection tokens and Expect, read independently (ASCII case only).
        var close = false, keepAlive = false, expect = false
        func lower(_ bytes: some Sequence<UInt8>) -> [UInt8] { bytes.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 } }
        func trimmed(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
            Array(bytes.drop { $0 == 32 || $0 == 9 }.reversed().drop { $0 == 32 || $0 == 9 }.reversed())
        }
        for field in UnsafeBufferPointer(start: headers, count: head.headerCount) {
            let value = lower(field.value.buffer)
            if field.name.equalsLowercased("connection") {
                for token in value.split(separator: 44, omittingEmptySubsequences: false) {
                    let t = trimmed(token)
                    if t == Array("close".utf8) { close = true } else if t == Array("keep-alive".utf8) { keepAlive = true }
                }
            } else if field.name.equalsLowercased("expect") && value == Array("100-continue".utf8) {
                expect = true
            }
        }
        let persistent = head.version == .http11 ? !close : keepAlive && !close
        fuzzCheck(head.keepAlive == persistent, "keepAlive \(head.keepAlive) with close \(close), keep-alive \(keepAlive), \(head.version)")
        fuzzCheck(head.expectContinue == (expect && head.version == .http11), "expectContinue \(head.expectContinue)")
    }

    private func checkFraming(_ head: ParsedHead, _ fields: UnsafeBufferPointer<HTTPHeaderField>, body: ByteView,
                              transportStatus: Int) {
        var lengths: [Int] = []
        var codings: [[UInt8]] = []
        for field in fields {
            if field.name.equalsLowercased("content-length") {
                for element in field.value.buffer.split(separator: 44, omittingEmptySubsequences: false) {
                    let digits = element.drop { $0 == 32 || $0 == 9 }.reversed().drop { $0 == 32 || $0 == 9 }.reversed()
                    var n = 0
                    for d in digits {
                        fuzzCheck(d >= 48 && d <= 57, "accepted Content-Length \(escaped(field.value.buffer))")
                        let (m, o1) = n.multipliedReportingOverflow(by: 10)
                        let (a, o2) = m.addingReportingOverflow(Int(d - 48))
                        fuzzCheck(!o1 && !o2, "accepted overflowing Content-Length")
                        n = a
                    }
                    fuzzCheck(!digits.isEmpty, "accepted empty Content-Length element")
                    lengths.append(n)
                }
            } else if field.name.equalsLowercased("transfer-encoding") {
                for element in field.value.buffer.split(separator: 44, omittingEmptySubsequences: false) {
                    codings.append(Array(element.drop { $0 == 32 || $0 == 9 }.reversed().drop { $0 == 32 || $0 == 9 }.reversed()))
                }
            }
        }
        switch head.framing {
        case .none:
            fuzzCheck(codings.isEmpty && lengths.allSatisfy { $0 == 0 }, "no body but CL \(lengths), TE \(codings.count)")
            fuzzCheck(body.count == 0, "body without framing")
        case .length(let n):
            fuzzCheck(codings.isEmpty && !lengths.isEmpty && lengths.allSatisfy { $0 == n }, "length \(n) but CL \(lengths)")
            fuzzCheck(body.count == n || (transportStatus == 413 && body.count == 0), "length \(n) but body \(body.count)")
        case .chunked:
            fuzzCheck(lengths.isEmpty && head.version == .http11, "chunked with CL \(lengths) in \(head.version)")
            let last = codings.last.map { String(decoding: $0, as: UTF8.self).lowercased() }
            fuzzCheck(last == "chunked", "chunked framing but last coding \(String(describing: last))")
            fuzzCheck(codings.filter { String(decoding: $0, as: UTF8.self).lowercased() == "chunked" }.count == 1,
                      "chunked twice")
        }
    }

    private func checkPercentDecoding(_ path: ByteView, _ result: PercentDecodeResult) {
        let reference = referencePercentDecode(Array(path.buffer))
        fuzzCheck(result == reference, "percentDecodePath(\(escaped(path.buffer))) = \(result), reference \(reference)")
        if case .decoded(let bytes) = result {
            fuzzCheck(!bytes.contains(0), "decoded path contains NUL")
            fuzzCheck(String(validating: bytes, as: UTF8.self) != nil, "decoded path is not UTF-8")
        }
    }
}

/// A parsed head as offsets from the buffer start (comparable across moves).
struct HeadSummary: Equatable, CustomStringConvertible {
    var views: [Int]
    var flags: [Int]

    init(_ head: ParsedHead, base: UnsafeMutablePointer<UInt8>) {
        func o(_ v: ByteView?) -> [Int] {
            guard let v else { return [-2, 0] }
            return [v.base.map { $0 - UnsafePointer(base) } ?? -1, v.count]
        }
        views = o(head.method) + o(head.target) + o(head.query) + [head.path.count]
        let framing: [Int]
        switch head.framing {
        case .none: framing = [0, 0]
        case .length(let n): framing = [1, n]
        case .chunked: framing = [2, 0]
        }
        flags = framing + [head.version == .http11 ? 1 : 0, head.headerCount, head.headerBytes,
                           head.keepAlive ? 1 : 0, head.expectContinue ? 1 : 0, head.isHEAD ? 1 : 0]
    }

    var description: String { "views \(views) flags \(flags)" }
}

