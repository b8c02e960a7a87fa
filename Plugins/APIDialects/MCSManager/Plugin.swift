// The MCSManager dialect: the panel's users API (/api/auth...), wire-compatible
// with the MCSManager panel (seed 001, reference mcsmanager.md), plus the
// import.v1 extension that reads a panel's data/User/*.json files.
import PluginAPI
import PluginKit

nonisolated(unsafe) private let descriptor = DialectExport.descriptor(
    name: "mcsmanager",
    version: "1.0.0",
    description: "MCSManager panel users API (/api/auth); imports data/User/*.json",
    factory: { host, options in try MCSManagerDialect(host: host, options: try MCSMOptions(options)) })

@_cdecl("proteus_plugin_entry_v2")
public func proteus_plugin_entry_v2() -> UnsafePointer<proteus_plugin_descriptor> { descriptor }
