// Which dialect answers a request: routing is on the whole (mount + route
// pattern). Mounts are tried longest prefix first, and the first route that
// serves the path and the method wins, so a request that no route of the
// longest mount serves falls through to a shorter mount whose routes do
// (Cortex Hub at /api/v1 and AIOStreams' /api/v1/user at / live side by
// side). Nothing serves it: 405 when some route has the path, else 404, both
// rendered by the dialect whose mount matched longest. Two dialects claiming
// the same method on overlapping (mount + pattern) paths are refused at
// start. Built once at start-up, read-only afterwards (shared by every
// serving thread); resolving allocates nothing.

final class Router: @unchecked Sendable {
    struct Mounted {
        let prefix: [UInt8]          // "/" or "/aio" (no trailing slash)
        let dialect: DialectBinding
        let routes: [RoutePattern]
    }

    enum Resolution {
        /// A route matched and allows the method.
        case route(Mounted, RoutePattern, relativeStart: Int)
        /// No route serves the request: a route has the path but not the
        /// method (405), or none has it (404); answered by the dialect of the
        /// longest matching mount.
        case refused(Mounted, status: UInt16, relativeStart: Int)
        /// No dialect is mounted above this path.
        case none
    }

    /// Mounts sorted longest prefix first, then config order.
    private let mounts: [Mounted]

    init(_ mounts: [Mounted]) throws {
        // Refuse two dialects claiming the same route (same method, overlapping path).
        for (i, a) in mounts.enumerated() {
            for b in mounts[(i + 1)...] {
                for ra in a.routes {
                    for rb in b.routes where ra.overlaps(rb, prefix: a.prefix, otherPrefix: b.prefix) {
                        if let method = ra.methods.first(where: { rb.allows($0) }) {
                            throw HostError("route conflict: dialect \"\(a.dialect.name)\" at mount \(Self.show(a.prefix)) and dialect \"\(b.dialect.name)\" at mount \(Self.show(b.prefix)) both claim \(method) \(Self.join(a.prefix, ra.text))")
                        }
                    }
                }
            }
        }
        self.mounts = mounts.enumerated().sorted { x, y in
            x.element.prefix.count != y.element.prefix.count
                ? x.element.prefix.count > y.element.prefix.count : x.offset < y.offset
        }.map(\.element)
    }

    var allMounts: [Mounted] { mounts }

    /// Finds the handler of a decoded absolute path.
    func resolve(path: UnsafeBufferPointer<UInt8>, method: String, params: inout [Range<Int>]) -> Resolution {
        var fallback: (Mounted, Int)? = nil
        var methodMismatch = false
        // Among the dialects at the longest matching mount, the one that has
        // the path (with other methods) renders the 405.
        var pathOwner: (Mounted, Int)? = nil
        for mounted in mounts {
            guard let start = Self.relativeStart(of: path, under: mounted.prefix) else { continue }
            if fallback == nil { fallback = (mounted, start) }
            let relative = UnsafeBufferPointer(rebasing: path[start...])
            let relativePath = relative.isEmpty ? Self.slash : relative
            for route in mounted.routes where route.match(relativePath, params: &params) {
                if route.allows(method) {
                    // Parameter ranges are relative to `relativePath`; shift to `path`.
                    if start < path.count { for k in params.indices { params[k] = (params[k].lowerBound + start)..<(params[k].upperBound + start) } }
                    return .route(mounted, route, relativeStart: start)
                }
                methodMismatch = true
                if pathOwner == nil, let longest = fallback, longest.0.prefix.count == mounted.prefix.count {
                    pathOwner = (mounted, start)
                }
            }
        }
        params.removeAll(keepingCapacity: true)
        guard let (mounted, start) = pathOwner ?? fallback else { return .none }
        return .refused(mounted, status: methodMismatch ? 405 : 404, relativeStart: start)
    }

    /// Start of the mount-relative part of `path`, or nil when `prefix` does
    /// not cover it ("/aio" covers "/aio" and "/aio/...", not "/aiox").
    static func relativeStart(of path: UnsafeBufferPointer<UInt8>, under prefix: [UInt8]) -> Int? {
        if prefix.count <= 1 { return 0 }
        guard path.count >= prefix.count else { return nil }
        for i in 0..<prefix.count where path[i] != prefix[i] { return nil }
        if path.count == prefix.count || path[prefix.count] == UInt8(ascii: "/") { return prefix.count }
        return nil
    }

    /// Normalises a configured mount: "/", "/aio", "/aio/" → "/aio".
    static func normalizeMount(_ mount: String) throws -> [UInt8] {
        guard mount.hasPrefix("/") else { throw HostError("must start with '/'") }
        var bytes = Array(mount.utf8)
        while bytes.count > 1 && bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        for c in bytes where c == UInt8(ascii: "?") || c == UInt8(ascii: "#") || c == UInt8(ascii: "%") || c <= 32 || c == 127 {
            throw HostError("must be a plain path prefix (no '?', '#', '%', spaces or control characters)")
        }
        return bytes
    }

    nonisolated(unsafe) private static let slashStorage: UnsafeMutablePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: UInt8(ascii: "/"))
        return p
    }()
    private static var slash: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: slashStorage, count: 1) }

    static func show(_ prefix: [UInt8]) -> String { String(decoding: prefix, as: UTF8.self) }
    static func join(_ prefix: [UInt8], _ route: String) -> String {
        prefix.count <= 1 ? route : show(prefix) + route
    }
}
