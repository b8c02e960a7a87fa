// Query parameters of a list (RFC 7644 §3.4.2): filter, 1-based startIndex,
// count (capped; 0 asks for totalResults only), attributes and
// excludedAttributes. sortBy is accepted and ignored: lists come in creation
// order, as /ServiceProviderConfig says (sort.supported false).
import PluginKit
import ProteusJSON

struct ListParameters {
    var filter: Filter?
    var startIndex = 1
    var count: Int
    var projection = AttributeProjection()

    init(_ request: Request, maxResults: Int) throws {
        count = maxResults
        for (name, value) in request.queryItems {
            switch name.lowercased() {
            case "filter":
                guard !value.isEmpty else { continue }
                do { filter = try FilterParser.parse(value) } catch { throw SCIMFailure.invalidFilter(error.message) }
            case "startindex":
                guard let n = Int(value) else { throw SCIMFailure.invalidValue("startIndex must be an integer, got \"\(value)\"") }
                startIndex = max(1, n)
            case "count":
                guard let n = Int(value) else { throw SCIMFailure.invalidValue("count must be an integer, got \"\(value)\"") }
                count = min(max(0, n), maxResults)
            default: continue
            }
        }
        projection = try AttributeProjection(request)
    }

    /// A POST /.search body (RFC 7644 §3.4.3).
    init(search body: JSONObject, maxResults: Int) throws {
        count = maxResults
        if let f = body.value(ignoringCase: "filter"), !f.isNull {
            guard let text = f.stringValue else { throw SCIMFailure.invalidValue("filter must be a string") }
            do { filter = try FilterParser.parse(text) } catch { throw SCIMFailure.invalidFilter(error.message) }
        }
        if let v = body.value(ignoringCase: "startIndex"), !v.isNull {
            guard let n = v.intValue else { throw SCIMFailure.invalidValue("startIndex must be an integer") }
            startIndex = max(1, n)
        }
        if let v = body.value(ignoringCase: "count"), !v.isNull {
            guard let n = v.intValue else { throw SCIMFailure.invalidValue("count must be an integer") }
            count = min(max(0, n), maxResults)
        }
        projection = try AttributeProjection(attributes: Self.names(body.value(ignoringCase: "attributes")),
                                             excluded: Self.names(body.value(ignoringCase: "excludedAttributes")))
    }

    private static func names(_ v: JSONValue?) throws -> [String] {
        guard let v, !v.isNull else { return [] }
        guard let list = v.arrayValue else { throw SCIMFailure.invalidValue("attributes must be an array of strings") }
        return list.compactMap(\.stringValue)
    }

    static func listResponse(total: UInt64, startIndex: Int, resources: [JSONValue]) -> JSONValue {
        [
            "schemas": [.string(SCIMSchemaURN.listResponse)],
            "totalResults": .number(JSONNumber(total)),
            "itemsPerPage": .number(JSONNumber(resources.count)),
            "startIndex": .number(JSONNumber(startIndex)),
            "Resources": .array(resources),
        ]
    }
}

/// `attributes` / `excludedAttributes` (RFC 7644 §3.9): which attributes a
/// response carries. id, schemas and meta are always returned.
struct AttributeProjection {
    private var included: [AttributePath] = []
    private var excluded: [AttributePath] = []

    init() {}

    init(_ request: Request) throws {
        self.init()
        for (name, value) in request.queryItems {
            switch name.lowercased() {
            case "attributes": included += try Self.paths(value.split(separator: ",").map(String.init))
            case "excludedattributes": excluded += try Self.paths(value.split(separator: ",").map(String.init))
            default: continue
            }
        }
    }

    init(attributes: [String], excluded: [String]) throws {
        included = try Self.paths(attributes)
        self.excluded = try Self.paths(excluded)
    }

    private static func paths(_ names: [String]) throws -> [AttributePath] {
        try names.map { $0.trimmingSpacesAndTabs() }.filter { !$0.isEmpty }.map { name in
            guard let path = AttributePath(parsing: name) else { throw SCIMFailure.invalidValue("\"\(name)\" is not an attribute name") }
            return path
        }
    }

    var isIdentity: Bool { included.isEmpty && excluded.isEmpty }

    /// Whether the response may leave `name` out (so the caller can skip
    /// the work of producing it, e.g. a large group's members).
    func omits(_ name: String) -> Bool {
        if excluded.contains(where: { $0.named(name) }) { return true }
        return !included.isEmpty && !included.contains(where: { $0.name.equalsIgnoringCase(name) })
    }

    private static let always: Set<String> = ["id", "schemas", "meta"]

    func apply(_ resource: JSONObject) -> JSONObject {
        guard !isIdentity else { return resource }
        var result = JSONObject()
        for (key, value) in resource {
            if Self.always.contains(key) { result[key] = value; continue }
            if let kept = project(key, value) { result[key] = kept }
        }
        return result
    }

    private func project(_ key: String, _ value: JSONValue) -> JSONValue? {
        // An extension's object: project its members by "urn:…:name" paths.
        if key.lowercased().hasPrefix("urn:"), let members = value.objectValue {
            var kept = JSONObject()
            for (name, v) in members where keeps(schema: key, name: name, sub: nil) { kept[name] = v }
            return kept.isEmpty ? nil : .object(kept)
        }
        guard keeps(schema: nil, name: key, sub: nil) else { return nil }
        // Sub-attribute selections: attributes=name.givenName.
        let subs = included.filter { $0.schema == nil && $0.name.equalsIgnoringCase(key) }
        if !subs.isEmpty, !subs.contains(where: { $0.subAttribute == nil }) {
            let wanted = Set(subs.compactMap { $0.subAttribute?.lowercased() })
            return Self.keepingSubs(value) { wanted.contains($0.lowercased()) }
        }
        let dropped = Set(excluded.filter { $0.schema == nil && $0.name.equalsIgnoringCase(key) }.compactMap { $0.subAttribute?.lowercased() })
        if !dropped.isEmpty { return Self.keepingSubs(value) { !dropped.contains($0.lowercased()) } }
        return value
    }

    private func keeps(schema: String?, name: String, sub: String?) -> Bool {
        func matches(_ p: AttributePath) -> Bool {
            guard p.name.equalsIgnoringCase(name) else {
                // "urn:…:User" alone selects the whole extension.
                if let schema, p.subAttribute == nil, (p.schema.map { $0 + ":" + p.name } ?? p.name).equalsIgnoringCase(schema) { return true }
                return false
            }
            if let schema { return p.schema?.equalsIgnoringCase(schema) ?? false } else { return p.inSchema(SCIMSchemaURN.user) || p.inSchema(SCIMSchemaURN.group) }
        }
        if excluded.contains(where: { matches($0) && $0.subAttribute == nil }) { return false }
        return included.isEmpty || included.contains(where: matches)
    }

    private static func keepingSubs(_ value: JSONValue, _ keep: (String) -> Bool) -> JSONValue? {
        switch value {
        case .object(let o):
            let kept = JSONObject(o.filter { keep($0.key) }.map { ($0.key, $0.value) })
            return kept.isEmpty ? nil : .object(kept)
        case .array(let elements):
            return .array(elements.compactMap { keepingSubs($0, keep) })
        default:
            return value
        }
    }
}
