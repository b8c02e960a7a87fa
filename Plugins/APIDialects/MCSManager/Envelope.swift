// The panel's response envelope: {"status": <int>, "data": <any>, "time": <epoch ms>},
// with the HTTP status equal to `status`. Errors carry a message string in `data`.
//
// Statuses: where the panel answers a client's mistake with 500 (it throws an
// Error and its protocol middleware turns every Error into 500), we keep its
// message text and answer a 4xx instead. The complete table of our choices:
//
// | situation                                         | panel | here | data (message)                                                   |
// |---------------------------------------------------|-------|------|------------------------------------------------------------------|
// | required field/query missing or empty             | 400   | 400  | Validator failed: "<key>" is required!                           |
// | numeric field/query not a number                  | 400   | 400  | Validator failed: "<key>" is not a number                        |
// | field of the wrong JSON type (our own check)      | 500   | 400  | Validator failed: "<key>" is not a <type>                        |
// | body is not valid JSON / not an object            | 400/500 | 400 | Request body is not valid JSON                                   |
// | body of an unsupported media type (multipart...)  | 500   | 415  | Unsupported Media Type                                           |
// | POST /api/auth with a weak password               | 500   | 400  | Invalid Password Format                                          |
// | PUT /api/auth, /update, /install with a weak one  | 500   | 400  | Invalid password. It must contain uppercase and lowercase ...    |
// | username taken (create, rename)                   | 500   | 409  | Username is already in use                                       |
// | username empty after coercion / too long / control| —     | 400  | Invalid Username Format                                          |
// | permission not one of 10, 1, 0, -1                | (kept)| 400  | Validator failed: "permission" is not a valid permission level   |
// | instances not an array of {instanceUuid, daemonId}| 500   | 400  | Type error, The instances of user must be IUserHaveInstance array. |
// | apiKey in a PUT outside [A-Za-z0-9_-]             | (kept)| 400  | Incorrect key                                                    |
// | apiKey in a PUT already used by another user      | —     | 409  | This API key is already in use                                   |
// | secret in a PUT not valid base32 / TOTP refused   | (kept)| 400  | Invalid 2FA secret                                               |
// | DELETE body not a JSON array                      | 500   | 400  | Unable to delete user data                                       |
// | change would remove the last administrator        | —     | 409  | The last administrator cannot be removed or demoted               |
// | login: unknown user, wrong password, banned user  | 500   | 401  | Incorrect account or password   (one message for all three)       |
// | login: wrong or replayed 2FA code                 | 500   | 401  | Two-factor authentication code is incorrect                      |
// | login/install attempts over the rate limit        | 500   | 429  | Too many failed attempts! Your IP address, as a result, ...      |
// | install when users exist                          | 500   | 403  | Admin account has already been created and cannot be recreated   |
// | no/unknown/insufficient API key                   | 403   | 403  | Incorrect key                                                    |
// | API keys switched off (option enableApiKey)       | 403   | 403  | API key creation feature is not enabled                          |
// | session call without X-Requested-With             | 403   | 403  | Unable to find the request header: x-requested-with: xmlhttprequest |
// | session call with a missing or wrong token        | 403   | 403  | Token validation failed, access denied                           |
// | GET /api/auth/ by session without X-Requested-With| 404   | 403  | Unable to find the request header: x-requested-with: xmlhttprequest |
// | GET /api/auth/token without X-Requested-With      | 500   | 403  | The request is not an Ajax request.                              |
// | not signed in / level too low / banned            | 403   | 403  | Insufficient Permissions                                         |
// | GET /api/auth/?uuid= of an unknown user (admin)   | 500   | 404  | The UID does not exist                                           |
// | no route                                          | 404   | 404  | [404] Not Found                                                  |
// | known path, other method                          | 405/500 | 405 | [405] Method Not Allowed                                        |
// | body over the host's limit                        | 413   | 413  | [413] Payload Too Large                                          |
// | path the host could not decode                    | —     | 400  | [400] Bad Request                                                |
// | store or KDF pool unavailable / overloaded        | 500   | 503  | Service temporarily unavailable, please try again later         |
// | login: the store cannot count the attempt         | —     | 503  | Service temporarily unavailable, please try again later         |
// | anything unexpected                               | 500   | 500  | Internal Server Error                                            |
//
// Other behaviour the seed leaves open, decided here:
// - PUT /api/auth for an unknown uuid answers true and changes nothing (the panel's edit() does).
// - Search: page = max(1, Number(page) || 1), pageSize = min(50, max(1, Number(page_size) || 10)),
//   both cut to integers; `pageSize` is read when `page_size` is absent (mcsmapi sends it).
// - A session cookie that is already signed in makes POST /api/auth/login answer "Logined" (the panel).
// - "secret": "" in a PUT leaves the enrolled TOTP secret alone (every read shows ""); an admin
//   turns 2FA off with open2FA: false or a password reset.
// - permission 0 in a PUT makes the user a guest (the panel skips a falsy permission).
import PluginAPI
import PluginKit
import ProteusJSON

/// A failure answered in the envelope.
struct MCSMFailure: Error {
    var status: Int
    var message: String

    init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    // The panel's messages (its en_US language file).
    static let insufficientPermissions = "Insufficient Permissions"
    static let incorrectKey = "Incorrect key"
    static let tokenError = "Token validation failed, access denied"
    static let ajaxError = "Unable to find the request header: x-requested-with: xmlhttprequest"
    static let apiKeyDisabled = "API key creation feature is not enabled"
    static let loginFailed = "Incorrect account or password"
    static let twoFactorIncorrect = "Two-factor authentication code is incorrect"
    static let loginBanned = "Too many failed attempts! Your IP address, as a result, has been banned for 10 minutes."
    static let invalidPassword = "Invalid Password Format"
    static let passwordCheck = "Invalid password. It must contain uppercase and lowercase letters, numbers, and have a length between 9 and 36 characters"
    static let usernameTaken = "Username is already in use"
    static let invalidUsername = "Invalid Username Format"
    static let deleteFailure = "Unable to delete user data"
    static let installed = "Admin account has already been created and cannot be recreated"
    static let instancesType = "Type error, The instances of user must be IUserHaveInstance array."
    static let uidMissing = "The UID does not exist"
    static let notAjax = "The request is not an Ajax request."
    static let lastAdmin = "The last administrator cannot be removed or demoted"
    static let invalidSecret = "Invalid 2FA secret"

    static func required(_ key: String) -> MCSMFailure { MCSMFailure(400, "Validator failed: \"\(key)\" is required!") }
    static func notANumber(_ key: String) -> MCSMFailure { MCSMFailure(400, "Validator failed: \"\(key)\" is not a number") }
    static func notA(_ type: String, _ key: String) -> MCSMFailure { MCSMFailure(400, "Validator failed: \"\(key)\" is not a \(type)") }
    static func forbidden(_ message: String) -> MCSMFailure { MCSMFailure(403, message) }

    /// A store, auth or KDF failure that is not the client's fault.
    static func backend(_ error: Error) -> MCSMFailure {
        if let e = error as? MCSMFailure { return e }
        if let e = error as? PluginError, e.code == PROTEUS_E_UNAVAILABLE {
            return MCSMFailure(503, "Service temporarily unavailable, please try again later")
        }
        return MCSMFailure(500, "Internal Server Error")
    }
}

enum Envelope {
    static func send(_ response: Response, _ host: Host, status: Int, data: JSONValue) {
        response.json(status, .object([
            "status": .number(JSONNumber(status)),
            "data": data,
            "time": .number(JSONNumber(host.nowMillis())),
        ]))
    }

    static func ok(_ response: Response, _ host: Host, _ data: JSONValue) {
        send(response, host, status: 200, data: data)
    }

    static func failure(_ response: Response, _ host: Host, _ failure: MCSMFailure) {
        send(response, host, status: failure.status, data: .string(failure.message))
    }
}
