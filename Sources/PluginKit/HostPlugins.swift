// host->plugin_list (ABI 2.5) as a Swift call: the plugin instances the
// running configuration created, with a dialect's mount and an auth
// plugin's method.
import PluginAPI

/// One plugin instance of the host's configuration.
public struct PluginInfo: Sendable, Equatable {
    public var kind: UInt32
    public var name: String
    public var version: String
    public var description: String
    public var abiMajor: UInt16
    public var abiMinor: UInt16
    public var path: String
    /// Dialects: where they are mounted.
    public var mount: String?
    /// Auth plugins: the method they serve.
    public var method: String?

    /// "store", "auth", "dialect" (or "kind N").
    public var kindName: String {
        switch Int32(bitPattern: kind) {
        case PROTEUS_KIND_STORE: return "store"
        case PROTEUS_KIND_AUTH: return "auth"
        case PROTEUS_KIND_DIALECT: return "dialect"
        default: return "kind \(kind)"
        }
    }
}

extension Host {
    /// Every plugin instance of the configuration, in creation order.
    /// UNSUPPORTED on a host before 2.5; UNAVAILABLE while the host is
    /// still creating its plugins (in a dialect's create).
    public func plugins() throws(PluginError) -> [PluginInfo] {
        guard let list = service(\.plugin_list) else {
            throw .unsupported("the host's table is too short: it offers no plugin list (ABI 2.5)")
        }
        let result: Result<[PluginInfo], PluginError> = try withArena { arena in
            var out = proteus_plugin_info_list()
            out.struct_size = UInt32(MemoryLayout<proteus_plugin_info_list>.size)
            var err = proteus_error()
            let status = list(ctx, arena, &out, &err)
            guard status == PROTEUS_OK else { return .failure(PluginError(status: status, from: err)) }
            guard let items = RecordArray.read(out.items, count: out.count, { info in
                PluginInfo(kind: info.kind, name: info.name.string ?? "", version: info.version.string ?? "",
                           description: info.description.string ?? "", abiMajor: info.abi_major, abiMinor: info.abi_minor,
                           path: info.path.string ?? "", mount: info.mount.string, method: info.method.string)
            }) else { return .failure(.internal("plugin_list: the host answered a malformed list")) }
            return .success(items)
        }
        return try result.get()
    }
}
