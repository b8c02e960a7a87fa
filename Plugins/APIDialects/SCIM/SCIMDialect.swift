// SCIM 2.0 (RFC 7643/7644) over the directory, for identity providers
// (Okta, Microsoft Entra ID) that provision users and groups. Mounted e.g.
// at /scim/v2. Every route but discovery needs a bearer token.
import PluginAPI
import PluginKit
import ProteusJSON

final class SCIMDialect: DialectInstance, CommandDialect, DocumentedDialect, @unchecked Sendable {
    enum Route: Int, CaseIterable {
        case serviceProviderConfig, resourceTypes, resourceType, schemas, schema
        case users, usersSearch, user, groups, groupsSearch, group, search

        var path: String {
            switch self {
            case .serviceProviderConfig: return "/ServiceProviderConfig"
            case .resourceTypes: return "/ResourceTypes"
            case .resourceType: return "/ResourceTypes/{id}"
            case .schemas: return "/Schemas"
            case .schema: return "/Schemas/{id}"
            case .users: return "/Users"
            case .usersSearch: return "/Users/.search"
            case .user: return "/Users/{id}"
            case .groups: return "/Groups"
            case .groupsSearch: return "/Groups/.search"
            case .group: return "/Groups/{id}"
            case .search: return "/.search"
            }
        }

        var methods: String {
            switch self {
            case .serviceProviderConfig, .resourceTypes, .resourceType, .schemas, .schema: return "GET,HEAD"
            case .users, .groups: return "GET,HEAD,POST"
            case .usersSearch, .groupsSearch, .search: return "POST"
            case .user, .group: return "GET,HEAD,PUT,PATCH,DELETE"
            }
        }
    }

    let routes: [(methods: String, path: String)] = Route.allCases.map { ($0.methods, $0.path) }

    let host: Host
    private let options: SCIMOptions
    private let tokens: BearerTokens
    private let users: UserRoutes
    private let groups: GroupRoutes
    private let discovery: Discovery

    init(host: Host, options: SCIMOptions) {
        self.host = host
        self.options = options
        tokens = BearerTokens(host: host)
        users = UserRoutes(host: host, options: options)
        groups = GroupRoutes(host: host, options: options)
        discovery = Discovery(options: options)
    }

    func handle(_ request: Request, _ response: Response) {
        if request.hostStatus != 0 { return Self.hostDecided(request).render(response) }
        guard request.route >= 0, let route = Route(rawValue: Int(request.route)) else {
            return SCIMFailure(404, nil, "no SCIM endpoint at \(request.path)").render(response)
        }
        do {
            let locations = ResourceLocations(request, options: options)
            switch route {
            case .serviceProviderConfig:
                return SCIMWire.send(response, 200, .object(discovery.serviceProviderConfig(locations)))
            case .resourceTypes:
                return SCIMWire.send(response, 200, discovery.resourceTypes(locations))
            case .resourceType:
                guard let found = discovery.resourceType(request.parameters.first ?? "", locations) else { throw SCIMFailure.notFound("ResourceType") }
                return SCIMWire.send(response, 200, .object(found))
            case .schemas:
                return SCIMWire.send(response, 200, discovery.schemas(locations))
            case .schema:
                guard let found = discovery.schema(request.parameters.first ?? "", locations) else { throw SCIMFailure.notFound("Schema") }
                return SCIMWire.send(response, 200, found)
            default:
                break
            }
            let actor = "scim:" + (try tokens.authenticate(request))
            switch (route, request.method) {
            case (.users, "POST"): try users.create(request, response, actor: actor)
            case (.users, _): try users.list(request, response)
            case (.usersSearch, _): try users.search(request, response)
            case (.user, "PUT"): try users.replace(request, response, actor: actor)
            case (.user, "PATCH"): try users.patch(request, response, actor: actor)
            case (.user, "DELETE"): try users.delete(request, response, actor: actor)
            case (.user, _): try users.get(request, response)
            case (.groups, "POST"): try groups.create(request, response, actor: actor)
            case (.groups, _): try groups.list(request, response)
            case (.groupsSearch, _): try groups.search(request, response)
            case (.group, "PUT"): try groups.replace(request, response, actor: actor)
            case (.group, "PATCH"): try groups.patch(request, response, actor: actor)
            case (.group, "DELETE"): try groups.delete(request, response, actor: actor)
            case (.group, _): try groups.get(request, response)
            case (.search, _): try CrossSearch(users: users, groups: groups, options: options).search(request, response)
            default: throw SCIMFailure.notFound("endpoint")
            }
        } catch let failure as SCIMFailure {
            failure.render(response)
        } catch {
            if (error as? PluginError)?.code != PROTEUS_E_UNAVAILABLE { host.error("scim: unexpected failure: \(error)") }
            SCIMFailure.backend(error).render(response)
        }
    }

    // MARK: openapi.v1

    func openAPIDocument(mount: String) throws(PluginError) -> String { SCIMOpenAPI.document(mount: mount) }

    // MARK: command.v1

    func runCommand(_ arguments: [String], output: CommandOutput) -> Int32 {
        TokenCommand(host: host).run(arguments, output)
    }

    /// 404, 405, 413, 415, 503... decided by the host, in the SCIM Error format.
    private static func hostDecided(_ request: Request) -> SCIMFailure {
        let status = Int(request.hostStatus)
        switch status {
        case 404: return SCIMFailure(404, nil, "no SCIM endpoint at \(request.path)")
        case 405: return SCIMFailure(405, nil, "\(request.method) is not allowed on \(request.path)")
        case 413: return SCIMFailure(413, nil, "the request body is too large")
        case 503: return SCIMFailure(503, nil, "the server is busy; retry later")
        case 400: return SCIMFailure(400, "invalidSyntax", request.hostReason.isEmpty ? "bad request" : request.hostReason)
        default: return SCIMFailure(status, nil, request.hostReason.isEmpty ? "error" : request.hostReason)
        }
    }
}
