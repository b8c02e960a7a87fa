// The resource schemas this dialect publishes (/Schemas) and follows when it
// reads, compares and writes attributes: what is published as writable
// round-trips exactly; nothing else is kept.
import ProteusJSON

enum SCIMSchemaURN {
    static let user = "urn:ietf:params:scim:schemas:core:2.0:User"
    static let group = "urn:ietf:params:scim:schemas:core:2.0:Group"
    static let enterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    static let listResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    static let patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    static let error = "urn:ietf:params:scim:api:messages:2.0:Error"
    static let searchRequest = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
    static let serviceProviderConfig = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
    static let resourceType = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
    static let schema = "urn:ietf:params:scim:schemas:core:2.0:Schema"
}

/// One attribute definition (RFC 7643 §7).
struct SCIMAttribute: Sendable {
    enum Kind: String, Sendable { case string, boolean, complex, dateTime, reference }

    let name: String
    let kind: Kind
    var multiValued = false
    var required = false
    var caseExact = false
    var mutability = "readWrite"
    var returned = "default"
    var uniqueness = "none"
    var description = ""
    var canonicalValues: [String] = []
    var referenceTypes: [String] = []
    var subAttributes: [SCIMAttribute] = []

    var isWritable: Bool { mutability == "readWrite" || mutability == "writeOnly" || mutability == "immutable" }

    func sub(_ name: String) -> SCIMAttribute? { subAttributes.first { $0.name.equalsIgnoringCase(name) } }

    var json: JSONValue {
        var o: JSONObject = [
            "name": .string(name), "type": .string(kind.rawValue), "multiValued": .bool(multiValued),
            "description": .string(description), "required": .bool(required),
        ]
        if kind != .complex && kind != .boolean { o["caseExact"] = .bool(caseExact) }
        if !canonicalValues.isEmpty { o["canonicalValues"] = .array(canonicalValues.map { .string($0) }) }
        if !referenceTypes.isEmpty { o["referenceTypes"] = .array(referenceTypes.map { .string($0) }) }
        if !subAttributes.isEmpty { o["subAttributes"] = .array(subAttributes.map(\.json)) }
        o["mutability"] = .string(mutability)
        o["returned"] = .string(returned)
        if kind != .complex && kind != .boolean { o["uniqueness"] = .string(uniqueness) }
        return .object(o)
    }
}

/// A schema: its URN, name and attributes.
struct SCIMSchema: Sendable {
    let id: String
    let name: String
    let description: String
    let attributes: [SCIMAttribute]

    func attribute(_ name: String) -> SCIMAttribute? { attributes.first { $0.name.equalsIgnoringCase(name) } }

    func json(location: String) -> JSONValue {
        [
            "schemas": [.string(SCIMSchemaURN.schema)],
            "id": .string(id), "name": .string(name), "description": .string(description),
            "attributes": .array(attributes.map(\.json)),
            "meta": ["resourceType": "Schema", "location": .string(location)],
        ]
    }

    static let all = [user, enterpriseUser, group]

    static func named(_ urn: String) -> SCIMSchema? { all.first { $0.id.equalsIgnoringCase(urn) } }

    static let user = SCIMSchema(id: SCIMSchemaURN.user, name: "User", description: "User Account", attributes: [
        SCIMAttribute(name: "userName", kind: .string, required: true, uniqueness: "server",
                      description: "Unique identifier for the user, used to sign in; unique case-insensitively"),
        SCIMAttribute(name: "name", kind: .complex, description: "The components of the user's name", subAttributes: [
            SCIMAttribute(name: "formatted", kind: .string, description: "The full name, formatted for display"),
            SCIMAttribute(name: "familyName", kind: .string, description: "The family name"),
            SCIMAttribute(name: "givenName", kind: .string, description: "The given name"),
            SCIMAttribute(name: "middleName", kind: .string, description: "The middle name(s)"),
            SCIMAttribute(name: "honorificPrefix", kind: .string, description: "The honorific prefix(es), e.g. 'Ms.'"),
            SCIMAttribute(name: "honorificSuffix", kind: .string, description: "The honorific suffix(es), e.g. 'III'"),
        ]),
        SCIMAttribute(name: "displayName", kind: .string, description: "The name of the user, suitable for display"),
        // Required: every directory user is active or not (a create without
        // it makes an active user); there is no third, unset state.
        SCIMAttribute(name: "active", kind: .boolean, required: true,
                      description: "Whether the user may sign in (false: disabled in every dialect); true when a create omits it"),
        SCIMAttribute(name: "password", kind: .string, mutability: "writeOnly", returned: "never",
                      description: "The user's password; stored as a password hash, never returned"),
        SCIMAttribute(name: "emails", kind: .complex, multiValued: true,
                      description: "Email addresses; the primary (or first) one is the directory's email", subAttributes: [
            SCIMAttribute(name: "value", kind: .string, description: "The email address"),
            SCIMAttribute(name: "display", kind: .string, description: "A label for display"),
            SCIMAttribute(name: "type", kind: .string, description: "A label: work, home, other",
                          canonicalValues: ["work", "home", "other"]),
            SCIMAttribute(name: "primary", kind: .boolean, description: "The preferred address"),
        ]),
        SCIMAttribute(name: "groups", kind: .complex, multiValued: true, mutability: "readOnly",
                      description: "The group the user belongs to (a user is in at most one group)", subAttributes: [
            SCIMAttribute(name: "value", kind: .string, mutability: "readOnly", description: "The group's id"),
            SCIMAttribute(name: "$ref", kind: .reference, mutability: "readOnly", description: "The group's URI", referenceTypes: ["Group"]),
            SCIMAttribute(name: "display", kind: .string, mutability: "readOnly", description: "The group's displayName"),
            SCIMAttribute(name: "type", kind: .string, mutability: "readOnly", description: "direct", canonicalValues: ["direct"]),
        ]),
    ])

    static let enterpriseUser = SCIMSchema(id: SCIMSchemaURN.enterpriseUser, name: "EnterpriseUser", description: "Enterprise User", attributes: [
        SCIMAttribute(name: "employeeNumber", kind: .string, description: "A number identifying the user in the organization"),
        SCIMAttribute(name: "department", kind: .string, description: "The user's department"),
    ])

    static let group = SCIMSchema(id: SCIMSchemaURN.group, name: "Group", description: "Group", attributes: [
        SCIMAttribute(name: "displayName", kind: .string, required: true, caseExact: true, uniqueness: "server",
                      description: "The group's name, unique"),
        SCIMAttribute(name: "members", kind: .complex, multiValued: true, description: "The group's users", subAttributes: [
            SCIMAttribute(name: "value", kind: .string, mutability: "immutable", description: "The member's id"),
            SCIMAttribute(name: "$ref", kind: .reference, mutability: "immutable", description: "The member's URI", referenceTypes: ["User"]),
            SCIMAttribute(name: "type", kind: .string, mutability: "immutable", description: "User", canonicalValues: ["User"]),
        ]),
    ])

    /// Case-exactness of an attribute for comparisons; the common attributes
    /// id and externalId are case-exact (RFC 7643 §3.1), unknown ones not.
    static func caseExact(_ path: AttributePath, sub: String?, in schemas: [SCIMSchema]) -> Bool {
        if path.name.equalsIgnoringCase("id") || path.name.equalsIgnoringCase("externalId") { return true }
        if path.name.equalsIgnoringCase("meta") { return true }
        for schema in schemas where path.inSchema(schema.id) {
            guard let attribute = schema.attribute(path.name) else { continue }
            if let sub { return attribute.sub(sub)?.caseExact ?? false }
            if attribute.kind == .complex, let value = attribute.sub("value") { return value.caseExact }
            return attribute.caseExact
        }
        return false
    }
}
