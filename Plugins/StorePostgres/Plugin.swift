// The postgres store plugin's entry symbol: StoreCore over the PostgreSQL backend.
import PluginAPI
import StoreCore

@_cdecl("proteus_plugin_entry_v2")
public func proteus_plugin_entry_v2() -> UnsafePointer<proteus_plugin_descriptor> { postgresDescriptor }

nonisolated(unsafe) let postgresDescriptor = makeStoreCoreDescriptor(
    name: "postgres", version: "1.0.0", description: "User directory in PostgreSQL (libpq; several hosts may share one database)",
    backend: { host, options in try PostgresBackend(options: options, host: host) })
