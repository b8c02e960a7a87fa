// The plugin's options, read from the config's "options" JSON object.
//
//   url                   string   postgresql://user:password@host:port/database[?params]
//   urlEnv                string   name of an environment variable holding the URL
//                                  (exactly one of url and urlEnv)
//   poolSize              integer  1...256 connections (default 2 × cores + 2)
//   connectTimeoutSeconds integer  1...300 (default 5)
//   statementTimeoutMs    integer  100...600000 (default 5000); also bounds the
//                                  wait for a free pool connection
//   schema                string   where the tables live (default "public"),
//                                  [A-Za-z_][A-Za-z0-9_]*, at most 63 bytes
//   dropSchemaOnClose     boolean  drop the schema with everything in it when the
//                                  last instance using it closes (scratch stores:
//                                  `proteus check-store`); never for "public"
//   authCacheMs           integer  0...60000: how long a worker may answer API-key
//                                  and session reads from memory (default 1000; 0 =
//                                  off); a revocation through another host takes
//                                  effect within it, one through this host at once
//                                  (StoreCore's AuthCache)
import CPostgres
import Glibc
import PluginKit
import StoreCore

struct StoreOptions {
    var url: String
    /// Where the URL came from, for messages ("option \"url\"" or the variable).
    var urlSource: String
    var poolSize: Int
    var connectTimeoutSeconds = 5
    var statementTimeoutMs = 5000
    var schema = "public"
    var dropSchemaOnClose = false
    var authCacheMs = AuthCacheOption.defaultMillis

    static let knownKeys: Set<String> = [AuthCacheOption.key, "connectTimeoutSeconds", "dropSchemaOnClose", "poolSize", "schema", "statementTimeoutMs", "url", "urlEnv"]

    static var defaultPoolSize: Int {
        let cores = max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1)
        return min(2 * cores + 2, 256)
    }

    /// Checks the options; every problem is INVALID and names the key.
    static func parse(_ options: PluginOptions) throws(PluginError) -> StoreOptions {
        try options.rejectUnknown(knownKeys)
        let url = try options.string("url")
        let env = try options.string("urlEnv")
        var result: StoreOptions
        switch (url, env) {
        case (nil, nil):
            throw .invalid("option \"url\" (postgresql://user:password@host:port/database) or \"urlEnv\" (the name of an environment variable holding it) is required")
        case (_?, _?):
            throw .invalid("options \"url\" and \"urlEnv\" exclude each other: give exactly one")
        case (let u?, nil):
            result = StoreOptions(url: u, urlSource: "option \"url\"", poolSize: defaultPoolSize)
        case (nil, let name?):
            guard !name.isEmpty, !name.contains("="), !name.utf8.contains(0) else {
                throw .invalid("option \"urlEnv\" must name an environment variable, not \"\(name)\"")
            }
            guard let value = getenv(name), value.pointee != 0 else {
                throw .invalid("option \"urlEnv\": the environment variable \(name) is not set (or empty)")
            }
            result = StoreOptions(url: String(cString: value), urlSource: "the environment variable \(name) (option \"urlEnv\")",
                                  poolSize: defaultPoolSize)
        }
        if let n = try options.int("poolSize", in: 1...256) { result.poolSize = n }
        if let n = try options.int("connectTimeoutSeconds", in: 1...300) { result.connectTimeoutSeconds = n }
        if let n = try options.int("statementTimeoutMs", in: 100...600_000) { result.statementTimeoutMs = n }
        result.authCacheMs = try AuthCacheOption.parse(options)
        if let s = try options.string("schema") {
            guard isSafeIdentifier(s) else {
                throw .invalid("option \"schema\" must match [A-Za-z_][A-Za-z0-9_]* and be at most 63 bytes, not \"\(s)\"")
            }
            result.schema = s
        }
        if let d = try options.bool("dropSchemaOnClose") {
            guard !d || result.schema != "public" else {
                throw .invalid("option \"dropSchemaOnClose\" needs a \"schema\" of its own, not \"public\"")
            }
            result.dropSchemaOnClose = d
        }
        return result
    }

    static func isSafeIdentifier(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard (1...63).contains(bytes.count) else { return false }
        for (i, b) in bytes.enumerated() {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"): continue
            case UInt8(ascii: "0")...UInt8(ascii: "9") where i > 0: continue
            default: return false
            }
        }
        return true
    }
}

/// Where a URL points, for messages (never the password), and the secrets
/// to scrub from every message libpq or the server produces.
struct ConnectionTarget: Sendable {
    var host: String
    var port: String
    var database: String
    var user: String
    /// Password forms to remove from messages: as written in the URL and decoded.
    var secrets: [String]

    var description: String { "\(host):\(port)/\(database) as user \"\(user)\"" }

    /// Parses a postgresql:// URL with libpq's own parser. INVALID for
    /// anything that is not one; the message never repeats the password.
    static func parse(_ url: String, source: String) throws(PluginError) -> ConnectionTarget {
        let secrets = rawPasswords(in: url)
        func scrubbed(_ s: String) -> String { scrub(s, secrets) }
        guard url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") else {
            throw .invalid("\(source) must be a URL of the form postgresql://user:password@host:port/database")
        }
        guard !url.utf8.contains(0) else { throw .invalid("\(source) contains a NUL character") }
        var errmsg: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &errmsg) else {
            let reason = errmsg.map { String(cString: $0) } ?? "unparsable"
            if let errmsg { PQfreemem(errmsg) }
            throw .invalid("\(source) is not a valid PostgreSQL URL: \(scrubbed(ConnectionTarget.tidy(reason)))")
        }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var p = options
        while let keyword = p.pointee.keyword {
            if let v = p.pointee.val { values[String(cString: keyword)] = String(cString: v) }
            p += 1
        }
        var all = secrets
        if let pw = values["password"], !pw.isEmpty, !all.contains(pw) { all.append(pw) }
        let user = values["user"].flatMap { $0.isEmpty ? nil : $0 } ?? ProcessUser.name
        let host = values["host"].flatMap { $0.isEmpty ? nil : $0 } ?? values["hostaddr"].flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        return ConnectionTarget(host: host, port: values["port"].flatMap { $0.isEmpty ? nil : $0 } ?? "5432",
                                database: values["dbname"].flatMap { $0.isEmpty ? nil : $0 } ?? user,
                                user: user, secrets: all)
    }

    /// The password part of a URL's authority, as written (percent-encoded)
    /// and decoded; nothing when the URL has none.
    static func rawPasswords(in url: String) -> [String] {
        guard let schemeEnd = url.range(of: "://") else { return [] }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        guard let at = authority.lastIndex(of: "@") else { return [] }
        let userinfo = authority[..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return [] }
        let raw = String(userinfo[userinfo.index(after: colon)...])
        guard !raw.isEmpty else { return [] }
        var out = [raw]
        if let decoded = percentDecoded(raw), decoded != raw, !decoded.isEmpty { out.append(decoded) }
        return out
    }

    static func percentDecoded(_ s: String) -> String? {
        var bytes: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let b = it.first {
            it = it.dropFirst()
            if b == UInt8(ascii: "%") {
                guard it.count >= 2, let v = Hex.decode(Array(it.prefix(2))) else { return nil }
                bytes.append(v[0])
                it = it.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    func scrub(_ message: String) -> String { Self.scrub(message, secrets) }

    static func scrub(_ message: String, _ secrets: [String]) -> String {
        var m = message
        for s in secrets.sorted(by: { $0.utf8.count > $1.utf8.count }) where !s.isEmpty {
            m = m.split(separator: s, omittingEmptySubsequences: false).joined(separator: "***")
        }
        return m
    }

    /// One line from libpq's multi-line messages, without its
    /// "connection to server at ... failed:" and "FATAL:" prefixes.
    static func tidy(_ raw: String) -> String {
        var text = raw
        if let r = text.range(of: "failed: ", options: .backwards) { text = String(text[r.upperBound...]) }
        for prefix in ["FATAL:  ", "ERROR:  ", "FATAL: ", "ERROR: "] {
            while let r = text.range(of: prefix) { text.removeSubrange(r) }
        }
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { String($0).trimmingSpacesAndTabs() }
            .filter { !$0.isEmpty }
        return lines.joined(separator: "; ")
    }

    /// A failed connection attempt: INVALID when the server refused the
    /// credentials or the database (a configuration problem), UNAVAILABLE
    /// when it could not be reached or is not accepting connections (53300
    /// when it is at its connection limit: ConnectionPool then waits for a
    /// connection it has).
    func connectFailure(_ raw: String) -> PGFailure {
        let reason = scrub(Self.tidy(raw))
        let state = Self.isConnectionLimit(raw) ? PGFailure.connectionLimit : Self.isConfigurationProblem(raw) ? "28000" : "08001"
        return PGFailure(kind: .connection, sqlState: state, message: reason, context: "connecting to \(description)")
    }

    /// The server's answer at its connection limit. libpq gives a failed
    /// connection's error only as text, so its (English) messages are
    /// matched: max_connections, the reserved slots, and a role's or a
    /// database's CONNECTION LIMIT.
    static func isConnectionLimit(_ raw: String) -> Bool {
        let text = raw.lowercased()
        return ["too many clients already", "too many connections for", "connection slots are reserved"].contains { text.contains($0) }
    }

    static func isConfigurationProblem(_ raw: String) -> Bool {
        let text = raw.lowercased()
        let transient = ["starting up", "shutting down", "in recovery", "too many", "connection slots", "not yet accepting"]
        if transient.contains(where: { text.contains($0) }) { return false }
        let config = ["password", "authentication", "does not exist", "pg_hba.conf", "permission denied",
                      "not permitted", "role ", "database \"", "invalid", "ssl", "certificate"]
        return text.contains("fatal") || config.contains(where: { text.contains($0) })
    }
}

extension String {
    func range(of needle: String, options: BackwardsOption = .forwards) -> Range<String.Index>? {
        guard !needle.isEmpty else { return nil }
        var found: Range<String.Index>?
        var start = startIndex
        while let r = self[start...].firstRange(of: needle) {
            found = r
            if options == .forwards { return r }
            start = index(after: r.lowerBound)
        }
        return found
    }

    enum BackwardsOption { case forwards, backwards }
}

/// The user this process runs as (libpq's default user name).
enum ProcessUser {
    static var name: String {
        guard let pw = getpwuid(geteuid()), let n = pw.pointee.pw_name else { return "unknown" }
        return String(cString: n)
    }
}
