// The postgres store plugin: entry symbol and descriptor. The C function
// table is PluginKit's (StorePlugin.swift), calling StoreCore over the
// PostgreSQL backend.
import PluginAPI
import PluginKit
import StoreCore

@_cdecl("proteus_plugin_entry_v1")
public func proteus_plugin_entry_v1() -> UnsafePointer<proteus_plugin_descriptor> {
    postgresDescriptor
}

nonisolated(unsafe) let postgresDescriptor: UnsafePointer<proteus_plugin_descriptor> = makeStoreDescriptor(
    name: "postgres",
    version: "1.0.0",
    description: "User directory in PostgreSQL (libpq; several hosts may share one database)",
    getExtension: storeGetExtension,
    create: { host, options in StoreCore(host: Host(host), backend: try PostgresBackend(options: options)) }
)
