// Every error of the console in one JSON envelope:
//   {"error": {"status": 403, "code": "csrf", "message": "…"}}
// `code` is stable for the page and scripts; `message` is for people.
import PluginAPI
import PluginKit
import ProteusJSON

struct ConsoleFailure: Error {
    let status: Int
    let code: String
    let message: String

    init(_ status: Int, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    var body: JSONValue {
        .object(["error": .object(["status": .number(JSONNumber(status)), "code": .string(code), "message": .string(message)])])
    }

    static let signInFirst = ConsoleFailure(401, "unauthenticated", "Sign in first: this needs an administrator's console session.")
    static let adminsOnly = ConsoleFailure(403, "forbidden", "The console is for administrators only (the admin role).")
    static let csrf = ConsoleFailure(403, "csrf", "Missing or wrong X-CSRF-Token header: every change needs the session's CSRF token. Nothing was changed.")
    static let noSuchUser = ConsoleFailure(404, "not_found", "No such user.")
    static let mfaOn = ConsoleFailure(409, "mfa_on", "Your MFA is already on: turn it off first to enrol a new authenticator.")
    static let mfaUnavailable = ConsoleFailure(501, "mfa_unavailable", "TOTP is not available: the server's config has no \"totp\" auth plugin.")
    static let wrongCode = ConsoleFailure(400, "wrong_code", "Wrong or expired code: nothing was changed. Enter the code your app shows now.")

    static func badRequest(_ message: String) -> ConsoleFailure { ConsoleFailure(400, "bad_request", message) }

    /// A store or host failure as the page shows it (messages never hold secrets).
    static func backend(_ error: any Error) -> ConsoleFailure {
        guard let e = error as? PluginError else { return ConsoleFailure(500, "internal", "Internal error.") }
        switch e.code {
        case PROTEUS_E_NOT_FOUND: return ConsoleFailure(404, "not_found", e.message)
        case PROTEUS_E_CONFLICT, PROTEUS_E_STALE: return ConsoleFailure(409, "conflict", e.message)
        case PROTEUS_E_GUARD: return ConsoleFailure(409, "last_admin", "Refused: this would leave no enabled administrator. (\(e.message))")
        case PROTEUS_E_INVALID: return ConsoleFailure(400, "bad_request", e.message)
        case PROTEUS_E_TOO_LARGE: return ConsoleFailure(413, "too_large", e.message)
        case PROTEUS_E_UNAVAILABLE: return ConsoleFailure(503, "unavailable", "The directory is busy or unavailable, please try again shortly.")
        case PROTEUS_E_UNSUPPORTED: return ConsoleFailure(501, "unsupported", e.message)
        default: return ConsoleFailure(500, "internal", "Internal error.")
        }
    }
}
