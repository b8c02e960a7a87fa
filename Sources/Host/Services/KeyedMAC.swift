// host->mac: HMAC-SHA256 under keys derived from the server's
// secret key, one per (plugin, purpose). Plugins sign tokens with it (the
// LISTEN.moe dialect's JWS HS256) without ever holding key material, and a
// plugin cannot compute another plugin's MACs.
import COpenSSL

struct KeyedMAC: Sendable {
    static let purposeMax = 256
    private static let label = Array("proteus.mac.v1".utf8)
    private let serverKey: [UInt8]

    init(serverKey: [UInt8]) { self.serverKey = serverKey }

    /// K = HMAC(server key, label || u16be(len plugin) || plugin || purpose);
    /// MAC = HMAC(K, message). The length prefix keeps (plugin, purpose)
    /// pairs apart whatever bytes they hold. Nil only when OpenSSL fails.
    func mac(plugin: String, purpose: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> [UInt8]? {
        let name = Array(plugin.utf8.prefix(Int(UInt16.max)))
        var info = Self.label
        info.append(UInt8(name.count >> 8))
        info.append(UInt8(name.count & 0xFF))
        info.append(contentsOf: name)
        info.append(contentsOf: purpose)
        guard let derived = info.withUnsafeBytes({ Self.hmacSHA256(key: serverKey, message: $0) }) else { return nil }
        return Self.hmacSHA256(key: derived, message: message)
    }

    static func hmacSHA256(key: [UInt8], message: UnsafeRawBufferPointer) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        // HMAC() needs a non-NULL data pointer even for an empty message.
        var empty: UInt8 = 0
        let ok = key.withUnsafeBufferPointer { k in
            out.withUnsafeMutableBufferPointer { o in
                withUnsafeMutablePointer(to: &empty) { e in
                    HMAC(EVP_sha256(), k.baseAddress, Int32(k.count),
                         message.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(e), message.count,
                         o.baseAddress, &length) != nil
                }
            }
        }
        return ok && length == 32 ? out : nil
    }
}
