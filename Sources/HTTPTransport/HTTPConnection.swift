// Per-connection state. A connection belongs to whichever thread holds its
// lock: the serving thread that received its (one-shot) epoll event, or the
// sweeper, which only ever try-locks. Every field is guarded by `lock`.

import Glibc

final class HTTPConnection: @unchecked Sendable {
    enum Phase {
        /// Waiting for (the rest of) a request head.
        case head
        /// Head done; waiting for a Content-Length body.
        case body
        /// Head done; decoding a chunked body.
        case chunked
        /// A final response is being written; then the connection closes.
        case closingAfterWrite
        /// Write side shut; discarding input until EOF or the linger deadline.
        case lingering
    }

    let slot: Int
    let lock = PThreadMutex()

    var isOpen = false
    /// Bumped on every close; part of the epoll token so a stale event for a
    /// previous occupant of this slot (or of this fd number) is ignored.
    var generation: UInt32 = 0
    var fd: Int32 = -1
    var input = ByteBuffer()
    /// Output the socket did not take yet.
    var pending = ByteBuffer()
    var phase: Phase = .head
    var scan = HeadScanState()
    var headLength = 0
    var bodyLength = 0
    var headerBytes = 0
    var headerCount = 0
    var expectContinue = false
    var continueSent = false
    var chunked = ChunkedDecoderState(bodyStart: 0)
    var sawEOF = false
    /// Monotonic (coarse) times for the sweeper; 0 = not applicable.
    var requestStartNanos: UInt64 = 0
    var headCompleteNanos: UInt64 = 0
    var lastActivityNanos: UInt64 = 0
    var lastWriteProgressNanos: UInt64 = 0
    var lingerDeadlineNanos: UInt64 = 0
    var lingerDrained = 0

    static let peerCapacity = 64
    let peer: UnsafeMutablePointer<UInt8>
    var peerLength = 0

    init(slot: Int) {
        self.slot = slot
        peer = UnsafeMutablePointer<UInt8>.allocate(capacity: Self.peerCapacity)
        peer.initialize(repeating: 0, count: Self.peerCapacity)
    }

    deinit {
        if isOpen { _ = Glibc.close(fd) }
        peer.deallocate()
    }

    /// epoll data: generation in the high half, slot in the low half.
    @inline(__always) var token: UInt64 { UInt64(generation) << 32 | UInt64(UInt32(truncatingIfNeeded: slot)) }

    @inline(__always) var peerView: ByteView { ByteView(base: UnsafePointer(peer), count: peerLength) }

    /// Called with the lock held, for a freshly accepted socket.
    func open(fd: Int32, now: UInt64) {
        self.fd = fd
        isOpen = true
        phase = .head
        scan = HeadScanState()
        resetRequest()
        sawEOF = false
        requestStartNanos = 0
        lastActivityNanos = now
        lastWriteProgressNanos = now
        lingerDrained = 0
        input.clear()
        pending.clear()
    }

    func resetRequest() {
        headLength = 0
        bodyLength = 0
        headerBytes = 0
        headerCount = 0
        expectContinue = false
        continueSent = false
        headCompleteNanos = 0
    }
}
