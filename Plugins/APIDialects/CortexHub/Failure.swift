// FastAPI's error shapes: {"detail": "<message>"} for 400/401/403/404/409/...,
// and for validation errors 422 {"detail": [{"loc": [...], "msg": "...", "type": "..."}]}
// (pydantic v2's type names).
import PluginAPI
import PluginKit
import ProteusJSON

struct Failure: Error {
    var status: Int
    var detail: JSONValue
    var headers: [(String, String)] = []

    init(_ status: Int, _ message: String) {
        self.status = status
        self.detail = .string(message)
    }

    /// One 422 item: where (e.g. ["body", "username"]), what and its type name.
    struct Issue {
        var loc: [JSONValue]
        var msg: String
        var type: String

        var json: JSONValue { ["loc": .array(loc), "msg": .string(msg), "type": .string(type)] }

        static func missing(_ loc: [JSONValue]) -> Issue { Issue(loc: loc, msg: "Field required", type: "missing") }
        static func notString(_ loc: [JSONValue]) -> Issue { Issue(loc: loc, msg: "Input should be a valid string", type: "string_type") }
        static func notObject(_ loc: [JSONValue]) -> Issue {
            Issue(loc: loc, msg: "Input should be a valid dictionary", type: "dict_type")
        }
    }

    static func validation(_ issues: [Issue]) -> Failure {
        var f = Failure(422, "")
        f.detail = .array(issues.map(\.json))
        return f
    }

    static func validation(_ issue: Issue) -> Failure { validation([issue]) }

    static let notAuthenticated: Failure = {
        var f = Failure(401, "Invalid or missing user id")
        f.headers = [("WWW-Authenticate", "Bearer")]
        return f
    }()
    static let adminOnly = Failure(403, "Admin access required")
    static let loginFailed = Failure(401, "Invalid username or password")
    /// The user has a second factor on (turned on through another dialect):
    /// Cortex Hub's password sign-in has no step for it.
    static let secondFactorRequired = Failure(403, "This account requires two-factor authentication, which Cortex Hub password sign-in does not offer; sign in with your identity provider")

    static func notImplemented(_ what: String) -> Failure { Failure(501, "\(what) is not implemented yet") }

    /// A store, auth or KDF failure that is not the client's fault.
    static func backend(_ error: Error) -> Failure {
        if let f = error as? Failure { return f }
        if let e = error as? PluginError, e.code == PROTEUS_E_UNAVAILABLE { return Failure(503, "Service temporarily unavailable") }
        return Failure(500, "Internal Server Error")
    }

    /// The answer to a request the host already decided.
    static func host(_ status: UInt16, _ reason: String) -> Failure {
        switch status {
        case 404: return Failure(404, "Not Found")
        case 405: return Failure(405, "Method Not Allowed")
        case 413: return Failure(413, "Request Entity Too Large")
        case 415: return Failure(415, "Unsupported Media Type")
        case 503: return Failure(503, "Service Unavailable")
        case 400: return Failure(400, "Bad Request")
        default: return Failure(Int(status), reason.isEmpty ? "Error" : reason)
        }
    }

    func send(_ response: Response) {
        for (name, value) in headers { response.header(name, value) }
        response.json(status, ["detail": detail])
    }
}
