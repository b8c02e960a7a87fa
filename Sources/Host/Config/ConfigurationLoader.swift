// Reading and validating a config file into a Configuration.
import Glibc
import PluginKit
import ProteusJSON

enum ConfigurationLoader {
    /// `dialectsRequired` false accepts `"dialects": []`: a server needs a
    /// dialect to serve anything, `proteus user` does not.
    static func load(path: String, dialectsRequired: Bool = true) throws -> Configuration {
        let text: [UInt8]
        do { text = try FileIO.readAll(path) } catch {
            throw ConfigError(message: "config \(path): cannot read: \(error)")
        }
        return try load(text: text, path: path, dialectsRequired: dialectsRequired)
    }

    /// The same checks on a config's bytes (a worker gets the master's copy,
    /// so both read the very same config); `path` is for messages.
    static func load(text: [UInt8], path: String, dialectsRequired: Bool = true) throws -> Configuration {
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch {
            throw ConfigError(message: "config \(path): not valid JSON: \(error)")
        }
        do {
            return try parse(value, dialectsRequired: dialectsRequired)
        } catch let e as ConfigError {
            throw ConfigError(message: "config \(path): \(e.message)")
        }
    }

    static func parse(_ value: JSONValue, dialectsRequired: Bool = true) throws -> Configuration {
        guard case .object(let root) = value else {
            throw ConfigError(message: "the top level must be a JSON object, not \(value.typeName)")
        }
        var c = Configuration()
        try rejectUnknown(root, Configuration.topLevelKeys, at: "")
        if let listen = try string(root, "listen") {
            (c.listenHost, c.listenPort) = try parseListen(listen)
        }
        if let dir = try string(root, "dataDirectory") {
            guard !dir.isEmpty else { throw ConfigError(message: "key \"dataDirectory\": must not be empty") }
            c.dataDirectory = dir
        }
        if let hex = try string(root, "secretKey") {
            guard hex.utf8.count == 64, let key = Hex.decode(hex) else {
                throw ConfigError(message: "key \"secretKey\": must be 64 hexadecimal characters (a 256-bit key)")
            }
            c.secretKey = key
        }
        c.pluginDirectory = try string(root, "pluginDirectory")
        if let store = root["store"] {
            c.store = try pluginReference(store, at: "store", allowedExtra: [])
        }
        if let auth = root["auth"] {
            guard case .array(let items) = auth else { throw typeError("auth", "an array", auth) }
            guard !items.isEmpty else { throw ConfigError(message: "key \"auth\": list at least one auth plugin") }
            c.auth = try items.enumerated().map { try pluginReference($1, at: "auth[\($0)]", allowedExtra: []) }
        }
        if let dialects = root["dialects"] {
            guard case .array(let items) = dialects else { throw typeError("dialects", "an array", dialects) }
            guard !items.isEmpty || !dialectsRequired else { throw ConfigError(message: "key \"dialects\": list at least one dialect") }
            c.dialects = try items.enumerated().map { index, item in
                let at = "dialects[\(index)]"
                var reference = try pluginReference(item, at: at, allowedExtra: ["mount"])
                var passwordOnly = false
                if let value = reference.options.removeValue(forKey: SignInRules.exemptionOption) {
                    guard let b = value.boolValue else { throw typeError("\(at).options.\(SignInRules.exemptionOption)", "true or false", value) }
                    passwordOnly = b
                }
                var mount = "/"
                if case .object(let o) = item, let m = o["mount"] {
                    guard let s = m.stringValue else { throw typeError("\(at).mount", "a string", m) }
                    do { _ = try Router.normalizeMount(s) } catch {
                        throw ConfigError(message: "key \"\(at).mount\": \(error)")
                    }
                    mount = s
                }
                return DialectReference(reference: reference, mount: mount, allowPasswordOnlyForMfaUsers: passwordOnly)
            }
        }
        if let proxies = root["trustedProxies"] {
            guard case .array(let items) = proxies else { throw typeError("trustedProxies", "an array of strings", proxies) }
            c.trustedProxies = try items.enumerated().map { i, v in
                guard let s = v.stringValue else { throw typeError("trustedProxies[\(i)]", "a string", v) }
                do { _ = try TrustedProxies([s]) } catch { throw ConfigError(message: "key \"trustedProxies[\(i)]\": \(error)") }
                return s
            }
        }
        if let limits = root["limits"] {
            guard case .object(let o) = limits else { throw typeError("limits", "an object", limits) }
            try rejectUnknown(o, ["maxBodyBytes", "maxHeaderBytes", "maxHeaderCount", "maxConnections",
                                  "idleTimeoutSeconds", "requestTimeoutSeconds", "writeTimeoutSeconds"], at: "limits.")
            if let n = try int(o, "maxBodyBytes", at: "limits.", 1...(1 << 30)) { c.limits.maxBodyBytes = n }
            if let n = try int(o, "maxHeaderBytes", at: "limits.", 1024...(1 << 20)) { c.limits.maxHeaderBytes = n }
            if let n = try int(o, "maxHeaderCount", at: "limits.", 8...10_000) { c.limits.maxHeaderCount = n }
            if let n = try int(o, "maxConnections", at: "limits.", 1...1_000_000) { c.limits.maxConnections = n }
            if let n = try int(o, "idleTimeoutSeconds", at: "limits.", 1...86_400) { c.limits.idleTimeoutSeconds = n }
            if let n = try int(o, "requestTimeoutSeconds", at: "limits.", 1...86_400) { c.limits.requestTimeoutSeconds = n }
            if let n = try int(o, "writeTimeoutSeconds", at: "limits.", 1...86_400) { c.limits.writeTimeoutSeconds = n }
        }
        c.servingThreads = try int(root, "threads", at: "", 1...1024)
        if let n = try int(root, "waitingThreads", at: "", 1...10_000) { c.waitingThreads = n }
        if let kdf = root["kdf"] {
            guard case .object(let o) = kdf else { throw typeError("kdf", "an object", kdf) }
            try rejectUnknown(o, ["threads", "maxWaitMs"], at: "kdf.")
            c.kdfThreads = try int(o, "threads", at: "kdf.", 1...256)
            if let n = try int(o, "maxWaitMs", at: "kdf.", 0...600_000) { c.kdfMaxWaitMs = n }
        }
        if let v = root["logRequests"] {
            guard let b = v.boolValue else { throw typeError("logRequests", "true or false", v) }
            c.logRequests = b
        }
        if let name = try string(root, "logFormat") {
            guard let format = LogFormat(rawValue: name) else {
                throw ConfigError(message: "key \"logFormat\": must be one of \(LogFormat.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), got \"\(name)\"")
            }
            c.logFormat = format
        }
        if let name = try string(root, "logLevel") {
            guard let level = LogLevel(name: name) else {
                throw ConfigError(message: "key \"logLevel\": must be one of \(LogLevel.allCases.map { "\"\($0.name)\"" }.joined(separator: ", ")), got \"\(name)\"")
            }
            c.logLevel = level
        }
        if let n = try int(root, "shutdownGraceSeconds", at: "", 0...3600) { c.shutdownGraceSeconds = n }
        c.workers = try int(root, "workers", at: "", 0...Supervisor.maxWorkers)
        if let outbound = root["outbound"] { c.outbound = try outboundSettings(outbound) }
        if let admin = root["admin"] { c.adminListen = try adminListen(admin, publicListen: (c.listenHost, c.listenPort)) }
        return c
    }

    private static func outboundSettings(_ value: JSONValue) throws -> OutboundSettings {
        guard case .object(let o) = value else { throw typeError("outbound", "an object", value) }
        try rejectUnknown(o, ["allowPrivateNetworks", "extraCAFile", "maxResponseBytes", "connectTimeoutMs",
                              "timeoutMs", "maxTimeoutMs", "maxRedirects"], at: "outbound.")
        var s = OutboundSettings()
        if let v = o["allowPrivateNetworks"] {
            guard let b = v.boolValue else { throw typeError("outbound.allowPrivateNetworks", "true or false", v) }
            s.allowPrivateNetworks = b
        }
        if let v = o["extraCAFile"] {
            guard let path = v.stringValue else { throw typeError("outbound.extraCAFile", "a string", v) }
            guard !path.isEmpty else { throw ConfigError(message: "key \"outbound.extraCAFile\": must not be empty") }
            s.extraCAFile = try readableCertificateFile(path)
        }
        if let n = try int(o, "maxResponseBytes", at: "outbound.", 1...(1 << 30)) { s.maxResponseBytes = n }
        if let n = try int(o, "connectTimeoutMs", at: "outbound.", 1...600_000) { s.connectTimeoutMs = n }
        if let n = try int(o, "maxTimeoutMs", at: "outbound.", 1...3_600_000) { s.maxTimeoutMs = n }
        if let n = try int(o, "timeoutMs", at: "outbound.", 1...3_600_000) {
            s.timeoutMs = n
        } else {
            s.timeoutMs = min(s.timeoutMs, s.maxTimeoutMs)  // a lower maximum lowers the default too
        }
        guard s.timeoutMs <= s.maxTimeoutMs else {
            throw ConfigError(message: "key \"outbound.timeoutMs\": must not exceed outbound.maxTimeoutMs (\(s.maxTimeoutMs)), got \(s.timeoutMs)")
        }
        if let n = try int(o, "maxRedirects", at: "outbound.", 0...50) { s.maxRedirects = n }
        return s
    }

    /// `"admin": {"listen": "127.0.0.1:9090"}`: its own address, never the
    /// public one (health and metrics are for the operator, not for clients).
    private static func adminListen(_ value: JSONValue, publicListen: (String, UInt16)) throws -> (host: String, port: UInt16) {
        guard case .object(let o) = value else { throw typeError("admin", "an object", value) }
        try rejectUnknown(o, ["listen"], at: "admin.")
        guard let text = try string(o, "listen", at: "admin.") else {
            throw ConfigError(message: "key \"admin.listen\": missing (an address such as \"127.0.0.1:9090\"; leave \"admin\" out for no admin listener)")
        }
        let (host, port) = try parseListen(text, key: "admin.listen")
        if port != 0 && port == publicListen.1 && host == publicListen.0 {
            throw ConfigError(message: "key \"admin.listen\": must differ from \"listen\" (\(text)): health and metrics are never served on the public port")
        }
        return (host, port)
    }

    /// The extra CA file must be there when the host starts, not when the
    /// first outbound call fails: a typo is a config error.
    private static func readableCertificateFile(_ path: String) throws -> String {
        let absolute = FileIO.absolutePath(path)
        let bytes: [UInt8]
        do { bytes = try FileIO.readAll(absolute) } catch {
            throw ConfigError(message: "key \"outbound.extraCAFile\": cannot read \(absolute): \(error)")
        }
        guard String(decoding: bytes, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            throw ConfigError(message: "key \"outbound.extraCAFile\": \(absolute) holds no PEM certificate")
        }
        return absolute
    }

    /// "127.0.0.1:8080", "[::1]:0", "0.0.0.0:80".
    static func parseListen(_ text: String, key: String = "listen") throws -> (String, UInt16) {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ConfigError(message: "key \"\(key)\": expected \"[IPv6]:PORT\", got \"\(text)\"")
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw ConfigError(message: "key \"\(key)\": expected \"HOST:PORT\", got \"\(text)\"")
            }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard let p = UInt16(port) else {
            throw ConfigError(message: "key \"\(key)\": port must be a number from 0 to 65535, got \"\(port)\"")
        }
        guard TrustedProxies.parseAddress(String(host)) != nil else {
            throw ConfigError(message: "key \"\(key)\": host must be an IP address, got \"\(host)\"")
        }
        return (String(host), p)
    }

    private static func pluginReference(_ value: JSONValue, at path: String, allowedExtra: Set<String>) throws -> PluginReference {
        guard case .object(let o) = value else { throw typeError(path, "an object with \"plugin\" and \"options\"", value) }
        try rejectUnknown(o, Set(["plugin", "options"]).union(allowedExtra), at: path + ".")
        guard let pluginValue = o["plugin"] else { throw ConfigError(message: "key \"\(path).plugin\": missing") }
        guard let plugin = pluginValue.stringValue, !plugin.isEmpty else { throw typeError("\(path).plugin", "a non-empty string", pluginValue) }
        var options = JSONObject()
        if let optionsValue = o["options"] {
            guard case .object(let opts) = optionsValue else { throw typeError("\(path).options", "an object", optionsValue) }
            options = opts
        }
        return PluginReference(plugin: plugin, options: options, keyPath: path)
    }

    private static func rejectUnknown(_ object: JSONObject, _ known: Set<String>, at prefix: String) throws {
        for key in object.keys where !known.contains(key) {
            throw ConfigError(message: "unknown key \"\(prefix)\(key)\" (known: \(known.sorted().joined(separator: ", ")))")
        }
    }

    private static func string(_ object: JSONObject, _ key: String, at prefix: String = "") throws -> String? {
        guard let v = object[key] else { return nil }
        guard let s = v.stringValue else { throw typeError(prefix + key, "a string", v) }
        return s
    }

    private static func int(_ object: JSONObject, _ key: String, at prefix: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let v = object[key] else { return nil }
        guard let n = v.intValue else { throw typeError(prefix + key, "an integer", v) }
        guard range.contains(n) else {
            throw ConfigError(message: "key \"\(prefix)\(key)\": must be between \(range.lowerBound) and \(range.upperBound), got \(n)")
        }
        return n
    }

    private static func typeError(_ key: String, _ expected: String, _ got: JSONValue) -> ConfigError {
        ConfigError(message: "key \"\(key)\": must be \(expected), not \(got.typeName)")
    }
}
