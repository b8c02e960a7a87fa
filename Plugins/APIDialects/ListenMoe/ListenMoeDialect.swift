// LISTEN.moe API v4's users API (seed 003, reference listen-moe.md): the
// {"message": ...} envelope, registration, JWT sign-in (with a second step
// for users with MFA on), users, roles and MFA (TOTP with a QR code,
// recovery codes). Any Accept header is served (clients send
// application/vnd.listen.v4+json); answers are application/json.
import PluginAPI
import PluginKit
import ProteusJSON

final class ListenMoeDialect: DocumentedDialect, @unchecked Sendable {
    enum Route: Int, CaseIterable {
        case register, login, loginMFA, user, userRoles, userMFA

        var path: String {
            switch self {
            case .register: return "/register"
            case .login: return "/login"
            case .loginMFA: return "/login/mfa"
            case .user: return "/users/{username}"
            case .userRoles: return "/users/{username}/roles"
            case .userMFA: return "/users/{username}/mfa"
            }
        }

        var methods: String {
            switch self {
            case .register, .login, .loginMFA: return "POST"
            case .user: return "GET,HEAD,PATCH"
            case .userRoles: return "GET,HEAD"
            // No HEAD: each GET makes a new secret, which a HEAD must not do.
            case .userMFA: return "GET,POST,DELETE"
            }
        }
    }

    let routes: [(methods: String, path: String)] = Route.allCases.map { ($0.methods, $0.path) }

    let host: Host
    let options: LMOptions
    let accounts: AccountRoutes
    let users: UserRoutes
    let mfa: MFARoutes

    init(host: Host, options: LMOptions) throws {
        self.host = host
        self.options = options
        let tokens = try Tokens(host: host, lifetimeSeconds: options.tokenLifetimeSeconds)
        self.accounts = AccountRoutes(host: host, options: options, tokens: tokens)
        self.users = UserRoutes(host: host, options: options, tokens: tokens)
        self.mfa = MFARoutes(host: host, options: options, tokens: tokens, secondFactor: SecondFactor(host: host, options: options))
        try RoleSync.put(options.roles, into: host.directory)
    }

    func openAPIDocument(mount: String) throws(PluginError) -> String { ListenMoeOpenAPI.document(mount: mount) }

    func handle(_ request: Request, _ response: Response) {
        if request.hostStatus != 0 { return Envelope.failure(response, .hostDecided(request.hostStatus)) }
        guard let route = Route(rawValue: Int(request.route)) else { return Envelope.failure(response, .hostDecided(404)) }
        do {
            switch (route, request.method) {
            case (.register, _): try accounts.register(request, response)
            case (.login, _): try accounts.login(request, response)
            case (.user, "PATCH"): try users.updateBio(request, response)
            case (.user, _): try users.show(request, response)
            case (.userRoles, _): try users.roles(request, response)
            case (.loginMFA, _): try mfa.completeLogin(request, response)
            case (.userMFA, "POST"): try mfa.enable(request, response)
            case (.userMFA, "DELETE"): try mfa.disable(request, response)
            case (.userMFA, _): try mfa.enrolment(request, response)
            }
        } catch let failure as LMFailure {
            Envelope.failure(response, failure)
        } catch {
            if (error as? PluginError)?.code != PROTEUS_E_UNAVAILABLE { host.error("unexpected failure: \(error)") }
            Envelope.failure(response, .backend(error))
        }
    }
}
