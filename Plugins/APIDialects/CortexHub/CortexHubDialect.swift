// The Cortex Hub dialect: ai-hub's users API (seed 002, reference
// cortex-hub.md) in FastAPI's conventions — bare JSON on success,
// {"detail": ...} on errors, 422 for validation — with an unforgeable
// login id (LoginIDs.swift) where the original trusts X-User-ID.
//
// OIDC sign-in (OIDCSignIn.swift) answers 404 "not configured" without
// options.oidc. verify_llm|tts|stt: VerifyRoutes.swift. Config export/import
// (YAML, libyaml): ConfigTransfer.swift.
import PluginAPI
import PluginKit
import ProteusJSON

final class CortexHubDialect: DocumentedDialect, @unchecked Sendable {
    let routes: [(methods: String, path: String)] = Endpoint.allCases.map { ($0.methods.joined(separator: ","), $0.path) }

    let host: Host
    let options: CortexHubOptions
    let signIn: SignInRoutes
    let profile: ProfileRoutes
    let preferences: PreferenceRoutes
    let admin: AdminRoutes
    let transfer: ConfigTransfer

    init(host: Host, options: CortexHubOptions) throws {
        self.host = host
        self.options = options
        let ids = LoginIDs(host: host, ttlSeconds: options.sessionTTLSeconds)
        self.signIn = SignInRoutes(host: host, options: options, ids: ids)
        if let config = options.oidc {
            signIn.oidc = OIDCSignIn(host: host, config: config, allowedRedirects: options.allowedRedirects, ids: ids, signIn: signIn)
        }
        self.profile = ProfileRoutes(host: host, ids: ids)
        self.preferences = PreferenceRoutes(host: host, options: options, ids: ids)
        self.admin = AdminRoutes(host: host, ids: ids)
        self.transfer = ConfigTransfer(host: host, ids: ids)
        // The canonical admin role, shared with other dialects; created only
        // when missing so another dialect's name for it is kept.
        if try !host.directory.roles().contains(where: { $0.slug == Roles.admin }) {
            try host.directory.putRole(RoleRecord(slug: Roles.admin, name: "Administrator"))
        }
    }

    func handle(_ request: Request, _ response: Response) {
        if request.hostStatus != 0 { return Failure.host(request.hostStatus, request.hostReason).send(response) }
        guard request.route >= 0, let endpoint = Endpoint(rawValue: Int(request.route)) else {
            return Failure(404, "Not Found").send(response)
        }
        do {
            try dispatch(endpoint, request.method, request, response)
        } catch let failure as Failure {
            failure.send(response)
        } catch {
            if (error as? PluginError)?.code != PROTEUS_E_UNAVAILABLE { host.error("unexpected failure: \(error)") }
            Failure.backend(error).send(response)
        }
    }

    /// The document GET <mount>/openapi.json serves, for the configured mount.
    func openAPIDocument(mount: String) throws(PluginError) -> String { CortexHubOpenAPI.text(mount: mount) }

    private func dispatch(_ endpoint: Endpoint, _ method: String, _ request: Request, _ response: Response) throws {
        switch (endpoint, method) {
        case (.login, _): try signIn.oidc(request, response, callback: false)
        case (.loginCallback, _): try signIn.oidc(request, response, callback: true)
        case (.loginLocal, _): try signIn.loginLocal(request, response)
        case (.logout, _): try signIn.logout(request, response)
        case (.me, _): try signIn.me(request, response)
        case (.profile, "GET"): try profile.get(request, response)
        case (.profile, _): try profile.update(request, response)
        case (.password, _): try profile.changePassword(request, response)
        case (.config, "GET"): try preferences.get(request, response)
        case (.config, _): try preferences.update(request, response)
        case (.providers, _): try preferences.providers(request, response)
        case (.models, _): try preferences.models(request, response)
        case (.verifyLLM, _): try verify.verify(section: "llm", request, response)
        case (.verifyTTS, _): try verify.verify(section: "tts", request, response)
        case (.verifySTT, _): try verify.verify(section: "stt", request, response)
        case (.export, _): try transfer.export(request, response)
        case (.importConfig, _): try transfer.importConfig(request, response)
        case (.adminUsers, _): try admin.users(request, response)
        case (.userRole, _): try admin.setRole(request, response)
        case (.userGroup, _): try admin.setGroup(request, response)
        case (.groups, "GET"): try admin.groups(request, response)
        case (.groups, _): try admin.createGroup(request, response)
        case (.group, "PUT"): try admin.updateGroup(request, response)
        case (.group, _): try admin.deleteGroup(request, response)
        case (.openAPI, _):
            let mount = request.raw.pointee.mount.string ?? ""
            response.json(200, CortexHubOpenAPI.make(mount: mount))
        }
    }
}
