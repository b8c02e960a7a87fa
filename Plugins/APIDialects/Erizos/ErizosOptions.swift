// The dialect's options. `{}` is a complete configuration.
import PluginKit

struct ErizosOptions: Sendable {
    /// How long a session from POST /api/login lasts (default 30 days).
    var sessionTTLSeconds: Int64 = 30 * 86_400

    init(_ options: PluginOptions) throws(PluginError) {
        try options.rejectUnknown(["sessionTTLSeconds"])
        if let ttl = try options.int("sessionTTLSeconds", in: 60...(366 * 86_400)) { sessionTTLSeconds = Int64(ttl) }
    }
}
