// The caller's own profile and password. A profile update writes
// display_name and email only (never role or group); fields left out stay.
import PluginAPI
import PluginKit
import ProteusJSON

final class ProfileRoutes: @unchecked Sendable {
    let host: Host
    let ids: LoginIDs
    private let directory: Directory

    init(host: Host, ids: LoginIDs) {
        self.host = host
        self.ids = ids
        self.directory = host.directory
    }

    // MARK: GET /users/me/profile

    func get(_ request: Request, _ response: Response) throws {
        let caller = try ids.caller(request)
        response.json(200, UserView.profile(caller.user))
    }

    // MARK: PUT /users/me/profile {display_name?, email?}

    func update(_ request: Request, _ response: Response) throws {
        let caller = try ids.caller(request)
        let body = try RequestBody(request)
        let displayName = try body.optionalString("display_name")
        let email = try body.optionalString("email")
        if let display = displayName ?? nil, display.utf8.count > 200 || display.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            throw Failure.validation(Failure.Issue(loc: ["body", "display_name"], msg: "String should have at most 200 printable characters", type: "string_too_long"))
        }
        if let address = email ?? nil, !Self.isEmail(address) {
            throw Failure.validation(Failure.Issue(loc: ["body", "email"], msg: "value is not a valid email address", type: "value_error"))
        }
        var fields: UInt64 = 0
        var changes = UserRecord(id: caller.user.id)
        if let displayName { changes.displayName = displayName; fields |= PROTEUS_FIELD_DISPLAY_NAME }
        if let email {
            // Emails sign in: one address names one user.
            if let address = email, let other = try directory.user(email: address), other.id != caller.user.id {
                throw Failure(409, "Email is already in use")
            }
            changes.email = email
            fields |= PROTEUS_FIELD_EMAIL
        }
        if fields != 0 {
            do { try directory.updateUser(changes, fields: fields) } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
                throw Failure.notAuthenticated
            }
        }
        guard let updated = try directory.user(id: caller.user.id) else { throw Failure.notAuthenticated }
        response.json(200, UserView.profile(updated))
    }

    static func isEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
            && s.utf8.count <= 254 && !s.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7F }
    }

    /// Over-long passwords and verifiers no plugin reads are a mismatch.
    private func verifies(_ presented: String, _ stored: String) throws -> Bool {
        let result = Result { () throws(PluginError) in try host.verify(method: "password", presented: presented, stored: stored) }
        switch result {
        case .success(let v): return v.accepted
        case .failure(let e) where e.code == PROTEUS_E_TOO_LARGE || e.code == PROTEUS_E_INVALID: return false
        case .failure(let e): throw Failure.backend(e)
        }
    }

    private func enroll(_ password: String) throws -> String {
        let result = Result { () throws(PluginError) in try host.enroll(method: "password", secret: password) }
        switch result {
        case .success(let hash): return hash
        case .failure(let e) where e.code == PROTEUS_E_TOO_LARGE || e.code == PROTEUS_E_INVALID:
            throw Failure.validation(Failure.Issue(loc: ["body", "new_password"], msg: "Password is not acceptable: \(e.message)", type: "value_error"))
        case .failure(let e): throw Failure.backend(e)
        }
    }

    // MARK: PUT /users/password {old_password, new_password}

    func changePassword(_ request: Request, _ response: Response) throws {
        let caller = try ids.caller(request)
        let body = try RequestBody(request)
        let fields = try body.strings(["old_password", "new_password"])
        let (old, new) = (fields[0], fields[1])
        guard !new.isEmpty else {
            throw Failure.validation(Failure.Issue(loc: ["body", "new_password"], msg: "String should have at least 1 character", type: "string_too_short"))
        }
        guard let stored = caller.user.passwordHash else { throw Failure(400, "This account has no password") }
        guard try verifies(old, stored) else { throw Failure(403, "Current password is incorrect") }
        let hash = try enroll(new)
        var changes = UserRecord(id: caller.user.id)
        changes.passwordHash = hash
        // Only if nobody changed the user since the old password was checked.
        do { try directory.updateUser(changes, fields: PROTEUS_FIELD_PASSWORD_HASH, expectedVersion: caller.user.version) } catch let e as PluginError where e.code == PROTEUS_E_STALE {
            throw Failure(409, "The account was changed concurrently, please retry")
        }
        response.json(200, ["message": "Password updated successfully"])
    }
}
