// The discovery endpoints (RFC 7644 §4): what this service provider
// supports, its resource types and their schemas. Public: they describe the
// service, not the directory.
import PluginKit
import ProteusJSON

struct Discovery {
    let options: SCIMOptions

    func serviceProviderConfig(_ locations: ResourceLocations) -> JSONObject {
        [
            "schemas": [.string(SCIMSchemaURN.serviceProviderConfig)],
            "documentationUri": "https://www.rfc-editor.org/rfc/rfc7644",
            "patch": ["supported": true],
            "bulk": ["supported": false, "maxOperations": 0, "maxPayloadSize": 0],
            "filter": ["supported": true, "maxResults": .number(JSONNumber(options.maxResults))],
            "changePassword": ["supported": true],
            "sort": ["supported": false],
            "etag": ["supported": true],
            "authenticationSchemes": [[
                "type": "oauthbearertoken", "name": "OAuth Bearer Token",
                "description": "A bearer token made by `proteus scim token create`",
                "specUri": "https://www.rfc-editor.org/rfc/rfc6750", "primary": true,
            ]],
            "meta": ["resourceType": "ServiceProviderConfig", "location": .string(locations.path("/ServiceProviderConfig"))],
        ]
    }

    /// The two resource types: id (= name), endpoint, description, schema, extensions.
    private static let resourceTypes: [(id: String, endpoint: String, description: String, schema: String, extensions: [String])] = [
        ("User", "/Users", "User Account", SCIMSchemaURN.user, [SCIMSchemaURN.enterpriseUser]),
        ("Group", "/Groups", "Group", SCIMSchemaURN.group, []),
    ]

    func resourceType(_ id: String, _ locations: ResourceLocations) -> JSONObject? {
        guard let t = Self.resourceTypes.first(where: { $0.id == id }) else { return nil }
        return [
            "schemas": [.string(SCIMSchemaURN.resourceType)],
            "id": .string(t.id), "name": .string(t.id), "endpoint": .string(t.endpoint),
            "description": .string(t.description), "schema": .string(t.schema),
            "schemaExtensions": .array(t.extensions.map { ["schema": .string($0), "required": false] }),
            "meta": ["resourceType": "ResourceType", "location": .string(locations.path("/ResourceTypes/" + t.id))],
        ]
    }

    func resourceTypes(_ locations: ResourceLocations) -> JSONValue {
        let all = Self.resourceTypes.compactMap { resourceType($0.id, locations) }.map(JSONValue.object)
        return ListParameters.listResponse(total: UInt64(all.count), startIndex: 1, resources: all)
    }

    func schema(_ id: String, _ locations: ResourceLocations) -> JSONValue? {
        SCIMSchema.named(id).map { $0.json(location: locations.path("/Schemas/" + $0.id)) }
    }

    func schemas(_ locations: ResourceLocations) -> JSONValue {
        let all = SCIMSchema.all.map { $0.json(location: locations.path("/Schemas/" + $0.id)) }
        return ListParameters.listResponse(total: UInt64(all.count), startIndex: 1, resources: all)
    }
}
