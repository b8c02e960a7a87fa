// Which remote addresses host->http_request may connect to. Checked on the
// socket address libcurl is about to connect to (after DNS, for every
// redirect), so a public name that resolves to a private address is caught.
import Glibc

enum OutboundAddressPolicy {
    /// Blocks no plugin may reach unless outbound.allowPrivateNetworks:
    /// the host itself, its networks, and addresses that are not unicast.
    private static let refusedIPv4: [(prefix: [UInt8], length: Int, name: String)] = [
        ([0, 0, 0, 0], 8, "\"this network\" (0.0.0.0/8)"),
        ([10, 0, 0, 0], 8, "private (10.0.0.0/8)"),
        ([100, 64, 0, 0], 10, "carrier-grade NAT (100.64.0.0/10)"),
        ([127, 0, 0, 0], 8, "loopback (127.0.0.0/8)"),
        ([169, 254, 0, 0], 16, "link-local (169.254.0.0/16)"),
        ([172, 16, 0, 0], 12, "private (172.16.0.0/12)"),
        ([192, 0, 0, 0], 24, "IETF protocol assignments (192.0.0.0/24)"),
        ([192, 168, 0, 0], 16, "private (192.168.0.0/16)"),
        ([198, 18, 0, 0], 15, "benchmarking (198.18.0.0/15)"),
        ([224, 0, 0, 0], 4, "multicast (224.0.0.0/4)"),
        ([240, 0, 0, 0], 4, "reserved or broadcast (240.0.0.0/4)"),
    ]

    private static let refusedIPv6: [(prefix: [UInt8], length: Int, name: String)] = [
        ([UInt8](repeating: 0, count: 16), 128, "unspecified (::)"),
        ([UInt8](repeating: 0, count: 15) + [1], 128, "loopback (::1)"),
        ([0xFC] + [UInt8](repeating: 0, count: 15), 7, "unique local (fc00::/7)"),
        ([0xFE, 0x80] + [UInt8](repeating: 0, count: 14), 10, "link-local (fe80::/10)"),
        ([0xFE, 0xC0] + [UInt8](repeating: 0, count: 14), 10, "site-local (fec0::/10)"),
        ([0xFF] + [UInt8](repeating: 0, count: 15), 8, "multicast (ff00::/8)"),
    ]

    /// IPv6 forms that carry an IPv4 address in their last 4 bytes; the
    /// embedded address is judged as IPv4 (::ffff:127.0.0.1 is loopback).
    private static let embeddingIPv4: [(prefix: [UInt8], length: Int)] = [
        ([UInt8](repeating: 0, count: 10) + [0xFF, 0xFF], 96),  // IPv4-mapped
        ([UInt8](repeating: 0, count: 12), 96),                 // IPv4-compatible (deprecated)
        ([0x00, 0x64, 0xFF, 0x9B] + [UInt8](repeating: 0, count: 8), 96),  // NAT64
    ]

    /// Why `address` (4 or 16 bytes) is refused, or nil when it is a public
    /// unicast address.
    static func refusal(_ address: [UInt8]) -> String? {
        switch address.count {
        case 4:
            return refusedIPv4.first { matches(address, $0.prefix, $0.length) }?.name
        case 16:
            if embeddingIPv4.contains(where: { matches(address, $0.prefix, $0.length) }) {
                // ::/96 also holds :: and ::1, judged as IPv6 first.
                if let special = refusedIPv6.first(where: { matches(address, $0.prefix, $0.length) }) { return special.name }
                return refusal(Array(address[12..<16])).map { "IPv4 embedded in IPv6: \($0)" }
            }
            // 6to4 (2002::/16) carries an IPv4 address in bytes 2..<6.
            if address[0] == 0x20 && address[1] == 0x02, let inner = refusal(Array(address[2..<6])) {
                return "6to4 of \(inner)"
            }
            return refusedIPv6.first { matches(address, $0.prefix, $0.length) }?.name
        default:
            return "not an IP address"
        }
    }

    /// The address bytes of a socket address libcurl passes to its
    /// open-socket callback; nil for families other than IPv4 and IPv6.
    static func addressBytes(family: Int32, _ sockaddrPointer: UnsafeRawPointer, length: Int) -> [UInt8]? {
        switch family {
        case AF_INET where length >= MemoryLayout<sockaddr_in>.size:
            var a = sockaddrPointer.loadUnaligned(as: sockaddr_in.self).sin_addr
            return withUnsafeBytes(of: &a) { Array($0) }
        case AF_INET6 where length >= MemoryLayout<sockaddr_in6>.size:
            var a = sockaddrPointer.loadUnaligned(as: sockaddr_in6.self).sin6_addr
            return withUnsafeBytes(of: &a) { Array($0) }
        default:
            return nil
        }
    }

    /// Text form for messages ("10.1.2.3", "fd00::1").
    static func text(_ address: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = address.count == 4 ? AF_INET : AF_INET6
        let ok = address.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) } != nil
        return ok ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
    }

    private static func matches(_ address: [UInt8], _ prefix: [UInt8], _ length: Int) -> Bool {
        var remaining = length
        var i = 0
        while remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if address[i] & mask != prefix[i] & mask { return false }
            remaining -= 8
            i += 1
        }
        return true
    }
}
