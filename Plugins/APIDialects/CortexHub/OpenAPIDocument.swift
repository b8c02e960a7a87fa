// GET <mount>/openapi.json: an OpenAPI 3.1 document of exactly the routes
// this dialect serves (Endpoint, minus the document itself, as FastAPI
// leaves it out), with paths carrying the request's mount (/api/v1 in the
// original), so the paths are the ones a client calls.
import ProteusJSON

enum OpenAPIDocument {
    private struct Operation {
        var summary: String
        var authenticated = true
        var query: [(name: String, required: Bool, type: String)] = []
        var body: String? = nil
        var multipart = false
        /// Answers 200 with YAML (application/x-yaml) instead of JSON.
        var yaml = false
        /// Answers with a redirect (302 + Location) instead of 200 JSON,
        /// and these {"detail": ...} errors besides 422.
        var redirect: (description: String, errors: [(status: String, description: String)])? = nil
        /// The 200 answer's schema (else any JSON) and {"detail": ...} errors.
        var result: String? = nil
        var errors: [(status: String, description: String)] = []
    }

    private static func operation(_ endpoint: Endpoint, _ method: String) -> Operation? {
        switch (endpoint, method) {
        case (.login, _):
            return Operation(summary: "Initiate OIDC Login Flow", authenticated: false, query: [("frontend_callback_uri", false, "string")],
                             redirect: ("To the provider's authorization endpoint", [
                                 ("400", "The frontend URI is not an allowed redirect"),
                                 ("404", "OIDC sign-in is not configured"),
                                 ("502", "The provider failed"), ("503", "Outbound calls are refused for load")]))
        case (.loginCallback, _):
            return Operation(summary: "Handle OIDC Login Callback", authenticated: false, query: [("code", true, "string"), ("state", true, "string")],
                             redirect: ("To the frontend URI with user_id=<login id> added to its query", [
                                 ("400", "Unknown, expired or used state; the provider refused the code"),
                                 ("401", "The ID token was refused"), ("403", "The account is disabled"),
                                 ("404", "OIDC sign-in is not configured"),
                                 ("502", "The provider failed"), ("503", "Outbound calls are refused for load")]))
        case (.me, _): return Operation(summary: "Get Current User Status")
        case (.loginLocal, _): return Operation(summary: "Local Authentication Fallback", authenticated: false, body: "LocalLoginRequest")
        case (.password, _): return Operation(summary: "Update User Password", body: "PasswordUpdateRequest")
        case (.profile, "GET"): return Operation(summary: "Get Current User Profile")
        case (.profile, _): return Operation(summary: "Update User Profile", body: "UserProfileUpdate")
        case (.config, "GET"): return Operation(summary: "Get Current User Preferences")
        case (.config, _): return Operation(summary: "Update Current User Preferences", body: "UserPreferences")
        case (.models, _): return Operation(summary: "Get Models for Provider", authenticated: false, query: [("provider_name", true, "string"), ("section", false, "string")])
        case (.providers, _): return Operation(summary: "Get All Valid Providers per Section", query: [("section", false, "string"), ("configured_only", false, "boolean")])
        case (.verifyLLM, _): return verifyOperation("Verify Llm")
        case (.verifyTTS, _): return verifyOperation("Verify Tts")
        case (.verifySTT, _): return verifyOperation("Verify Stt")
        case (.logout, _): return Operation(summary: "Log Out the Current User")
        case (.export, _): return Operation(summary: "Export Configurations to YAML", yaml: true)
        case (.importConfig, _): return Operation(summary: "Import Configurations from YAML", multipart: true)
        case (.adminUsers, _): return Operation(summary: "List All Users (Admin Only)")
        case (.userRole, _): return Operation(summary: "Update User Role (Admin Only)", body: "RoleUpdateRequest")
        case (.userGroup, _): return Operation(summary: "Update User Group (Admin Only)", body: "GroupAssignmentRequest")
        case (.groups, "GET"): return Operation(summary: "List All Groups (Admin Only)")
        case (.groups, _): return Operation(summary: "Create Group (Admin Only)", body: "GroupCreate")
        case (.group, "PUT"): return Operation(summary: "Update Group (Admin Only)", body: "GroupUpdate")
        case (.group, _): return Operation(summary: "Delete Group (Admin Only)")
        case (.openAPI, _): return nil
        }
    }

    /// verify_llm|tts|stt (VerifyRoutes.swift): 200 {success, message} for
    /// any outcome of the probe.
    private static func verifyOperation(_ summary: String) -> Operation {
        Operation(summary: summary, body: "VerifyProviderRequest", result: "VerifyProviderResponse",
                  errors: [("401", "No signed-in user"), ("404", "The provider is not in this section's catalogue"),
                           ("503", "Outbound calls are refused for load (Retry-After)")])
    }

    static func make(mount: String) -> JSONValue {
        let prefix = mount.hasSuffix("/") ? String(mount.dropLast()) : mount
        var paths = JSONObject()
        for endpoint in Endpoint.allCases {
            var item = JSONObject()
            for method in endpoint.methods {
                guard let op = operation(endpoint, method) else { continue }
                item[method.lowercased()] = describe(op, endpoint: endpoint, method: method)
            }
            if !item.isEmpty { paths[prefix + endpoint.path] = .object(item) }
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "Cortex Hub AI Hub (Proteus)", "version": "0.1.0"],
            "paths": .object(paths),
            "components": ["schemas": schemas],
        ]
    }

    private static func describe(_ op: Operation, endpoint: Endpoint, method: String) -> JSONValue {
        var parameters: [JSONValue] = []
        for name in ["uid", "gid"] where endpoint.path.contains("{\(name)}") {
            parameters.append(["name": .string(name), "in": "path", "required": true, "schema": ["type": "string", "title": .string(name == "uid" ? "Uid" : "Gid")]])
        }
        for q in op.query {
            parameters.append(["name": .string(q.name), "in": "query", "required": .bool(q.required), "schema": ["type": .string(q.type)]])
        }
        if op.authenticated {
            parameters.append(["name": "x-user-id", "in": "header", "required": false,
                               "description": "The user_id returned by a login (or send it as Authorization: Bearer)",
                               "schema": ["anyOf": [["type": "string"], ["type": "null"]]]])
        }
        let id = op.summary.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
            + "_" + method.lowercased()
        var responses: JSONObject = [
            "200": ["description": "Successful Response", "content": ["application/json": ["schema": [:]]]],
            "422": ["description": "Validation Error",
                    "content": ["application/json": ["schema": ["$ref": "#/components/schemas/HTTPValidationError"]]]],
        ]
        if let result = op.result {
            responses["200"] = ["description": "Successful Response",
                                "content": ["application/json": ["schema": ["$ref": .string("#/components/schemas/" + result)]]]]
        }
        for (status, description) in op.errors {
            responses[status] = ["description": .string(description),
                                 "content": ["application/json": ["schema": ["$ref": "#/components/schemas/HTTPError"]]]]
        }
        if op.yaml {
            responses["200"] = ["description": "The caller's preferences as YAML (admin only)",
                                "content": ["application/x-yaml": ["schema": ["type": "string"]]]]
        }
        if op.multipart {
            for (status, description) in [("400", "Malformed multipart body, invalid YAML or not a mapping"),
                                          ("413", "The YAML expands beyond its bound (aliases) or nests too deep")] {
                responses[status] = ["description": .string(description),
                                     "content": ["application/json": ["schema": ["$ref": "#/components/schemas/HTTPError"]]]]
            }
        }
        if let redirect = op.redirect {
            responses = ["302": ["description": .string(redirect.description),
                                 "headers": ["Location": ["required": true, "schema": ["type": "string"]]]]]
            for (status, description) in redirect.errors {
                responses[status] = ["description": .string(description),
                                     "content": ["application/json": ["schema": ["$ref": "#/components/schemas/HTTPError"]]]]
            }
            responses["422"] = ["description": "Validation Error",
                                "content": ["application/json": ["schema": ["$ref": "#/components/schemas/HTTPValidationError"]]]]
        }
        var operation: JSONObject = [
            "summary": .string(op.summary),
            "operationId": .string(id),
            "responses": .object(responses),
        ]
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if let body = op.body {
            operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": ["$ref": .string("#/components/schemas/" + body)]]]]
        } else if op.multipart {
            operation["requestBody"] = ["required": true, "content": ["multipart/form-data": ["schema": [
                "type": "object", "required": ["file"],
                "properties": ["file": ["type": "string", "format": "binary"]]]]]]
        }
        return .object(operation)
    }

    private static func object(_ properties: JSONObject, required: [String] = []) -> JSONValue {
        var o: JSONObject = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { o["required"] = .array(required.map { .string($0) }) }
        return .object(o)
    }

    private static let string: JSONValue = ["type": "string"]
    private static let nullableString: JSONValue = ["anyOf": [["type": "string"], ["type": "null"]]]
    private static let freeObject: JSONValue = ["type": "object", "additionalProperties": true]

    private static var schemas: JSONValue {
        [
            "LocalLoginRequest": object(["username": string, "password": string], required: ["username", "password"]),
            "PasswordUpdateRequest": object(["old_password": string, "new_password": string], required: ["old_password", "new_password"]),
            "UserProfileUpdate": object(["display_name": nullableString, "email": nullableString]),
            "UserPreferences": object(["llm": freeObject, "tts": freeObject, "stt": freeObject]),
            "VerifyProviderRequest": object(["provider_name": string, "api_key": nullableString], required: ["provider_name"]),
            "VerifyProviderResponse": object(["success": ["type": "boolean"], "message": string], required: ["success", "message"]),
            "RoleUpdateRequest": object(["role": ["type": "string", "enum": ["admin", "user"]]], required: ["role"]),
            "GroupAssignmentRequest": object(["group_id": nullableString], required: ["group_id"]),
            "GroupCreate": object(["name": string, "description": nullableString, "policy": freeObject], required: ["name"]),
            "GroupUpdate": object(["name": string, "description": nullableString, "policy": freeObject]),
            "ValidationError": object([
                "loc": ["type": "array", "items": ["anyOf": [["type": "string"], ["type": "integer"]]]],
                "msg": string, "type": string,
            ], required: ["loc", "msg", "type"]),
            "HTTPError": object(["detail": string], required: ["detail"]),
            "HTTPValidationError": object(["detail": ["type": "array", "items": ["$ref": "#/components/schemas/ValidationError"]]]),
        ]
    }
}
