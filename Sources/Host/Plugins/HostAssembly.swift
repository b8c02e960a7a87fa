// Everything a config asks for, loaded and created in order: store, auth
// methods, dialects, router. Any failure stops here with a message naming
// the config key, the plugin, its path and the reason.
import Glibc
import HTTPTransport
import PluginAPI
import ProteusJSON

final class HostAssembly: @unchecked Sendable {
    let configuration: Configuration
    let runtime: HostRuntime
    let store: StoreBinding
    let auth: AuthMethods
    let dialects: [DialectBinding]
    let router: Router
    private var closed = false

    /// Builds the whole host. `persistSecret` false (check-config) uses a
    /// throwaway key instead of creating the key file. A worker passes the
    /// rate-limit table and change counter it inherited from the master.
    init(_ configuration: Configuration, persistSecret: Bool = true, rateLimiter: RateLimiter? = nil,
         changeCounter: ChangeCounter? = nil) throws {
        self.configuration = configuration
        let dataDirectory = FileIO.absolutePath(configuration.dataDirectory)
        do { try FileIO.makeDirectories(dataDirectory) } catch {
            throw ConfigError(message: "key \"dataDirectory\": \(error)")
        }
        let secret: [UInt8]
        if let configured = configuration.secretKey {
            secret = configured
        } else if persistSecret {
            secret = try SecretKeyFile.loadOrCreate(dataDirectory: dataDirectory)
        } else {
            secret = SecureRandom.bytes(32)
        }
        let runtime = HostRuntime(dataDirectory: dataDirectory, secretKey: secret, rateLimiter: try rateLimiter ?? RateLimiter(),
                                  changeCounter: try changeCounter ?? ChangeCounter(), outbound: configuration.outbound)
        self.runtime = runtime
        let create = { (reference: PluginReference, kind: Int32, dialect: SignInRules?) throws -> PluginInstance in
            try Self.createPlugin(reference, kind: kind, dialect: dialect, configuration: configuration, runtime: runtime)
        }

        // Created in dependency order; on failure, destroy what exists (reverse).
        var created: [PluginInstance] = []
        do {
            let storeInstance = try create(configuration.store, PROTEUS_KIND_STORE, nil)
            created.append(storeInstance)
            store = try StoreBinding(storeInstance)
            // Serving with metrics: dialects call the store through timing shims.
            if MetricsRecorder.region != nil { store.dialectTable = try TimedStoreTable.wrap(store) }
            runtime.directory = store

            // One hashing thread per core, at a lower priority than serving
            // (KDFPool); callers wait in the serving transport's lane.
            let kdfThreads = configuration.kdfThreads ?? HTTPServerConfiguration.coreCount
            auth = AuthMethods(pool: KDFPool(threads: kdfThreads, maxWaitMs: configuration.kdfMaxWaitMs))
            for reference in configuration.auth {
                let instance = try create(reference, PROTEUS_KIND_AUTH, nil)
                created.append(instance)
                try auth.add(instance)
            }
            runtime.authMethods = auth

            var dialects: [DialectBinding] = []
            var mounted: [Router.Mounted] = []
            for reference in configuration.dialects {
                let rules = SignInRules(allowPasswordOnlyForMfaUsers: reference.allowPasswordOnlyForMfaUsers)
                if rules.allowPasswordOnlyForMfaUsers {
                    Logger.shared.warn("\(reference.reference.keyPath) (\(reference.reference.plugin) at \(reference.mount)): \(SignInRules.exemptionOption) is on: users with a second factor sign in here with the password alone")
                }
                let instance = try create(reference.reference, PROTEUS_KIND_DIALECT, rules)
                created.append(instance)
                let mountBytes = try Router.normalizeMount(reference.mount)
                let binding = try DialectBinding(instance, mount: String(decoding: mountBytes, as: UTF8.self), mountBytes: mountBytes)
                dialects.append(binding)
                mounted.append(Router.Mounted(prefix: mountBytes, dialect: binding, routes: binding.routes))
            }
            self.dialects = dialects
            do { router = try Router(mounted) } catch {
                throw ConfigError(message: "key \"dialects\": \(error)")
            }
            runtime.plugins = PluginDescription.all(store: storeInstance, auth: auth, dialects: dialects)
        } catch {
            for instance in created.reversed() { instance.destroy() }
            throw error
        }
    }

    /// Only the store of a configuration (for commands that need nothing
    /// else, like `proteus stats`). The caller destroys the instance.
    static func storeOnly(_ configuration: Configuration) throws -> StoreBinding {
        let dataDirectory = FileIO.absolutePath(configuration.dataDirectory)
        let runtime = HostRuntime(dataDirectory: dataDirectory, secretKey: SecureRandom.bytes(32), rateLimiter: try RateLimiter(),
                                  changeCounter: try ChangeCounter())
        let instance = try createPlugin(configuration.store, kind: PROTEUS_KIND_STORE, dialect: nil, configuration: configuration, runtime: runtime)
        do { return try StoreBinding(instance) } catch {
            instance.destroy()
            throw error
        }
    }

    private static func createPlugin(_ reference: PluginReference, kind: Int32, dialect: SignInRules?,
                                     configuration: Configuration, runtime: HostRuntime) throws -> PluginInstance {
        let pluginDirectory = configuration.pluginDirectory ?? FileIO.executableDirectory()
        do {
            let plugin = try PluginLoader.resolve(reference.plugin, kind: kind, directory: pluginDirectory)
            return try PluginInstance.create(plugin, optionsJSON: JSONValue.object(reference.options).serialized(), runtime: runtime, dialect: dialect)
        } catch let e as PluginLoadError {
            throw ConfigError(message: "key \"\(reference.keyPath).plugin\": \(e.message)")
        }
    }

    /// [shutdown] Destroys dialects, auth plugins, then the store.
    func close() {
        guard !closed else { return }
        closed = true
        for d in dialects.reversed() { d.instance.destroy() }
        for methods in auth.methods.values { for m in methods.reversed() { m.instance.destroy() } }
        store.instance.destroy()
    }
}
