// The AIOStreams dialect: the user-configuration API of AIOStreams
// (/api/v1/user), wire-compatible with the original (seed 000, reference
// aiostreams.md).
import PluginAPI
import PluginKit

nonisolated(unsafe) private let descriptor = DialectExport.descriptor(
    name: "aiostreams",
    version: "1.0.0",
    description: "AIOStreams user configuration API (/api/v1/user)",
    factory: { host, options in try AIOStreamsDialect(host: host, options: try AIOStreamsOptions(options)) })

@_cdecl("proteus_plugin_entry_v2")
public func proteus_plugin_entry_v2() -> UnsafePointer<proteus_plugin_descriptor> { descriptor }
