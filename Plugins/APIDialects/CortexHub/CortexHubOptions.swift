// The dialect's options (all optional; unknown keys and wrong types stop the
// start with a message naming the key):
//
//   allowPasswordLogin  POST /users/login/local allowed             (default true)
//   bootstrapAdmins     usernames (local) / emails (OIDC) that become admin at
//                       their FIRST Cortex Hub sign-in only          (default [])
//   providers           the provider catalogue:
//                       {"llm": {"openai": {"models": ["gpt-4o"], "url": "https://..."}},
//                        "tts": {...}, "stt": {...}}                 (default: empty)
//   allowedRedirects    frontend URIs an OIDC sign-in may return to  (default [])
//   oidc                {issuer, clientId, clientSecret, redirectUri, scopes}
//                       (scopes default to openid email profile). An https
//                       issuer always; a plain http one only on loopback, so
//                       it works only where the operator opted into
//                       outbound.allowPrivateNetworks (the host refuses the
//                       connection otherwise): for tests and local setups
//   sessionTTLSeconds   lifetime of a login's user_id                (default 30 days)
//   loginRateLimit      false, or {"perAccount": {"failures": N, "windowSeconds": S},
//                                  "perIP": {...}}  failed local sign-ins per window
//                       (default 10/60 s per account, 30/60 s per address; a success
//                       costs a fifth of a failure, so 150 sign-ins a minute from
//                       one address pass)
import PluginAPI
import PluginKit
import ProteusJSON

struct CortexHubOptions: Sendable {
    static let sections = ["llm", "tts", "stt"]

    struct Provider: Sendable {
        var name: String
        var models: [String]
        var url: String?
    }

    struct OIDC: Sendable {
        var issuer: String
        var clientID: String
        var clientSecret: String?
        var redirectURI: String
        var scopes: [String]
    }

    var allowPasswordLogin = true
    var bootstrapAdmins: [String] = []
    /// Section → providers in the order configured.
    var providers: [String: [Provider]] = [:]
    var allowedRedirects: [String] = []
    var oidc: OIDC?
    var sessionTTLSeconds: Int64 = 30 * 86_400
    /// 10 failed sign-ins per minute per account, 30 per address (each a
    /// budget of 5× as many attempts: ~150 sign-ins a minute from one address).
    var loginLimits = SignInLimits.standard

    init(_ options: PluginOptions) throws {
        try options.rejectUnknown(["allowPasswordLogin", "bootstrapAdmins", "providers", "allowedRedirects",
                                   "oidc", "sessionTTLSeconds", "loginRateLimit"])
        if let allow = try options.bool("allowPasswordLogin") { allowPasswordLogin = allow }
        bootstrapAdmins = try Self.strings(options.value("bootstrapAdmins"), "bootstrapAdmins")
        allowedRedirects = try Self.strings(options.value("allowedRedirects"), "allowedRedirects")
        for uri in allowedRedirects where !Self.isHTTPURL(uri) {
            throw PluginError.invalid("option \"allowedRedirects\": \"\(uri)\" is not an absolute http(s) URL")
        }
        if let catalogue = try options.object("providers") { providers = try Self.providers(catalogue) }
        if let o = try options.object("oidc") { oidc = try Self.oidc(PluginOptions(o)) }
        if let ttl = try options.int("sessionTTLSeconds", in: 60...31_536_000) { sessionTTLSeconds = Int64(ttl) }
        loginLimits = try SignInLimits(option: options.value("loginRateLimit"))
    }

    /// A list of non-empty strings (absent = empty).
    private static func strings(_ value: JSONValue?, _ key: String) throws -> [String] {
        switch value {
        case nil, .null?: return []
        case .array(let items)?:
            return try items.map { item in
                guard let s = item.stringValue, !s.isEmpty else {
                    throw PluginError.invalid("option \"\(key)\" must be an array of non-empty strings, found \(item.typeName)")
                }
                return s
            }
        case let other?:
            throw PluginError.invalid("option \"\(key)\" must be an array of strings, not \(other.typeName)")
        }
    }

    private static func isHTTPURL(_ s: String) -> Bool {
        (s.hasPrefix("https://") || s.hasPrefix("http://")) && !s.contains(" ") && s.split(separator: "/").count >= 2
    }

    /// http://127.0.0.1, http://localhost or http://[::1] (any port and path).
    private static func isLoopbackHTTP(_ s: String) -> Bool {
        guard s.hasPrefix("http://") else { return false }
        let authority = s.dropFirst(7).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.contains("@") else { return false }
        let host = authority.hasPrefix("[") ? String(authority.prefix { $0 != "]" }) + "]"
            : String(authority.prefix { $0 != ":" })
        return ["127.0.0.1", "localhost", "[::1]"].contains(host.lowercased())
    }

    private static func providers(_ catalogue: JSONObject) throws -> [String: [Provider]] {
        var result: [String: [Provider]] = [:]
        for (section, value) in catalogue {
            let key = "providers.\(section)"
            guard sections.contains(section) else {
                throw PluginError.invalid("unknown option \"\(key)\" (known sections: llm, stt, tts)")
            }
            guard let entries = value.objectValue else {
                throw PluginError.invalid("option \"\(key)\" must be an object of providers, not \(value.typeName)")
            }
            result[section] = try entries.map { name, entry in
                guard let fields = entry.objectValue else {
                    throw PluginError.invalid("option \"\(key).\(name)\" must be an object {\"models\": [...], \"url\": \"...\"}, not \(entry.typeName)")
                }
                let o = PluginOptions(fields)
                do {
                    try o.rejectUnknown(["models", "url"])
                    let url = try o.string("url")
                    if let url, !isHTTPURL(url) { throw PluginError.invalid("option \"url\" must be an absolute http(s) URL") }
                    return Provider(name: name, models: try strings(o.value("models"), "models"), url: url)
                } catch let e as PluginError {
                    throw PluginError.invalid("option \"\(key).\(name)\": \(e.message)")
                }
            }
        }
        return result
    }

    private static func oidc(_ o: PluginOptions) throws -> OIDC {
        do {
            try o.rejectUnknown(["issuer", "clientId", "clientSecret", "redirectUri", "scopes"])
            guard let issuer = try o.string("issuer"), isHTTPURL(issuer) else {
                throw PluginError.invalid("option \"issuer\" is required: the provider's http(s) issuer URL")
            }
            guard issuer.hasPrefix("https://") || isLoopbackHTTP(issuer) else {
                throw PluginError.invalid("option \"issuer\" must be an https URL (plain http only on loopback, with outbound.allowPrivateNetworks)")
            }
            guard let clientID = try o.string("clientId"), !clientID.isEmpty else {
                throw PluginError.invalid("option \"clientId\" is required")
            }
            guard let redirect = try o.string("redirectUri"), isHTTPURL(redirect) else {
                throw PluginError.invalid("option \"redirectUri\" is required: this server's callback URL")
            }
            var scopes = try strings(o.value("scopes"), "scopes")
            if scopes.isEmpty { scopes = ["openid", "email", "profile"] }
            return OIDC(issuer: issuer, clientID: clientID, clientSecret: try o.string("clientSecret"),
                        redirectURI: redirect, scopes: scopes)
        } catch let e as PluginError {
            throw PluginError.invalid("option \"oidc\": \(e.message)")
        }
    }
}
