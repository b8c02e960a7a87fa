// The LISTEN.moe dialect: API v4's users, roles and sign-in (seed 003,
// reference listen-moe.md), over the shared directory.
import PluginAPI
import PluginKit

nonisolated(unsafe) private let descriptor = DialectExport.descriptor(
    name: "listenmoe",
    version: "0.2.0",
    description: "LISTEN.moe API v4 users (register, login with JWT, users, roles, MFA with TOTP and recovery codes)",
    factory: { host, options in try ListenMoeDialect(host: host, options: try LMOptions(options)) })

@_cdecl("proteus_plugin_entry_v2")
public func proteus_plugin_entry_v2() -> UnsafePointer<proteus_plugin_descriptor> { descriptor }
