// SCIM ids are directory ids: 32 lowercase hex digits, the same string as
// the user's MCSManager uuid (and, dashed, the AIOStreams uuid). Requests may
// name a resource either way.
import PluginAPI
import PluginKit

enum ResourceID {
    static func text(_ id: [UInt8]) -> String { Hex.encode(id) }

    /// The 16 id bytes, or nil when `text` is neither form.
    static func parse(_ text: String) -> [UInt8]? {
        if text.utf8.count == 32, let bytes = Hex.decode(text), bytes.count == 16 { return bytes }
        return proteus_id(dashedUUID: text)?.byteArray
    }

    /// Lists come in creation order, ties broken by id (the stores' order).
    static func createdBefore(_ a: (createdAt: Int64, id: [UInt8]), _ b: (createdAt: Int64, id: [UInt8])) -> Bool {
        a.createdAt != b.createdAt ? a.createdAt < b.createdAt : a.id.lexicographicallyPrecedes(b.id)
    }
}

/// Absolute URLs of this mount's resources, as clients reach them.
struct ResourceLocations {
    let base: String

    init(base: String) { self.base = base }

    init(_ request: Request, options: SCIMOptions) {
        if let configured = options.baseURL {
            base = configured
        } else {
            let mount = request.raw.pointee.mount.string ?? "/"
            let host = request.header("host").flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
            base = "http://" + host + (mount == "/" ? "" : mount)
        }
    }

    func user(_ id: [UInt8]) -> String { base + "/Users/" + ResourceID.text(id) }
    func group(_ id: [UInt8]) -> String { base + "/Groups/" + ResourceID.text(id) }
    func path(_ relative: String) -> String { base + relative }
}
