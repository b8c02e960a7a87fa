// Errors in the SCIM Error schema (RFC 7644 §3.12): `status` as a string,
// `scimType` for the 400/409 kinds, `detail` in plain English.
import PluginAPI
import PluginKit
import ProteusJSON

struct SCIMFailure: Error {
    let status: Int
    let scimType: String?
    let detail: String

    init(_ status: Int, _ scimType: String? = nil, _ detail: String) {
        self.status = status
        self.scimType = scimType
        self.detail = detail
    }

    static func invalidFilter(_ detail: String) -> SCIMFailure { SCIMFailure(400, "invalidFilter", detail) }
    static func invalidValue(_ detail: String) -> SCIMFailure { SCIMFailure(400, "invalidValue", detail) }
    static func invalidSyntax(_ detail: String) -> SCIMFailure { SCIMFailure(400, "invalidSyntax", detail) }
    static func invalidPath(_ detail: String) -> SCIMFailure { SCIMFailure(400, "invalidPath", detail) }
    static func noTarget(_ detail: String) -> SCIMFailure { SCIMFailure(400, "noTarget", detail) }
    static func mutability(_ detail: String) -> SCIMFailure { SCIMFailure(400, "mutability", detail) }
    static func uniqueness(_ detail: String) -> SCIMFailure { SCIMFailure(409, "uniqueness", detail) }
    static func notFound(_ what: String) -> SCIMFailure { SCIMFailure(404, nil, "\(what) not found") }
    static let unauthorized = SCIMFailure(401, nil, "Authorization: Bearer <token> is required (a token from `proteus scim token create`)")
    static let versionMismatch = SCIMFailure(412, nil, "the resource changed: If-Match does not match its current version")
    static let concurrentChange = SCIMFailure(409, nil, "the resource was changed concurrently; retry")

    /// A store failure: 503 when the store is unavailable, else 500.
    static func backend(_ error: Error) -> SCIMFailure {
        if (error as? PluginError)?.code == PROTEUS_E_UNAVAILABLE { return SCIMFailure(503, nil, "the directory is unavailable; retry later") }
        return SCIMFailure(500, nil, "internal error")
    }

    var json: JSONValue {
        var o: JSONObject = ["schemas": [.string(SCIMSchemaURN.error)], "status": .string(String(status))]
        if let scimType { o["scimType"] = .string(scimType) }
        o["detail"] = .string(detail)
        return .object(o)
    }

    func render(_ response: Response) {
        if status == 401 { response.header("WWW-Authenticate", "Bearer realm=\"SCIM\"") }
        if status == 503 { response.header("Retry-After", "1") }
        SCIMWire.send(response, status, json)
    }
}
