// The configured store as the host holds it: the plugin's own function
// table and its instance. Dialects get the instance as host->store_ctx and,
// as host->store, `dialectTable`: the timing shims around the plugin's
// functions when this process keeps metrics (TimedStoreTable: two clock
// reads and an atomic add per call), else the plugin's own table (StoreClient,
// in PluginKit, is the one place that logs failed calls).
import PluginAPI
import PluginKit

final class StoreBinding: @unchecked Sendable {
    let instance: PluginInstance
    /// The plugin's static table (the loader checked it holds ABI 2.0).
    let table: UnsafePointer<proteus_store_api>
    /// A copy of it, read only as far as its struct_size: a store built
    /// against an older minor lacks the later functions (NULL here).
    let api: proteus_store_api
    /// What dialects call (host->store): `table`, or the timing shims
    /// around it (set by HostAssembly before any dialect is created).
    var dialectTable: UnsafePointer<proteus_store_api>
    var name: String { instance.plugin.name }
    var raw: UnsafeMutableRawPointer? { instance.instance }

    init(_ instance: PluginInstance) throws {
        self.instance = instance
        let vtable = instance.plugin.descriptor.pointee.vtable
        guard let vtable, Int(vtable.load(as: UInt32.self)) >= StoreTable.size2_0 else {
            throw PluginLoadError(message: "plugin \"\(instance.plugin.name)\" at \(instance.plugin.path): store function table is shorter than ABI \(PROTEUS_ABI_MAJOR).0 requires")
        }
        table = vtable.assumingMemoryBound(to: proteus_store_api.self)
        api = StoreTable.copy(table)
        dialectTable = table
        if let missing = Self.firstMissingFunction(api) {
            throw PluginLoadError(message: "plugin \"\(instance.plugin.name)\" at \(instance.plugin.path): store function table has no \(missing)")
        }
    }

    /// The name of the first NULL function of the table that every store
    /// must have (the 2.0 ones; later ones are optional), read from the
    /// header's own field names (so this check never needs a list).
    static func firstMissingFunction(_ api: proteus_store_api) -> String? {
        let functions = Mirror(reflecting: api).children.filter { $0.label != "struct_size" }
        for (index, field) in functions.enumerated() where StoreTable.isRequired(functionAt: index) {
            let value = Mirror(reflecting: field.value)
            if value.displayStyle == .optional, value.children.isEmpty { return field.label ?? "a function" }
        }
        return nil
    }
}

extension StoreClient {
    /// A client calling the store plugin, with arenas from `host`.
    convenience init(_ binding: StoreBinding, host: UnsafePointer<proteus_host_api>) {
        self.init(api: binding.api, store: binding.raw, host: host)
    }
}
