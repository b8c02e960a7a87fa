// GET and PATCH /users/{username}, GET /users/{username}/roles.
import PluginAPI
import PluginKit
import ProteusJSON

final class UserRoutes: @unchecked Sendable {
    static let maxBioLength = 2000

    let host: Host
    let options: LMOptions
    let tokens: Tokens
    private let directory: Directory

    init(host: Host, options: LMOptions, tokens: Tokens) {
        self.host = host
        self.options = options
        self.tokens = tokens
        self.directory = host.directory
    }

    // MARK: GET /users/{username} — public; a bad Authorization is still 401

    func show(_ request: Request, _ response: Response) throws {
        let caller = try tokens.caller(request)
        let user = try target(request)
        let isSelf = caller.map { $0.id == user.id } ?? false
        Envelope.send(response, 200, "Successfully retrieved user.", ["user": UserView.user(user, options, showEmail: isSelf)])
    }

    // MARK: PATCH /users/{username} {bio} — the user themself or staff

    func updateBio(_ request: Request, _ response: Response) throws {
        let caller = try tokens.requiredCaller(request)
        let name = try RequestInput.username(request)
        let body = try RequestInput.body(request)
        guard body.keys == ["bio"], let value = body["bio"] else { throw LMFailure.invalidBody }
        let bio: String?
        switch value {
        case .null: bio = nil
        case .string(let text) where text.count <= Self.maxBioLength: bio = text
        default: throw LMFailure.invalidBody
        }
        // Read-modify-write of the document under the record's version; a
        // concurrent writer makes us re-read rather than lose its change.
        for _ in 0..<5 {
            guard let user = try lookup(name) else { throw LMFailure.noUser }
            try permit(caller, on: user)
            var doc = ListenMoeDocument(user)
            doc.bio = bio
            var changes = UserRecord(id: user.id)
            changes.documents = [doc.record]
            do {
                try directory.updateUser(changes, fields: PROTEUS_FIELD_DOCS, expectedVersion: user.version)
                // Staff changing someone else's bio is an administrative
                // change (audit log); the user's own is not.
                if caller.id != user.id {
                    host.audit(by: caller, "user.update", target: user, detail: "{\"fields\":[\"bio\"]}")
                }
                return Envelope.noContent(response)
            } catch let e as PluginError where e.code == PROTEUS_E_STALE {
                continue
            } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
                throw LMFailure.noUser
            } catch { throw LMFailure.backend(error) }
        }
        throw LMFailure.unavailable
    }

    // MARK: GET /users/{username}/roles — the user themself or staff

    func roles(_ request: Request, _ response: Response) throws {
        let caller = try tokens.requiredCaller(request)
        let user = try target(request)
        try permit(caller, on: user)
        Envelope.send(response, 200, "Successfully retrieved roles.", ["roles": UserView.roleLinks(user, options)])
    }

    // MARK: helpers

    /// The {username} of the route, or 400/404.
    private func target(_ request: Request) throws -> UserRecord {
        guard let user = try lookup(try RequestInput.username(request)) else { throw LMFailure.noUser }
        return user
    }

    private func lookup(_ name: String) throws -> UserRecord? {
        do { return try directory.user(username: name, documents: ListenMoeDocument.namespace) } catch { throw LMFailure.backend(error) }
    }

    /// Only the user themself or staff (the canonical administrator role).
    private func permit(_ caller: UserRecord, on user: UserRecord) throws(LMFailure) {
        guard caller.id == user.id || Self.isStaff(caller) else { throw .notAuthorized }
    }

    static func isStaff(_ user: UserRecord) -> Bool { !user.isDisabled && user.roles.contains(LMOptions.adminSlug) }
}
