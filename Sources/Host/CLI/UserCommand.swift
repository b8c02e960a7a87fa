// `proteus user …`: operators manage the directory's users from the shell,
// on any store, with or without dialects mounted (`"dialects": []` is
// accepted). This is how the first administrator of a fresh install is
// made: there is no default password anywhere.
//
// The config is loaded and its plugins created as for `serve` (nothing is
// served). The command then works as a dialect would, through a host table
// of its own: the store through PluginKit's Directory, passwords hashed by
// the configured "password" auth method (host->auth_enroll, the path every
// dialect takes), never in the host. Standard output carries results only;
// logs go to standard error.
//
// Ending a user's access (`passwd`, `disable`, `sessions --revoke`) deletes
// the sessions of every namespace, as SCIM's deactivation does: that ends
// MCSManager, Erizos and Cortex Hub sessions; LISTEN.moe tokens end by
// themselves (they are bound to the password and refused for a disabled
// user), and API keys are kept, as an MCSManager ban keeps them (a disabled
// user's keys are refused at use).
import PluginAPI
import PluginKit

enum UserCommand {
    /// The directory's administrator role: every dialect maps its own
    /// administrator to it, and it is created when missing, as they do.
    static let adminRole = "admin"

    static func run(_ arguments: Arguments) throws -> Int32 {
        // Standard output is the command's result (an id, a list) alone.
        Logger.shared.useStandardError()
        let request = try UserCommandArguments(arguments)
        let password = request.readsPassword ? try PasswordLine.read() : nil
        let assembly = try HostAssembly(try Commands.loadConfiguration(arguments, dialectsRequired: false))
        defer { assembly.close() }
        let users = UserAdministration(host: CLIAudit.operatorHost(assembly))
        switch request.action {
        case .add(let username, let email, let roles):
            print(try users.add(username: username, email: email, roles: roles, password: password ?? ""))
        case .list(let search):
            for line in try users.list(search: search) { print(line) }
        case .passwd(let name):
            let (user, ended) = try users.setPassword(name, password ?? "")
            print("password of \(UserAdministration.shown(user)) changed; \(ended) session(s) ended")
        case .disable(let name):
            let (user, ended) = try users.setDisabled(name, true)
            print("\(UserAdministration.shown(user)) disabled; \(ended) session(s) ended")
        case .enable(let name):
            let (user, _) = try users.setDisabled(name, false)
            print("\(UserAdministration.shown(user)) enabled")
        case .delete(let name):
            print("\(UserAdministration.shown(try users.delete(name))) deleted")
        case .roles(let name, let roles):
            let user = try users.setRoles(name, roles)
            print("roles of \(UserAdministration.shown(user)): \(roles.isEmpty ? "(none)" : roles.joined(separator: ","))")
        case .revokeSessions(let name):
            let (user, ended) = try users.endSessions(name)
            print("\(ended) session(s) of \(UserAdministration.shown(user)) ended")
        }
        return 0
    }
}
