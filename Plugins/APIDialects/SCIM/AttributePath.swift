// An attribute reference as SCIM writes it (RFC 7644 §3.10):
// [schema URN ":"] name ["." subAttribute], e.g. "userName", "name.givenName",
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department".
// Names compare ASCII-case-insensitively (RFC 7643 §2.1).

struct AttributePath: Equatable, CustomStringConvertible {
    /// The schema URN given before the name, if any (as written).
    var schema: String?
    var name: String
    var subAttribute: String?

    init(schema: String? = nil, name: String, subAttribute: String? = nil) {
        self.schema = schema
        self.name = name
        self.subAttribute = subAttribute
    }

    /// Parses "name", "name.sub", "urn:…:name" or "urn:…:name.sub"; nil for
    /// anything else (empty parts, characters outside ATTRNAME).
    init?(parsing text: String) {
        var rest = Substring(text)
        if text.lowercased().hasPrefix("urn:") {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            schema = String(text[..<colon])
            rest = text[text.index(after: colon)...]
        }
        let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, Self.isName(first) else { return nil }
        name = String(first)
        if parts.count == 2 {
            guard Self.isName(parts[1]) else { return nil }
            subAttribute = String(parts[1])
        }
    }

    /// ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA;
    /// "$ref" is the one name with a "$".
    static func isName(_ s: Substring) -> Bool {
        if s == "$ref" { return true }
        guard let first = s.utf8.first, isAlpha(first) else { return false }
        return s.utf8.allSatisfy { isAlpha($0) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95 }
    }

    private static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 }

    /// True when `schema` is absent or names `urn` (case-insensitively).
    func inSchema(_ urn: String) -> Bool { schema == nil || schema!.lowercased() == urn.lowercased() }

    func named(_ attribute: String, sub: String? = nil) -> Bool {
        guard name.lowercased() == attribute.lowercased() else { return false }
        return subAttribute?.lowercased() == sub?.lowercased()
    }

    var description: String {
        (schema.map { $0 + ":" } ?? "") + name + (subAttribute.map { "." + $0 } ?? "")
    }
}

extension String {
    /// ASCII case-insensitive equality (attribute names, operators, URNs).
    func equalsIgnoringCase(_ other: String) -> Bool { lowercased() == other.lowercased() }
}
