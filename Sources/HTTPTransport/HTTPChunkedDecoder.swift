// In-place decoder for the chunked transfer coding (RFC 9112 §7.1).
// Decoded data is moved down right after the request head, so the body ends
// up contiguous; raw bytes not yet decoded stay after it. Offsets are
// relative to the request start, like the head scanner's.

import Glibc

package struct ChunkedDecoderState {
    package enum Phase { case size, data, dataEnd, trailers, done }
    package var phase: Phase = .size
    /// Next raw byte to decode.
    package var readOffset: Int
    /// Where the next decoded byte goes.
    package var writeOffset: Int
    package let bodyStart: Int
    /// Data bytes left in the current chunk.
    package var remaining = 0
    package var trailerBytes = 0
    package var trailerCount = 0

    package init(bodyStart: Int) {
        self.bodyStart = bodyStart
        readOffset = bodyStart
        writeOffset = bodyStart
    }

    package var decodedCount: Int { writeOffset - bodyStart }
}

package enum ChunkedStep: Equatable {
    case needMore
    case done
    /// The body would exceed the limit: the 413 path.
    case tooLarge
    case failure(Int)
}

package enum HTTPChunkedDecoder {
    /// Decodes as far as p[0..<count] allows. `headerBytes`/`headerCount`
    /// are the head's, so trailers share the header limits.
    package static func decode(_ p: UnsafeMutablePointer<UInt8>, count: Int, state: inout ChunkedDecoderState,
                       limits: HTTPParserLimits, headerBytes: Int, headerCount: Int) -> ChunkedStep {
        while true {
            switch state.phase {
            case .size:
                let available = count - state.readOffset
                let window = min(available, limits.maxChunkLineBytes + 2)
                guard let lf = HTTPParser.findLF(p, from: state.readOffset, length: window) else {
                    return available > limits.maxChunkLineBytes + 1 ? .failure(400) : .needMore
                }
                if lf == state.readOffset || p[lf - 1] != 13 { return .failure(400) }
                let lineEnd = lf - 1
                if lineEnd - state.readOffset > limits.maxChunkLineBytes { return .failure(400) }
                var i = state.readOffset
                var size = 0
                var exceeds = false
                while i < lineEnd, let digit = HTTPChar.hexValue(p[i]) {
                    if !exceeds {
                        size = size &* 16 &+ digit
                        if size > limits.maxBodyBytes { exceeds = true }
                    }
                    i += 1
                }
                if i == state.readOffset { return .failure(400) }
                if i < lineEnd && !validExtensions(p, from: i, to: lineEnd) { return .failure(400) }
                if exceeds || size > limits.maxBodyBytes - state.decodedCount { return .tooLarge }
                state.readOffset = lf + 1
                if size == 0 {
                    state.phase = .trailers
                } else {
                    state.remaining = size
                    state.phase = .data
                }
            case .data:
                let available = count - state.readOffset
                if available <= 0 { return .needMore }
                let n = min(available, state.remaining)
                if state.writeOffset != state.readOffset {
                    memmove(p + state.writeOffset, p + state.readOffset, n)
                }
                state.writeOffset += n
                state.readOffset += n
                state.remaining -= n
                if state.remaining > 0 { return .needMore }
                state.phase = .dataEnd
            case .dataEnd:
                let available = count - state.readOffset
                if available < 2 {
                    if available == 1 && p[state.readOffset] != 13 { return .failure(400) }
                    return .needMore
                }
                if p[state.readOffset] != 13 || p[state.readOffset + 1] != 10 { return .failure(400) }
                state.readOffset += 2
                state.phase = .size
            case .trailers:
                let available = count - state.readOffset
                let budget = max(0, limits.maxHeaderBytes - headerBytes - state.trailerBytes)
                guard let lf = HTTPParser.findLF(p, from: state.readOffset, length: min(available, budget + 2)) else {
                    return available > budget + 1 ? .failure(431) : .needMore
                }
                if lf == state.readOffset || p[lf - 1] != 13 { return .failure(400) }
                let lineEnd = lf - 1
                if lineEnd == state.readOffset {
                    state.readOffset = lf + 1
                    state.phase = .done
                    return .done
                }
                state.trailerBytes += lf + 1 - state.readOffset
                state.trailerCount += 1
                if headerBytes + state.trailerBytes > limits.maxHeaderBytes
                    || headerCount + state.trailerCount > limits.maxHeaderCount {
                    return .failure(431)
                }
                var nameEnd = 0, vs = 0, ve = 0
                if !HTTPParser.parseFieldLine(UnsafePointer(p), start: state.readOffset, end: lineEnd,
                                              nameEnd: &nameEnd, valueStart: &vs, valueEnd: &ve) {
                    return .failure(400)
                }
                state.readOffset = lf + 1
            case .done:
                return .done
            }
        }
    }

    /// chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )
    /// ext-val = token / quoted-string (RFC 9112 §7.1.1).
    package static func validExtensions(_ p: UnsafeMutablePointer<UInt8>, from start: Int, to end: Int) -> Bool {
        @inline(__always) func isBWS(_ c: UInt8) -> Bool { c == 32 || c == 9 }
        @inline(__always) func isTchar(_ c: UInt8) -> Bool { HTTPChar.is(c, HTTPChar.tchar) }
        var j = start
        while j < end {
            while j < end && isBWS(p[j]) { j += 1 }
            guard j < end, p[j] == 59 /* ; */ else { return false }
            j += 1
            while j < end && isBWS(p[j]) { j += 1 }
            let nameStart = j
            while j < end && isTchar(p[j]) { j += 1 }
            if j == nameStart { return false }
            var k = j
            while k < end && isBWS(p[k]) { k += 1 }
            guard k < end, p[k] == 61 /* = */ else { continue }
            j = k + 1
            while j < end && isBWS(p[j]) { j += 1 }
            guard j < end else { return false }
            if p[j] == 34 /* " */ {
                j += 1
                var closed = false
                while j < end {
                    let c = p[j]
                    if c == 34 { closed = true; j += 1; break }
                    if c == 92 /* \ */ {
                        j += 1
                        guard j < end else { return false }
                        let q = p[j]
                        if (q < 32 && q != 9) || q == 127 { return false }
                    } else if (c < 32 && c != 9) || c == 127 {
                        return false
                    }
                    j += 1
                }
                if !closed { return false }
            } else {
                let valueStart = j
                while j < end && isTchar(p[j]) { j += 1 }
                if j == valueStart { return false }
            }
        }
        return true
    }

    /// Moves the not-yet-decoded raw bytes p[readOffset..<count] down to
    /// writeOffset, so consumed chunk framing does not occupy the buffer.
    /// Returns the new count.
    package static func compact(_ p: UnsafeMutablePointer<UInt8>, count: Int, state: inout ChunkedDecoderState) -> Int {
        let gap = state.readOffset - state.writeOffset
        guard gap > 0 else { return count }
        let rest = count - state.readOffset
        if rest > 0 { memmove(p + state.writeOffset, p + state.readOffset, rest) }
        state.readOffset = state.writeOffset
        return count - gap
    }
}
