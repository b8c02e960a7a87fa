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

    static let resourceTypeIDs = ["User", "Group"]

    func resourceType(_ id: String, _ locations: ResourceLocations) -> JSONObject? {
        var o: JSONObject = ["schemas": [.string(SCIMSchemaURN.resourceType)]]
        switch id {
        case "User":
            o["id"] = "User"
            o["name"] = "User"
            o["endpoint"] = "/Users"
            o["description"] = "User Account"
            o["schema"] = .string(SCIMSchemaURN.user)
            o["schemaExtensions"] = [["schema": .string(SCIMSchemaURN.enterpriseUser), "required": false]]
        case "Group":
            o["id"] = "Group"
            o["name"] = "Group"
            o["endpoint"] = "/Groups"
            o["description"] = "Group"
            o["schema"] = .string(SCIMSchemaURN.group)
            o["schemaExtensions"] = []
        default:
            return nil
        }
        o["meta"] = ["resourceType": "ResourceType", "location": .string(locations.path("/ResourceTypes/" + id))]
        return o
    }

    func resourceTypes(_ locations: ResourceLocations) -> JSONValue {
        let all = Self.resourceTypeIDs.compactMap { resourceType($0, locations) }.map(JSONValue.object)
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
