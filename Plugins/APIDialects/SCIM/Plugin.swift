// The SCIM 2.0 dialect: users and groups for identity providers
// (RFC 7643/7644), with bearer tokens from `proteus scim token create`.
import PluginAPI
import PluginKit

nonisolated(unsafe) private let descriptor = DialectExport.descriptor(
    name: "scim",
    version: "1.0.0",
    description: "SCIM 2.0 users and groups for identity providers (RFC 7643/7644)",
    factory: { host, options in SCIMDialect(host: host, options: try SCIMOptions(options)) })

@_cdecl("proteus_plugin_entry_v2")
public func proteus_plugin_entry_v2() -> UnsafePointer<proteus_plugin_descriptor> { descriptor }
