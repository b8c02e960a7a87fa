// The descriptor of a store plugin built on StoreCore: PluginKit's store
// function table calling StoreCore over the plugin's backend, and the
// backend's diagnostics extension.
import PluginAPI
import PluginKit

/// Makes a store plugin's descriptor. Call once, from a global `let` that
/// the plugin's entry symbol returns.
public func makeStoreCoreDescriptor(name: StaticString, version: StaticString, description: StaticString,
                                    backend: @escaping @Sendable (Host, PluginOptions) throws -> any StoreBackend)
    -> UnsafePointer<proteus_plugin_descriptor> {
    makeStoreDescriptor(name: name, version: version, description: description, getExtension: storeGetExtension) { host, options in
        let host = Host(host)
        return StoreCore(host: host, backend: try backend(host, options))
    }
}
