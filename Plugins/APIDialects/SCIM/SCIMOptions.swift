// The dialect's options (config "options" of the scim dialect).
import PluginKit

struct SCIMOptions {
    /// The directory's baseline password rule: a minimum length and nothing
    /// else (NIST SP 800-63B), not MCSManager's panel rule.
    var passwordMinLength = 8
    /// The most resources one list answers (`count` is capped to it).
    var maxResults = 200
    /// The absolute URL of the mount as clients reach it, e.g.
    /// "https://id.example.com/scim/v2" (behind a TLS proxy). Without it,
    /// locations are http://<Host header><mount>.
    var baseURL: String?

    init(_ options: PluginOptions) throws {
        try options.rejectUnknown(["passwordMinLength", "maxResults", "baseURL"])
        if let n = try options.int("passwordMinLength", in: 1...1024) { passwordMinLength = n }
        if let n = try options.int("maxResults", in: 1...10_000) { maxResults = n }
        if let url = try options.string("baseURL") {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw PluginError.invalid("options.baseURL must be an absolute http(s) URL, got \"\(url)\"")
            }
            baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        }
    }
}
