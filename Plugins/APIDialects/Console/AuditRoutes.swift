// GET /api/audit: the store's audit log (audit_list, ABI 2.5) for the
// Audit page, newest first, with the filters the store offers: actor and
// target (a username, or a user or group id), action (exact, or a prefix
// ending in "." such as "user."), a time range (unix ms) and the page
// cursor `before`. The console's own changes are recorded through
// host->audit (UserRoutes, DirectoryRoutes), as every dialect's and the
// CLI's are.
import PluginAPI
import PluginKit
import ProteusJSON

final class AuditRoutes: @unchecked Sendable {
    let host: Host
    let sessions: ConsoleSessions
    private let directory: Directory

    init(host: Host, sessions: ConsoleSessions) {
        self.host = host
        self.sessions = sessions
        self.directory = host.directory
    }

    func list(_ request: Request, _ response: Response) throws {
        _ = try sessions.authorize(request, change: false)
        var query = AuditQuery()
        query.limit = UInt32(try Self.integer(request, "limit", default: 50, in: 1...200))
        query.since = Int64(try Self.integer(request, "since", default: 0, in: 0...Int(Int64.max / 2)))
        query.until = Int64(try Self.integer(request, "until", default: 0, in: 0...Int(Int64.max / 2)))
        query.before = Int64(try Self.integer(request, "before", default: 0, in: 0...Int(Int64.max / 2)))
        if let action = request.query("action"), !action.isEmpty { query.action = action }
        query.actorID = try subject(request, "actor")
        query.targetID = try subject(request, "target")
        let page: AuditPage
        do { page = try directory.auditEvents(query) } catch let e as PluginError where e.code == PROTEUS_E_UNSUPPORTED {
            throw ConsoleFailure(501, "unsupported", "This store has no audit log (it was built before ABI 2.5).")
        } catch let e as PluginError where e.code == PROTEUS_E_INVALID {
            throw ConsoleFailure.badRequest("The filter was refused: \(e.message)")
        }
        ConsoleDialect.send(response, .object([
            "events": .array(page.events.map(Self.view)),
            "next": page.next > 0 ? .number(JSONNumber(page.next)) : .null,
        ]))
    }

    /// A filter's subject: 32 hex digits (a user's or group's id, also of
    /// one deleted since) or a username of the directory.
    private func subject(_ request: Request, _ name: String) throws -> [UInt8]? {
        guard let text = request.query(name), !text.isEmpty else { return nil }
        if let id = proteus_id(compactHex: text) ?? proteus_id(dashedUUID: text) { return id.byteArray }
        guard text.utf8.count <= 1024, let user = try directory.user(username: text) else {
            throw ConsoleFailure.badRequest("No user named \"\(text.prefix(80))\": the \(name) filter takes a username or an id (32 hex digits).")
        }
        return user.id
    }

    private static func integer(_ request: Request, _ name: String, default value: Int, in range: ClosedRange<Int>) throws(ConsoleFailure) -> Int {
        guard let text = request.query(name), !text.isEmpty else { return value }
        guard let n = Int(text), range.contains(n) else {
            throw .badRequest("\"\(name)\" must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return n
    }

    static func view(_ e: AuditEventRecord) -> JSONValue {
        .object([
            "id": .number(JSONNumber(e.id)),
            "time": .string(ISOTime.format(millis: e.time)),
            "actor": .object(["id": e.actorID.map { .string(Hex.encode($0)) } ?? .null, "name": .string(e.actorName)]),
            "source": .string(e.source),
            "address": .string(e.address),
            "action": .string(e.action),
            "target": e.targetKind == nil && e.targetID == nil && e.targetName == nil ? .null : .object([
                "kind": UserView.optional(e.targetKind),
                "id": e.targetID.map { .string(Hex.encode($0)) } ?? .null,
                "name": UserView.optional(e.targetName),
            ]),
            "detail": e.detailJSON.flatMap { try? JSONParser.parse($0) } ?? .null,
        ])
    }
}
