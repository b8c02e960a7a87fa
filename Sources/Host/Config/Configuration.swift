// The host's configuration: what an operator writes in the JSON config file,
// validated strictly (unknown keys and wrong types are refused, naming the
// key), with the embedded default when no file is given.
import HTTPTransport
import ProteusJSON

struct PluginReference: Sendable {
    /// A plugin name found in the plugin directory, or a path to a .so.
    var plugin: String
    var options: JSONObject
    /// Where this came from in the config, for messages ("auth[1]").
    var keyPath: String
}

struct DialectReference: Sendable {
    var reference: PluginReference
    var mount: String
    /// options.allowPasswordOnlyForMfaUsers: the host's sign-in rules let
    /// users with a second factor on sign in here with the password alone
    /// (weakens security; read by the host, removed from the options the
    /// plugin sees).
    var allowPasswordOnlyForMfaUsers = false
}

struct Limits: Sendable {
    var maxBodyBytes = 1 << 20
    var maxHeaderBytes = 16 * 1024
    var maxHeaderCount = 100
    var maxConnections = 10_000
    var idleTimeoutSeconds = 60
    var requestTimeoutSeconds = 30
    var writeTimeoutSeconds = 30
}

/// The bounds of host->http_request (`"outbound": {...}`).
struct OutboundSettings: Sendable {
    /// Off by default so a URL taken from a provider or a user cannot reach
    /// the host's own network (SSRF).
    var allowPrivateNetworks = false
    /// An absolute path, checked readable when the config is loaded.
    var extraCAFile: String?
    var maxResponseBytes = 1 << 20
    var connectTimeoutMs = 5_000
    /// The total time of a call that asks for none (timeout_ms 0).
    var timeoutMs = 10_000
    var maxTimeoutMs = 30_000
    var maxRedirects = 5
}

struct Configuration: Sendable {
    var listenHost = "127.0.0.1"
    var listenPort: UInt16 = 8080
    var dataDirectory = "./data"
    var secretKey: [UInt8]?
    var pluginDirectory: String?
    var store = PluginReference(plugin: "sqlite", options: JSONObject(), keyPath: "store")
    var auth = [PluginReference(plugin: "password", options: JSONObject(), keyPath: "auth[0]")]
    var dialects = [DialectReference(reference: PluginReference(plugin: "aiostreams", options: JSONObject(), keyPath: "dialects[0]"), mount: "/")]
    var trustedProxies: [String] = []
    var limits = Limits()
    var servingThreads: Int?
    /// Serving threads that may wait on slow work at once (the waiting
    /// lane), per worker.
    var waitingThreads = 512
    var kdfThreads: Int?
    /// A credential job is refused when it would start later than this.
    var kdfMaxWaitMs = 10_000
    var logRequests = true
    var logFormat = LogFormat.text
    /// The least severe level written.
    var logLevel = LogLevel.info
    var shutdownGraceSeconds = 10
    /// Worker processes under a supervising master; nil = one per core,
    /// 0 = serve in the master process itself (no supervision).
    var workers: Int?
    var outbound = OutboundSettings()
    /// `"admin": {"listen": ...}`: where /healthz, /readyz and /metrics are
    /// served (never on the public listener); nil = off.
    var adminListen: (host: String, port: UInt16)?

    /// The number of worker processes this config asks for.
    var workerCount: Int { workers ?? HTTPServerConfiguration.coreCount }

    /// Makes this process log as this config says.
    func applyLogSettings() {
        Logger.shared.configure(format: logFormat, minimumLevel: logLevel)
    }

    /// The embedded default: SQLite in ./data, password auth, AIOStreams at /.
    static let embeddedDefault = Configuration()

    static let topLevelKeys: Set<String> = [
        "listen", "dataDirectory", "secretKey", "pluginDirectory", "store", "auth", "dialects",
        "trustedProxies", "limits", "threads", "waitingThreads", "kdf", "logRequests", "shutdownGraceSeconds", "workers",
        "outbound", "logFormat", "logLevel", "admin",
    ]
}

/// A config problem, with the file and key it concerns.
struct ConfigError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
