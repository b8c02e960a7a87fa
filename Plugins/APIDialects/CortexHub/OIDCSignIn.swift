// OIDC sign-in (authorization code flow with PKCE S256):
//   GET /users/login?frontend_callback_uri=URI → 302 to the provider, once
//       URI is one of options.allowedRedirects exactly (else 400);
//   GET /users/login/callback?code=&state= → the code exchanged at the token
//       endpoint, the ID token verified (IDTokenVerifier), the user found or
//       created by (issuer, subject) (OIDCUsers), a login id issued as local
//       login does, and 302 to the frontend URI with user_id=<id> added.
// The original put the frontend URI itself in `state`, checked no
// signature and redirected anywhere; see cortex-hub.md.
import PluginAPI
import PluginKit
import ProteusJSON

final class OIDCSignIn: @unchecked Sendable {
    let host: Host
    let config: CortexHubOptions.OIDC
    let allowedRedirects: [String]
    let provider: OIDCProvider
    let users: OIDCUsers
    let ids: LoginIDs

    init(host: Host, config: CortexHubOptions.OIDC, allowedRedirects: [String], ids: LoginIDs, signIn: SignInRoutes) {
        self.host = host
        self.config = config
        self.allowedRedirects = allowedRedirects
        self.provider = OIDCProvider(host: host, config: config)
        self.users = OIDCUsers(host: host, issuer: config.issuer, signIn: signIn)
        self.ids = ids
    }

    // MARK: GET /users/login

    func start(_ request: Request, _ response: Response) throws {
        guard let frontend = request.query("frontend_callback_uri"), allowedRedirects.contains(frontend) else {
            throw Failure(400, "frontend_callback_uri is not an allowed redirect")
        }
        let endpoints: OIDCProvider.Endpoints
        do { endpoints = try provider.discover() } catch { throw provider.answer(error) }
        let state = try OIDCState.make(host, frontendURI: frontend)
        let target = FormEncoding.appending([
            ("response_type", "code"),
            ("client_id", config.clientID),
            ("redirect_uri", config.redirectURI),
            ("scope", config.scopes.joined(separator: " ")),
            ("state", try state.seal(host)),
            ("nonce", state.nonce),
            ("code_challenge", state.challenge(host)),
            ("code_challenge_method", "S256"),
        ], to: endpoints.authorization)
        redirect(response, to: target)
    }

    // MARK: GET /users/login/callback

    func callback(_ request: Request, _ response: Response) throws {
        if let error = request.query("error") {
            // The provider sends the user back without a code (denied, ...).
            throw Failure(400, "The sign-in provider refused the sign-in: \(error.prefix(100))")
        }
        var missing: [Failure.Issue] = []
        let code = request.query("code"), stateText = request.query("state")
        if code == nil { missing.append(.missing(["query", "code"])) }
        if stateText == nil { missing.append(.missing(["query", "state"])) }
        guard let code, let stateText else { throw Failure.validation(missing) }

        let state = try OIDCState.redeem(stateText, host: host)
        let idToken = try exchange(code: code, verifier: state.verifier)
        let claims = try IDTokenVerifier(host: host, provider: provider).verify(idToken, nonce: state.nonce)
        let user = try users.signIn(claims)
        let id = try ids.issue(for: user.id, origin: .provider)
        redirect(response, to: FormEncoding.appending([("user_id", id)], to: state.frontendURI))
    }

    /// The ID token for `code`: 400 when the provider refuses the code,
    /// 502 when it fails.
    private func exchange(code: String, verifier: String) throws -> String {
        let endpoints: OIDCProvider.Endpoints
        do { endpoints = try provider.discover() } catch { throw provider.answer(error) }
        var form: [(name: String, value: String)] = [
            ("grant_type", "authorization_code"), ("code", code),
            ("redirect_uri", config.redirectURI), ("code_verifier", verifier),
        ]
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
        ]
        if let secret = config.clientSecret, !endpoints.secretInForm {
            // RFC 6749 §2.3.1: both parts form-encoded before Basic.
            let pair = FormEncoding.percentEncode(config.clientID) + ":" + FormEncoding.percentEncode(secret)
            headers.append(("Authorization", "Basic " + Base64.encode(Array(pair.utf8))))
        } else {
            form.append(("client_id", config.clientID))
            if let secret = config.clientSecret { form.append(("client_secret", secret)) }
        }
        let result: HTTPResult
        do {
            result = try provider.send(method: "POST", url: endpoints.token, headers: headers,
                                       body: Array(FormEncoding.encode(form).utf8), what: "token endpoint")
        } catch { throw provider.answer(error) }
        switch result.status {
        case 200:
            guard let answer = try? JSONParser.parse(result.body), let token = answer["id_token"]?.stringValue else {
                throw provider.answer(ProviderFailure(message: "the token endpoint sent no id_token"))
            }
            return token
        case 400, 401, 403:
            throw Failure(400, "The sign-in provider refused the authorization code")
        default:
            throw provider.answer(ProviderFailure(message: "the token endpoint answered \(result.status)"))
        }
    }

    private func redirect(_ response: Response, to location: String) {
        response.status(302)
        response.header("Location", location)
        response.header("Cache-Control", "no-store")
        response.body([])
    }
}
