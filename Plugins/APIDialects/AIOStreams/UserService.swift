// The user operations behind the routes: existence, read, create, replace,
// delete, password change, verify.
import PluginAPI
import PluginKit
import ProteusJSON

final class UserService: @unchecked Sendable {
    let host: Host
    let options: AIOStreamsOptions
    private var directory: Directory { host.directory }
    /// "Unknown user" costs the same time as "wrong password".
    private let decoy: PasswordDecoy

    init(host: Host, options: AIOStreamsOptions) {
        self.host = host
        self.options = options
        self.decoy = PasswordDecoy(host: host)
    }

    // MARK: routes

    func exists(_ request: Request, _ response: Response) throws {
        var uuidText = request.query("uuid")
        if uuidText == nil, let basic = try CredentialSource.basic(request) { uuidText = basic.user }
        guard let uuidText else {
            throw AIOFailure(.missingRequiredFields, "uuid must be a string")
        }
        guard let id = options.resolve(uuidText) else { throw AIOFailure(.userInvalidDetails) }
        let user: UserRecord?
        do { user = try directory.user(id: id) } catch { throw AIOFailure.backend(error) }
        guard user != nil else { throw AIOFailure(.userInvalidDetails) }
        Envelope.success(response, detail: "User exists", data: .object(["uuid": .string(proteus_id(byteArray: id).dashedUUID)]))
    }

    func get(_ request: Request, _ response: Response) throws {
        let credentials = try queryOrBasic(request, missing: "uuid and password must be strings")
        let (user, password) = try authenticate(credentials, documents: PROTEUS_DOCS_ALL, openImported: true)
        touch(user)
        try requireReadableConfig(user)
        let token = try issueToken(password, user.id)
        Envelope.success(response, detail: "User details retrieved successfully", data: .object([
            "userData": userData(user),
            "encryptedPassword": .string(token),
        ]))
    }

    func create(_ request: Request, _ response: Response) throws {
        let body = try RequestBody.object(request)
        guard let config = body["config"], config.isTruthy, let passwordValue = body["password"], passwordValue.isTruthy else {
            throw AIOFailure(.missingRequiredFields, "config and password are required")
        }
        guard let password = passwordValue.stringValue else {
            throw AIOFailure(.missingRequiredFields, "password must be a string")
        }
        guard password.utf16.count >= options.minimumPasswordLength else { throw AIOFailure(.userNewPasswordTooShort) }
        guard case .object(var configObject) = config else { throw AIOFailure(.userInvalidConfig) }
        let hash = try enroll(password)
        let id = try host.randomBytes(16)
        var record = UserRecord(id: proteus_id(randomBytes: id).byteArray)
        configObject["uuid"] = .string(proteus_id(byteArray: record.id).dashedUUID)
        record.passwordHash = hash
        record.documents = [DocumentRecord(namespace: AIOStreamsDialect.namespace, json: JSONValue.object(configObject).serialized())]
        do { try directory.createUser(record) } catch { throw AIOFailure.backend(error) }
        let token = try issueToken(password, record.id)
        Envelope.success(response, status: 201, detail: "User was successfully created", data: .object([
            "uuid": .string(proteus_id(byteArray: record.id).dashedUUID),
            "encryptedPassword": .string(token),
        ]))
    }

    func update(_ request: Request, _ response: Response) throws {
        let body = try RequestBody.object(request)
        let credentials: Credentials
        if let basic = try CredentialSource.basic(request) {
            credentials = basic
            guard let config = body["config"], config.isTruthy else { throw AIOFailure(.missingRequiredFields, "config is required") }
        } else {
            guard let uuid = body["uuid"], uuid.isTruthy, let password = body["password"], password.isTruthy,
                  let config = body["config"], config.isTruthy else {
                throw AIOFailure(.missingRequiredFields, "uuid, password and config are required")
            }
            guard let u = uuid.stringValue, let p = password.stringValue else {
                throw AIOFailure(.missingRequiredFields, "uuid and password must be strings")
            }
            _ = config
            credentials = Credentials(user: u, password: p)
        }
        guard case .object(var configObject)? = body["config"] else { throw AIOFailure(.userInvalidConfig) }
        // Replace the whole config; the version check makes sure the password
        // we verified is still the user's when the write lands.
        let uuid = try writeVerified(credentials) { user, directory in
            configObject["uuid"] = .string(proteus_id(byteArray: user.id).dashedUUID)
            var changes = UserRecord(id: user.id)
            changes.documents = [DocumentRecord(namespace: AIOStreamsDialect.namespace, json: JSONValue.object(configObject).serialized())]
            try directory.updateUser(changes, fields: PROTEUS_FIELD_DOCS, expectedVersion: user.version)
        }
        Envelope.success(response, detail: "User updated successfully", data: .object([
            "uuid": .string(uuid),
            "userData": .object(configObject),
        ]))
    }

    func delete(_ request: Request, _ response: Response) throws {
        let credentials: Credentials
        if let basic = try CredentialSource.basic(request) {
            credentials = basic
        } else {
            let body = try RequestBody.object(request)
            guard let uuid = body["uuid"], uuid.isTruthy, let password = body["password"], password.isTruthy else {
                throw AIOFailure(.missingRequiredFields)
            }
            guard let u = uuid.stringValue, let p = password.stringValue else {
                throw AIOFailure(.missingRequiredFields, "uuid and password must be strings")
            }
            credentials = Credentials(user: u, password: p)
        }
        _ = try writeVerified(credentials) { user, directory in
            try directory.deleteUser(id: user.id, expectedVersion: user.version)
        }
        Envelope.success(response, detail: "User deleted successfully", data: nil)
    }

    /// Authenticates, then runs a write conditioned on the version that was
    /// verified; on STALE (a concurrent change, maybe of the password) it
    /// verifies again. Returns the user's dashed UUID.
    ///
    /// The password is checked (KDF) once: a retry re-reads the user and
    /// only verifies again when its verifier or disabled flag changed. (It
    /// used to verify on every attempt, which kept the race window as wide as
    /// a KDF run: two clients writing the same user in a loop lost three
    /// times in a row about once in eight writes, answered 500.)
    private func writeVerified(_ credentials: Credentials, _ write: (UserRecord, Directory) throws -> Void) throws -> String {
        let attempts = 5
        var verified: UserRecord?
        for attempt in 0..<attempts {
            let user: UserRecord
            if let previous = verified {
                let fresh: UserRecord?
                do { fresh = try directory.user(id: previous.id) } catch { throw AIOFailure.backend(error) }
                guard let fresh else { throw AIOFailure(.userInvalidDetails) }
                if fresh.passwordHash == previous.passwordHash && fresh.isDisabled == previous.isDisabled {
                    user = fresh
                } else {
                    user = try authenticate(credentials, documents: nil).0
                }
            } else {
                user = try authenticate(credentials, documents: nil).0
            }
            verified = user
            do {
                try write(user, directory)
                return proteus_id(byteArray: user.id).dashedUUID
            } catch let e as PluginError where e.code == PROTEUS_E_STALE {
                if attempt < attempts - 1 { continue }
            } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
                throw AIOFailure(.userInvalidDetails)
            } catch let e as PluginError {
                throw AIOFailure.backend(e)
            }
        }
        throw AIOFailure(.databaseError, "The user was changed concurrently, please retry")
    }

    func changePassword(_ request: Request, _ response: Response) throws {
        guard let credentials = try CredentialSource.basic(request) else {
            throw AIOFailure(.missingRequiredFields, "Authorization header (Basic) with the current password is required")
        }
        let body = try RequestBody.object(request)
        guard let newValue = body["newPassword"], newValue.isTruthy else {
            throw AIOFailure(.missingRequiredFields, "newPassword is required")
        }
        guard let newPassword = newValue.stringValue else {
            throw AIOFailure(.missingRequiredFields, "newPassword must be a string")
        }
        guard newPassword.utf16.count >= options.minimumPasswordLength else { throw AIOFailure(.userNewPasswordTooShort) }
        let (user, _) = try authenticate(credentials, documents: PROTEUS_DOCS_ALL, openImported: true)
        // The original re-encrypts the config under the new password, so it
        // must read it first: a config it cannot open fails the change.
        try requireReadableConfig(user)
        if let stored = user.passwordHash, (try? host.verify(method: "password", presented: newPassword, stored: stored))?.accepted == true {
            throw AIOFailure(.userNewPasswordTooSimple, "New password cannot be the same as the current password")
        }
        var changes = UserRecord(id: user.id)
        changes.passwordHash = try enroll(newPassword)
        do {
            try directory.updateUser(changes, fields: PROTEUS_FIELD_PASSWORD_HASH, expectedVersion: user.version)
        } catch let e as PluginError where e.code == PROTEUS_E_STALE || e.code == PROTEUS_E_NOT_FOUND {
            // The password changed (or the user vanished) since we verified it.
            throw AIOFailure(.userInvalidDetails)
        } catch {
            throw AIOFailure.backend(error)
        }
        let token = try issueToken(newPassword, user.id)
        Envelope.success(response, detail: "Password changed successfully", data: .object(["encryptedPassword": .string(token)]))
    }

    func verify(_ request: Request, _ response: Response) throws {
        let credentials = try queryOrBasic(request, missing: "Authorization header (Basic) is required")
        let (user, _) = try authenticate(credentials, documents: PROTEUS_DOCS_ALL, openImported: true)
        Envelope.success(response, detail: "Credentials verified successfully", data: .object([
            "uuid": .string(proteus_id(byteArray: user.id).dashedUUID),
            "createdAt": .string(ISOTime.format(millis: user.createdAt)),
        ]))
    }

    // MARK: helpers

    /// Basic credentials when present, else `?uuid=&password=`.
    private func queryOrBasic(_ request: Request, missing: String) throws -> Credentials {
        if let basic = try CredentialSource.basic(request) { return basic }
        guard let uuid = request.query("uuid"), let password = request.query("password") else {
            throw AIOFailure(.missingRequiredFields, missing)
        }
        return Credentials(user: uuid, password: password)
    }

    /// Resolves the uuid or alias, loads the user and checks the password
    /// (plain, or an encryptedPassword token). Every failure is the same
    /// USER_INVALID_DETAILS. Returns the user and the plain password. With
    /// `openImported` (documents must then include "aiostreams" and
    /// "aiostreams.import", i.e. all) an imported config still sealed is
    /// opened and stored (ImportedConfig.swift); the returned user has it.
    private func authenticate(_ credentials: Credentials, documents: String?, openImported: Bool = false) throws -> (UserRecord, String) {
        guard let id = options.resolve(credentials.user) else {
            decoy.burn(credentials.password)
            throw AIOFailure(.userInvalidDetails)
        }
        var password = credentials.password
        if PasswordToken.looksLikeToken(password) {
            guard let opened = PasswordToken.open(password, userID: id, host: host, originalKey: options.originalTokenKey) else {
                throw AIOFailure(.userInvalidDetails)
            }
            password = opened
        }
        let found: UserRecord?
        do { found = try directory.user(id: id, documents: documents) } catch { throw AIOFailure.backend(error) }
        guard let user = found, user.passwordHash != nil else {
            decoy.burn(password)
            throw AIOFailure(.userInvalidDetails)
        }
        // The directory's rules (host->auth_sign_in): an over-long password
        // and a banned user get a wrong password's answer, and a user with a second factor on cannot use
        // AIOStreams, whose per-request password has no place for one.
        let signIn: Host.SignIn
        do { signIn = try host.signIn(user, password: password) } catch { throw AIOFailure.backend(error) }
        let rehash: Bool
        switch signIn {
        case .accepted(let needsRehash): rehash = needsRehash
        case .denied: throw AIOFailure(.userInvalidDetails)
        case .secondFactorRequired: throw AIOFailure.secondFactorRequired
        }
        var signedIn = user
        let opened = openImported ? openImportedConfig(&signedIn, password) : []
        if rehash || !opened.isEmpty, let written = afterSignIn(user, password, rehash: rehash, documents: opened) {
            // (So a write conditioned on the verified version, as a password change is, still matches.)
            signedIn.version = written.version
            if let hash = written.passwordHash { signedIn.passwordHash = hash }
        }
        return (signedIn, password)
    }

    /// Re-hashes a legacy or weaker verifier after a successful login and
    /// stores an imported config just opened, in one write. Best effort: a
    /// concurrent change simply wins (the next sign-in does it again).
    /// Returns the user's new version and verifier when written.
    private func afterSignIn(_ user: UserRecord, _ password: String, rehash: Bool, documents: [DocumentRecord]) -> (version: UInt64, passwordHash: String?)? {
        var changes = UserRecord(id: user.id)
        var fields: UInt64 = 0
        if rehash, let hash = try? host.enroll(method: "password", secret: password) {
            changes.passwordHash = hash
            fields |= PROTEUS_FIELD_PASSWORD_HASH
        }
        if !documents.isEmpty {
            changes.documents = documents
            fields |= PROTEUS_FIELD_DOCS
        }
        guard fields != 0, let version = try? directory.updateUser(changes, fields: fields, expectedVersion: user.version) else { return nil }
        return (version, changes.passwordHash)
    }

    /// The documents to write when `user` (signed in with `password`) has an
    /// imported config still sealed: the opened config and the import
    /// document marked opened; `user` gets them in memory. Empty when there
    /// is nothing to open or it cannot be opened (no or the wrong
    /// `importedSecretKey`: logged).
    private func openImportedConfig(_ user: inout UserRecord, _ password: String) -> [DocumentRecord] {
        guard let imported = ImportedConfig(user), imported.sealed else { return [] }
        var documents = [DocumentRecord(namespace: ImportedConfig.namespace, json: imported.opened.json)]
        if user.document(AIOStreamsDialect.namespace) == nil {
            // (A PUT since the import replaced the config: nothing to open, only to mark.)
            guard let secretKey = options.importedSecretKey else {
                host.warn("user \(proteus_id(byteArray: user.id).dashedUUID) has an imported config that is still sealed: set the option \"importedSecretKey\" to the original server's SECRET_KEY")
                return []
            }
            guard let config = imported.open(password: password, secretKey: secretKey, userID: user.id) else {
                host.warn("user \(proteus_id(byteArray: user.id).dashedUUID): the imported config does not open with the password and \"importedSecretKey\" (is it the original server's SECRET_KEY?)")
                return []
            }
            documents.append(DocumentRecord(namespace: AIOStreamsDialect.namespace, json: JSONValue.object(config).serialized()))
        }
        for document in documents {
            user.documents.removeAll { $0.namespace == document.namespace }
            user.documents.append(document)
        }
        return documents
    }

    /// The original's answer for a config it cannot decrypt (500
    /// ENCRYPTION_ERROR) when `user`'s imported config is still sealed.
    private func requireReadableConfig(_ user: UserRecord) throws {
        if user.document(AIOStreamsDialect.namespace) == nil, let imported = ImportedConfig(user), imported.sealed {
            throw AIOFailure(.encryptionError)
        }
    }

    private func enroll(_ password: String) throws -> String {
        do { return try host.enroll(method: "password", secret: password) } catch where error.code == PROTEUS_E_TOO_LARGE {
            throw AIOFailure(.badRequest, "Password is too long")
        } catch {
            throw AIOFailure.backend(error)
        }
    }

    private func issueToken(_ password: String, _ id: [UInt8]) throws -> String {
        do { return try PasswordToken.issue(password: password, userID: id, host: host) } catch {
            throw AIOFailure(.encryptionError)
        }
    }

    /// The stored config with `uuid` set (an empty object when this user was
    /// created by another dialect).
    private func userData(_ user: UserRecord) -> JSONValue {
        var config = JSONObject()
        if let text = user.document(AIOStreamsDialect.namespace), case .object(let o)? = try? JSONParser.parse(text) {
            config = o
        }
        config["uuid"] = .string(proteus_id(byteArray: user.id).dashedUUID)
        return .object(config)
    }

    /// Records the access time (for pruning), at most once an hour per user.
    private func touch(_ user: UserRecord) {
        let now = host.nowMillis()
        guard now - user.accessedAt > 3_600_000 else { return }
        var changes = UserRecord(id: user.id)
        changes.accessedAt = now
        // Not a content change: no version check, and a failure is harmless.
        _ = try? directory.updateUser(changes, fields: PROTEUS_FIELD_ACCESSED_AT)
    }
}
