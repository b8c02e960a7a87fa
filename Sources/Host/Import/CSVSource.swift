// `proteus import csv --from users.csv`: one user per record, for every
// system without a source of its own.
//
//   username,email,display_name,password_hash,roles
//   alice,alice@example.com,Alice Liddell,$2b$12$…,admin;erizos.designer
//
// RFC 4180: fields separated by commas, records by CRLF or LF, a field in
// double quotes may hold commas, line breaks and "" (one quote). A UTF-8 byte
// order mark is ignored. The header names the five columns, in any order;
// a column missing, unknown or given twice is an error naming it (nothing is
// imported). `username` is required; email, display_name and password_hash
// may be empty; roles are canonical role slugs of the directory separated by
// ";" or "|" (an unknown slug skips the user: the directory knows its own
// roles, and `admin` is created when missing). A record is reported by the
// line it starts on.
import PluginAPI
import PluginKit

struct CSVSource: ImportSource {
    static let columns = ["username", "email", "display_name", "password_hash", "roles"]
    var unknownRoles: ImportPipeline.UnknownRoles { .strict }

    func read(_ path: String) throws -> [ImportItem] {
        let bytes: [UInt8]
        do { bytes = try FileIO.readAll(path) } catch { throw HostError("cannot read \(path): \(error)") }
        return try Self.parse(bytes, name: path)
    }

    static func parse(_ bytes: [UInt8], name: String) throws -> [ImportItem] {
        var records = try CSVReader(bytes).records()
        guard !records.isEmpty else { throw HostError("\(name) is empty: expected the header \(columns.joined(separator: ","))") }
        let header = records.removeFirst()
        var index: [String: Int] = [:]
        for (i, field) in header.fields.enumerated() {
            let column = field.importTrimmed
            guard columns.contains(column) else {
                throw HostError("\(name) line \(header.line): unknown column \"\(column)\" (the columns are \(columns.joined(separator: ",")))")
            }
            guard index[column] == nil else { throw HostError("\(name) line \(header.line): column \"\(column)\" appears twice") }
            index[column] = i
        }
        if let missing = columns.first(where: { index[$0] == nil }) {
            throw HostError("\(name) line \(header.line): missing column \"\(missing)\" (the columns are \(columns.joined(separator: ",")))")
        }
        var items: [ImportItem] = []
        items.reserveCapacity(records.count)
        for record in records {
            var position = "line \(record.line)"
            if let i = index["username"], i < record.fields.count, !record.fields[i].isEmpty { position += " (\(record.fields[i]))" }
            if let problem = record.problem {
                items.append(.malformed(position: position, kind: "malformed CSV", reason: problem))
                continue
            }
            if record.fields.count == 1 && record.fields[0].isEmpty { continue }   // a blank line
            guard record.fields.count == header.fields.count else {
                items.append(.malformed(position: position, kind: "wrong number of fields",
                                        reason: "\(record.fields.count) fields, the header has \(header.fields.count)"))
                continue
            }
            // Every column is in `index` (checked above) and the record has the header's count.
            func field(_ column: String) -> String { index[column].map { record.fields[$0] } ?? "" }
            var user = ImportedUser(position: position, username: field("username"))
            if user.username.isEmpty {
                items.append(.malformed(position: position, kind: "no username", reason: "the username is empty"))
                continue
            }
            user.email = field("email").importTrimmed
            user.displayName = field("display_name")
            let hash = field("password_hash").importTrimmed
            user.passwordHash = hash.isEmpty ? nil : hash
            user.roles = field("roles").split(whereSeparator: { $0 == ";" || $0 == "|" })
                .map { String($0).importTrimmed }.filter { !$0.isEmpty }
            items.append(.user(user))
        }
        return items
    }
}

/// RFC 4180 records with the line each starts on. A record with a quote
/// problem (a quote inside an unquoted field, text after a closing quote, a
/// quoted field never closed) is returned with `problem` set and its line.
struct CSVReader {
    struct Record {
        var line: Int
        var fields: [String]
        var problem: String?
    }

    private let bytes: [UInt8]
    init(_ bytes: [UInt8]) {
        self.bytes = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
    }

    func records() throws -> [Record] {
        var out: [Record] = []
        var i = 0
        var line = 1
        let n = bytes.count
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        while i < n {
            let start = line
            var fields: [String] = []
            var field: [UInt8] = []
            var problem: String?
            var endOfRecord = false
            while !endOfRecord {
                field.removeAll(keepingCapacity: true)
                if i < n && bytes[i] == quote {
                    i += 1
                    var closed = false
                    while i < n {
                        let b = bytes[i]
                        if b == quote {
                            if i + 1 < n && bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                            i += 1
                            closed = true
                            break
                        }
                        if b == lf { line += 1 }
                        field.append(b)
                        i += 1
                    }
                    if !closed { problem = problem ?? "a quoted field is never closed" }
                    // After the closing quote: a separator, the end of the record, or a problem.
                    if i < n && bytes[i] != comma && bytes[i] != cr && bytes[i] != lf {
                        problem = problem ?? "text after a closing quote"
                        while i < n && bytes[i] != comma && bytes[i] != lf { i += 1 }
                    }
                } else {
                    while i < n && bytes[i] != comma && bytes[i] != lf && bytes[i] != cr {
                        if bytes[i] == quote { problem = problem ?? "a quote inside an unquoted field (quote the whole field and double the quote)" }
                        field.append(bytes[i])
                        i += 1
                    }
                }
                if let text = String(validating: field, as: UTF8.self) {
                    fields.append(text)
                } else {
                    problem = problem ?? "not UTF-8"
                    fields.append("")
                }
                if i >= n { endOfRecord = true; break }
                switch bytes[i] {
                case comma: i += 1
                case cr:
                    i += 1
                    if i < n && bytes[i] == lf { i += 1 }
                    line += 1
                    endOfRecord = true
                default:   // lf
                    i += 1
                    line += 1
                    endOfRecord = true
                }
            }
            out.append(Record(line: start, fields: fields, problem: problem))
        }
        return out
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var importTrimmed: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(scalars[first...last])
    }
}
