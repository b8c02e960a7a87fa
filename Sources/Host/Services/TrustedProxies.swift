// Which peers may tell us the client address (X-Forwarded-For), as CIDR
// blocks from config. Nobody is trusted by default.
import Glibc

struct TrustedProxies: Sendable {
    private struct Block: Sendable {
        let bytes: [UInt8]   // 4 or 16
        let prefixLength: Int
    }
    private let blocks: [Block]

    static let none = TrustedProxies(blocks: [])

    private init(blocks: [Block]) { self.blocks = blocks }

    /// Parses "127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8".
    init(_ entries: [String]) throws {
        var blocks: [Block] = []
        for entry in entries {
            let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
            guard let bytes = Self.parseAddress(parts[0]) else {
                throw HostError("\"\(entry)\" is not an IP address or CIDR block")
            }
            var length = bytes.count * 8
            if parts.count == 2 {
                guard let n = Int(parts[1]), n >= 0, n <= bytes.count * 8 else {
                    throw HostError("\"\(entry)\" has an invalid prefix length")
                }
                length = n
            }
            blocks.append(Block(bytes: bytes, prefixLength: length))
        }
        self.blocks = blocks
    }

    var isEmpty: Bool { blocks.isEmpty }

    func contains(_ address: String) -> Bool {
        guard !blocks.isEmpty, let bytes = Self.parseAddress(address) else { return false }
        return blocks.contains { block in
            guard block.bytes.count == bytes.count else { return false }
            var remaining = block.prefixLength
            var i = 0
            while remaining > 0 {
                let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
                if block.bytes[i] & mask != bytes[i] & mask { return false }
                remaining -= 8
                i += 1
            }
            return true
        }
    }

    /// The client behind a trusted peer: walk X-Forwarded-For from the right,
    /// skipping trusted hops; the first untrusted address is the client.
    func clientAddress(peer: String, forwardedFor: [String]) -> String {
        guard contains(peer), !forwardedFor.isEmpty else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { String($0.trimmingSpaces) }
        for hop in hops.reversed() {
            guard Self.parseAddress(hop) != nil else { return peer }  // garbage: don't believe any of it
            if !contains(hop) { return hop }
        }
        return hops.first ?? peer
    }

    static func parseAddress(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
