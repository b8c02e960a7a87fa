// The host's shared services, one per process: what plugins reach through
// their host-services table.
import PluginAPI
import PluginKit

final class HostRuntime: @unchecked Sendable {
    let dataDirectory: String
    let aead: AEADBox
    /// host->mac: HMAC-SHA256 under keys derived from the secret key.
    let keyedMAC: KeyedMAC
    let rateLimiter: RateLimiter
    /// host->change_counter, shared with the other workers of the host.
    let changeCounter: ChangeCounter
    /// host->http_request, bounded by the config's "outbound" section.
    let outbound: OutboundHTTP
    /// Where host->store calls of dialects go; set once, before any dialect
    /// is created, and never changed afterwards.
    var directory: StoreBinding?
    /// The configured auth methods; set once before dialects are created.
    var authMethods: AuthMethods?
    /// host->plugin_list: every plugin instance of the configuration; set
    /// once, after the last one was created (nil before: UNAVAILABLE).
    var plugins: [PluginDescription]?

    init(dataDirectory: String, secretKey: [UInt8], rateLimiter: RateLimiter, changeCounter: ChangeCounter,
         outbound: OutboundSettings = OutboundSettings()) {
        self.dataDirectory = dataDirectory
        self.aead = AEADBox(key: secretKey)
        self.keyedMAC = KeyedMAC(serverKey: secretKey)
        self.rateLimiter = rateLimiter
        self.changeCounter = changeCounter
        self.outbound = OutboundHTTP(settings: outbound)
    }
}

/// Identifies the plugin instance behind a host-services table's `ctx`.
final class PluginContext: @unchecked Sendable {
    let pluginName: String
    let runtime: HostRuntime
    /// Dialects: the sign-in rules of this mount.
    let signInRules: SignInRules

    init(pluginName: String, runtime: HostRuntime, signInRules: SignInRules = SignInRules()) {
        self.pluginName = pluginName
        self.runtime = runtime
        self.signInRules = signInRules
    }

    /// nil for a NULL `ctx`: a plugin's mistake, answered with INVALID by
    /// the caller instead of crashing the worker.
    static func from(_ ctx: UnsafeMutableRawPointer?) -> PluginContext? {
        ctx.map { Unmanaged<PluginContext>.fromOpaque($0).takeUnretainedValue() }
    }

    /// The answer to a host function called with a NULL `ctx`.
    static func missing(in function: StaticString, _ err: UnsafeMutablePointer<proteus_error>?) -> proteus_status {
        PluginError.invalid("\(function): NULL ctx").report(to: err)
    }
}
