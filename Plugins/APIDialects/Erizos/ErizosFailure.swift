// Errors as Erizos answers them. The original does not document its error
// format; ours is {"error": "<message>"} with the HTTP status saying what
// kind (400 input, 401 credentials, 403 rights, 404 unknown user, 409
// conflict, 503 overloaded store or hashing pool).
import PluginAPI
import PluginKit
import ProteusJSON

struct ErizosFailure: Error {
    var status: Int
    var message: String
    /// Seconds for a Retry-After header (429).
    var retryAfter: Int64?

    init(_ status: Int, _ message: String, retryAfter: Int64? = nil) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
    }

    static func tooManyAttempts(retryAfter: Int64) -> ErizosFailure {
        ErizosFailure(429, "Too many failed sign-in attempts, please try again later", retryAfter: retryAfter)
    }

    static let unauthorized = ErizosFailure(401, "Invalid username or password")
    static let badSession = ErizosFailure(401, "Invalid or expired session")
    static let needsLogin = ErizosFailure(401, "Authentication required")
    static let needsAdmin = ErizosFailure(403, "Admin rights required")
    static let needsSecondFactor = ErizosFailure(403, "This account requires two-factor authentication, which Erizos sign-in does not offer")
    static let notFound = ErizosFailure(404, "User not found")
    static let usernameTaken = ErizosFailure(409, "Username already exists")
    static let lastAdmin = ErizosFailure(409, "The last ADMIN cannot be removed or lose the ADMIN role")
    static let concurrentChange = ErizosFailure(409, "The user was changed concurrently, please retry")

    /// A store or auth failure: 503 when the backend is overloaded or down,
    /// 500 for anything unexpected (never the backend's message to clients).
    static func backend(_ error: any Error) -> ErizosFailure {
        if let f = error as? ErizosFailure { return f }
        switch (error as? PluginError)?.code {
        case PROTEUS_E_UNAVAILABLE?: return ErizosFailure(503, "Service temporarily unavailable, please retry")
        case PROTEUS_E_TOO_LARGE?: return ErizosFailure(413, "A value is too large")
        default: break
        }
        return ErizosFailure(500, "Internal server error")
    }

    /// Writes the {"error": message} body. A 401 names the schemes
    /// accepted; Basic only when `offerBasic` (a browser shows its sign-in
    /// dialog for a Basic challenge, which the Erizos web client, signing in
    /// through /api/login and sending Bearer, must never see).
    func render(_ response: Response, offerBasic: Bool = false) {
        if status == 401 {
            response.header("WWW-Authenticate", offerBasic ? "Bearer realm=\"erizos\", Basic realm=\"erizos\"" : "Bearer realm=\"erizos\"")
        }
        if let retryAfter { response.header("Retry-After", "\(retryAfter)") }
        response.json(status, .object(["error": .string(message)]))
    }
}
