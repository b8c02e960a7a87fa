// The decoding this dialect does on request input, for the fuzz target
// Tests/Fuzz/Erizos (package access: only executables of this package can
// call it; the plugin itself does not).
import PluginKit
import ProteusJSON

package enum ErizosFuzzEntryPoints {
    package struct Failure: Error {
        package let status: Int
        package let message: String
    }

    /// What POST/PUT /api/users would write, or its refusal.
    package struct Input: Equatable {
        package var username: String?
        package var password: String?
        package var name: String?
        package var roles: [String]?
        package var settings: JSONValue?
    }

    /// UserInput.parse: a users body.
    package static func userInput(_ request: Request) -> Result<Input, Failure> {
        do {
            let i = try UserInput.parse(request)
            return .success(Input(username: i.username, password: i.password, name: i.name,
                                  roles: i.roles?.map(\.rawValue), settings: i.settings))
        } catch let f as ErizosFailure {
            return .failure(Failure(status: f.status, message: f.message))
        } catch {
            return .failure(Failure(status: -1, message: "\(error)"))
        }
    }

    /// The credentials a request carries, as (kind, first, second):
    /// ("session", token, ""), ("basic", user, password), ("malformed", "", ""), ("none", "", "").
    package static func credentials(_ request: Request) -> (String, String, String) {
        switch RequestCredentials.read(request) {
        case .session(let t): return ("session", t, "")
        case .basic(let b): return ("basic", b.user, b.password)
        case .malformed: return ("malformed", "", "")
        case .none: return ("none", "", "")
        }
    }

    /// ObjectIDs.isObjectID: 24 lowercase hex digits.
    package static func isObjectID(_ text: String) -> Bool { ObjectIDs.isObjectID(text) }

    /// The directory role set after giving exactly `wanted` Erizos roles.
    package static func applyingRoles(_ wanted: [String], to roles: [String]) -> [String]? {
        let parsed = wanted.compactMap(ErizosRole.init(rawValue:))
        guard parsed.count == wanted.count else { return nil }
        return ErizosRole.applying(parsed, to: roles)
    }
}
