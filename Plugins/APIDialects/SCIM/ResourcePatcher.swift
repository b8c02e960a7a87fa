// Applies PATCH operations to a resource's JSON (RFC 7644 §3.5.2). The
// caller then writes the result as it would a PUT, so PATCH and PUT share
// one validation. Read-only attributes (id, meta, schemas, a User's groups)
// and unknown ones are left alone: clients send them, and ignoring beats
// refusing a whole provisioning step.
import ProteusJSON

struct ResourcePatcher: Sendable {
    let schemas: [SCIMSchema]
    /// Lowercased names of attributes a PATCH never changes.
    let ignored: Set<String>
    /// Lowercased names of attributes that cannot be removed.
    let required: Set<String>

    func apply(_ operations: [PatchOperation], to resource: inout JSONObject) throws {
        for operation in operations {
            if let path = operation.path {
                try apply(operation.kind, path, operation.value, to: &resource, text: operation.pathText ?? "")
            } else if let object = operation.value?.objectValue {
                // No path: each member names an attribute (or an extension's object).
                for (key, value) in object {
                    if let extensionSchema = schemas.first(where: { $0.id.equalsIgnoringCase(key) }), let members = value.objectValue,
                       extensionSchema.id != schemas.first?.id {
                        for (name, v) in members {
                            guard let attribute = AttributePath(parsing: name) else { continue }
                            var scoped = attribute
                            scoped.schema = extensionSchema.id
                            try apply(operation.kind, PatchPath(attribute: scoped, filter: nil, subAttribute: nil), v, to: &resource, text: name)
                        }
                        continue
                    }
                    guard let attribute = AttributePath(parsing: key) else { continue }
                    try apply(operation.kind, PatchPath(attribute: attribute, filter: nil, subAttribute: nil), value, to: &resource, text: key)
                }
            }
        }
    }

    private func apply(_ kind: PatchOperation.Kind, _ path: PatchPath, _ value: JSONValue?, to resource: inout JSONObject, text: String) throws {
        let name = path.attribute.name
        guard !ignored.contains(name.lowercased()) else { return }
        if kind == .remove, path.filter == nil, path.attribute.subAttribute == nil, path.subAttribute == nil,
           required.contains(name.lowercased()), path.attribute.schema == nil || path.attribute.inSchema(schemas.first?.id ?? "") {
            throw SCIMFailure.mutability("\(name) is required and cannot be removed")
        }
        // The path names a whole extension ("urn:…:enterprise:2.0:User").
        if path.filter == nil, path.attribute.subAttribute == nil, let schema = path.attribute.schema,
           let whole = schemas.dropFirst().first(where: { $0.id.equalsIgnoringCase(schema + ":" + name) }) {
            let key = resource.storedKey(ignoringCase: whole.id) ?? whole.id
            var current = resource[key]
            try applyPlain(kind, sub: nil, value, to: &current, text: text)
            resource[key] = current?.objectValue?.isEmpty == true ? nil : current
            return
        }
        // Which object holds the attribute: the resource, or an extension's object.
        var extensionKey: String?
        if let schema = path.attribute.schema, !schema.equalsIgnoringCase(schemas.first?.id ?? "") {
            guard let known = schemas.first(where: { $0.id.equalsIgnoringCase(schema) }) else { return }
            extensionKey = resource.storedKey(ignoringCase: known.id) ?? known.id
        }
        // Attributes no schema publishes (Entra's phoneNumbers and roles, Okta's
        // locale) are ignored, as in a POST or PUT; externalId is common to all.
        let owner = extensionKey.flatMap { key in schemas.first { $0.id.equalsIgnoringCase(key) } } ?? schemas.first
        guard owner?.attribute(name) != nil || (extensionKey == nil && name.equalsIgnoringCase("externalId")) else { return }
        var container = extensionKey.flatMap { resource[$0]?.objectValue } ?? (extensionKey == nil ? resource : JSONObject())
        let key = container.storedKey(ignoringCase: name) ?? canonicalName(name, schema: path.attribute.schema)
        var current = container[key]
        let sub = path.attribute.subAttribute ?? path.subAttribute

        if let filter = path.filter {
            try applyFiltered(kind, filter, sub: sub, value, to: &current, attribute: path.attribute, text: text)
        } else {
            try applyPlain(kind, sub: sub, value, to: &current, text: text)
        }
        container[key] = current
        if let extensionKey {
            resource[extensionKey] = container.isEmpty ? nil : .object(container)
        } else {
            resource = container
        }
    }

    /// add/replace/remove on `name` or `name.sub`.
    private func applyPlain(_ kind: PatchOperation.Kind, sub: String?, _ value: JSONValue?, to current: inout JSONValue?, text: String) throws {
        if let sub {
            if case .array(var elements)? = current {
                // emails.value: every element's sub-attribute.
                for i in elements.indices {
                    guard var e = elements[i].objectValue else { continue }
                    let k = e.storedKey(ignoringCase: sub) ?? sub
                    e[k] = kind == .remove ? nil : value
                    elements[i] = .object(e)
                }
                current = .array(elements)
                return
            }
            var object = current?.objectValue ?? JSONObject()
            let k = object.storedKey(ignoringCase: sub) ?? sub
            object[k] = kind == .remove ? nil : value
            current = object.isEmpty ? nil : .object(object)
            return
        }
        switch kind {
        case .remove:
            if let removals = value?.arrayValue, case .array(let elements)? = current {
                // Entra ID: {"op":"Remove","path":"members","value":[{"value":ID}]} removes just those.
                let gone = Set(removals.compactMap { $0.objectValue?.value(ignoringCase: "value")?.stringValue })
                let kept = elements.filter { e in
                    guard let v = e.objectValue?.value(ignoringCase: "value")?.stringValue else { return true }
                    return !gone.contains(v)
                }
                current = kept.isEmpty ? nil : .array(kept)
            } else {
                current = nil
            }
        case .add:
            if case .array(let existing)? = current {
                let added = value?.arrayValue ?? (value.map { [$0] } ?? [])
                current = .array(merged(existing, added))
            } else if case .object(let existing)? = current, let update = value?.objectValue {
                current = .object(mergedObject(existing, update))
            } else {
                current = value
            }
        case .replace:
            if case .object(let existing)? = current, let update = value?.objectValue {
                current = .object(mergedObject(existing, update))
            } else {
                current = value
            }
        }
    }

    /// Operations on `attr[filter]` or `attr[filter].sub`.
    private func applyFiltered(_ kind: PatchOperation.Kind, _ filter: Filter, sub: String?, _ value: JSONValue?,
                               to current: inout JSONValue?, attribute: AttributePath, text: String) throws {
        var elements = current?.arrayValue ?? []
        let evaluation = FilterEvaluation(schemas: schemas)
        let matching = elements.indices.filter { i in
            elements[i].objectValue.map { evaluation.matchesElement(filter, $0, parent: attribute) } ?? false
        }
        switch kind {
        case .remove:
            guard !matching.isEmpty else { throw SCIMFailure.noTarget("no value matches \"\(text)\"") }
            if let sub {
                for i in matching {
                    guard var e = elements[i].objectValue else { continue }
                    e[e.storedKey(ignoringCase: sub) ?? sub] = nil
                    elements[i] = .object(e)
                }
            } else {
                for i in matching.reversed() { elements.remove(at: i) }
            }
        case .add, .replace:
            if matching.isEmpty {
                // add creates the element the filter describes (Entra ID:
                // add emails[type eq "work"].value); replace needs a target.
                guard kind == .add, let seed = Self.equalities(filter) else {
                    throw SCIMFailure.noTarget("no value matches \"\(text)\"")
                }
                var e = seed
                if let sub { e[sub] = value } else if let update = value?.objectValue { e = mergedObject(e, update) }
                elements.append(.object(e))
            } else {
                for i in matching {
                    guard var e = elements[i].objectValue else { continue }
                    if let sub {
                        e[e.storedKey(ignoringCase: sub) ?? sub] = value
                    } else if let update = value?.objectValue {
                        e = mergedObject(e, update)
                    } else {
                        throw SCIMFailure.invalidValue("\"\(text)\" needs an object value")
                    }
                    elements[i] = .object(e)
                }
            }
        }
        current = elements.isEmpty ? nil : .array(elements)
    }

    /// `a eq "x" and b eq "y"` as {a: "x", b: "y"}; nil for any other filter.
    private static func equalities(_ filter: Filter) -> JSONObject? {
        var o = JSONObject()
        for conjunct in filter.conjuncts {
            guard case .compare(let path, .eq, let v) = conjunct, path.subAttribute == nil else { return nil }
            o[path.name] = v
        }
        return o
    }

    private func merged(_ existing: [JSONValue], _ added: [JSONValue]) -> [JSONValue] {
        var result = existing
        for element in added where !result.contains(element) {
            // A new primary value takes "primary" from the others (RFC 7644 §3.5.2.1).
            if element.objectValue?["primary"]?.boolValue == true {
                result = result.map { e in
                    guard var o = e.objectValue, o["primary"] != nil else { return e }
                    o["primary"] = false
                    return .object(o)
                }
            }
            result.append(element)
        }
        return result
    }

    private func mergedObject(_ existing: JSONObject, _ update: JSONObject) -> JSONObject {
        var result = existing
        for (k, v) in update { result[result.storedKey(ignoringCase: k) ?? k] = v }
        return result
    }

    /// The schema's spelling of an attribute name, so a new member is
    /// written as the schema names it.
    private func canonicalName(_ name: String, schema: String?) -> String {
        for s in schemas where schema == nil || s.id.equalsIgnoringCase(schema!) {
            if let a = s.attribute(name) { return a.name }
        }
        return name
    }
}
