// Evaluating a filter against one resource's JSON, for result sets the store
// has already bounded (a point lookup's candidates, the list of groups):
// never a scan over all users.
import ProteusJSON

struct FilterEvaluation {
    /// The schemas of the resource type, for case-exactness.
    let schemas: [SCIMSchema]

    func matches(_ filter: Filter, _ resource: JSONObject) -> Bool {
        switch filter {
        case .and(let l, let r): return matches(l, resource) && matches(r, resource)
        case .or(let l, let r): return matches(l, resource) || matches(r, resource)
        case .not(let inner): return !matches(inner, resource)
        case .present(let path):
            return values(path, in: resource).contains { !Self.isEmpty($0) }
        case .compare(let path, let op, let expected):
            let exact = SCIMSchema.caseExact(path, sub: path.subAttribute, in: schemas)
            let found = values(path, in: resource)
            if op == .ne { return !found.contains { Self.compare($0, .eq, expected, caseExact: exact) } }
            return found.contains { Self.compare($0, op, expected, caseExact: exact) }
        case .valuePath(let path, let inner):
            guard let container = Self.attribute(path, in: resource) else { return false }
            let elements = container.arrayValue ?? [container]
            return elements.contains { element in
                guard let object = element.objectValue else { return false }
                return FilterEvaluation(schemas: schemas).matchesElement(inner, object, parent: path)
            }
        }
    }

    /// Inner filters of a value path name the element's sub-attributes.
    func matchesElement(_ filter: Filter, _ element: JSONObject, parent: AttributePath) -> Bool {
        switch filter {
        case .and(let l, let r): return matchesElement(l, element, parent: parent) && matchesElement(r, element, parent: parent)
        case .or(let l, let r): return matchesElement(l, element, parent: parent) || matchesElement(r, element, parent: parent)
        case .not(let inner): return !matchesElement(inner, element, parent: parent)
        case .present(let sub):
            return element.value(ignoringCase: sub.name).map { !Self.isEmpty($0) } ?? false
        case .compare(let sub, let op, let expected):
            let exact = SCIMSchema.caseExact(parent, sub: sub.name, in: schemas)
            let found = element.value(ignoringCase: sub.name)
            if op == .ne { return !(found.map { Self.compare($0, .eq, expected, caseExact: exact) } ?? false) }
            return found.map { Self.compare($0, op, expected, caseExact: exact) } ?? false
        case .valuePath: return false
        }
    }

    /// The values a path reaches: a multi-valued attribute's elements (or,
    /// for complex elements without a sub-attribute, their "value").
    private func values(_ path: AttributePath, in resource: JSONObject) -> [JSONValue] {
        guard let attribute = Self.attribute(path, in: resource) else { return [] }
        let elements = attribute.arrayValue ?? [attribute]
        return elements.compactMap { element in
            guard let object = element.objectValue else { return path.subAttribute == nil ? element : nil }
            return object.value(ignoringCase: path.subAttribute ?? "value")
        }
    }

    /// The attribute a path names, looking inside an extension schema's object.
    static func attribute(_ path: AttributePath, in resource: JSONObject) -> JSONValue? {
        // Core attributes sit at the top; an extension's inside its object.
        if let schema = path.schema, !schema.lowercased().hasPrefix("urn:ietf:params:scim:schemas:core:") {
            return resource.value(ignoringCase: schema)?.objectValue?.value(ignoringCase: path.name)
        }
        return resource.value(ignoringCase: path.name)
    }

    private static func isEmpty(_ v: JSONValue) -> Bool {
        switch v {
        case .null: return true
        case .string(let s): return s.isEmpty
        case .array(let a): return a.isEmpty
        case .object(let o): return o.isEmpty
        default: return false
        }
    }

    static func compare(_ actual: JSONValue, _ op: Filter.Comparison, _ expected: JSONValue, caseExact: Bool) -> Bool {
        switch (actual, expected) {
        case (.string(let a), .string(let e)):
            let x = caseExact ? a : a.lowercased(), y = caseExact ? e : e.lowercased()
            switch op {
            case .eq: return x == y
            case .ne: return x != y
            case .co: return x.contains(y)
            case .sw: return x.hasPrefix(y)
            case .ew: return x.hasSuffix(y)
            case .gt: return x > y
            case .ge: return x >= y
            case .lt: return x < y
            case .le: return x <= y
            }
        case (.bool(let a), .bool(let e)):
            return op == .eq ? a == e : op == .ne ? a != e : false
        case (.number(let a), .number(let e)):
            guard let x = a.double, let y = e.double else { return false }
            switch op {
            case .eq: return x == y
            case .ne: return x != y
            case .gt: return x > y
            case .ge: return x >= y
            case .lt: return x < y
            case .le: return x <= y
            default: return false
            }
        case (_, .null):
            return op == .eq ? actual.isNull : op == .ne ? !actual.isNull : false
        default:
            return op == .ne
        }
    }
}

extension JSONObject {
    /// The member whose key equals `key` ASCII-case-insensitively (SCIM
    /// attribute names are case-insensitive); an exact match first.
    func value(ignoringCase key: String) -> JSONValue? {
        if let exact = self[key] { return exact }
        let wanted = key.lowercased()
        return first { $0.key.lowercased() == wanted }?.value
    }

    /// The key as stored for `key` ASCII-case-insensitively.
    func storedKey(ignoringCase key: String) -> String? {
        if self[key] != nil { return key }
        let wanted = key.lowercased()
        return first { $0.key.lowercased() == wanted }?.key
    }
}
