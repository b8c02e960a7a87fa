// The /api/v1/user routes. Every outcome is answered in the AIOStreams
// envelope; unknown users and wrong passwords get the same answer.
import PluginAPI
import PluginKit
import ProteusJSON

final class AIOStreamsDialect: DocumentedDialect, @unchecked Sendable {
    static let namespace = "aiostreams"

    private enum Route: Int32 {
        case user = 0, password = 1, verify = 2
    }

    let routes: [(methods: String, path: String)] = [
        ("HEAD,GET,POST,PUT,DELETE", "/api/v1/user"),
        ("POST", "/api/v1/user/password"),
        ("POST", "/api/v1/user/verify"),
    ]

    let host: Host
    let options: AIOStreamsOptions
    let users: UserService

    init(host: Host, options: AIOStreamsOptions) throws {
        self.host = host
        self.options = options
        self.users = UserService(host: host, options: options)
    }

    func openAPIDocument(mount: String) throws(PluginError) -> String { AIOStreamsOpenAPI.document(mount: mount) }

    func handle(_ request: Request, _ response: Response) {
        switch request.hostStatus {
        case 0:
            break
        case 404, 405:
            // The original answers unknown paths and methods alike with 404.
            return Envelope.notFound(response)
        case 413:
            return Envelope.failure(response, AIOFailure(.badRequest, "Request body is too large", status: 413))
        case 503:
            return Envelope.failure(response, AIOFailure(.internalServerError, "The server is overloaded, please try again later.", status: 503))
        default:
            return Envelope.failure(response, AIOFailure(.badRequest, request.hostReason.isEmpty ? nil : request.hostReason))
        }
        guard let route = Route(rawValue: request.route) else { return Envelope.notFound(response) }
        guard applyRateLimit(request, response) else { return }
        do {
            switch (route, request.method) {
            case (.user, "HEAD"): try users.exists(request, response)
            case (.user, "GET"): try users.get(request, response)
            case (.user, "POST"): try users.create(request, response)
            case (.user, "PUT"): try users.update(request, response)
            case (.user, "DELETE"): try users.delete(request, response)
            case (.password, _): try users.changePassword(request, response)
            case (.verify, _): try users.verify(request, response)
            default: Envelope.notFound(response)
            }
        } catch let failure as AIOFailure {
            Envelope.failure(response, failure)
        } catch {
            host.error("unexpected failure: \(error)")
            Envelope.failure(response, AIOFailure(.internalServerError))
        }
    }

    /// Counts the request against the client's allowance and sets the
    /// RateLimit-* headers; answers 429 and returns false when over it.
    private func applyRateLimit(_ request: Request, _ response: Response) -> Bool {
        guard let limit = options.rateLimit else { return true }
        var key = Array("user-api:".utf8)
        key.append(contentsOf: host.clientKey(request.clientIP))
        let outcome = host.rateLimit(key: key, limit: limit.requests, windowSeconds: limit.windowSeconds)
        response.header("RateLimit-Policy", "\(limit.requests);w=\(limit.windowSeconds)")
        response.header("RateLimit-Limit", "\(outcome.limit)")
        response.header("RateLimit-Remaining", "\(outcome.remaining)")
        response.header("RateLimit-Reset", "\(outcome.resetSeconds)")
        if outcome.allowed { return true }
        response.header("Retry-After", "\(outcome.resetSeconds)")
        Envelope.failure(response, AIOFailure(.rateLimitExceeded))
        return false
    }
}

/// `proteus import aiostreams --from PATH_OR_URL`: an original AIOStreams
/// database's users (OriginalImporter.swift).
extension AIOStreamsDialect: ImportingDialect {
    func importFrom(source: String, progress: ImportProgress) throws(PluginError) -> ImportSummary {
        try importOriginal(source: source, dryRun: false, progress: progress).summary
    }

    func importFrom(source: String, options: ImportOptions, progress: ImportProgress) throws(PluginError) -> ImportSummary {
        if let key = options.other.keys.first { throw PluginError.invalid("unknown import option \"\(key)\"") }
        return try importOriginal(source: source, dryRun: options.dryRun, progress: progress).summary
    }

    /// The import, or with `dryRun` what it would do (nothing written).
    func importOriginal(source: String, dryRun: Bool, progress: ImportProgress) throws(PluginError) -> OriginalImporter.Counts {
        let importer = OriginalImporter(host: host, dryRun: dryRun, secretKeyConfigured: options.importedSecretKey != nil)
        return try importer.run(source: source, progress: progress)
    }
}
