// `proteus generate-users --config FILE --count N`: fills the config's store
// with synthetic users through the store's bulk path (users_import, one
// transaction per batch), for benchmarks. Usernames are "<prefix><n>" with a
// zero-padded number; every user gets the same password verifier (the
// config's password method enrolling "benchmark-password", once) so that
// sign-in works; one in ten holds the "admin" role.
import PluginAPI
import PluginKit

enum GenerateUsersCommand {
    static let password = "benchmark-password"

    static func run(_ arguments: Arguments) throws -> Int32 {
        guard let count = try arguments.integer("count", in: 1...100_000_000) else { throw UsageError("generate-users needs --count") }
        let prefix = arguments.values["prefix"] ?? "user"
        let batch = try arguments.integer("batch", in: 1...100_000) ?? 5000
        let assembly = try HostAssembly(try Commands.loadConfiguration(arguments))
        defer { assembly.close() }
        let host = Host(assembly.store.instance.hostTable)
        let client = StoreClient(assembly.store, host: host.api)
        _ = try client.putRole(RoleRecord(slug: "admin", name: "Administrator"))
        let verifier = try enrollPassword(assembly, host: host)
        let width = String(count - 1).count
        let progress = ProgressReporter("users")
        defer { progress.finish() }
        let started = Clock.monotonicNanos()
        var users: [UserRecord] = []
        users.reserveCapacity(batch)
        let now = Clock.nowMillis()
        for n in 0..<count {
            var u = UserRecord(id: proteus_id(randomBytes: SecureRandom.bytes(16)).byteArray)
            let number = String(n)
            u.username = prefix + String(repeating: "0", count: width - number.count) + number
            u.passwordHash = verifier
            u.createdAt = now + Int64(n)
            u.updatedAt = u.createdAt
            u.version = 1
            if n % 10 == 0 { u.roles = ["admin"] }
            users.append(u)
            if users.count == batch || n == count - 1 {
                try client.importUsers(users, mode: PROTEUS_IMPORT_INSERT)
                users.removeAll(keepingCapacity: true)
                progress.update(done: UInt64(n + 1), total: UInt64(count))
            }
        }
        progress.finish()
        let seconds = Double(Clock.monotonicNanos() - started) / 1e9
        print("generated \(count) users in \(Int(seconds)) s (\(Int(Double(count) / max(seconds, 0.001))) users/s)")
        return 0
    }

    /// The verifier of `password` from the config's first password plugin.
    private static func enrollPassword(_ assembly: HostAssembly, host: Host) throws -> String {
        guard let method = assembly.auth.methods["password"]?.first else {
            throw UsageError("generate-users needs a \"password\" auth method in the config")
        }
        return try host.withArena { arena throws(PluginError) in
            var stored = proteus_str()
            var err = proteus_error()
            let status = withProteusStr(password) { method.api.enroll(method.instance.instance, $0, arena, &stored, &err) }
            guard status == PROTEUS_OK, let text = stored.string else { throw PluginError(status: status, from: err) }
            return text
        }
    }
}
