// The sqlite store plugin: entry symbol and descriptor. The C function
// table is PluginKit's (StorePlugin.swift), calling SQLiteStore's
// StoreOperations.
import PluginAPI
import PluginKit

@_cdecl("proteus_plugin_entry_v2")
public func proteus_plugin_entry_v2() -> UnsafePointer<proteus_plugin_descriptor> {
    sqliteDescriptor
}

nonisolated(unsafe) let sqliteDescriptor: UnsafePointer<proteus_plugin_descriptor> = makeStoreDescriptor(
    name: "sqlite",
    version: "1.0.0",
    description: "User directory in a local SQLite database (WAL, durable commits)",
    getExtension: sqliteGetExtension,
    create: { host, options in try SQLiteStore(host: host, options: options) }
)
