// The state of one libcurl transfer and the C callbacks that feed it: the
// response being collected (bounded), and the address check on every socket
// libcurl opens.
import CCurl
import Glibc

/// One response header as received (bytes: header values need not be UTF-8).
struct OutboundHeader: Sendable {
    var name: [UInt8]
    var value: [UInt8]
}

/// Owned by the call that runs the transfer; libcurl's callbacks get it
/// through their user-data pointer while curl_easy_perform runs.
final class OutboundHTTPTransfer {
    let maxResponseBytes: Int
    /// Why a destination address is refused, nil when it may be reached.
    let destinationRefusal: @Sendable ([UInt8]) -> String?
    private(set) var headers: [OutboundHeader] = []
    private(set) var body: [UInt8] = []
    private var receivedBytes = 0
    /// Set when the transfer was stopped for exceeding maxResponseBytes.
    private(set) var exceededLimit = false
    /// The last destination refused by policy (text), for DENIED.
    private(set) var refusedDestination: String?

    init(maxResponseBytes: Int, destinationRefusal: @escaping @Sendable ([UInt8]) -> String?) {
        self.maxResponseBytes = maxResponseBytes
        self.destinationRefusal = destinationRefusal
    }

    var userData: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> OutboundHTTPTransfer? {
        pointer.map { Unmanaged<OutboundHTTPTransfer>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Counts bytes of the current response against the bound.
    private func admit(_ count: Int) -> Bool {
        receivedBytes += count
        if receivedBytes > maxResponseBytes { exceededLimit = true }
        return !exceededLimit
    }

    /// One header line ("Name: value\r\n"), a status line, or the blank end.
    /// A status line starts a new response (after a redirect or a 1xx): only
    /// the final response's headers and body are kept and counted.
    fileprivate func receiveHeaderLine(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var bytes = Array(line)
        while let last = bytes.last, last == 0x0D || last == 0x0A { bytes.removeLast() }
        if bytes.starts(with: Array("HTTP/".utf8)) {
            headers.removeAll()
            body.removeAll()
            receivedBytes = 0
            return admit(line.count)
        }
        guard admit(line.count) else { return false }
        guard !bytes.isEmpty else { return true }
        if bytes[0] == 0x20 || bytes[0] == 0x09, !headers.isEmpty {  // obsolete line folding
            headers[headers.count - 1].value += [0x20] + Self.trimmed(bytes[...])
            return true
        }
        guard let colon = bytes.firstIndex(of: 0x3A) else { return true }
        headers.append(OutboundHeader(name: Array(bytes[..<colon]), value: Self.trimmed(bytes[(colon + 1)...])))
        return true
    }

    fileprivate func receiveBody(_ chunk: UnsafeBufferPointer<UInt8>) -> Bool {
        guard admit(chunk.count) else { return false }
        body.append(contentsOf: chunk)
        return true
    }

    /// The socket for one connection attempt, or CURL_SOCKET_BAD when the
    /// destination is refused (libcurl then tries the next address or fails).
    fileprivate func openSocket(_ address: UnsafeMutablePointer<curl_sockaddr>) -> curl_socket_t {
        let family = address.pointee.family
        let length = Int(address.pointee.addrlen)
        let bytes = withUnsafeMutablePointer(to: &address.pointee.addr) {
            OutboundAddressPolicy.addressBytes(family: family, UnsafeRawPointer($0), length: length)
        }
        guard let bytes else {
            refusedDestination = "address family \(family) is not IP"
            return CURL_SOCKET_BAD
        }
        if let reason = destinationRefusal(bytes) {
            refusedDestination = "\(OutboundAddressPolicy.text(bytes)) is \(reason)"
            return CURL_SOCKET_BAD
        }
        let fd = socket(family, address.pointee.socktype | Int32(SOCK_CLOEXEC.rawValue), address.pointee.protocol)
        return fd >= 0 ? fd : CURL_SOCKET_BAD
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var slice = bytes
        while let f = slice.first, f == 0x20 || f == 0x09 { slice.removeFirst() }
        while let l = slice.last, l == 0x20 || l == 0x09 { slice.removeLast() }
        return Array(slice)
    }
}

/// The C callbacks libcurl calls during curl_easy_perform; each finds its
/// transfer through the user-data pointer. Returning a count other than the
/// one given (0) makes libcurl stop with CURLE_WRITE_ERROR.
enum OutboundHTTPCallbacks {
    static let header: curl_write_callback = { buffer, size, count, userData in
        let total = size &* count
        guard let transfer = OutboundHTTPTransfer.from(userData), let buffer else { return 0 }
        let line = UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: total)
        return transfer.receiveHeaderLine(line) ? total : 0
    }

    static let body: curl_write_callback = { buffer, size, count, userData in
        let total = size &* count
        guard let transfer = OutboundHTTPTransfer.from(userData) else { return 0 }
        guard total > 0, let buffer else { return total }
        let chunk = UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: total)
        return transfer.receiveBody(chunk) ? total : 0
    }

    static let openSocket: curl_opensocket_callback = { userData, _, address in
        guard let transfer = OutboundHTTPTransfer.from(userData), let address else { return CURL_SOCKET_BAD }
        return transfer.openSocket(address)
    }
}
