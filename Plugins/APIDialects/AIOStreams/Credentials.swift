// Where a request's credentials come from: `Authorization: Basic
// base64(uuid:password)` (AIOStreams v2.30+) or the query/body fields of the
// seed page. The password may be an encryptedPassword token.
import PluginKit

struct Credentials {
    var user: String
    var password: String
}

enum CredentialSource {
    /// The Basic credentials, nil when there is no Authorization header.
    /// Malformed headers fail as the original does (400 BAD_REQUEST).
    static func basic(_ request: Request) throws(AIOFailure) -> Credentials? {
        guard let header = request.header("authorization"), !header.isEmpty else { return nil }
        guard header.hasPrefix("Basic ") else {
            throw AIOFailure(.badRequest, "Invalid Authorization header: expected 'Basic <base64>'")
        }
        let encoded = String(header.dropFirst("Basic ".count)).trimmingSpacesAndTabs()
        guard let decoded = Base64.decode(encoded, urlSafe: false), let text = String(validating: decoded, as: UTF8.self) else {
            throw AIOFailure(.badRequest, "Invalid Authorization header: malformed base64")
        }
        guard let colon = text.firstIndex(of: ":") else {
            throw AIOFailure(.badRequest, "Invalid basic auth format: expected 'uuid:password'")
        }
        let user = String(text[..<colon])
        let password = String(text[text.index(after: colon)...])
        guard !user.isEmpty, !password.isEmpty else {
            throw AIOFailure(.badRequest, "Missing username or password in basic auth")
        }
        return Credentials(user: user, password: password)
    }
}
