// The listening TCP socket: bound here, or adopted from an inherited fd
// (worker processes sharing the master's socket).

import Glibc

package struct HTTPListenerError: Error, CustomStringConvertible, Sendable {
    package let message: String
    package var description: String { message }
}

package struct HTTPListener: Sendable {
    /// Non-blocking, close-on-exec listening socket.
    package let fd: Int32
    /// The port actually bound (the ephemeral one when 0 was asked for).
    package let port: UInt16
    /// Whether the server closes `fd` at shutdown (false for an inherited
    /// socket that another process still serves).
    package let ownsDescriptor: Bool

    /// Binds and listens on an IPv4 or IPv6 address literal
    /// ("127.0.0.1", "0.0.0.0", "::1", "::"; "[::1]" also accepted).
    package static func bind(host: String, port: UInt16, backlog: Int32 = 4096) throws -> HTTPListener {
        var literal = host
        if literal.hasPrefix("[") && literal.hasSuffix("]") && literal.count >= 2 {
            literal = String(literal.dropFirst().dropLast())
        }
        let display = literal.contains(":") ? "[\(literal)]:\(port)" : "\(literal):\(port)"
        func failure(_ what: String, _ code: Int32) -> HTTPListenerError {
            HTTPListenerError(message: "cannot listen on \(display): \(what)\(errnoDescription(code))")
        }

        var storage = sockaddr_storage()
        var length: socklen_t
        let family: Int32
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            family = AF_INET
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = port.bigEndian
            a.sin_addr = v4
            withUnsafeMutableBytes(of: &storage) { raw in
                withUnsafeBytes(of: a) { raw.copyMemory(from: $0) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        } else if inet_pton(AF_INET6, literal, &v6) == 1 {
            family = AF_INET6
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = port.bigEndian
            a.sin6_addr = v6
            withUnsafeMutableBytes(of: &storage) { raw in
                withUnsafeBytes(of: a) { raw.copyMemory(from: $0) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            throw HTTPListenerError(message: "cannot listen on \(display): not an IPv4 or IPv6 address literal")
        }

        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw failure("socket: ", errno) }
        var one: Int32 = 1
        if setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            let e = errno
            Glibc.close(fd)
            throw failure("SO_REUSEADDR: ", e)
        }
        let bound = withUnsafePointer(to: &storage) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) }
        }
        if bound != 0 {
            let e = errno
            Glibc.close(fd)
            throw failure("", e)
        }
        if listen(fd, backlog) != 0 {
            let e = errno
            Glibc.close(fd)
            throw failure("listen: ", e)
        }
        guard let actual = boundPort(fd) else {
            let e = errno
            Glibc.close(fd)
            throw failure("getsockname: ", e)
        }
        return HTTPListener(fd: fd, port: actual, ownsDescriptor: true)
    }

    /// Adopts an already listening socket (e.g. inherited from a master
    /// process). It is made non-blocking and close-on-exec.
    package init(adopting fd: Int32, ownsDescriptor: Bool) throws {
        var type: Int32 = 0
        var typeLength = socklen_t(MemoryLayout<Int32>.size)
        var accepting: Int32 = 0
        var acceptingLength = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &typeLength) == 0,
              type == Int32(SOCK_STREAM.rawValue),
              getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &acceptingLength) == 0,
              accepting != 0
        else {
            throw HTTPListenerError(message: "file descriptor \(fd) is not a listening TCP socket")
        }
        let flags = fcntl(fd, F_GETFL)
        if flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 {
            throw HTTPListenerError(message: "file descriptor \(fd): cannot make non-blocking: \(errnoDescription(errno))")
        }
        let fdFlags = fcntl(fd, F_GETFD)
        if fdFlags >= 0 { _ = fcntl(fd, F_SETFD, fdFlags | FD_CLOEXEC) }
        guard let actual = HTTPListener.boundPort(fd) else {
            throw HTTPListenerError(message: "file descriptor \(fd): getsockname: \(errnoDescription(errno))")
        }
        self.fd = fd
        self.port = actual
        self.ownsDescriptor = ownsDescriptor
    }

    private init(fd: Int32, port: UInt16, ownsDescriptor: Bool) {
        self.fd = fd
        self.port = port
        self.ownsDescriptor = ownsDescriptor
    }

    /// Closes the socket (only when it owns the descriptor).
    package func close() {
        if ownsDescriptor { _ = Glibc.close(fd) }
    }

    package static func boundPort(_ fd: Int32) -> UInt16? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafeBytes(of: storage) { UInt16(bigEndian: $0.load(as: sockaddr_in.self).sin_port) }
        case AF_INET6:
            return withUnsafeBytes(of: storage) { UInt16(bigEndian: $0.load(as: sockaddr_in6.self).sin6_port) }
        default:
            return nil
        }
    }

    /// Text of a peer address ("127.0.0.1", "::1"; IPv4-mapped IPv6
    /// addresses are shown as IPv4) into `out` (at least 64 bytes).
    /// Returns the length.
    package static func formatAddress(_ storage: UnsafePointer<sockaddr_storage>, into out: UnsafeMutablePointer<UInt8>, capacity: Int) -> Int {
        var text = [CChar](repeating: 0, count: 64)
        var ok = false
        switch Int32(storage.pointee.ss_family) {
        case AF_INET:
            var a = UnsafeRawPointer(storage).load(as: sockaddr_in.self).sin_addr
            ok = inet_ntop(AF_INET, &a, &text, 64) != nil
        case AF_INET6:
            var a = UnsafeRawPointer(storage).load(as: sockaddr_in6.self).sin6_addr
            let isMapped = withUnsafeBytes(of: a) { b in
                b.count == 16 && b[0..<10].allSatisfy { $0 == 0 } && b[10] == 0xFF && b[11] == 0xFF
            }
            if isMapped {
                var v4 = in_addr()
                withUnsafeMutableBytes(of: &v4) { dst in
                    withUnsafeBytes(of: a) { src in for i in 0..<4 { dst[i] = src[12 + i] } }
                }
                ok = inet_ntop(AF_INET, &v4, &text, 64) != nil
            } else {
                ok = inet_ntop(AF_INET6, &a, &text, 64) != nil
            }
        default:
            ok = false
        }
        guard ok else { return 0 }
        var n = 0
        while n < capacity && n < 64 && text[n] != 0 {
            out[n] = UInt8(bitPattern: text[n])
            n += 1
        }
        return n
    }
}
