// The Erizos dialect: Erizos Studio's users API (/api/login, /api/users...),
// wire-compatible with the original (seed 004, reference erizos.md).
import PluginAPI
import PluginKit

nonisolated(unsafe) private let descriptor = DialectExport.descriptor(
    name: "erizos",
    version: "1.0.0",
    description: "Erizos Studio users API (/api/login, /api/users)",
    factory: { host, options in try ErizosDialect(host: host, options: try ErizosOptions(options)) })

@_cdecl("proteus_plugin_entry_v2")
public func proteus_plugin_entry_v2() -> UnsafePointer<proteus_plugin_descriptor> { descriptor }
