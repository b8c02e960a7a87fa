// The sqlite store plugin's entry symbol: StoreCore over the SQLite backend.
import PluginAPI
import StoreCore

@_cdecl("proteus_plugin_entry_v2")
public func proteus_plugin_entry_v2() -> UnsafePointer<proteus_plugin_descriptor> { sqliteDescriptor }

nonisolated(unsafe) let sqliteDescriptor = makeStoreCoreDescriptor(
    name: "sqlite", version: "1.0.0", description: "User directory in a local SQLite database (WAL, durable commits)",
    backend: { host, options in try SQLiteBackend(host: host, options: options) })
