// Per-user preferences (sections llm, tts, stt: free-form JSON objects kept
// as given) and the provider catalogue from options.providers.
import PluginAPI
import PluginKit
import ProteusJSON

final class PreferenceRoutes: @unchecked Sendable {
    let host: Host
    let options: CortexHubOptions
    let ids: LoginIDs
    private let directory: Directory

    init(host: Host, options: CortexHubOptions, ids: LoginIDs) {
        self.host = host
        self.options = options
        self.ids = ids
        self.directory = host.directory
    }

    // MARK: GET /users/me/config

    func get(_ request: Request, _ response: Response) throws {
        let caller = try ids.caller(request)
        response.json(200, .object(HubDocument(caller.user).preferences))
    }

    // MARK: PUT /users/me/config {llm?, tts?, stt?} — given sections replace the stored ones

    func update(_ request: Request, _ response: Response) throws {
        var caller = try ids.caller(request)
        let body = try RequestBody(request)
        var sections: [(String, JSONObject)] = []
        var issues: [Failure.Issue] = []
        for section in CortexHubOptions.sections {
            guard let value = body.object[section], !value.isNull else { continue }
            guard let o = value.objectValue else { issues.append(.notObject(["body", .string(section)])); continue }
            sections.append((section, o))
        }
        // Nothing is written unless every section is valid.
        if !issues.isEmpty { throw Failure.validation(issues) }
        for attempt in 0..<4 {
            var doc = HubDocument(caller.user)
            for (section, value) in sections { doc.setSection(section, value) }
            var changes = UserRecord(id: caller.user.id)
            changes.documents = [doc.record]
            do {
                try directory.updateUser(changes, fields: PROTEUS_FIELD_DOCS, expectedVersion: caller.user.version)
                return response.json(200, .object(doc.preferences))
            } catch let e as PluginError where e.code == PROTEUS_E_STALE && attempt < 3 {
                guard let again = try directory.user(id: caller.user.id, documents: LoginIDs.namespace) else { throw Failure.notAuthenticated }
                caller.user = again
            }
        }
        throw Failure(409, "The account was changed concurrently, please retry")
    }

    // MARK: GET /users/me/config/providers?section=&configured_only=

    func providers(_ request: Request, _ response: Response) throws {
        let caller = try ids.caller(request)
        let configuredOnly = try Self.boolean(request.query("configured_only"), "configured_only") ?? false
        let preferences = HubDocument(caller.user).preferences
        func names(_ section: String) -> JSONValue {
            let all = options.providers[section] ?? []
            let shown = configuredOnly ? all.filter { Self.isConfigured($0.name, in: preferences[section]?.objectValue ?? [:]) } : all
            return .array(shown.map { .string($0.name) })
        }
        if let section = request.query("section"), !section.isEmpty {
            guard CortexHubOptions.sections.contains(section) else { throw Failure(404, "Unknown section '\(section)'") }
            return response.json(200, names(section))
        }
        var all = JSONObject()
        for section in CortexHubOptions.sections { all[section] = names(section) }
        response.json(200, .object(all))
    }

    /// A provider counts as configured when the caller's section names it:
    /// as a key of the section or of its "providers" object, or as the value
    /// of its "active_provider" / "provider".
    static func isConfigured(_ name: String, in section: JSONObject) -> Bool {
        if section[name] != nil { return true }
        if section["providers"]?.objectValue?[name] != nil { return true }
        return section["active_provider"]?.stringValue == name || section["provider"]?.stringValue == name
    }

    // MARK: GET /users/me/config/models?provider_name=&section=
    // Open to anyone, as in the seed (no X-User-ID): it names models only,
    // never a URL or a key.

    func models(_ request: Request, _ response: Response) throws {
        guard let provider = request.query("provider_name") else {
            throw Failure.validation(.missing(["query", "provider_name"]))
        }
        let section = request.query("section").flatMap { $0.isEmpty ? nil : $0 } ?? "llm"
        guard CortexHubOptions.sections.contains(section) else { throw Failure(404, "Unknown section '\(section)'") }
        guard let entry = options.providers[section]?.first(where: { $0.name == provider }) else {
            throw Failure(404, "Unknown provider '\(provider)' in section '\(section)'")
        }
        response.json(200, .array(entry.models.map { .string($0) }))
    }

    /// A query boolean as pydantic reads one.
    static func boolean(_ text: String?, _ name: String) throws(Failure) -> Bool? {
        guard let text else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes", "on", "t", "y": return true
        case "false", "0", "no", "off", "f", "n": return false
        default:
            throw Failure.validation(Failure.Issue(loc: ["query", .string(name)], msg: "Input should be a valid boolean, unable to interpret input", type: "bool_parsing"))
        }
    }
}
