// Verifies an ID token (OIDC Core §3.1.3.7): RS256/ES256 signature against
// the provider's JWKS (PluginKit's PublicKeyJWS: "alg": "none", HS256 and
// every other algorithm are refused before any key is looked at), then iss,
// aud (+ azp with several audiences), exp with 60 s leeway, iat not in the
// future, and the nonce this sign-in sent.
import PluginAPI
import PluginKit
import ProteusJSON

struct IDTokenClaims {
    var subject: String
    var email: String?
    var emailVerified: Bool
    var name: String?
    var preferredUsername: String?
}

struct IDTokenVerifier {
    static let leewaySeconds: Int64 = 60

    let host: Host
    let provider: OIDCProvider

    /// The claims of a token that passes every check; 401 for any other.
    func verify(_ token: String, nonce: String) throws -> IDTokenClaims {
        func refuse(_ why: String) -> Failure { Failure(401, "The ID token was refused: \(why)") }
        guard let parsed = PublicKeyJWS.parse(token) else { throw refuse("malformed, or not signed with RS256 or ES256") }
        let key: JWKPublicKey?
        do { key = try provider.key(for: parsed) } catch { throw provider.answer(error) }
        guard let key else { throw refuse("signed with an unknown key") }
        guard PublicKeyJWS.verify(parsed, with: key) else { throw refuse("bad signature") }

        let claims = parsed.payload
        let config = provider.config
        guard claims["iss"]?.stringValue == config.issuer else { throw refuse("wrong issuer") }
        let audiences: [String]
        switch claims["aud"] {
        case .string(let one)?: audiences = [one]
        case .array(let many)?: audiences = many.compactMap(\.stringValue)
        default: audiences = []
        }
        guard audiences.contains(config.clientID) else { throw refuse("wrong audience") }
        if audiences.count > 1 || claims["azp"] != nil {
            guard claims["azp"]?.stringValue == config.clientID else { throw refuse("wrong authorized party") }
        }
        let now = host.nowMillis() / 1000
        guard let exp = claims["exp"]?.numberValue?.int64, now < exp + Self.leewaySeconds else { throw refuse("expired") }
        guard let iat = claims["iat"]?.numberValue?.int64, iat <= now + Self.leewaySeconds else { throw refuse("issued in the future") }
        guard let sent = claims["nonce"]?.stringValue,
              host.constantTimeEqual(Array(sent.utf8), Array(nonce.utf8)) else { throw refuse("wrong nonce") }
        guard let subject = claims["sub"]?.stringValue, !subject.isEmpty, subject.utf8.count <= 255 else {
            throw refuse("no subject")
        }
        return IDTokenClaims(subject: subject, email: claims["email"]?.stringValue,
                             emailVerified: claims["email_verified"]?.boolValue ?? false, name: claims["name"]?.stringValue,
                             preferredUsername: claims["preferred_username"]?.stringValue)
    }
}
