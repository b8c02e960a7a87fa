// The AIOStreams response envelope and its error codes:
// {"success": bool, "detail": string|null, "error": {code, message}|null, "data": any|null}
import PluginKit
import ProteusJSON

enum AIOError: String {
    case missingRequiredFields = "MISSING_REQUIRED_FIELDS"
    case userInvalidDetails = "USER_INVALID_DETAILS"
    case userInvalidConfig = "USER_INVALID_CONFIG"
    case userNewPasswordTooShort = "USER_NEW_PASSWORD_TOO_SHORT"
    case userNewPasswordTooSimple = "USER_NEW_PASSWORD_TOO_SIMPLE"
    case badRequest = "BAD_REQUEST"
    case unauthorized = "UNAUTHORIZED"
    case rateLimitExceeded = "RATE_LIMIT_EXCEEDED"
    case databaseError = "DATABASE_ERROR"
    case encryptionError = "ENCRYPTION_ERROR"
    case internalServerError = "INTERNAL_SERVER_ERROR"

    var status: Int {
        switch self {
        case .missingRequiredFields, .userInvalidDetails, .userInvalidConfig,
             .userNewPasswordTooShort, .userNewPasswordTooSimple, .badRequest: return 400
        case .unauthorized: return 401
        case .rateLimitExceeded: return 429
        case .databaseError, .encryptionError, .internalServerError: return 500
        }
    }

    var defaultMessage: String {
        switch self {
        case .missingRequiredFields: return "Required fields are missing"
        case .userInvalidDetails: return "Invalid UUID or password"
        case .userInvalidConfig: return "The config for this user is invalid"
        case .userNewPasswordTooShort: return "New password is too short"
        case .userNewPasswordTooSimple: return "New password is too simple"
        case .badRequest: return "Bad request"
        case .unauthorized: return "Unauthorized"
        case .rateLimitExceeded: return "Too many requests from this IP, please try again later."
        case .databaseError: return "A database error occurred"
        case .encryptionError: return "An error occurred in the encryption service"
        case .internalServerError: return "An unexpected error occurred"
        }
    }
}

/// A failure answered in the envelope. `status` overrides the code's usual
/// HTTP status (413, 503).
struct AIOFailure: Error {
    var code: AIOError
    var message: String
    var status: Int

    init(_ code: AIOError, _ message: String? = nil, status: Int? = nil) {
        self.code = code
        self.message = message ?? code.defaultMessage
        self.status = status ?? code.status
    }

    /// The password matched, but the user has a second factor on (turned
    /// on through another dialect) and AIOStreams has no step for it.
    static let secondFactorRequired = AIOFailure(.unauthorized, "This account requires two-factor authentication, which AIOStreams sign-in does not offer")

    /// A store or auth failure that is not the client's fault.
    static func backend(_ error: Error) -> AIOFailure {
        if let e = error as? PluginError, e.code == PROTEUS_E_UNAVAILABLE {
            return AIOFailure(.databaseError, "The service is temporarily unavailable, please try again later.", status: 503)
        }
        return AIOFailure(.databaseError)
    }
}

enum Envelope {
    static func success(_ response: Response, status: Int = 200, detail: String, data: JSONValue?) {
        response.json(status, .object([
            "success": true,
            "detail": .string(detail),
            "error": .null,
            "data": data ?? .null,
        ]))
    }

    static func failure(_ response: Response, _ failure: AIOFailure) {
        response.json(failure.status, .object([
            "success": false,
            "detail": .null,
            "error": .object(["code": .string(failure.code.rawValue), "message": .string(failure.message)]),
            "data": .null,
        ]))
    }

    /// The original's answer to unknown routes and methods.
    static func notFound(_ response: Response) {
        response.json(404, .object([
            "success": false,
            "detail": "Not Found",
            "error": .null,
            "data": .null,
        ]))
    }
}

import PluginAPI
