// What credentials a request carries, before anything is looked up:
// the Authorization header wins (Bearer <session> or Basic user:password);
// without one, ?erizos-login=<session>.
import PluginKit

enum RequestCredentials: Equatable {
    case session(String)
    case basic(BasicCredentials)
    /// An Authorization header that is neither a well-formed Basic nor a Bearer.
    case malformed
    case none

    static let sessionQuery = "erizos-login"

    static func read(_ request: Request) -> RequestCredentials {
        if let header = request.header("authorization"), !header.isEmpty {
            let scheme = header.prefix { $0 != " " }.lowercased()
            switch scheme {
            case "bearer": return .session(String(header.dropFirst(6)).trimmingSpacesAndTabs())
            case "basic": return BasicCredentials.parse(header).map(RequestCredentials.basic) ?? .malformed
            default: return .malformed
            }
        }
        if let token = request.query(sessionQuery) { return .session(token) }
        return .none
    }
}
