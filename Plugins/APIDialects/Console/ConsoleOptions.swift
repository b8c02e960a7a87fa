// The console's options:
//
//   sessionTTLSeconds   how long a console session lasts, 60...604800 (default 28800: 8 h)
//   maxBodyBytes        the largest JSON body the data API reads, 1024...1048576
//                       (default 65536; the host's limits.maxBodyBytes applies first)
//   loginRateLimit      false, or {"perAccount": {...}, "perIP": {...}}: failed sign-ins
//                       allowed per window, as MCSManager's option of that name
//                       (PluginKit's SignInLimits; default 10 per 60 s per account
//                       name, counted in the store, and 30 per 60 s per address)
//   mfaIssuer           the issuer an authenticator app shows for an administrator
//                       enrolled on the Security page, 1 to 64 bytes (default "Proteus")
//   searchTotalCap      most users a search counts exactly, 1...1000000 (default 10000):
//                       past it the page says "at least" (the store's total_cap, ABI 2.6),
//                       so a search matching a million users costs what one matching
//                       the cap does
//
// Wrong codes and passwords on the Security page are limited per account to
// 5 per 300 s (as LISTEN.moe's default mfaRateLimit), counted in the store.
import PluginAPI
import PluginKit

struct ConsoleOptions: Sendable {
    var sessionTTLSeconds: Int64 = 28_800
    var maxBodyBytes = 65_536
    var loginLimits = SignInLimits.standard
    var mfaIssuer = "Proteus"
    let mfaLimit = SignInLimit(failures: 5, windowSeconds: 300)
    var searchTotalCap: UInt64 = 10_000

    init(_ options: PluginOptions) throws(PluginError) {
        try options.rejectUnknown(["sessionTTLSeconds", "maxBodyBytes", "loginRateLimit", "mfaIssuer", "searchTotalCap"])
        if let ttl = try options.int("sessionTTLSeconds", in: 60...604_800) { sessionTTLSeconds = Int64(ttl) }
        if let max = try options.int("maxBodyBytes", in: 1024...1_048_576) { maxBodyBytes = max }
        if let cap = try options.int("searchTotalCap", in: 1...1_000_000) { searchTotalCap = UInt64(cap) }
        loginLimits = try SignInLimits(option: options.value("loginRateLimit"))
        if let issuer = try options.string("mfaIssuer") {
            guard (1...64).contains(issuer.utf8.count) else { throw .invalid("option \"mfaIssuer\" must be 1 to 64 bytes") }
            mfaIssuer = issuer
        }
    }
}
