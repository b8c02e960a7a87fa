// The console dialect: an administrators' web console (HTML, CSS and
// JavaScript modules built into this library) and the JSON data API its
// page calls, over the same directory as every other dialect.
import PluginAPI
import PluginKit

nonisolated(unsafe) private let descriptor = DialectExport.descriptor(
    name: "console",
    version: "0.1.0",
    description: "Admin console: a web page for administrators and its JSON API (/api/...)",
    factory: { host, options in try ConsoleDialect(host: host, options: try ConsoleOptions(options)) })

@_cdecl("proteus_plugin_entry_v2")
public func proteus_plugin_entry_v2() -> UnsafePointer<proteus_plugin_descriptor> { descriptor }
