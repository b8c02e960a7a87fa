// Serving one connection on the thread that received its event: read,
// parse every complete request in the buffer, call the handler inline,
// frame responses into one output batch, write, re-arm. Everything here runs
// with the connection's lock held.

import Glibc

extension HTTPServer {
    enum ProcessOutcome { case needInput, outputFull, yield, close }
    enum FlushResult { case done, blocked, failed }

    func handleEvent(_ connection: HTTPConnection, generation: UInt32, mask: UInt32, _ context: HTTPServingContext) {
        connection.lock.lock()
        defer { connection.lock.unlock() }
        guard connection.isOpen, connection.generation == generation else { return }   // stale event
        if mask & Epoll.error != 0 {
            closeConnection(connection)
            return
        }
        switch connection.phase {
        case .lingering:
            drainLingering(connection)
            return
        case .closingAfterWrite:
            switch flushPending(connection) {
            case .done: startLingering(connection)
            case .blocked: arm(connection, Epoll.output)
            case .failed: closeConnection(connection)
            }
            return
        case .head, .body, .chunked:
            break
        }
        if !connection.pending.isEmpty {
            switch flushPending(connection) {
            case .done: break
            case .blocked: arm(connection, Epoll.output); return
            case .failed: closeConnection(connection); return
            }
        }
        serve(connection, context)
    }

    private func serve(_ connection: HTTPConnection, _ context: HTTPServingContext) {
        var readAgain = true
        var turnBudget = max(1, configuration.maxRequestsPerTurn)
        while true {
            switch processBuffered(connection, context, budget: &turnBudget) {
            case .close:
                finishWithClose(connection, context)
                return
            case .yield:
                // More pipelined requests are buffered: write what is ready,
                // then wait for writability (at once when the socket has
                // room), which puts this connection behind the others.
                switch flushOutput(connection, context) {
                case .done, .blocked: arm(connection, Epoll.output)
                case .failed: closeConnection(connection)
                }
                return
            case .outputFull:
                switch flushOutput(connection, context) {
                case .done: continue
                case .blocked: arm(connection, Epoll.output); return
                case .failed: closeConnection(connection); return
                }
            case .needInput:
                break
            }
            if connection.sawEOF {
                // The peer sent all it will: answer what was complete, close.
                finishWithClose(connection, context)
                return
            }
            if readAgain {
                guard ensureReadSpace(connection), let target = connection.input.writePointer else {
                    context.date.refresh()
                    HTTPResponseFraming.appendError(503, date: context.date, to: &context.out)
                    finishWithClose(connection, context)
                    return
                }
                let space = connection.input.freeSpace
                let n = recv(connection.fd, target, space, 0)
                if n > 0 {
                    connection.input.end += n
                    let now = coarseMonotonicNanos()
                    connection.lastActivityNanos = now
                    if connection.requestStartNanos == 0 { connection.requestStartNanos = now }
                    readAgain = n == space
                    continue
                }
                if n == 0 {
                    connection.sawEOF = true
                    continue
                }
                let e = errno
                if e == EINTR { continue }
                if e != EAGAIN && e != EWOULDBLOCK {
                    closeConnection(connection)
                    return
                }
            }
            // Nothing more to read now: write the batch and wait.
            switch flushOutput(connection, context) {
            case .done: arm(connection, Epoll.input)
            case .blocked: arm(connection, Epoll.output)
            case .failed: closeConnection(connection)
            }
            return
        }
    }

    /// Answers every complete request in the read buffer, in order.
    private func processBuffered(_ connection: HTTPConnection, _ context: HTTPServingContext,
                                 budget: inout Int) -> ProcessOutcome {
        while true {
            guard let p = connection.input.readPointer else { return .needInput }
            let count = connection.input.count
            switch connection.phase {
            case .head:
                if connection.scan.scanned == 0 {
                    // RFC 9112 §2.2: ignore empty lines before a request line.
                    var skip = 0
                    while count - skip >= 2 && p[skip] == 13 && p[skip + 1] == 10 { skip += 2 }
                    if skip > 0 {
                        connection.input.consume(skip)
                        if connection.input.isEmpty { connection.requestStartNanos = 0 }
                        continue
                    }
                }
                // Nothing, or the CR of a leading empty line split from its LF.
                if count == 0 || (count == 1 && p[0] == 13 && connection.scan.scanned == 0) { return .needInput }
                switch HTTPParser.scanHead(p, count: count, state: &connection.scan, limits: limits) {
                case .incomplete:
                    return .needInput
                case .failure(let status):
                    return fail(status, context)
                case .complete(let headLength):
                    connection.headCompleteNanos = monotonicNanos()
                    var head = ParsedHead()
                    let status = HTTPParser.parseHead(p, length: headLength, requestLineEnd: connection.scan.requestLineEnd,
                                                      headers: context.headers, headerCapacity: context.headerCapacity,
                                                      into: &head)
                    if status != 0 { return fail(status, context) }
                    connection.headLength = headLength
                    connection.headerBytes = head.headerBytes
                    connection.headerCount = head.headerCount
                    switch head.framing {
                    case .none:
                        let keep = dispatch(connection, context, head, body: .empty, transportStatus: 0)
                        finishRequest(connection, consumed: headLength)
                        if !keep { return .close }
                    case .length(let length):
                        if length > limits.maxBodyBytes {
                            _ = dispatch(connection, context, head, body: .empty, transportStatus: 413)
                            return .close
                        }
                        if count - headLength >= length {
                            let body = ByteView(base: UnsafePointer(p + headLength), count: length)
                            let keep = dispatch(connection, context, head, body: body, transportStatus: 0)
                            finishRequest(connection, consumed: headLength + length)
                            if !keep { return .close }
                        } else {
                            connection.phase = .body
                            connection.bodyLength = length
                            connection.expectContinue = head.expectContinue
                            sendContinueIfExpected(connection, context)
                            return .needInput
                        }
                    case .chunked:
                        connection.phase = .chunked
                        connection.chunked = ChunkedDecoderState(bodyStart: headLength)
                        connection.expectContinue = head.expectContinue
                        continue
                    }
                }
            case .body:
                let total = connection.headLength + connection.bodyLength
                if count < total { return .needInput }
                var head = ParsedHead()
                guard reparseHead(connection, context, p, into: &head) else { return fail(400, context) }
                let body = ByteView(base: UnsafePointer(p + connection.headLength), count: connection.bodyLength)
                let keep = dispatch(connection, context, head, body: body, transportStatus: 0)
                finishRequest(connection, consumed: total)
                if !keep { return .close }
            case .chunked:
                let step = HTTPChunkedDecoder.decode(p, count: count, state: &connection.chunked, limits: limits,
                                                     headerBytes: connection.headerBytes,
                                                     headerCount: connection.headerCount)
                switch step {
                case .needMore:
                    let newCount = HTTPChunkedDecoder.compact(p, count: count, state: &connection.chunked)
                    connection.input.end = connection.input.start + newCount
                    sendContinueIfExpected(connection, context)
                    return .needInput
                case .failure(let status):
                    return fail(status, context)
                case .tooLarge:
                    var head = ParsedHead()
                    guard reparseHead(connection, context, p, into: &head) else { return fail(400, context) }
                    _ = dispatch(connection, context, head, body: .empty, transportStatus: 413)
                    return .close
                case .done:
                    var head = ParsedHead()
                    guard reparseHead(connection, context, p, into: &head) else { return fail(400, context) }
                    let body = ByteView(base: UnsafePointer(p + connection.chunked.bodyStart),
                                        count: connection.chunked.decodedCount)
                    let keep = dispatch(connection, context, head, body: body, transportStatus: 0)
                    finishRequest(connection, consumed: connection.chunked.readOffset)
                    if !keep { return .close }
                }
            case .closingAfterWrite, .lingering:
                return .close
            }
            if context.out.count >= configuration.maxPendingOutputBytes { return .outputFull }
            budget -= 1
            if budget <= 0 && !connection.input.isEmpty { return .yield }
        }
    }

    /// Parses the (already validated) head again: the buffer may have moved
    /// since it was first parsed.
    private func reparseHead(_ connection: HTTPConnection, _ context: HTTPServingContext,
                             _ p: UnsafeMutablePointer<UInt8>, into head: inout ParsedHead) -> Bool {
        HTTPParser.parseHead(p, length: connection.headLength, requestLineEnd: connection.scan.requestLineEnd,
                             headers: context.headers, headerCapacity: context.headerCapacity, into: &head) == 0
    }

    private func fail(_ status: Int, _ context: HTTPServingContext) -> ProcessOutcome {
        context.date.refresh()
        HTTPResponseFraming.appendError(status, date: context.date, to: &context.out)
        return .close
    }

    private func sendContinueIfExpected(_ connection: HTTPConnection, _ context: HTTPServingContext) {
        guard connection.expectContinue, !connection.continueSent else { return }
        connection.continueSent = true
        context.out.append(HTTPResponseFraming.continueResponse)
    }

    /// Calls the handler and frames its response into the output batch.
    /// Returns whether the connection stays open.
    private func dispatch(_ connection: HTTPConnection, _ context: HTTPServingContext, _ head: ParsedHead,
                          body: ByteView, transportStatus: Int) -> Bool {
        let writer = context.writer
        writer.reset()
        let request = HTTPRequest(
            method: head.method, target: head.target, path: head.path, query: head.query,
            version: head.version,
            headers: UnsafeBufferPointer(start: context.headers, count: head.headerCount),
            body: body, peerAddress: connection.peerView, transportStatus: transportStatus,
            receivedAtNanos: connection.headCompleteNanos)
        handler.handle(request, writer)
        var status = writer.status
        if status < 200 || status > 599 {
            writer.reset()
            writer.status = 500
            writer.addHeader("Content-Type", "text/plain; charset=utf-8")
            writer.appendBody("Internal Server Error\n".utf8)
            status = 500
        }
        let keepAlive = head.keepAlive && transportStatus == 0 && !stopping.load(ordering: .relaxed)
        context.date.refresh()
        HTTPResponseFraming.appendResponse(writer, status: status, isHEAD: head.isHEAD, closing: !keepAlive,
                                           keepAlive10: keepAlive && head.version == .http10,
                                           date: context.date, to: &context.out)
        return keepAlive
    }

    private func finishRequest(_ connection: HTTPConnection, consumed: Int) {
        connection.input.consume(consumed)
        connection.phase = .head
        connection.scan = HeadScanState()
        connection.resetRequest()
        if connection.input.isEmpty {
            connection.requestStartNanos = 0
            if connection.input.capacity > 4 * max(4096, configuration.initialReadBufferBytes) {
                connection.input.shrink(to: max(256, configuration.initialReadBufferBytes))
            }
        } else {
            connection.requestStartNanos = coarseMonotonicNanos()
        }
    }

    /// Makes room to read into; false when the request cannot fit within
    /// the limits (not expected: the parser refuses such requests earlier).
    private func ensureReadSpace(_ connection: HTTPConnection) -> Bool {
        let minimumRead = 512
        let hardCap = limits.maxRequestLineBytes + 2 * limits.maxHeaderBytes + limits.maxBodyBytes
            + limits.maxChunkLineBytes + 64 * 1024
        if connection.input.isEmpty { connection.input.clear() }
        if connection.phase == .body {
            let needed = connection.headLength + connection.bodyLength - connection.input.count
            if needed > 0 && connection.input.freeSpace < needed {
                return connection.input.reserveFree(needed)
            }
            return connection.input.freeSpace > 0 || connection.input.reserveFree(minimumRead)
        }
        if connection.input.freeSpace >= minimumRead { return true }
        if connection.input.start > 0 {
            connection.input.compact()
            if connection.input.freeSpace >= minimumRead { return true }
        }
        let current = connection.input.count
        if current >= hardCap { return false }
        let grow = min(max(connection.input.capacity, 4096), hardCap - current)
        return connection.input.reserveFree(max(grow, 1))
    }

    // MARK: - Writing

    /// Sends the thread's output batch (after any pending output).
    func flushOutput(_ connection: HTTPConnection, _ context: HTTPServingContext) -> FlushResult {
        defer {
            context.out.clear()
            if context.out.capacity > 4 << 20 { context.out.shrink(to: 64 * 1024) }
        }
        if context.out.appendFailed { return .failed }
        guard let p = context.out.readPointer, !context.out.isEmpty else {
            return connection.pending.isEmpty ? .done : flushPending(connection)
        }
        if !connection.pending.isEmpty {
            connection.pending.append(p, count: context.out.count)
            return flushPending(connection)
        }
        let total = context.out.count
        let written = sendAll(connection.fd, p, total)
        if written < 0 { return .failed }
        if written > 0 { connection.lastWriteProgressNanos = coarseMonotonicNanos() }
        if written == total { return .done }
        connection.pending.append(p + written, count: total - written)
        if connection.pending.appendFailed { return .failed }
        return .blocked
    }

    /// Sends the connection's pending output.
    func flushPending(_ connection: HTTPConnection) -> FlushResult {
        if connection.pending.appendFailed { return .failed }
        guard let p = connection.pending.readPointer, !connection.pending.isEmpty else { return .done }
        let written = sendAll(connection.fd, p, connection.pending.count)
        if written < 0 { return .failed }
        if written > 0 {
            connection.lastWriteProgressNanos = coarseMonotonicNanos()
            connection.pending.consume(written)
        }
        if connection.pending.isEmpty {
            if connection.pending.capacity > 256 * 1024 { connection.pending.release() }
            return .done
        }
        return .blocked
    }

    /// Writes until done or the socket is full. Bytes written, or -1.
    private func sendAll(_ fd: Int32, _ p: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int {
        var written = 0
        while written < count {
            let n = send(fd, p + written, count - written, Int32(MSG_NOSIGNAL))
            if n > 0 { written += n; continue }
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                if e == EAGAIN || e == EWOULDBLOCK { return written }
            }
            return -1
        }
        return written
    }

    @inline(__always)
    func arm(_ connection: HTTPConnection, _ events: UInt32) {
        if Epoll.control(epfd, Epoll.ctlMod, connection.fd, events: events | Epoll.oneShot, token: connection.token) != 0 {
            closeConnection(connection)
        }
    }

    // MARK: - Closing

    /// After a final response: write it, then shut the write side and drain.
    private func finishWithClose(_ connection: HTTPConnection, _ context: HTTPServingContext) {
        switch flushOutput(connection, context) {
        case .done:
            startLingering(connection)
        case .blocked:
            connection.phase = .closingAfterWrite
            arm(connection, Epoll.output)
        case .failed:
            closeConnection(connection)
        }
    }

    /// Shuts the write side (the client sees the response and EOF at once)
    /// and discards input for a while, so that closing with unread data does
    /// not reset the connection before the client has read the response.
    func startLingering(_ connection: HTTPConnection) {
        if connection.sawEOF {
            closeConnection(connection)
            return
        }
        _ = shutdown(connection.fd, Int32(SHUT_WR))
        connection.phase = .lingering
        connection.lingerDeadlineNanos = coarseMonotonicNanos() &+ lingerNanos
        connection.lingerDrained = 0
        connection.input.clear()
        arm(connection, Epoll.input)
    }

    private func drainLingering(_ connection: HTTPConnection) {
        if connection.input.capacity == 0 && !connection.input.reserveFree(4096) {
            closeConnection(connection)
            return
        }
        while true {
            connection.input.clear()
            guard let target = connection.input.writePointer else { closeConnection(connection); return }
            let n = recv(connection.fd, target, connection.input.capacity, 0)
            if n > 0 {
                connection.lingerDrained += n
                if connection.lingerDrained > 8 << 20 { closeConnection(connection); return }
                continue
            }
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                if e == EAGAIN || e == EWOULDBLOCK {
                    arm(connection, Epoll.input)
                    return
                }
            }
            closeConnection(connection)
            return
        }
    }
}
