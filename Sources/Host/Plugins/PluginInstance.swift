// One created plugin instance: its library, its opaque instance pointer and
// the host-services table it was given.
import PluginAPI
import PluginKit

final class PluginInstance: @unchecked Sendable {
    let plugin: LoadedPlugin
    let instance: UnsafeMutableRawPointer?
    let hostTable: UnsafeMutablePointer<proteus_host_api>
    private var destroyed = false

    private init(plugin: LoadedPlugin, instance: UnsafeMutableRawPointer?, hostTable: UnsafeMutablePointer<proteus_host_api>) {
        self.plugin = plugin
        self.instance = instance
        self.hostTable = hostTable
    }

    /// Calls the plugin's create with its options. `dialect` (a dialect's
    /// sign-in rules) adds the directory, auth and response services to its table.
    static func create(_ plugin: LoadedPlugin, optionsJSON optionsText: String, runtime: HostRuntime, dialect: SignInRules?) throws -> PluginInstance {
        let table = HostServicesTable.make(pluginName: plugin.name, runtime: runtime, dialect: dialect)
        var instance: UnsafeMutableRawPointer?
        var err = proteus_error()
        let status = optionsText.withCString { text in
            plugin.descriptor.pointee.create(UnsafePointer(table), text, optionsText.utf8.count, &instance, &err)
        }
        guard status == PROTEUS_OK else {
            let reason = PluginError(status: status, from: err).message
            throw PluginLoadError(message: "plugin \"\(plugin.name)\" at \(plugin.path): initialisation failed: \(reason)")
        }
        return PluginInstance(plugin: plugin, instance: instance, hostTable: table)
    }

    /// [shutdown] Destroys the instance once.
    func destroy() {
        guard !destroyed else { return }
        destroyed = true
        plugin.descriptor.pointee.destroy(instance)
    }
}
