// The first ADMIN from the configuration. Erizos has no default account
// (the original's admin/admin); an operator who mounts Erizos without a
// dialect that installs an administrator (MCSManager's /api/auth/install)
// names one in the options:
//
//   "firstAdmin": {"username": "admin", "passwordEnv": "ERIZOS_ADMIN_PASSWORD"}
//
// At start, and only while no enabled user holds ADMIN, that account is
// created with the password read from the environment variable (never from
// the config file). Several workers or hosts starting at once create it
// once: the username is unique, and the loser's CONFLICT is the answer. An
// existing user of that name is never promoted.
import Glibc
import PluginAPI
import PluginKit

struct FirstAdmin: Sendable {
    var username: String
    var passwordEnv: String

    init?(_ options: PluginOptions) throws(PluginError) {
        guard let object = try options.object("firstAdmin") else { return nil }
        let o = PluginOptions(object)
        do { try o.rejectUnknown(["username", "passwordEnv"]) } catch {
            throw PluginError.invalid("option \"firstAdmin\": \(error.message)")
        }
        guard let username = try o.string("username"), UserInput.validUsername(username) else {
            throw PluginError.invalid("option \"firstAdmin.username\" must be a non-empty username")
        }
        guard let variable = try o.string("passwordEnv"), !variable.isEmpty else {
            throw PluginError.invalid("option \"firstAdmin.passwordEnv\" must name an environment variable holding the password")
        }
        self.username = username
        self.passwordEnv = variable
    }

    /// Creates the account when the directory has no ADMIN.
    func ensure(_ host: Host) throws {
        let directory = host.directory
        var admins = UserQuery()
        admins.hasRole = ErizosRole.adminSlug
        admins.flagsMask = PROTEUS_USER_DISABLED
        admins.limit = 1
        guard try directory.searchUsers(admins).users.isEmpty else { return }
        guard let value = getenv(passwordEnv), let password = String(validatingCString: value), !password.isEmpty else {
            throw PluginError.invalid("option \"firstAdmin.passwordEnv\": the environment variable \(passwordEnv) is not set (or empty), and the directory has no ADMIN yet")
        }
        var record = UserRecord(id: proteus_id(randomBytes: try host.randomBytes(16)).byteArray)
        record.username = username
        record.passwordHash = try host.enroll(method: "password", secret: password)
        record.roles = [ErizosRole.adminSlug]
        record.documents = [ErizosDocument().record]
        do {
            try directory.createUser(record)
            host.info("created the first ADMIN \"\(username)\" (option firstAdmin)")
        } catch let e as PluginError where e.code == PROTEUS_E_CONFLICT {
            if try directory.user(username: username)?.roles.contains(ErizosRole.adminSlug) != true {
                host.warn("option firstAdmin: a user named \"\(username)\" exists and is not an ADMIN; no administrator was created")
            }
        }
    }
}
