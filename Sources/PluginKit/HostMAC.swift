// host->mac as a Swift call: HMAC-SHA256 under a key the host
// derives from its secret key for this plugin and a purpose. For tokens a
// plugin signs itself (e.g. JWS HS256) without holding key material.
import PluginAPI

extension Host {
    /// Whether this host's table has mac (a 1.4 host or newer).
    public var offersMAC: Bool { service(\.mac) != nil }

    /// The 32-byte MAC of `message` for `purpose` (1...256 bytes). Same
    /// inputs, same MAC on every worker and host sharing the secret key.
    /// UNSUPPORTED when the host table is too short for it.
    public func mac(purpose: String, message: [UInt8]) throws(PluginError) -> [UInt8] {
        guard let mac = service(\.mac) else {
            throw .unsupported("the host's table is too short: it offers no keyed MAC")
        }
        var out = [UInt8](repeating: 0, count: 32)
        var err = proteus_error()
        let status = withProteusBytes(Array(purpose.utf8)) { p in
            withProteusBytes(message) { m in out.withUnsafeMutableBufferPointer { mac(ctx, p, m, $0.baseAddress, &err) } }
        }
        guard status == PROTEUS_OK else { throw PluginError(status: status, from: err) }
        return out
    }
}
