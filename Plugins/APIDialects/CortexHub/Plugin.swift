// The Cortex Hub dialect: ai-hub's users, profiles, preferences and admin
// groups API (seed 002, reference cortex-hub.md), mounted at /api/v1.
import PluginAPI
import PluginKit

nonisolated(unsafe) private let descriptor = DialectExport.descriptor(
    name: "cortexhub",
    version: "0.1.0",
    description: "Cortex Hub ai-hub users API (/api/v1/users...): local login, profiles, preferences, admin groups",
    factory: { host, options in try CortexHubDialect(host: host, options: try CortexHubOptions(options)) })

@_cdecl("proteus_plugin_entry_v2")
public func proteus_plugin_entry_v2() -> UnsafePointer<proteus_plugin_descriptor> { descriptor }
