// `proteus audit [--actor ID] [--action A] [--target ID] [--since RFC3339]
// [--until RFC3339] [--limit N] [--config FILE]`: the store's audit log,
// newest first, one event a line (tab-separated): id, time (RFC 3339, UTC),
// actor name, actor id, source, address, action, target kind, target id,
// target name, detail; "-" for an empty field. IDs are printed as 32 hex
// digits, as `proteus user list` prints them; --actor and --target take
// that form, a dashed UUID or a username.
//
// And how `proteus user` records its changes there: source "cli", actor
// "cli:<login name of the OS user>", no address (CLIAudit).
import Glibc
import PluginAPI
import PluginKit
import ProteusJSON

enum AuditCommand {
    static let usage = "usage: proteus audit [--actor ID] [--action A | PREFIX.] [--target ID] [--since RFC3339] [--until RFC3339] [--limit N] [--config FILE]"
    /// Lines printed when --limit is not given.
    static let defaultLimit = 100

    static func run(_ arguments: Arguments) throws -> Int32 {
        Logger.shared.useStandardError()
        let allowed: Set<String> = ["actor", "action", "target", "since", "until", "limit", "config", "plugin-dir"]
        if let stray = Set(arguments.values.keys).union(arguments.flags).subtracting(allowed).sorted().first {
            throw UsageError("audit does not take --\(stray); \(usage)")
        }
        var limit = defaultLimit
        if let text = arguments.values["limit"] {
            guard let n = Int(text), n >= 1 else { throw UsageError("audit: --limit must be a whole number of at least 1; \(usage)") }
            limit = n
        }
        var query = AuditQuery()
        if let action = arguments.values["action"], !action.isEmpty { query.action = action }
        if let since = arguments.values["since"] {
            guard let ms = RFC3339.parse(since) else { throw UsageError("audit: --since \"\(since)\" is not an RFC 3339 time (2026-01-31T12:00:00Z, or a date)") }
            query.since = ms
        }
        if let until = arguments.values["until"] {
            guard let ms = RFC3339.parse(until) else { throw UsageError("audit: --until \"\(until)\" is not an RFC 3339 time (2026-01-31T12:00:00Z, or a date)") }
            query.until = ms
        }
        let assembly = try HostAssembly(try Commands.loadConfiguration(arguments, dialectsRequired: false))
        defer { assembly.close() }
        let directory = CLIAudit.operatorHost(assembly).directory
        if let actor = arguments.values["actor"] { query.actorID = try userID(actor, "--actor", directory) }
        if let target = arguments.values["target"] { query.targetID = try userID(target, "--target", directory) }
        var printed = 0
        while printed < limit {
            query.limit = UInt32(min(limit - printed, Int(PROTEUS_AUDIT_LIST_MAX)))
            let page: AuditPage
            do { page = try directory.auditEvents(query) } catch let e as PluginError where e.code == PROTEUS_E_INVALID {
                throw UsageError("audit: \(e.message)")
            } catch let e as PluginError where e.code == PROTEUS_E_UNSUPPORTED {
                throw HostError("the store \"\(assembly.store.name)\" has no audit log (it was built against ABI 2.4 or older)")
            }
            for event in page.events { print(line(event)) }
            printed += page.events.count
            guard page.next > 0 else { break }
            query.before = page.next
        }
        return 0
    }

    /// One event as a tab-separated line.
    static func line(_ e: AuditEventRecord) -> String {
        func id(_ bytes: [UInt8]?) -> String { bytes.map { proteus_id(byteArray: $0).compactHex } ?? "-" }
        func text(_ s: String?) -> String {
            guard let s, !s.isEmpty else { return "-" }
            return UserAdministration.field(s)
        }
        return [String(e.id), ISOTime.format(millis: e.time), text(e.actorName), id(e.actorID), text(e.source), text(e.address),
                text(e.action), text(e.targetKind), id(e.targetID), text(e.targetName), text(e.detailJSON)].joined(separator: "\t")
    }

    /// 32 hex digits or a dashed UUID, else the id of the user so named
    /// (when there is one; else the text is refused).
    private static func userID(_ text: String, _ option: String, _ directory: Directory) throws -> [UInt8] {
        if let id = proteus_id(compactHex: text) ?? proteus_id(dashedUUID: text) { return id.byteArray }
        if let user = try directory.user(username: text) { return user.id }
        throw UsageError("audit: \(option) \"\(text)\" is neither an id nor the username of a user")
    }
}

/// RFC 3339 times (and plain dates, as midnight UTC) to unix milliseconds.
enum RFC3339 {
    static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for c in b[at..<(at + n)] {
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let year = digits(0, 4), b.count >= 10, b[4] == UInt8(ascii: "-"), let month = digits(5, 2),
              b[7] == UInt8(ascii: "-"), let day = digits(8, 2), (1...12).contains(month), (1...31).contains(day) else { return nil }
        var hour = 0, minute = 0, second = 0, millis = 0, offset = 0
        if b.count > 10 {
            guard b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
                  let h = digits(11, 2), b.count > 13, b[13] == UInt8(ascii: ":"), let m = digits(14, 2),
                  b.count > 16, b[16] == UInt8(ascii: ":"), let s = digits(17, 2), h < 24, m < 60, s < 61 else { return nil }
            hour = h; minute = m; second = s
            var i = 19
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                var fraction = 0, places = 0
                while i < b.count, b[i] >= 48, b[i] <= 57 {
                    if places < 3 { fraction = fraction * 10 + Int(b[i] - 48); places += 1 }
                    i += 1
                }
                guard places > 0 else { return nil }
                while places < 3 { fraction *= 10; places += 1 }
                millis = fraction
            }
            guard i < b.count else { return nil }
            switch b[i] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                guard i + 1 == b.count else { return nil }
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                guard i + 6 == b.count, let oh = digits(i + 1, 2), b[i + 3] == UInt8(ascii: ":"), let om = digits(i + 4, 2) else { return nil }
                offset = (oh * 60 + om) * (b[i] == UInt8(ascii: "+") ? 1 : -1)
            default:
                return nil
            }
        }
        var t = tm()
        t.tm_year = Int32(year - 1900)
        t.tm_mon = Int32(month - 1)
        t.tm_mday = Int32(day)
        t.tm_hour = Int32(hour)
        t.tm_min = Int32(minute)
        t.tm_sec = Int32(second)
        let seconds = Int64(timegm(&t)) - Int64(offset * 60)
        return seconds * 1000 + Int64(millis)
    }
}

/// How `proteus user` records its changes in the audit log.
enum CLIAudit {
    /// The operator as the log names them: "cli:" + the login name of the
    /// OS user (getlogin: the terminal's user, also under sudo; else the
    /// account of the real user id; else "uid<N>").
    static var actorName: String { "cli:" + loginName }

    static var loginName: String {
        if let name = getlogin(), name.pointee != 0 { return String(cString: name) }
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid\(getuid())"
    }

    /// A host table like a dialect's (store, auth_enroll), for CLI commands.
    static func operatorHost(_ assembly: HostAssembly) -> Host {
        Host(UnsafePointer(HostServicesTable.make(pluginName: "proteus user", runtime: assembly.runtime, dialect: SignInRules())))
    }

    /// Records `action` on `target`; a failure is a warning on standard
    /// error (the change itself stands), as for dialects.
    static func record(_ directory: Directory, _ action: String, target: UserRecord, detail: JSONObjectText? = nil) {
        let event = AuditEventRecord(actorName: actorName, source: "cli", address: "", action: action, targetKind: "user",
                                     targetID: target.id, targetName: Host.auditName(target), detailJSON: detail?.text)
        do { try directory.appendAudit(event) } catch {
            Logger.shared.log(.warning, "audit event \"\(action)\" not recorded: \(error)")
        }
    }
}

/// A small JSON object's text, for an event's detail.
struct JSONObjectText {
    let text: String
    init(_ fields: [(String, JSONValue)]) {
        text = JSONValue.object(JSONObject(fields)).serialized()
    }
}
