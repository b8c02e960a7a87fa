// A Swift view of the proteus_request a dialect receives. Borrowed: valid
// only during handle().
import PluginAPI

public struct Request {
    public let raw: UnsafePointer<proteus_request>

    public init(_ raw: UnsafePointer<proteus_request>) { self.raw = raw }

    /// Index into the dialect's routes, or -1.
    public var route: Int32 { raw.pointee.route }
    /// 0, or the status the host already decided (404, 405, 413, 503...).
    public var hostStatus: UInt16 { raw.pointee.host_status }
    public var hostReason: String { raw.pointee.host_reason.string ?? "" }
    public var method: String { raw.pointee.method.string ?? "" }
    public var isHead: Bool { raw.pointee.method.equals("HEAD") }
    /// Decoded path relative to the mount.
    public var path: String { raw.pointee.path.string ?? "/" }
    public var clientIP: proteus_str { raw.pointee.client_ip }
    public var arena: OpaquePointer? { raw.pointee.arena }
    /// The mount this dialect is served under ("/" or "/console").
    public var mount: String { raw.pointee.mount.string ?? "/" }

    /// The scheme the client used (ABI 2.5): "https" only when a trusted
    /// proxy said so (X-Forwarded-Proto), else "http"; "http" from a host
    /// before 2.5, which does not tell.
    public var scheme: String {
        guard Int(raw.pointee.struct_size) >= MemoryLayout<proteus_request>.offset(of: \.scheme)! + MemoryLayout<proteus_str>.size else { return "http" }
        return raw.pointee.scheme.string ?? "http"
    }

    /// Whether the client spoke HTTPS (directly or through a trusted proxy).
    public var isHTTPS: Bool { scheme == "https" }

    public var body: UnsafeRawBufferPointer { raw.pointee.body.buffer }
    public var bodyIsEmpty: Bool { raw.pointee.body.len == 0 }

    /// The first header with this name (ASCII case-insensitive).
    public func header(_ name: String) -> String? {
        let wanted = Array(name.utf8).map(Self.lower)
        for i in 0..<Int(raw.pointee.header_count) {
            let h = raw.pointee.headers[i]
            let n = h.name.buffer
            guard n.count == wanted.count else { continue }
            var same = true
            for j in 0..<n.count where Self.lower(n[j]) != wanted[j] { same = false; break }
            if same { return h.value.string }
        }
        return nil
    }

    /// The route's `{name}` values in pattern order.
    public var parameters: [String] {
        (0..<Int(raw.pointee.param_count)).map { raw.pointee.params[$0].string ?? "" }
    }

    /// Query parameters in order, percent-decoded ('+' is a space).
    public var queryItems: [(name: String, value: String)] {
        FormDecoding.decode(raw.pointee.query.buffer)
    }

    /// The first query parameter with this name.
    public func query(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    /// The media type of Content-Type, lowercased, without parameters.
    public var contentType: String? {
        guard let value = header("content-type") else { return nil }
        // Not omitting empty pieces: in "; x+json" the type is "", not " x+json".
        let type = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? value
        return type.trimmingSpacesAndTabs().lowercased()
    }

    private static func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c | 0x20 : c }
}
