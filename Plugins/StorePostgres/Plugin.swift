// The postgres store plugin: entry symbol and descriptor. The C function
// table is PluginKit's (StorePlugin.swift), calling PostgresStore's
// StoreOperations.
import PluginAPI
import PluginKit

@_cdecl("proteus_plugin_entry_v2")
public func proteus_plugin_entry_v2() -> UnsafePointer<proteus_plugin_descriptor> {
    postgresDescriptor
}

nonisolated(unsafe) let postgresDescriptor: UnsafePointer<proteus_plugin_descriptor> = makeStoreDescriptor(
    name: "postgres",
    version: "1.0.0",
    description: "User directory in PostgreSQL (libpq; several hosts may share one database)",
    getExtension: postgresGetExtension,
    create: { host, options in try PostgresStore(host: host, options: options) }
)
