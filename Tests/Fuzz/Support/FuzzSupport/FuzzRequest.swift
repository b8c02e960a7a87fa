// A proteus_request made of fuzz bytes, for the dialect targets: what the
// host would hand a dialect, every part in its own allocation of exactly its
// length (so AddressSanitizer catches a read past any of them).
import Glibc
import PluginAPI

public final class FuzzRequest {
    public let pointer: UnsafeMutablePointer<proteus_request>
    private var allocations: [UnsafeMutableRawPointer] = []
    private let headers: UnsafeMutablePointer<proteus_header>
    private let headerCount: Int

    public init(method: String = "POST", path: String = "/", query: [UInt8]?, headers fields: [(String, [UInt8])],
                body: [UInt8], route: Int32 = 0, mount: String = "/", clientIP: String = "127.0.0.1") {
        pointer = UnsafeMutablePointer<proteus_request>.allocate(capacity: 1)
        headerCount = fields.count
        headers = UnsafeMutablePointer<proteus_header>.allocate(capacity: max(1, fields.count))
        var request = proteus_request()
        request.struct_size = UInt32(MemoryLayout<proteus_request>.size)
        request.route = route
        request.host_status = 0
        request.host_reason = proteus_str(ptr: nil, len: 0)
        request.method = str(Array(method.utf8))
        request.path = str(Array(path.utf8))
        request.query = query.map { str($0) } ?? proteus_str(ptr: nil, len: 0)
        for (i, field) in fields.enumerated() {
            (headers + i).initialize(to: proteus_header(name: str(Array(field.0.utf8)), value: str(field.1)))
        }
        request.headers = UnsafePointer(headers)
        request.header_count = UInt32(fields.count)
        let b = copy(body)
        request.body = proteus_bytes(ptr: b?.assumingMemoryBound(to: UInt8.self), len: body.count)
        request.client_ip = str(Array(clientIP.utf8))
        request.params = nil
        request.param_count = 0
        request.arena = nil
        request.mount = str(Array(mount.utf8))
        pointer.initialize(to: request)
    }

    deinit {
        pointer.deinitialize(count: 1)
        pointer.deallocate()
        headers.deinitialize(count: headerCount)
        headers.deallocate()
        for a in allocations { free(a) }
    }

    private func copy(_ bytes: [UInt8]) -> UnsafeMutableRawPointer? {
        guard let p = malloc(bytes.count) else { return nil }   // malloc(0) is a 0-byte allocation under ASan
        allocations.append(p)
        bytes.withUnsafeBytes { if let base = $0.baseAddress, $0.count > 0 { memcpy(p, base, $0.count) } }
        return p
    }

    private func str(_ bytes: [UInt8]) -> proteus_str {
        proteus_str(ptr: copy(bytes)?.assumingMemoryBound(to: CChar.self), len: bytes.count)
    }
}
