// import.v1: bringing a panel's users into the directory.
//
// Source: the panel's `data` directory, its `data/User` directory (one
// `<uuid>.json` per user, as the panel writes them), or a `.jsonl` file with
// one such user object per line (bulk moves and benchmarks).
//
// Each user is checked completely before anything is written, and written in
// one transaction (the store's users_import), so a malformed file is skipped
// whole, with a note naming it. Users whose id is already in the directory
// are counted unchanged and left as they are (a re-run imports nothing twice
// and keeps what changed since, e.g. a password re-hashed at sign-in); users
// whose name another user already has are skipped. A dry run (import_run's
// "dryRun") reads, checks and maps every file and counts what a real run
// would do, writing nothing (no roles, users or keys).
//
// Mapping: uuid → id, userName → username, permission → roles/flags (as in
// UserView.swift), passWord by passWordType: 1 = bcrypt, kept as is; 0 = the
// panel's unsalted MD5 hex, kept as "{MD5}" + base64 (RFC 2307) — both are
// verified by the password plugin and re-hashed with argon2id at the next
// sign-in. apiKey → an API key record (hash only); secret (base32) → enrolled
// with the "totp" method when open2FA is set or a secret is present.
// registerTime/loginTime strings, instances, isInit, open2FA, the original
// passWordType and salt, and every unknown field go to the "mcsmanager"
// document.
import Glibc
import PluginAPI
import PluginKit
import ProteusJSON

final class PanelImporter: @unchecked Sendable {
    let host: Host
    private let directory: Directory
    static let batchSize = 1000

    init(host: Host) {
        self.host = host
        self.directory = host.directory
    }

    /// One user ready to write, or why not.
    struct Candidate {
        var name: String
        var record: UserRecord
        var apiKeyHash: [UInt8]?
        /// The password's format as the import summary counts it.
        var hashFormat: String
    }

    struct Malformed: Error { var reason: String }

    /// A reason as the summary counts it: without its details in parentheses.
    static func category(_ reason: String) -> String {
        let chars = Array(reason)
        for i in 0..<max(chars.count - 1, 0) where chars[i] == " " && chars[i + 1] == "(" { return String(chars[..<i]) }
        return reason
    }

    func run(source: String, options: ImportOptions = ImportOptions(), progress: ImportProgress) throws(PluginError) -> ImportSummary {
        if let key = options.other.keys.first { throw PluginError.invalid("unknown import option \"\(key)\" (mcsmanager takes only \"dryRun\")") }
        let dryRun = options.dryRun
        var summary = ImportSummary()
        if !dryRun {
            do {
                try MCSManagerDialect.ensureRoles(directory)
            } catch {
                throw PluginError.unavailable("cannot prepare the roles: \(error)")
            }
        }
        let input = try Input(source)
        let total = UInt64(input.count)
        var next = 0
        while next < input.count {
            let end = min(next + Self.batchSize, input.count)
            var candidates: [Candidate] = []
            for index in next..<end {
                let item = input.item(index)
                do {
                    let c = try candidate(item)
                    summary.hashFormats[c.hashFormat, default: 0] += 1
                    candidates.append(c)
                } catch {
                    let reason = (error as? Malformed)?.reason ?? "\(error)"
                    summary.skip(reason: Self.category(reason))
                    progress.report(done: UInt64(index), total: total, note: "\(item.name): skipped: \(reason)")
                }
            }
            try write(candidates, dryRun: dryRun, &summary, progress, total: total)
            next = end
            progress.report(done: UInt64(next), total: total)
        }
        return summary
    }

    // MARK: reading

    struct Item {
        var name: String
        var bytes: ArraySlice<UInt8>
        var stem: String?
    }

    /// The items of a source: the files of a directory (read one at a time)
    /// or the non-blank lines of one file.
    struct Input {
        private var directory: String?
        private var names: [String] = []
        private var fileName = ""
        private var content: [UInt8] = []
        private var lines: [(number: Int, range: Range<Int>)] = []

        var count: Int { directory != nil ? names.count : lines.count }

        init(_ source: String) throws(PluginError) {
            var path = source
            while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
            if PanelImporter.isDirectory(path + "/User") { path += "/User" }
            if PanelImporter.isDirectory(path) {
                guard let dir = opendir(path) else { throw PluginError.invalid("cannot read \(path): \(String(cString: strerror(errno)))") }
                while let entry = readdir(dir) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                    }
                    if name.hasSuffix(".json") && !name.hasPrefix(".") { names.append(name) }
                }
                closedir(dir)
                names.sort()
                directory = path
                return
            }
            guard let bytes = PanelImporter.readFile(path) else {
                throw PluginError.invalid("cannot read \(source): \(String(cString: strerror(errno))) (expected the panel's data or data/User directory, or a .jsonl file)")
            }
            fileName = path.split(separator: "/").last.map(String.init) ?? path
            content = bytes
            var start = 0
            var number = 0
            while start <= bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                number += 1
                if !bytes[start..<end].allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) {
                    lines.append((number, start..<end))
                }
                start = end + 1
            }
        }

        func item(_ index: Int) -> Item {
            if let directory {
                let name = names[index]
                let bytes = PanelImporter.readFile(directory + "/" + name) ?? []
                return Item(name: name, bytes: bytes[...], stem: String(name.dropLast(5)))
            }
            let line = lines[index]
            return Item(name: "\(fileName):\(line.number)", bytes: content[line.range], stem: nil)
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var s = stat()
        return stat(path, &s) == 0 && (s.st_mode & S_IFMT) == S_IFDIR
    }

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var s = stat()
        guard fstat(fd, &s) == 0, (s.st_mode & S_IFMT) == S_IFREG else { errno = EISDIR; return nil }
        var out: [UInt8] = []
        out.reserveCapacity(Int(s.st_size))
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return out
    }

    // MARK: mapping

    /// Fields that map to the directory's typed fields or secrets (never kept in the document).
    static let mappedKeys: Set<String> = ["uuid", "userName", "passWord", "permission", "apiKey", "secret"]

    func candidate(_ item: Item) throws -> Candidate {
        guard !item.bytes.isEmpty else { throw Malformed(reason: "empty or unreadable file") }
        let value: JSONValue
        do { value = try JSONParser.parse(item.bytes) } catch { throw Malformed(reason: "not valid JSON (\(error.message) at byte \(error.offset))") }
        guard case .object(let o) = value else { throw Malformed(reason: "not a JSON object") }

        guard case .string(let uuidText)? = o["uuid"], let id = proteus_id(compactHex: uuidText) ?? proteus_id(dashedUUID: uuidText) else {
            throw Malformed(reason: "\"uuid\" must be 32 hexadecimal digits")
        }
        if let stem = item.stem, let stemID = proteus_id(compactHex: stem), !stemID.isSame(as: id) {
            throw Malformed(reason: "\"uuid\" does not match the file name")
        }
        guard case .string(let userName)? = o["userName"], PanelRules.validUsername(userName) else {
            throw Malformed(reason: "\"userName\" must be a non-empty string of at most 128 characters without control characters")
        }
        let type: Int
        switch o["passWordType"] {
        case nil, .null?: type = 1                                   // the panel's default (bcrypt)
        case .number(let n)? where n.int == 0 || n.int == 1: type = n.int!
        default: throw Malformed(reason: "\"passWordType\" must be 0 (md5) or 1 (bcrypt)")
        }
        var passwordHash: String? = nil
        switch o["passWord"] {
        case nil, .null?, .string("")?: break
        case .string(let stored)?:
            passwordHash = try Self.verifier(stored, type: type)
        default: throw Malformed(reason: "\"passWord\" must be a string")
        }
        let level: Int
        switch o["permission"] {
        case nil, .null?: level = Permission.guest                  // the panel's default
        case .number(let n)?:
            guard let d = n.double else { throw Malformed(reason: "\"permission\" is out of range") }
            level = d >= 10 ? Permission.admin : d >= 1 ? Permission.user : d >= 0 ? Permission.guest : Permission.banned
        default: throw Malformed(reason: "\"permission\" must be a number")
        }
        var doc = JSONObject()
        for (key, v) in o where !Self.mappedKeys.contains(key) { doc[key] = v }
        if let instances = o["instances"] {
            guard case .array(let list) = instances, list.allSatisfy({
                $0["instanceUuid"]?.stringValue != nil && $0["daemonId"]?.stringValue != nil
            }) else { throw Malformed(reason: "\"instances\" must be an array of {instanceUuid, daemonId}") }
        } else {
            doc["instances"] = .array([])
        }
        for key in ["isInit", "open2FA", "ssoBound"] {
            if let b = o[key], b.boolValue == nil && !b.isNull { throw Malformed(reason: "\"\(key)\" must be true or false") }
        }
        if doc["isInit"] == nil { doc["isInit"] = false }
        for key in ["registerTime", "loginTime", "salt"] {
            if let s = o[key], s.stringValue == nil && !s.isNull { throw Malformed(reason: "\"\(key)\" must be a string") }
        }
        if case .string(let t)? = o["registerTime"], t.isEmpty { doc["registerTime"] = nil }
        if case .string(let t)? = o["loginTime"], t.isEmpty { doc["loginTime"] = nil }

        var apiKeyHash: [UInt8]? = nil
        switch o["apiKey"] {
        case nil, .null?, .string("")?: break
        case .string(let key)?:
            guard let safe = PanelRules.safeKey(key) else { throw Malformed(reason: "\"apiKey\" has characters outside [A-Za-z0-9_-]") }
            apiKeyHash = host.sha256(Array(safe.utf8))
        default: throw Malformed(reason: "\"apiKey\" must be a string")
        }
        var record = UserRecord(id: id.byteArray)
        record.username = userName
        record.passwordHash = passwordHash
        let mapped = Permission.apply(level, roles: [], flags: 0)
        record.roles = mapped.roles
        record.flags = mapped.flags
        switch o["secret"] {
        case nil, .null?, .string("")?: break
        case .string(let secret)?:
            do { record.mfaSecret = Array(try host.enroll(method: "totp", secret: secret).utf8) } catch {
                if error.code == PROTEUS_E_UNSUPPORTED { throw Malformed(reason: "has a 2FA secret but no \"totp\" auth plugin is configured") }
                throw Malformed(reason: "\"secret\" is not a usable TOTP secret (\(error.message))")
            }
            if o["open2FA"]?.boolValue == true { record.flags |= PROTEUS_USER_MFA_ENABLED }
        default: throw Malformed(reason: "\"secret\" must be a string")
        }
        let now = host.nowMillis()
        record.version = 1
        record.createdAt = o["registerTime"]?.stringValue.flatMap(LocaleTime.parse) ?? now
        record.updatedAt = now
        record.loginAt = o["loginTime"]?.stringValue.flatMap(LocaleTime.parse) ?? 0
        record.documents = [DocumentRecord(namespace: PanelDocument.namespace, json: JSONValue.object(doc).serialized())]
        let format = passwordHash == nil ? "none" : type == 1 ? "bcrypt" : "md5"
        return Candidate(name: item.name, record: record, apiKeyHash: apiKeyHash, hashFormat: format)
    }

    /// The stored verifier for a panel password of `type`.
    static func verifier(_ stored: String, type: Int) throws -> String {
        if type == 1 {
            let b = Array(stored.utf8)
            let prefixes = ["$2a$", "$2b$", "$2y$"]
            guard b.count == 60, prefixes.contains(where: { stored.hasPrefix($0) }),
                  b[4...5].allSatisfy({ $0 >= 48 && $0 <= 57 }), b[6] == UInt8(ascii: "$"),
                  b[7...].allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 46 || $0 == 47 }) else {
                throw Malformed(reason: "\"passWord\" is not a bcrypt hash although \"passWordType\" is 1")
            }
            return stored
        }
        guard stored.utf8.count == 32, let digest = Hex.decode(stored) else {
            throw Malformed(reason: "\"passWord\" is not an MD5 hex digest although \"passWordType\" is 0")
        }
        return UserView.md5Prefix + Base64.encode(digest)
    }

    // MARK: writing

    /// Inserts new users in one transaction per batch; when a batch fails
    /// (some user already exists), user by user: users already imported
    /// (same uuid) are unchanged, names taken by another user skipped. A dry
    /// run only looks.
    private func write(_ candidates: [Candidate], dryRun: Bool, _ summary: inout ImportSummary, _ progress: ImportProgress, total: UInt64) throws(PluginError) {
        guard !candidates.isEmpty else { return }
        if !dryRun {
            do {
                try directory.importUsers(candidates.map(\.record))
                for c in candidates { finish(c, &summary, progress, total: total) }
                return
            } catch let e as PluginError where e.code == PROTEUS_E_UNAVAILABLE {
                throw e
            } catch {
                // Fall through to one at a time.
            }
        }
        func done() -> UInt64 { summary.imported + summary.updated + summary.unchanged + summary.skipped }
        for c in candidates {
            do {
                if try directory.user(id: c.record.id) != nil {
                    summary.unchanged += 1
                    continue
                }
                if let name = c.record.username, try directory.user(username: name) != nil {
                    summary.skip(reason: "username already in use by another user")
                    progress.report(done: done(), total: total, note: "\(c.name): skipped: username \"\(name)\" is already in use by another user")
                    continue
                }
                if dryRun {
                    summary.imported += 1
                    continue
                }
                try directory.importUsers([c.record])
                finish(c, &summary, progress, total: total)
            } catch let e as PluginError where e.code == PROTEUS_E_UNAVAILABLE {
                throw e
            } catch {
                summary.skip(reason: "the store refused it")
                progress.report(done: done(), total: total, note: "\(c.name): skipped: \(error)")
            }
        }
    }

    /// The user's API key, after the user exists. A key that cannot be
    /// stored takes the user back out (nothing half-written).
    private func finish(_ c: Candidate, _ summary: inout ImportSummary, _ progress: ImportProgress, total: UInt64) {
        if let hash = c.apiKeyHash {
            var key = APIKeyRecord(keyHash: hash, userID: c.record.id, namespace: PanelDocument.namespace)
            key.createdAt = host.nowMillis()
            do { try directory.createAPIKey(key) } catch {
                try? directory.deleteUser(id: c.record.id)
                summary.skip(reason: "its API key cannot be stored")
                progress.report(done: summary.imported + summary.updated + summary.unchanged + summary.skipped, total: total, note: "\(c.name): skipped: its API key cannot be stored (\(error))")
                return
            }
        }
        summary.imported += 1
    }
}
