// Login tokens: compact JWS, HS256, signed with host->mac (a key the host
// derives from its secret key for this plugin and the purpose
// "listenmoe.jwt"; the key never leaves the host). Every worker and every
// host sharing the secret key verifies them, also after a restart.
//
// Two kinds, signed under two purposes (so two keys): full tokens
// ("listenmoe.jwt", tokenLifetimeSeconds) for every route, and MFA-pending
// tokens ("listenmoe.jwt.mfa-pending", 5 minutes) that POST /login returns
// to a user with MFA on and that only POST /login/mfa accepts. A token of
// one kind never verifies as the other: its signature is under another key.
//
// Payload: {"sub": <dashed uuid>, "ver": <token version>, "cred": <tag>,
//           "iat": <unix s>, "exp": <unix s>}
//
// A token is accepted only while, at every request:
//  - its signature verifies and it has not expired;
//  - the user exists and is not disabled;
//  - "ver" equals the token version in the user's listenmoe document
//    (bumped by changes made here: MFA on/off, a password change);
//  - "cred" equals the credential tag of the user's current credentials:
//    the first 12 bytes of host->mac("listenmoe.credential",
//    id || MFA flag || password hash). A password changed, or MFA turned on
//    or off, through any dialect changes what the tag covers, so every older
//    token fails without that dialect knowing about tokens (it also ends
//    them when a dialect re-hashes a legacy password at sign-in). The tag
//    is keyed, so it tells a reader nothing about the hash.
// Anything else is 401 "Invalid authorization.".
import PluginAPI
import PluginKit
import ProteusJSON

final class Tokens: @unchecked Sendable {
    enum Kind {
        case full, mfaPending

        var signingPurpose: String { self == .full ? "listenmoe.jwt" : "listenmoe.jwt.mfa-pending" }
    }

    static let credentialPurpose = "listenmoe.credential"
    /// How long a user has to type the code after the password.
    static let mfaPendingLifetimeSeconds: Int64 = 300

    let host: Host
    let directory: Directory
    let lifetimeSeconds: Int64

    init(host: Host, lifetimeSeconds: Int64) throws(PluginError) {
        guard host.offersMAC else {
            throw .unsupported("the listenmoe dialect signs its tokens with host->mac: the host table lacks it")
        }
        self.host = host
        self.directory = host.directory
        self.lifetimeSeconds = lifetimeSeconds
    }

    /// A new token for `user` (read with its listenmoe document).
    func issue(for user: UserRecord, kind: Kind = .full) throws -> String {
        let now = host.nowMillis() / 1000
        let payload: JSONObject = [
            "sub": .string(proteus_id(byteArray: user.id).dashedUUID),
            "ver": JSONValue(ListenMoeDocument(user).tokenVersion),
            "cred": .string(try credentialTag(user)),
            "iat": JSONValue(now),
            "exp": JSONValue(now + (kind == .full ? lifetimeSeconds : Self.mfaPendingLifetimeSeconds)),
        ]
        return try CompactJWS.sign(payload) { try host.mac(purpose: kind.signingPurpose, message: $0) }
    }

    /// The caller named by the Authorization header: nil without one;
    /// 401 "Invalid authorization." for one that does not verify.
    func caller(_ request: Request, kind: Kind = .full) throws(LMFailure) -> UserRecord? {
        guard let header = request.header("authorization") else { return nil }
        guard let token = Self.bearerToken(header),
              let payload = CompactJWS.verify(token, mac: { try host.mac(purpose: kind.signingPurpose, message: $0) },
                                              equal: { host.constantTimeEqual($0, $1) }),
              let subject = payload["sub"]?.stringValue, let id = proteus_id(dashedUUID: subject),
              let version = payload["ver"]?.intValue, let tag = payload["cred"]?.stringValue,
              let expires = payload["exp"]?.intValue, payload["iat"]?.intValue != nil,
              Int64(expires) > host.nowMillis() / 1000 else { throw .invalidAuthorization }
        let found: UserRecord?
        do { found = try directory.user(id: id.byteArray, documents: ListenMoeDocument.namespace) } catch { throw .backend(error) }
        guard let user = found, !user.isDisabled, ListenMoeDocument(user).tokenVersion == version else { throw .invalidAuthorization }
        let current: String
        do { current = try credentialTag(user) } catch { throw .backend(error) }
        guard host.constantTimeEqual(Array(current.utf8), Array(tag.utf8)) else { throw .invalidAuthorization }
        return user
    }

    /// Like caller, but a missing Authorization is 401 too.
    func requiredCaller(_ request: Request, kind: Kind = .full) throws(LMFailure) -> UserRecord {
        guard let user = try caller(request, kind: kind) else { throw .invalidAuthorization }
        return user
    }

    /// "Bearer <token>" (scheme in any case); nil for anything else.
    static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }

    private func credentialTag(_ user: UserRecord) throws(PluginError) -> String {
        let message = user.id + [user.isMFAEnabled ? 1 : 0] + Array((user.passwordHash ?? "").utf8)
        let tag = try host.mac(purpose: Self.credentialPurpose, message: message)
        return Base64.encode(tag.prefix(12), urlSafe: true, padding: false)
    }
}
