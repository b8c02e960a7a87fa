// The MCSManager panel's users API (/api/auth...), wire-compatible with the
// panel (seed 001, reference mcsmanager.md): the {status, data, time}
// envelope, API-key and session authentication, the panel's validator
// messages. Where the panel answers a client's mistake with 500 we answer a
// 4xx with the same message (see the table in Envelope.swift).
//
// Koa's router matches "/api/auth" and "/api/auth/" alike, so every route is
// listed twice (with and without the trailing slash). GET routes answer
// HEAD too (Koa does).
import PluginAPI
import PluginKit
import ProteusJSON

final class MCSManagerDialect: ImportingDialect, DocumentedDialect, @unchecked Sendable {
    enum Route: Int, CaseIterable {
        case users, search, login, logout, apiKey, install, token, updateSelf, status

        var path: String {
            switch self {
            case .users: return "/api/auth"
            case .search: return "/api/auth/search"
            case .login: return "/api/auth/login"
            case .logout: return "/api/auth/logout"
            case .apiKey: return "/api/auth/api"
            case .install: return "/api/auth/install"
            case .token: return "/api/auth/token"
            case .updateSelf: return "/api/auth/update"
            case .status: return "/api/auth/status"
            }
        }

        var methods: String {
            switch self {
            case .users: return "GET,HEAD,POST,PUT,DELETE"
            case .search, .logout, .token: return "GET,HEAD"
            case .login: return "POST"
            case .apiKey, .updateSelf: return "PUT"
            // router.all in the panel
            case .install, .status: return "GET,HEAD,POST,PUT,DELETE,PATCH,OPTIONS"
            }
        }
    }

    let routes: [(methods: String, path: String)] = Route.allCases.flatMap { r in
        [(r.methods, r.path), (r.methods, r.path + "/")]
    }

    let host: Host
    let options: MCSMOptions
    let access: Access
    let sessions: SessionRoutes
    let admin: AdminRoutes
    let importer: PanelImporter

    init(host: Host, options: MCSMOptions) throws {
        self.host = host
        self.options = options
        self.access = Access(host: host, options: options)
        self.sessions = SessionRoutes(host: host, options: options, access: access)
        self.admin = AdminRoutes(host: host, access: access)
        self.importer = PanelImporter(host: host)
        try Self.ensureRoles(host.directory)
    }

    /// The roles permission levels map to. Created only when missing, so a
    /// name or attributes another dialect gave them are kept.
    static func ensureRoles(_ directory: Directory) throws {
        let existing = Set(try directory.roles().map(\.slug))
        if !existing.contains(Permission.adminRole) {
            try directory.putRole(RoleRecord(slug: Permission.adminRole, name: "Administrator"))
        }
        if !existing.contains(Permission.guestRole) {
            try directory.putRole(RoleRecord(slug: Permission.guestRole, name: "Guest"))
        }
    }

    func handle(_ request: Request, _ response: Response) {
        switch request.hostStatus {
        case 0:
            break
        case 404:
            return Envelope.failure(response, host, MCSMFailure(404, "[404] Not Found"))
        case let status:
            let reason: String
            switch status {
            case 405: reason = "Method Not Allowed"
            case 413: reason = "Payload Too Large"
            case 415: reason = "Unsupported Media Type"
            case 503: reason = "Service Unavailable"
            case 400: reason = "Bad Request"
            default: reason = request.hostReason.isEmpty ? "Error" : request.hostReason
            }
            return Envelope.failure(response, host, MCSMFailure(Int(status), "[\(status)] \(reason)"))
        }
        guard request.route >= 0, let route = Route(rawValue: Int(request.route) / 2) else {
            return Envelope.failure(response, host, MCSMFailure(404, "[404] Not Found"))
        }
        do {
            let query = RequestInput.query(request)
            switch (route, request.method) {
            case (.users, "GET"), (.users, "HEAD"): try sessions.own(request, query, response)
            case (.users, "POST"): try admin.create(request, query, response)
            case (.users, "PUT"): try admin.update(request, query, response)
            case (.users, "DELETE"): try admin.delete(request, query, response)
            case (.search, _): try admin.search(request, query, response)
            case (.login, _): try sessions.login(request, query, response)
            case (.logout, _): try sessions.logout(request, query, response)
            case (.apiKey, _): try sessions.apiKey(request, query, response)
            case (.install, _): try sessions.install(request, query, response)
            case (.token, _): try sessions.token(request, query, response)
            case (.updateSelf, _): try sessions.updateSelf(request, query, response)
            case (.status, _): try sessions.status(request, query, response)
            default: Envelope.failure(response, host, MCSMFailure(404, "[404] Not Found"))
            }
        } catch let failure as MCSMFailure {
            Envelope.failure(response, host, failure)
        } catch {
            if (error as? PluginError)?.code != PROTEUS_E_UNAVAILABLE { host.error("unexpected failure: \(error)") }
            Envelope.failure(response, host, MCSMFailure.backend(error))
        }
    }

    func importFrom(source: String, progress: ImportProgress) throws(PluginError) -> ImportSummary {
        try importer.run(source: source, progress: progress)
    }

    func importFrom(source: String, options: ImportOptions, progress: ImportProgress) throws(PluginError) -> ImportSummary {
        try importer.run(source: source, options: options, progress: progress)
    }

    func openAPIDocument(mount: String) throws(PluginError) -> String { MCSManagerOpenAPI.document(mount: mount) }
}
