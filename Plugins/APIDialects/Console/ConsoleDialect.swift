// The console's routes: the page and its assets, and the JSON data API the
// page calls. Every answer — pages, assets, data, errors, the host's own
// 404/405/413 — carries the same security headers (SecurityHeaders).
import PluginAPI
import PluginKit
import ProteusJSON

final class ConsoleDialect: DialectInstance, @unchecked Sendable {
    enum Route: Int, CaseIterable {
        case page, asset, session, users, user, userAction, groups, group, roles, role, plugins, audit, health
        case security, securityTOTP, securityTOTPConfirm

        var path: String {
            switch self {
            case .page: return "/"
            case .asset: return "/assets/{file}"
            case .session: return "/api/session"
            case .users: return "/api/users"
            case .user: return "/api/users/{id}"
            case .userAction: return "/api/users/{id}/{action}"
            case .groups: return "/api/groups"
            case .group: return "/api/groups/{id}"
            case .roles: return "/api/roles"
            case .role: return "/api/roles/{slug}"
            case .plugins: return "/api/plugins"
            case .audit: return "/api/audit"
            case .health: return "/api/health"
            case .security: return "/api/security"
            case .securityTOTP: return "/api/security/totp"
            case .securityTOTPConfirm: return "/api/security/totp/confirm"
            }
        }

        var methods: String {
            switch self {
            case .page, .asset, .users, .plugins, .audit, .health, .security: return "GET,HEAD"
            case .securityTOTP: return "POST,DELETE"
            case .securityTOTPConfirm: return "POST"
            case .session: return "GET,HEAD,POST,DELETE"
            case .user: return "GET,HEAD,DELETE"
            case .userAction: return "POST"
            case .groups, .roles: return "GET,HEAD,POST"
            case .group, .role: return "PUT,DELETE"
            }
        }
    }

    let routes: [(methods: String, path: String)] = Route.allCases.map { ($0.methods, $0.path) }

    let host: Host
    let options: ConsoleOptions
    let sessions: ConsoleSessions
    let users: UserRoutes
    let directoryRoutes: DirectoryRoutes
    let assets: AssetRoutes
    let audit: AuditRoutes
    let health: HealthRoutes
    let security: SecurityRoutes

    init(host: Host, options: ConsoleOptions) throws {
        self.host = host
        self.options = options
        sessions = ConsoleSessions(host: host, options: options)
        users = UserRoutes(host: host, sessions: sessions)
        directoryRoutes = DirectoryRoutes(host: host, sessions: sessions)
        assets = try AssetRoutes(host: host)
        audit = AuditRoutes(host: host, sessions: sessions)
        health = HealthRoutes(host: host, sessions: sessions)
        security = SecurityRoutes(host: host, sessions: sessions)
        // The role the console admits; created when missing, as every dialect does.
        if !(try host.directory.roles().contains { $0.slug == ConsoleSessions.adminRole }) {
            try host.directory.putRole(RoleRecord(slug: ConsoleSessions.adminRole, name: "Administrator"))
        }
    }

    func handle(_ request: Request, _ response: Response) {
        SecurityHeaders.add(to: response)
        if request.hostStatus != 0 {
            let status = Int(request.hostStatus)
            let (code, message): (String, String)
            switch status {
            case 404: (code, message) = ("not_found", "No such page or API route.")
            case 405: (code, message) = ("method_not_allowed", "This route does not take \(request.method).")
            case 413: (code, message) = ("too_large", "The request body is larger than the server accepts.")
            case 415: (code, message) = ("unsupported_media_type", "Unsupported media type.")
            case 503: (code, message) = ("unavailable", "The server is busy, please try again shortly.")
            default: (code, message) = ("bad_request", request.hostReason.isEmpty ? "Bad request." : request.hostReason)
            }
            return Self.fail(response, ConsoleFailure(status, code, message))
        }
        guard let route = Route(rawValue: Int(request.route)) else {
            return Self.fail(response, ConsoleFailure(404, "not_found", "No such page or API route."))
        }
        do {
            switch (route, request.method) {
            case (.page, _): assets.page(request, response)
            case (.asset, _): assets.asset(request, response)
            case (.session, "POST"): try sessions.signIn(request, response)
            case (.session, "DELETE"): try sessions.signOut(request, response)
            case (.session, _): try sessions.whoAmI(request, response)
            case (.users, _): try users.search(request, response)
            case (.user, "DELETE"): try users.delete(request, response)
            case (.user, _): try users.detail(request, response)
            case (.userAction, _): try users.action(request, response)
            case (.groups, "POST"): try directoryRoutes.createGroup(request, response)
            case (.groups, _): try directoryRoutes.listGroups(request, response)
            case (.group, "PUT"): try directoryRoutes.updateGroup(request, response)
            case (.group, _): try directoryRoutes.deleteGroup(request, response)
            case (.roles, "POST"): try directoryRoutes.createRole(request, response)
            case (.roles, _): try directoryRoutes.listRoles(request, response)
            case (.role, "PUT"): try directoryRoutes.updateRole(request, response)
            case (.role, _): try directoryRoutes.deleteRole(request, response)
            case (.plugins, _): try directoryRoutes.plugins(request, response)
            case (.audit, _): try audit.list(request, response)
            case (.health, _): try health.health(request, response)
            case (.security, _): try security.state(request, response)
            case (.securityTOTP, "DELETE"): try security.turnOff(request, response)
            case (.securityTOTP, _): try security.start(request, response)
            case (.securityTOTPConfirm, _): try security.confirm(request, response)
            }
        } catch let failure as ConsoleFailure {
            Self.fail(response, failure)
        } catch {
            if (error as? PluginError)?.code != PROTEUS_E_UNAVAILABLE { host.error("unexpected failure: \(error)") }
            Self.fail(response, ConsoleFailure.backend(error))
        }
    }

    static func fail(_ response: Response, _ failure: ConsoleFailure) {
        response.header("Cache-Control", "no-store")
        response.json(failure.status, failure.body)
    }

    /// A data answer: JSON, never cached.
    static func send(_ response: Response, _ value: JSONValue, status: Int = 200) {
        response.header("Cache-Control", "no-store")
        response.json(status, value)
    }
}

/// The headers on every answer of the console.
enum SecurityHeaders {
    /// Only this origin's files; no inline script or style, no eval, no
    /// framing, no <base>, forms only to this origin.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    static func add(to response: Response) {
        response.header("Content-Security-Policy", contentSecurityPolicy)
        response.header("X-Content-Type-Options", "nosniff")
        response.header("Referrer-Policy", "no-referrer")
        response.header("X-Frame-Options", "DENY")
        response.header("Cross-Origin-Opener-Policy", "same-origin")
        response.header("Cross-Origin-Resource-Policy", "same-origin")
    }
}
