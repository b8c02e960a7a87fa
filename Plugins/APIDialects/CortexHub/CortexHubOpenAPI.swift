// The Cortex Hub dialect's OpenAPI 3.1 document, one source for both uses:
// GET <mount>/openapi.json serves it (as FastAPI serves the original's) and
// "openapi.v1" (`proteus openapi cortexhub`) hands it out. Exactly the routes
// this dialect serves (Endpoint, minus the document itself, as FastAPI
// leaves it out), relative to `servers[0].url`, the mount (FastAPI's
// root_path style), with the answers the handlers really give: bare JSON on
// success, {"detail": ...} on errors, 422 for validation.
import ProteusJSON

enum CortexHubOpenAPI {
    private typealias Answer = (status: String, description: String)

    private struct Operation {
        var summary: String
        /// Needs a login's user_id: 401 without one, 403 when that login's
        /// user has since turned a second factor on (or for admin routes,
        /// is not an administrator).
        var authenticated = true
        var adminOnly = false
        var query: [(name: String, required: Bool, type: String)] = []
        var body: String? = nil
        var multipart = false
        /// Answers 200 with YAML (application/x-yaml) instead of JSON.
        var yaml = false
        /// Answers with a redirect (302 + Location) instead of 200 JSON.
        var redirect: String? = nil
        /// The 200 answer's schema.
        var result: JSONValue = ["type": "null"]
        /// {"detail": ...} errors besides 401/403 (from the flags), 422 and 503.
        var errors: [Answer] = []
    }

    private static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/" + name)] }
    private static func list(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }

    private static let unavailable: Answer = ("503", "The store (or the outbound lane) is unavailable or overloaded")

    private static func operation(_ endpoint: Endpoint, _ method: String) -> Operation? {
        let oidcErrors: [Answer] = [("404", "OIDC sign-in is not configured"), ("502", "The provider failed")]
        switch (endpoint, method) {
        case (.login, _):
            return Operation(summary: "Initiate OIDC Login Flow", authenticated: false, query: [("frontend_callback_uri", false, "string")],
                             redirect: "To the provider's authorization endpoint",
                             errors: [("400", "The frontend URI is not an allowed redirect")] + oidcErrors)
        case (.loginCallback, _):
            return Operation(summary: "Handle OIDC Login Callback", authenticated: false, query: [("code", true, "string"), ("state", true, "string")],
                             redirect: "To the frontend URI with user_id=<login id> added to its query",
                             errors: [("400", "Unknown, expired or used state; the provider refused the code"),
                                      ("401", "The ID token was refused"), ("403", "The account is disabled")] + oidcErrors)
        case (.me, _): return Operation(summary: "Get Current User Status", result: ref("UserStatus"))
        case (.loginLocal, _):
            return Operation(summary: "Local Authentication Fallback", authenticated: false, body: "LocalLoginRequest", result: ref("LoginResponse"),
                             errors: [("401", "Invalid username or password (unknown, wrong and banned alike)"),
                                      ("403", "Password login is disabled, or the account requires a second factor"),
                                      ("429", "Too many login attempts (Retry-After)")])
        case (.password, _):
            return Operation(summary: "Update User Password", body: "PasswordUpdateRequest", result: ref("Message"),
                             errors: [("400", "This account has no password"), ("409", "The account was changed concurrently")])
        case (.profile, "GET"): return Operation(summary: "Get Current User Profile", result: ref("UserProfile"))
        case (.profile, _):
            return Operation(summary: "Update User Profile", body: "UserProfileUpdate", result: ref("UserProfile"),
                             errors: [("409", "Email is already in use")])
        case (.config, "GET"): return Operation(summary: "Get Current User Preferences", result: ref("Preferences"))
        case (.config, _):
            return Operation(summary: "Update Current User Preferences", body: "UserPreferences", result: ref("Preferences"),
                             errors: [("409", "The account was changed concurrently")])
        case (.models, _):
            return Operation(summary: "Get Models for Provider", authenticated: false, query: [("provider_name", true, "string"), ("section", false, "string")],
                             result: list(["type": "string"]), errors: [("404", "Unknown section, or provider not in that section's catalogue")])
        case (.providers, _):
            return Operation(summary: "Get All Valid Providers per Section", query: [("section", false, "string"), ("configured_only", false, "boolean")],
                             result: ["anyOf": [list(["type": "string"]), ref("ProvidersBySection")]],
                             errors: [("404", "Unknown section")])
        case (.verifyLLM, _): return verifyOperation("Verify Llm")
        case (.verifyTTS, _): return verifyOperation("Verify Tts")
        case (.verifySTT, _): return verifyOperation("Verify Stt")
        case (.logout, _): return Operation(summary: "Log Out the Current User (revokes the user_id presented)", result: ref("Message"))
        case (.export, _): return Operation(summary: "Export Configurations to YAML", adminOnly: true, yaml: true)
        case (.importConfig, _):
            return Operation(summary: "Import Configurations from YAML", multipart: true, result: ref("Preferences"),
                             errors: [("400", "Malformed multipart body, invalid YAML or not a mapping"),
                                      ("409", "The account was changed concurrently"),
                                      ("413", "The YAML expands beyond its bound (aliases) or nests too deep")])
        case (.adminUsers, _): return Operation(summary: "List All Users (Admin Only)", adminOnly: true, result: list(ref("UserProfile")))
        case (.userRole, _):
            return Operation(summary: "Update User Role (Admin Only)", adminOnly: true, body: "RoleUpdateRequest", result: ref("UserProfile"),
                             errors: [("404", "User not found"), ("409", "Cannot demote the last administrator")])
        case (.userGroup, _):
            return Operation(summary: "Update User Group (Admin Only)", adminOnly: true, body: "GroupAssignmentRequest", result: ref("UserProfile"),
                             errors: [("404", "User or group not found")])
        case (.groups, "GET"): return Operation(summary: "List All Groups (Admin Only)", adminOnly: true, result: list(ref("Group")))
        case (.groups, _):
            return Operation(summary: "Create Group (Admin Only)", adminOnly: true, body: "GroupCreate", result: ref("Group"),
                             errors: [("409", "A group with this name already exists")])
        case (.group, "PUT"):
            return Operation(summary: "Update Group (Admin Only)", adminOnly: true, body: "GroupUpdate", result: ref("Group"),
                             errors: [("404", "Group not found"), ("409", "A group with this name already exists")])
        case (.group, _):
            return Operation(summary: "Delete Group (Admin Only)", adminOnly: true, result: ref("Message"), errors: [("404", "Group not found")])
        case (.openAPI, _): return nil
        }
    }

    /// verify_llm|tts|stt (VerifyRoutes.swift): 200 {success, message} for
    /// any outcome of the probe.
    private static func verifyOperation(_ summary: String) -> Operation {
        Operation(summary: summary, body: "VerifyProviderRequest", result: ref("VerifyProviderResponse"),
                  errors: [("404", "The provider is not in this section's catalogue")])
    }

    static func make(mount: String) -> JSONValue {
        var paths = JSONObject()
        for endpoint in Endpoint.allCases {
            var item = JSONObject()
            for method in endpoint.methods {
                guard let op = operation(endpoint, method) else { continue }
                item[method.lowercased()] = describe(op, endpoint: endpoint, method: method)
            }
            if !item.isEmpty { paths[endpoint.path] = .object(item) }
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "Cortex Hub AI Hub (Proteus)", "version": "0.1.0"],
            "servers": [["url": .string(mount)]],
            "security": [["userId": []], ["bearer": []]],
            "paths": .object(paths),
            "components": [
                "securitySchemes": [
                    "userId": ["type": "apiKey", "in": "header", "name": "X-User-ID", "description": "The user_id a login returned"],
                    "bearer": ["type": "http", "scheme": "bearer", "description": "The same user_id as a bearer token"],
                ],
                "schemas": schemas,
            ],
        ]
    }

    /// The document as `proteus openapi` prints it.
    static func text(mount: String) -> String { make(mount: mount).serialized() }

    private static func detail(_ description: String, headers: JSONValue? = nil) -> JSONValue {
        var answer: JSONObject = ["description": .string(description), "content": ["application/json": ["schema": ref("HTTPError")]]]
        if let headers { answer["headers"] = headers }
        return .object(answer)
    }

    private static func describe(_ op: Operation, endpoint: Endpoint, method: String) -> JSONValue {
        var parameters: [JSONValue] = []
        for name in ["uid", "gid"] where endpoint.path.contains("{\(name)}") {
            parameters.append(["name": .string(name), "in": "path", "required": true, "schema": ["type": "string", "title": .string(name == "uid" ? "Uid" : "Gid")]])
        }
        for q in op.query {
            parameters.append(["name": .string(q.name), "in": "query", "required": .bool(q.required), "schema": ["type": .string(q.type)]])
        }
        let id = op.summary.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
            + "_" + method.lowercased()
        var responses: JSONObject = [
            "422": ["description": "Validation Error", "content": ["application/json": ["schema": ref("HTTPValidationError")]]],
            unavailable.status: detail(unavailable.description, headers: ["Retry-After": ["required": false, "schema": ["type": "string"]]]),
        ]
        if let redirect = op.redirect {
            responses["302"] = ["description": .string(redirect), "headers": ["Location": ["required": true, "schema": ["type": "string"]]]]
        } else if op.yaml {
            responses["200"] = ["description": "The caller's preferences as YAML (admin only: it holds provider API keys)",
                                "content": ["application/x-yaml": ["schema": ref("Preferences")]]]
        } else {
            responses["200"] = ["description": "Successful Response", "content": ["application/json": ["schema": op.result]]]
        }
        if op.authenticated {
            responses["401"] = detail("Invalid or missing user id", headers: ["WWW-Authenticate": ["required": true, "schema": ["const": "Bearer"]]])
            responses["403"] = detail(op.adminOnly ? "Admin access required; or the account now requires a second factor"
                                                   : "The account now requires a second factor")
        }
        for error in op.errors { responses[error.status] = detail(error.description) }
        var operation: JSONObject = [
            "summary": .string(op.summary),
            "operationId": .string(id),
            "responses": .object(responses),
        ]
        if !op.authenticated { operation["security"] = [] }
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if let body = op.body {
            operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": ref(body)]]]
        } else if op.multipart {
            operation["requestBody"] = ["required": true, "content": ["multipart/form-data": ["schema": [
                "type": "object", "required": ["file"],
                "properties": ["file": ["type": "string", "format": "binary"]]]]]]
        }
        return .object(operation)
    }

    private static func object(_ properties: JSONObject, required: [String] = [], closed: Bool = false) -> JSONValue {
        var o: JSONObject = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { o["required"] = .array(required.map { .string($0) }) }
        if closed { o["additionalProperties"] = false }
        return .object(o)
    }

    private static let string: JSONValue = ["type": "string"]
    private static let nullableString: JSONValue = ["anyOf": [["type": "string"], ["type": "null"]]]
    private static let freeObject: JSONValue = ["type": "object", "additionalProperties": true]
    private static let nullableObject: JSONValue = ["anyOf": [["type": "object", "additionalProperties": true], ["type": "null"]]]
    private static let directoryID: JSONValue = ["type": "string", "pattern": "^[0-9a-f]{32}$"]
    private static let role: JSONValue = ["type": "string", "enum": ["admin", "user"]]
    private static let names: JSONValue = ["type": "array", "items": ["type": "string"]]

    /// UserView.profile, also each item of the admin list.
    private static var profileFields: JSONObject {
        ["id": directoryID, "username": nullableString, "email": nullableString, "display_name": nullableString,
         "role": role, "group_id": ["anyOf": [directoryID, ["type": "null"]]]]
    }
    private static let profileRequired = ["id", "username", "email", "display_name", "role", "group_id"]

    private static var schemas: JSONValue {
        var status = profileFields
        status["logged_in"] = ["const": true]
        return [
            "LocalLoginRequest": object(["username": string, "password": string], required: ["username", "password"]),
            "LoginResponse": object(["user_id": ["type": "string", "description": "the credential: send it as X-User-ID or a bearer token"],
                                     "username": nullableString, "email": nullableString, "role": role],
                                    required: ["user_id", "username", "email", "role"], closed: true),
            "PasswordUpdateRequest": object(["old_password": string, "new_password": ["type": "string", "minLength": 1]],
                                            required: ["old_password", "new_password"]),
            "UserProfileUpdate": object(["display_name": nullableString, "email": nullableString]),
            "UserProfile": object(profileFields, required: profileRequired, closed: true),
            "UserStatus": object(status, required: ["logged_in"] + profileRequired, closed: true),
            "UserPreferences": object(["llm": nullableObject, "tts": nullableObject, "stt": nullableObject]),
            "Preferences": object(["llm": freeObject, "tts": freeObject, "stt": freeObject], required: ["llm", "tts", "stt"], closed: true),
            "ProvidersBySection": object(["llm": names, "tts": names, "stt": names], required: ["llm", "tts", "stt"], closed: true),
            "VerifyProviderRequest": object(["provider_name": string, "api_key": nullableString], required: ["provider_name"]),
            "VerifyProviderResponse": object(["success": ["type": "boolean"], "message": string], required: ["success", "message"], closed: true),
            "RoleUpdateRequest": object(["role": role], required: ["role"]),
            "GroupAssignmentRequest": object(["group_id": nullableString], required: ["group_id"]),
            "GroupCreate": object(["name": ["type": "string", "minLength": 1], "description": nullableString, "policy": nullableObject], required: ["name"]),
            "GroupUpdate": object(["name": ["type": "string", "minLength": 1], "description": nullableString, "policy": nullableObject]),
            "Group": object(["id": directoryID, "name": string, "description": nullableString, "policy": freeObject],
                            required: ["id", "name", "description", "policy"], closed: true),
            "Message": object(["message": string], required: ["message"], closed: true),
            "ValidationError": object([
                "loc": ["type": "array", "items": ["anyOf": [["type": "string"], ["type": "integer"]]]],
                "msg": string, "type": string,
            ], required: ["loc", "msg", "type"]),
            "HTTPError": object(["detail": string], required: ["detail"]),
            "HTTPValidationError": object(["detail": ["type": "array", "items": ref("ValidationError")]]),
        ]
    }
}
