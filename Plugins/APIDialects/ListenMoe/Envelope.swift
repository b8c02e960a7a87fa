// LISTEN.moe's envelope: every answer but 204 is a JSON object whose
// "message" is one sentence ending with a period, with the payload beside
// it ({"message": "Successfully logged in.", "token": "..."}).
//
// Messages (the seed's and the reference's where they give one; ours
// otherwise, in the same style):
//
// | situation                                           | status | message                                                        |
// |-----------------------------------------------------|--------|----------------------------------------------------------------|
// | register done                                       | 200    | You have successfully created a new account.                   |
// | register: bad e-mail (shape, over 70 characters)    | 400    | Invalid e-mail address provided.                               |
// | register: bad username ([A-Za-z0-9._-]{1,32})       | 400    | Invalid username provided.                                     |
// | register: empty or over-long password               | 400    | Invalid password provided.                                     |
// | register: name or e-mail taken (any dialect)        | 400    | An account with that email address and/or username already exists. |
// | login done (also POST /login/mfa)                   | 200    | Successfully logged in.                                        |
// | login: password right, MFA on (+ mfa, pending token)| 200    | Please provide the 2FA code to log in.                         |
// | GET /users/{u}/mfa (+ otpauthURL, a QR code PNG)     | 200    | Successfully generated MFA QR code.                            |
// | POST /users/{u}/mfa (+ recoveryCodes)               | 200    | Successfully enabled mfa. You will now be logged out.          |
// | DELETE /users/{u}/mfa                               | 200    | Successfully disabled mfa. You will now be logged out.         |
// | GET/POST /users/{u}/mfa with MFA on                 | 400    | MFA already activated.                                         |
// | DELETE /users/{u}/mfa with MFA off                  | 400    | No MFA activated.                                              |
// | wrong, reused or missing-enrolment code             | 401    | Invalid OTP provided.                                          |
// | too many wrong codes for the account                | 429    | Too many invalid OTP attempts, please try again later.         |
// | no totp auth plugin configured                      | 503    | Two-factor authentication is unavailable, please try again later. |
// | login: unknown account, wrong password, banned      | 401    | Invalid username/email or password.                            |
// | Authorization that does not verify / none needed    | 401    | Invalid authorization.                                         |
// | not the user themself nor staff                     | 403    | Not authorized.                                                |
// | unknown user                                        | 404    | No user found.                                                 |
// | no / invalid path parameter                         | 400    | No params provided. / Invalid params provided.                 |
// | no body / body not what the route reads             | 400    | No body provided. / Invalid body provided.                     |
// | login: too many failures for the account name       | 429    | Too many failed login attempts, please try again later.       |
// | no route / other method / body too large            | 404/405/413 | Not found. / Method not allowed. / Payload too large.     |
// | store or hashing overloaded or down                 | 503    | Service unavailable, please try again later.                   |
// | anything unexpected                                 | 500    | Internal server error.                                         |
import PluginAPI
import PluginKit
import ProteusJSON

/// A failure answered in the envelope.
struct LMFailure: Error {
    var status: Int
    var message: String

    init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    static let noParams = LMFailure(400, "No params provided.")
    static let invalidParams = LMFailure(400, "Invalid params provided.")
    static let noBody = LMFailure(400, "No body provided.")
    static let invalidBody = LMFailure(400, "Invalid body provided.")
    static let invalidEmail = LMFailure(400, "Invalid e-mail address provided.")
    static let invalidUsername = LMFailure(400, "Invalid username provided.")
    static let invalidPassword = LMFailure(400, "Invalid password provided.")
    static let accountExists = LMFailure(400, "An account with that email address and/or username already exists.")
    static let loginFailed = LMFailure(401, "Invalid username/email or password.")
    static let invalidAuthorization = LMFailure(401, "Invalid authorization.")
    static let notAuthorized = LMFailure(403, "Not authorized.")
    static let noUser = LMFailure(404, "No user found.")
    static let tooManyAttempts = LMFailure(429, "Too many failed login attempts, please try again later.")
    static let mfaAlreadyActive = LMFailure(400, "MFA already activated.")
    static let mfaNotActive = LMFailure(400, "No MFA activated.")
    static let invalidOTP = LMFailure(401, "Invalid OTP provided.")
    static let tooManyOTPAttempts = LMFailure(429, "Too many invalid OTP attempts, please try again later.")
    static let mfaUnavailable = LMFailure(503, "Two-factor authentication is unavailable, please try again later.")
    static let unavailable = LMFailure(503, "Service unavailable, please try again later.")
    static let internalError = LMFailure(500, "Internal server error.")

    /// The outcome the host already decided (route -1).
    static func hostDecided(_ status: UInt16) -> LMFailure {
        switch status {
        case 404: return LMFailure(404, "Not found.")
        case 405: return LMFailure(405, "Method not allowed.")
        case 413: return LMFailure(413, "Payload too large.")
        case 415: return LMFailure(415, "Unsupported media type.")
        case 503: return unavailable
        case 400: return LMFailure(400, "Bad request.")
        default: return LMFailure(Int(status), "Request failed.")
        }
    }

    /// A store, auth or KDF failure that is not the client's fault.
    static func backend(_ error: Error) -> LMFailure {
        if let e = error as? LMFailure { return e }
        if let e = error as? PluginError, e.code == PROTEUS_E_UNAVAILABLE { return unavailable }
        return internalError
    }
}

enum Envelope {
    /// {"message": ..., payload...} with `status`.
    static func send(_ response: Response, _ status: Int, _ message: String, _ payload: JSONObject = [:]) {
        var object: JSONObject = ["message": .string(message)]
        for (key, value) in payload { object[key] = value }
        response.json(status, .object(object))
    }

    static func failure(_ response: Response, _ failure: LMFailure) {
        send(response, failure.status, failure.message)
    }

    /// 204: no body, no content type.
    static func noContent(_ response: Response) { response.status(204) }
}
