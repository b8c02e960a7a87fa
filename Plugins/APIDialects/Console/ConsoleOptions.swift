// The console's options:
//
//   sessionTTLSeconds   how long a console session lasts, 60...604800 (default 28800: 8 h)
//   maxBodyBytes        the largest JSON body the data API reads, 1024...1048576
//                       (default 65536; the host's limits.maxBodyBytes applies first)
//   loginRateLimit      false, or {"perAccount": {...}, "perIP": {...}}: failed sign-ins
//                       allowed per window, as MCSManager's option of that name
//                       (PluginKit's SignInLimits; default 10 per 60 s per account
//                       name, counted in the store, and 30 per 60 s per address)
import PluginAPI
import PluginKit

struct ConsoleOptions: Sendable {
    var sessionTTLSeconds: Int64 = 28_800
    var maxBodyBytes = 65_536
    var loginLimits = SignInLimits.standard

    init(_ options: PluginOptions) throws(PluginError) {
        try options.rejectUnknown(["sessionTTLSeconds", "maxBodyBytes", "loginRateLimit"])
        if let ttl = try options.int("sessionTTLSeconds", in: 60...604_800) { sessionTTLSeconds = Int64(ttl) }
        if let max = try options.int("maxBodyBytes", in: 1024...1_048_576) { maxBodyBytes = max }
        loginLimits = try SignInLimits(option: options.value("loginRateLimit"))
    }
}
