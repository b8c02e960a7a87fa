// A TCP socket bound to an ephemeral loopback port, for tests that need a
// remote to misbehave: listening and never accepting (the kernel completes
// each handshake into the backlog, so a client connects and waits forever;
// closing resets those connections), or bound but not listening (every
// connection is refused), or listening for a stub that accepts itself.
import Foundation

final class LoopbackSocket: @unchecked Sendable {
    private(set) var fd: Int32
    let port: UInt16

    /// `backlog` nil: bound only (connections refused).
    init(listening backlog: Int32?) throws {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = socketFD >= 0 && withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketFD, $0, length) == 0 && (backlog.map { listen(socketFD, $0) == 0 } ?? true)
                    && getsockname(socketFD, $0, &length) == 0
            }
        }
        guard ok else {
            let e = errno
            if socketFD >= 0 { Glibc.close(socketFD) }
            throw TestFailure("loopback socket: errno \(e)")
        }
        fd = socketFD
        port = UInt16(bigEndian: address.sin_port)
    }

    /// A listener that never accepts.
    static func silent() throws -> LoopbackSocket { try LoopbackSocket(listening: 128) }
    /// A port that refuses connections.
    static func refusing() throws -> LoopbackSocket { try LoopbackSocket(listening: nil) }

    func close() {
        if fd >= 0 {
            shutdown(fd, Int32(SHUT_RDWR))
            Glibc.close(fd)
        }
        fd = -1
    }

    deinit { close() }
}
