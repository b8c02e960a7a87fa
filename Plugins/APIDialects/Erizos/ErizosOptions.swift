// The dialect's options. `{}` is a complete configuration.
//
//   sessionTTLSeconds  lifetime of a session from POST /api/login (default 30 days)
//   loginRateLimit     false, or {"perAccount": {"failures": N, "windowSeconds": S},
//                                 "perIP":      {"failures": N, "windowSeconds": S}}
//                      (default 10 failures per 60 s per account name, counted in
//                      the store for every host; 30 per 60 s per client address
//                      for POST /api/login, counted by each host). See SignInLimiter.
//   firstAdmin         {"username": U, "passwordEnv": VAR}: the first ADMIN, made at
//                      start while there is none (see FirstAdmin.swift)
import PluginKit

struct ErizosOptions: Sendable {
    var sessionTTLSeconds: Int64 = 30 * 86_400
    var limits = SignInLimits.standard
    var firstAdmin: FirstAdmin?

    init(_ options: PluginOptions) throws(PluginError) {
        try options.rejectUnknown(["sessionTTLSeconds", "loginRateLimit", "firstAdmin"])
        if let ttl = try options.int("sessionTTLSeconds", in: 60...(366 * 86_400)) { sessionTTLSeconds = Int64(ttl) }
        limits = try SignInLimits(option: options.value("loginRateLimit"))
        firstAdmin = try FirstAdmin(options)
    }
}
