// host->plugin_list (ABI 2.5): the running configuration's plugin
// instances, as `proteus plugins` shows libraries, plus where each serves
// (a dialect's mount, an auth plugin's method). For operators' views such as
// the console dialect's Plugins page.
import PluginAPI
import PluginKit

/// One plugin instance of the configuration, as plugin_list describes it.
struct PluginDescription: Sendable {
    let kind: UInt32
    let name: String
    let version: String
    let description: String
    let abiMajor: UInt16
    let abiMinor: UInt16
    let path: String
    let mount: String?
    let method: String?

    init(_ plugin: LoadedPlugin, mount: String? = nil, method: String? = nil) {
        kind = plugin.kind
        name = plugin.name
        version = plugin.version
        description = plugin.summary
        abiMajor = plugin.descriptor.pointee.abi_major
        abiMinor = plugin.descriptor.pointee.abi_minor
        path = plugin.path
        self.mount = mount
        self.method = method
    }

    /// In creation order: the store, the auth plugins (config order), the dialects.
    static func all(store: PluginInstance, auth: AuthMethods, dialects: [DialectBinding]) -> [PluginDescription] {
        var list = [PluginDescription(store.plugin)]
        for (method, instance) in auth.inConfigOrder { list.append(PluginDescription(instance.plugin, method: method)) }
        for dialect in dialects { list.append(PluginDescription(dialect.instance.plugin, mount: dialect.mount)) }
        return list
    }
}

enum PluginListServices {
    static let list: @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafeMutablePointer<proteus_plugin_info_list>?, UnsafeMutablePointer<proteus_error>?) -> proteus_status = { ctx, arena, out, err in
        guard let context = PluginContext.from(ctx) else { return PluginContext.missing(in: "plugin_list", err) }
        guard let arena = Arena.from(arena), let out else { return PluginError.invalid("plugin_list: missing arena or output").report(to: err) }
        guard let plugins = context.runtime.plugins else {
            return PluginError.unavailable("plugin_list: the host is still creating its plugins; ask again when serving").report(to: err)
        }
        let stride = MemoryLayout<proteus_plugin_info>.stride
        guard let raw = arena.allocate(max(stride * plugins.count, 1)) else { return PluginError.internal("out of memory").report(to: err) }
        let items = raw.bindMemory(to: proteus_plugin_info.self, capacity: plugins.count)
        for (i, p) in plugins.enumerated() {
            var info = proteus_plugin_info()
            info.struct_size = RecordArray.size(of: proteus_plugin_info.self)
            info.kind = p.kind
            info.abi_major = p.abiMajor
            info.abi_minor = p.abiMinor
            guard let name = arena.str(copying: p.name), let version = arena.str(copying: p.version),
                  let description = arena.str(copying: p.description), let path = arena.str(copying: p.path) else {
                return PluginError.internal("out of memory").report(to: err)
            }
            info.name = name
            info.version = version
            info.description = description
            info.path = path
            if let mount = p.mount {
                guard let text = arena.str(copying: mount) else { return PluginError.internal("out of memory").report(to: err) }
                info.mount = text
            }
            if let method = p.method {
                guard let text = arena.str(copying: method) else { return PluginError.internal("out of memory").report(to: err) }
                info.method = text
            }
            (items + i).initialize(to: info)
        }
        out.pointee.struct_size = UInt32(MemoryLayout<proteus_plugin_info_list>.size)
        out.pointee.count = UInt32(plugins.count)
        out.pointee.items = UnsafePointer(items)
        return PROTEUS_OK
    }
}
