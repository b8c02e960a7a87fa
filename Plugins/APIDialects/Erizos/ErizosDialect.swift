// Erizos Studio's users API (seed 004, reference erizos.md), mounted where
// its clients expect it (normally "/": the routes are /api/...). Express
// routes "/x" and "/x/" alike, so every route is listed twice.
import PluginAPI
import PluginKit
import ProteusJSON

final class ErizosDialect: DocumentedDialect, @unchecked Sendable {
    enum Route: Int, CaseIterable {
        case login, users, user, settings

        var path: String {
            switch self {
            case .login: return "/api/login"
            case .users: return "/api/users"
            case .user: return "/api/users/{id}"
            case .settings: return "/api/users/{id}/settings"
            }
        }

        var methods: String {
            switch self {
            case .login: return "POST"
            case .users: return "GET,HEAD,POST"
            case .user: return "GET,HEAD,PUT,DELETE"
            case .settings: return "DELETE"
            }
        }
    }

    let routes: [(methods: String, path: String)] = Route.allCases.flatMap { r in
        [(r.methods, r.path), (r.methods, r.path + "/")]
    }

    let host: Host
    private let login: LoginRoute
    private let users: UserRoutes

    init(host: Host, options: ErizosOptions) throws {
        self.host = host
        let access = Access(host: host, options: options)
        let ids = ObjectIDs(host: host, directory: host.directory)
        self.login = LoginRoute(access: access, ids: ids)
        self.users = UserRoutes(host: host, access: access, ids: ids)
        try ErizosRole.ensureExist(host.directory)
        try options.firstAdmin?.ensure(host)
    }

    func openAPIDocument(mount: String) throws(PluginError) -> String { ErizosOpenAPI.document(mount: mount) }

    func handle(_ request: Request, _ response: Response) {
        if request.hostStatus != 0 { return Self.hostDecided(request).render(response) }
        guard request.route >= 0, let route = Route(rawValue: Int(request.route) / 2) else {
            return ErizosFailure(404, "Not Found").render(response)
        }
        do {
            switch (route, request.method) {
            case (.login, _): try login.login(request, response)
            case (.users, "POST"): try users.create(request, response)
            case (.users, _): try users.list(request, response)
            case (.user, "PUT"): try users.update(request, response)
            case (.user, "DELETE"): try users.delete(request, response)
            case (.user, _): try users.get(request, response)
            case (.settings, _): try users.resetSettings(request, response)
            }
        } catch let failure as ErizosFailure {
            failure.render(response, offerBasic: route != .login && Self.mayUseBasic(request))
        } catch {
            if (error as? PluginError)?.code != PROTEUS_E_UNAVAILABLE { host.error("unexpected failure: \(error)") }
            ErizosFailure.backend(error).render(response)
        }
    }

    /// Requests that came with Basic credentials or none at all (scripts,
    /// tools that wait for a challenge) are offered Basic on a 401.
    private static func mayUseBasic(_ request: Request) -> Bool {
        switch RequestCredentials.read(request) {
        case .basic, .none: return true
        case .session, .malformed: return false
        }
    }

    /// 404, 405, 413, 503... decided by the host, in our envelope.
    private static func hostDecided(_ request: Request) -> ErizosFailure {
        let status = Int(request.hostStatus)
        let reason: String
        switch status {
        case 400: reason = "Bad Request"
        case 404: reason = "Not Found"
        case 405: reason = "Method Not Allowed"
        case 413: reason = "Payload Too Large"
        case 415: reason = "Unsupported Media Type"
        case 503: reason = "Service Unavailable"
        default: reason = request.hostReason.isEmpty ? "Error" : request.hostReason
        }
        return ErizosFailure(status, reason)
    }
}
