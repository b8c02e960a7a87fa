// Making users the way the panel does, for sign-up by an administrator
// (AdminRoutes) and the first administrator's install (SessionRoutes): the
// password's verifier with the panel's errors, and the new record.
import PluginAPI
import PluginKit

/// Password enrollment with the panel's error mapping.
enum Passwords {
    static func enroll(_ host: Host, _ password: String) throws -> String {
        do { return try host.enroll(method: "password", secret: password) } catch where error.code == PROTEUS_E_TOO_LARGE || error.code == PROTEUS_E_INVALID {
            throw MCSMFailure(400, MCSMFailure.invalidPassword)
        } catch {
            throw MCSMFailure.backend(error)
        }
    }
}

/// A new directory user as the panel creates one.
enum NewUser {
    static func make(_ host: Host, username: String, passwordHash: String, level: Int) throws -> UserRecord {
        var record = UserRecord(id: proteus_id(randomBytes: try host.randomBytes(16)).byteArray)
        record.username = username
        record.passwordHash = passwordHash
        let mapped = Permission.apply(level, roles: [], flags: 0)
        record.roles = mapped.roles
        record.flags = mapped.flags
        record.createdAt = host.nowMillis()
        record.documents = [PanelDocument.fresh().record]
        return record
    }
}
