// POST /users/me/config/verify_llm|verify_tts|verify_stt {"provider_name", "api_key"?}
//
// Checks that a catalogue provider answers: one GET of the provider's
// catalogue `url` (options.providers.<section>.<name>.url — never a URL from
// the request) through the host's outbound service, 5 s in all. With an API
// key — the body's `api_key`, else the caller's stored one for that provider
// (section.providers.<name>.api_key, section.<name>.api_key, or section.api_key
// when section.active_provider/provider names it) — the probe carries
// `Authorization: Bearer <key>`.
//
// Always 200 {"success": bool, "message": "..."} once the provider is known:
// success when it answers 2xx; a non-2xx answer, a refused connection, a
// timeout, a destination the host refuses (private address without
// outbound.allowPrivateNetworks), TLS failure or an oversized answer is
// success false with a message (the URL and the host's details go to the
// log at info, not to the caller: the catalogue does not show URLs). The
// one exception: when the host refuses the outbound call for load (its
// waiting lane is full), 503 with Retry-After, as elsewhere in the dialect.
// 401 without a signed-in user, 422 on a bad body, 404 for a provider that
// is not in that section's catalogue.
import PluginAPI
import PluginKit
import ProteusJSON

struct VerifyRoutes {
    static let timeoutMs: UInt32 = 5_000

    let host: Host
    let options: CortexHubOptions
    let ids: LoginIDs

    func verify(section: String, _ request: Request, _ response: Response) throws {
        let caller = try ids.caller(request)
        let body = try RequestBody(request)
        var issues: [Failure.Issue] = []
        var name = ""
        switch body.object["provider_name"] {
        case nil: issues.append(.missing(["body", "provider_name"]))
        case .string(let s)?: name = s
        case _?: issues.append(.notString(["body", "provider_name"]))
        }
        var bodyKey: String?
        switch body.object["api_key"] {
        case nil, .null?: break
        case .string(let s)?: bodyKey = s
        case _?: issues.append(.notString(["body", "api_key"]))
        }
        if !issues.isEmpty { throw Failure.validation(issues) }
        guard let provider = options.providers[section]?.first(where: { $0.name == name }) else {
            throw Failure(404, "Unknown provider '\(name)' in section '\(section)'")
        }
        guard let url = provider.url else {
            return answer(response, false, "Provider '\(name)' has no URL configured to verify")
        }
        let stored = HubDocument(caller.user).preferences[section]?.objectValue ?? [:]
        let key = [bodyKey, Self.storedKey(name, in: stored)].compactMap { $0 }.first { !$0.isEmpty }
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let key { headers.append(("Authorization", "Bearer " + key)) }

        let result: HTTPResult
        do {
            result = try host.httpRequest(method: "GET", url: url, headers: headers, timeoutMs: Self.timeoutMs)
        } catch {
            if error.code == PROTEUS_E_UNAVAILABLE, error.message.contains("waiting on slow work") {
                var f = Failure(503, "Service temporarily unavailable")
                f.headers = [("Retry-After", "1")]
                throw f
            }
            host.info("verify_\(section) \(name) (\(url)): \(error.message)")
            return answer(response, false, Self.message(for: error, provider: name))
        }
        switch result.status {
        case 200..<300:
            answer(response, true, "Provider '\(name)' answered \(result.status)")
        case 401, 403:
            answer(response, false, "Provider '\(name)' refused the credentials (HTTP \(result.status))")
        default:
            answer(response, false, "Provider '\(name)' answered HTTP \(result.status)")
        }
    }

    private func answer(_ response: Response, _ success: Bool, _ message: String) {
        response.json(200, ["success": .bool(success), "message": .string(message)])
    }

    /// The caller's stored key for that provider, if any.
    static func storedKey(_ name: String, in section: JSONObject) -> String? {
        if let k = section["providers"]?.objectValue?[name]?.objectValue?["api_key"]?.stringValue { return k }
        if let k = section[name]?.objectValue?["api_key"]?.stringValue { return k }
        if section["active_provider"]?.stringValue == name || section["provider"]?.stringValue == name {
            return section["api_key"]?.stringValue
        }
        return nil
    }

    /// What the caller learns of a failed call (no URL, no address).
    static func message(for error: PluginError, provider name: String) -> String {
        switch error.code {
        case PROTEUS_E_DENIED:
            return "Provider '\(name)' is at a destination this server may not reach"
        case PROTEUS_E_TOO_LARGE:
            return "Provider '\(name)' answered with more data than this server accepts"
        case PROTEUS_E_UNSUPPORTED:
            return "This server cannot make outbound calls"
        case PROTEUS_E_UNAVAILABLE where error.message.contains("timed out"):
            return "Provider '\(name)' did not answer within \(timeoutMs / 1000) s"
        case PROTEUS_E_UNAVAILABLE where error.message.contains("TLS failed"):
            return "Could not reach provider '\(name)': the TLS connection failed"
        case PROTEUS_E_UNAVAILABLE where error.message.contains("redirects"):
            return "Could not reach provider '\(name)': too many redirects"
        default:
            return "Could not reach provider '\(name)': the connection failed"
        }
    }
}

extension CortexHubDialect {
    var verify: VerifyRoutes { VerifyRoutes(host: host, options: options, ids: preferences.ids) }
}
