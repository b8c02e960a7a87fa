// The user's "listenmoe" document: what only LISTEN.moe shows (bio, images,
// user settings, counters), the token version, the MFA enrolment waiting
// for its first code (the totp plugin's verifier: the secret sealed with
// the server key). Shared facts (username, e-mail, password, roles, the MFA
// flag and the enrolled TOTP verifier, recovery codes included) stay in the
// directory's typed fields.
import PluginAPI
import PluginKit
import ProteusJSON

struct ListenMoeDocument {
    static let namespace = "listenmoe"

    var object: JSONObject

    init(_ user: UserRecord) {
        let text = user.document(Self.namespace)
        object = text.flatMap { try? JSONParser.parse($0) }?.objectValue ?? JSONObject()
    }

    /// Bumped to invalidate every token issued before (MFA changes, a
    /// password change here); tokens carry the value they were issued with.
    var tokenVersion: Int {
        get { object["tokenVersion"]?.intValue ?? 0 }
        set { object["tokenVersion"] = JSONValue(newValue) }
    }

    /// The verifier of the secret the latest GET /users/{u}/mfa showed.
    var pendingMFAVerifier: String? {
        get { object["mfaPending"]?.stringValue }
        set { object["mfaPending"] = newValue.map { JSONValue.string($0) } }
    }

    var bio: String? {
        get { object["bio"]?.stringValue }
        set { object["bio"] = newValue.map { JSONValue.string($0) } ?? .null }
    }

    func text(_ key: String) -> JSONValue { object[key]?.stringValue.map { JSONValue.string($0) } ?? .null }
    func count(_ key: String) -> Int { object[key]?.intValue ?? 0 }
    var userSettings: JSONValue { object["userSettings"]?.objectValue.map { JSONValue.object($0) } ?? .object([:]) }

    var record: DocumentRecord { DocumentRecord(namespace: Self.namespace, json: JSONValue.object(object).serialized()) }
}
