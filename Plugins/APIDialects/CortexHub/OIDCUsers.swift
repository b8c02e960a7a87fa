// The user behind a verified ID token: found by (issuer, subject) through
// the store's identity links ONLY — never by email, which a provider lets
// users set and which another account may share — or created with a fresh
// id and linked. A new user's username is preferred_username when free,
// else a derivative with a random suffix, else none; email and display name
// come from the claims. Bootstrap admins match by a verified email here.
import PluginAPI
import PluginKit
import ProteusJSON

struct OIDCUsers {
    let host: Host
    let issuer: String
    let signIn: SignInRoutes
    private var directory: Directory { host.directory }

    init(host: Host, issuer: String, signIn: SignInRoutes) {
        self.host = host
        self.issuer = issuer
        self.signIn = signIn
    }

    /// The signed-in user (sign-in recorded); 403 for a banned one.
    func signIn(_ claims: IDTokenClaims) throws -> UserRecord {
        let user = try linkedUser(claims.subject) ?? create(claims)
        guard !user.isDisabled else { throw Failure(403, "This account is disabled") }
        let bootstrapEmail = claims.emailVerified ? claims.email?.lowercased() : nil
        return try signIn.recordSignIn(user, isBootstrap: { _ in
            guard let bootstrapEmail else { return false }
            return signIn.options.bootstrapAdmins.contains { $0.lowercased() == bootstrapEmail }
        })
    }

    private func linkedUser(_ subject: String) throws -> UserRecord? {
        let id: [UInt8]
        do { id = try directory.client.identityUser(provider: issuer, subject: subject) } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
            return nil
        }
        return try directory.user(id: id, documents: LoginIDs.namespace)
    }

    /// A new user linked to (issuer, subject); when a concurrent first
    /// sign-in of the same subject linked first, that one's user.
    private func create(_ claims: IDTokenClaims) throws -> UserRecord {
        var record = UserRecord(id: proteus_id(randomBytes: try host.randomBytes(16)).byteArray)
        record.email = claims.email.flatMap { Self.clean($0, max: 254) }
        record.displayName = claims.name.flatMap { Self.clean($0, max: 128) }
        record.createdAt = host.nowMillis()
        var created = false
        for username in try candidates(claims.preferredUsername) {
            record.username = username
            do {
                try directory.createUser(record)
                created = true
                break
            } catch let e as PluginError where e.code == PROTEUS_E_CONFLICT {
                continue // the username is taken: next candidate
            }
        }
        guard created else { throw Failure(500, "Internal Server Error") }
        do {
            try directory.client.link(IdentityRecord(provider: issuer, subject: claims.subject, userID: record.id))
        } catch let e as PluginError where e.code == PROTEUS_E_CONFLICT {
            try? directory.deleteUser(id: record.id)
            guard let winner = try linkedUser(claims.subject) else { throw Failure(409, "Sign-in conflict, please try again") }
            return winner
        } catch {
            try? directory.deleteUser(id: record.id)
            throw error
        }
        return try directory.user(id: record.id, documents: LoginIDs.namespace) ?? record
    }

    /// preferred_username, two random derivatives of it, then no username.
    private func candidates(_ preferred: String?) throws -> [String?] {
        guard let base = preferred.flatMap({ Self.clean($0, max: 48) }) else { return [nil] }
        var names: [String?] = [base]
        for _ in 0..<2 { names.append(base + "-" + Hex.encode(try host.randomBytes(3))) }
        names.append(nil)
        return names
    }

    /// The text trimmed, without control characters, within `max` bytes; nil when empty.
    private static func clean(_ text: String, max: Int) -> String? {
        let kept = String(String.UnicodeScalarView(text.unicodeScalars.filter { !$0.properties.generalCategory.isControl }))
            .trimmingSpacesAndTabs()
        guard !kept.isEmpty, kept.utf8.count <= max else { return nil }
        return kept
    }
}

private extension Unicode.GeneralCategory {
    var isControl: Bool { self == .control || self == .format || self == .lineSeparator || self == .paragraphSeparator }
}
