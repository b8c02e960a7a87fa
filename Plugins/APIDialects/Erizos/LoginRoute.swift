// POST /api/login {username, password} → the user object plus "session".
import PluginKit
import ProteusJSON

struct LoginRoute {
    let access: Access
    let ids: ObjectIDs

    func login(_ request: Request, _ response: Response) throws {
        let body = try UserInput.body(request)
        guard case .string(let username)? = body["username"], case .string(let password)? = body["password"] else {
            throw ErizosFailure(400, "username and password are required strings")
        }
        let user = try access.signIn(username, password, request, .login)
        let session = try access.startSession(for: user)
        var object = UserView.object(user, objectID: try ids.objectID(of: user))
        object["session"] = .string(session)
        response.json(200, .object(object))
    }
}
