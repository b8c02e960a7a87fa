// The sqlite store plugin: entry symbol and descriptor. The C function
// table is PluginKit's (StorePlugin.swift), calling StoreCore over the
// SQLite backend.
import PluginAPI
import PluginKit
import StoreCore

@_cdecl("proteus_plugin_entry_v1")
public func proteus_plugin_entry_v1() -> UnsafePointer<proteus_plugin_descriptor> {
    sqliteDescriptor
}

nonisolated(unsafe) let sqliteDescriptor: UnsafePointer<proteus_plugin_descriptor> = makeStoreDescriptor(
    name: "sqlite",
    version: "1.0.0",
    description: "User directory in a local SQLite database (WAL, durable commits)",
    getExtension: storeGetExtension,
    create: { host, options in StoreCore(host: Host(host), backend: try SQLiteBackend(host: Host(host), options: options)) }
)
