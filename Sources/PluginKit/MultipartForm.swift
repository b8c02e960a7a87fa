// A small, strict multipart/form-data reader (RFC 7578 over RFC 2046): the
// boundary from Content-Type, parts with a Content-Disposition of
// `form-data; name="..."` (and an optional filename), bounded part count and
// header size. Anything it does not understand is `Malformed`, never a guess:
// no header folding, no missing close delimiter, no part without a name.
// The body is already bounded by the host's maxBodyBytes.

public struct MultipartPart: Sendable {
    public var name: String
    public var filename: String?
    /// The part's Content-Type, lowercased, without parameters; nil when absent.
    public var contentType: String?
    public var body: [UInt8]
}

public enum MultipartForm {
    public struct Malformed: Error, Sendable, CustomStringConvertible {
        public let reason: String
        public init(_ reason: String) { self.reason = reason }
        public var description: String { reason }
    }

    /// Whether a Content-Type header names multipart/form-data (any parameters).
    public static func isMultipart(contentType: String?) -> Bool {
        guard let contentType else { return false }
        let type = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return type.trimmingSpacesAndTabs().lowercased() == "multipart/form-data"
    }

    /// The boundary of a `multipart/form-data` Content-Type: 1…70 characters
    /// of RFC 2046's bchars, not ending in a space; quoted or not.
    public static func boundary(contentType: String) throws(Malformed) -> String {
        guard isMultipart(contentType: contentType) else { throw Malformed("Content-Type is not multipart/form-data") }
        var found: String?
        for piece in contentType.split(separator: ";", omittingEmptySubsequences: false).dropFirst() {
            let p = String(piece).trimmingSpacesAndTabs()
            if p.isEmpty { continue }
            guard let eq = p.firstIndex(of: "=") else { throw Malformed("Malformed Content-Type parameter") }
            let name = String(p[..<eq]).trimmingSpacesAndTabs().lowercased()
            var value = String(p[p.index(after: eq)...]).trimmingSpacesAndTabs()
            guard name == "boundary" else { continue }
            guard found == nil else { throw Malformed("More than one boundary") }
            if value.hasPrefix("\"") {
                guard value.count >= 2, value.hasSuffix("\"") else { throw Malformed("Unterminated quoted boundary") }
                value = String(value.dropFirst().dropLast())
            }
            found = value
        }
        guard let boundary = found else { throw Malformed("No boundary in Content-Type") }
        let allowed = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ".utf8)
        guard (1...70).contains(boundary.utf8.count), boundary.utf8.allSatisfy(allowed.contains), boundary.utf8.last != 32 else {
            throw Malformed("Invalid boundary")
        }
        return boundary
    }

    /// The parts of `body`, in order. A preamble before the first delimiter
    /// and an epilogue after the close delimiter are ignored, as RFC 2046 says.
    public static func parse(_ body: [UInt8], boundary: String, maxParts: Int = 16, maxHeaderBytes: Int = 8192) throws(Malformed) -> [MultipartPart] {
        let delimiter = Array("--\(boundary)".utf8)
        let crlf: [UInt8] = [13, 10]
        // The first delimiter: at the start, or after a CRLF.
        var position: Int
        if starts(body, delimiter, at: 0) {
            position = delimiter.count
        } else if let at = find(body, crlf + delimiter, from: 0) {
            position = at + 2 + delimiter.count
        } else {
            throw Malformed("No multipart delimiter")
        }
        var parts: [MultipartPart] = []
        while true {
            // After a delimiter: "--" closes, else optional padding then CRLF.
            if starts(body, [45, 45], at: position) {
                guard !parts.isEmpty else { throw Malformed("No parts") }
                return parts
            }
            while position < body.count, body[position] == 32 || body[position] == 9 { position += 1 }
            guard starts(body, crlf, at: position) else { throw Malformed("Delimiter not followed by CRLF") }
            position += 2
            guard parts.count < maxParts else { throw Malformed("Too many parts") }
            // Headers, up to an empty line.
            let headerEnd: Int
            if starts(body, crlf, at: position) {
                headerEnd = position
            } else {
                guard let end = find(body, [13, 10, 13, 10], from: position, limit: position + maxHeaderBytes) else {
                    throw Malformed("Part headers missing or too large")
                }
                headerEnd = end + 2
            }
            let headers = try parseHeaders(Array(body[position..<headerEnd]))
            position = headerEnd + 2
            // The body, up to CRLF + delimiter.
            guard let end = find(body, crlf + delimiter, from: position) else { throw Malformed("Missing close delimiter") }
            var part = try part(headers)
            part.body = Array(body[position..<end])
            parts.append(part)
            position = end + 2 + delimiter.count
        }
    }

    private static func parseHeaders(_ bytes: [UInt8]) throws(Malformed) -> [(String, String)] {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Malformed("Part headers are not UTF-8") }
        var headers: [(String, String)] = []
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: false) where !line.isEmpty {
            guard let first = line.unicodeScalars.first, first != " ", first != "\t" else { throw Malformed("Folded part header") }
            guard let colon = line.firstIndex(of: ":") else { throw Malformed("Malformed part header") }
            let name = String(line[..<colon]).lowercased()
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else { throw Malformed("Malformed part header name") }
            guard !line.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) else { throw Malformed("Bare CR or LF in part header") }
            headers.append((name, String(line[line.index(after: colon)...]).trimmingSpacesAndTabs()))
        }
        return headers
    }

    private static func part(_ headers: [(String, String)]) throws(Malformed) -> MultipartPart {
        let dispositions = headers.filter { $0.0 == "content-disposition" }
        guard dispositions.count == 1 else { throw Malformed("A part needs exactly one Content-Disposition") }
        let (type, parameters) = try dispositionParameters(dispositions[0].1)
        guard type == "form-data" else { throw Malformed("Content-Disposition is not form-data") }
        guard let name = parameters["name"] else { throw Malformed("A part without a name") }
        let contentType = headers.first { $0.0 == "content-type" }.map {
            ($0.1.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "").trimmingSpacesAndTabs().lowercased()
        }
        return MultipartPart(name: name, filename: parameters["filename"], contentType: contentType, body: [])
    }

    /// `form-data; name="file"; filename="a.yaml"` → ("form-data", [name: file, filename: a.yaml]).
    /// Quoted strings may escape `"` and `\` with a backslash; a parameter given twice is malformed.
    private static func dispositionParameters(_ value: String) throws(Malformed) -> (String, [String: String]) {
        let scalars = Array(value.unicodeScalars)
        var i = 0
        func skipSpace() { while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 } }
        func token() -> String {
            var s = String.UnicodeScalarView()
            while i < scalars.count, !";= \t\"".unicodeScalars.contains(scalars[i]) { s.append(scalars[i]); i += 1 }
            return String(s)
        }
        skipSpace()
        let type = token().lowercased()
        guard !type.isEmpty else { throw Malformed("Empty Content-Disposition") }
        var parameters: [String: String] = [:]
        while true {
            skipSpace()
            if i == scalars.count { break }
            guard scalars[i] == ";" else { throw Malformed("Malformed Content-Disposition") }
            i += 1
            skipSpace()
            if i == scalars.count { break }
            let name = token().lowercased()
            skipSpace()
            guard !name.isEmpty, i < scalars.count, scalars[i] == "=" else { throw Malformed("Malformed Content-Disposition parameter") }
            i += 1
            skipSpace()
            var v = String.UnicodeScalarView()
            if i < scalars.count, scalars[i] == "\"" {
                i += 1
                var closed = false
                while i < scalars.count {
                    let c = scalars[i]
                    i += 1
                    if c == "\"" { closed = true; break }
                    if c == "\\" {
                        guard i < scalars.count else { break }
                        v.append(scalars[i]); i += 1
                    } else {
                        v.append(c)
                    }
                }
                guard closed else { throw Malformed("Unterminated quoted parameter") }
            } else {
                v = token().unicodeScalars
                guard !v.isEmpty else { throw Malformed("Empty Content-Disposition parameter") }
            }
            guard parameters[name] == nil else { throw Malformed("Parameter '\(name)' given twice") }
            parameters[name] = String(v)
        }
        return (type, parameters)
    }

    private static func starts(_ bytes: [UInt8], _ prefix: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, offset + prefix.count <= bytes.count else { return false }
        for j in 0..<prefix.count where bytes[offset + j] != prefix[j] { return false }
        return true
    }

    /// The first offset ≥ from where `needle` starts and ends by `limit` (the end by default).
    private static func find(_ bytes: [UInt8], _ needle: [UInt8], from: Int, limit: Int = Int.max) -> Int? {
        let end = min(bytes.count, limit) - needle.count
        guard !needle.isEmpty, from <= end else { return nil }
        var i = from
        while i <= end {
            if bytes[i] == needle[0], starts(bytes, needle, at: i) { return i }
            i += 1
        }
        return nil
    }
}
