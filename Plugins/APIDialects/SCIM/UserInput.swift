// A User resource as a client sent it (POST, PUT, or the result of a PATCH),
// reduced to what the published schema lets clients write. Unknown and
// read-only members (Okta's locale, Entra's roles, id, meta, groups) are
// ignored; a known attribute of the wrong type is invalidValue.
import ProteusJSON

struct UserInput {
    var userName: String
    var name: JSONObject?
    var displayName: String?
    var emails: [JSONValue]?
    /// nil: not sent (a PUT without it keeps the user's state).
    var active: Bool?
    var externalId: String?
    /// Write-only; nil keeps the password (unless removesPassword).
    var password: String?
    /// A PATCH removed the password: the user keeps none.
    var removesPassword = false
    var enterprise: JSONObject?

    /// The address the directory's shared email field holds: the primary
    /// one, else the first.
    var primaryEmail: String? {
        guard let emails, !emails.isEmpty else { return nil }
        let primary = emails.first { $0.objectValue?["primary"]?.boolValue == true } ?? emails[0]
        return primary.objectValue?["value"]?.stringValue
    }

    static func parse(_ o: JSONObject) throws -> UserInput {
        guard let userName = try string(o, "userName", nil), !userName.isEmpty else {
            throw SCIMFailure.invalidValue("userName is required")
        }
        guard userName.utf8.count <= 1024 else { throw SCIMFailure.invalidValue("userName is longer than 1024 bytes") }
        var input = UserInput(userName: userName)
        input.displayName = try string(o, "displayName", nil)
        input.externalId = try string(o, "externalId", nil)
        input.password = try string(o, "password", nil)
        input.active = try boolean(o.value(ignoringCase: "active"), "active")
        input.name = try subObject(o.value(ignoringCase: "name"), "name", SCIMSchema.user.attribute("name")!)
        input.emails = try emails(o.value(ignoringCase: "emails"))
        if let ext = o.value(ignoringCase: SCIMSchemaURN.enterpriseUser), !ext.isNull {
            guard let object = ext.objectValue else { throw SCIMFailure.invalidValue("\(SCIMSchemaURN.enterpriseUser) must be an object") }
            var kept = JSONObject()
            for attribute in SCIMSchema.enterpriseUser.attributes {
                if let v = try string(object, attribute.name, SCIMSchemaURN.enterpriseUser) { kept[attribute.name] = .string(v) }
            }
            input.enterprise = kept.isEmpty ? nil : kept
        }
        return input
    }

    private init(userName: String) { self.userName = userName }

    private static func string(_ o: JSONObject, _ key: String, _ container: String?) throws -> String? {
        guard let v = o.value(ignoringCase: key), !v.isNull else { return nil }
        guard let s = v.stringValue else {
            throw SCIMFailure.invalidValue("\(container.map { $0 + ":" } ?? "")\(key) must be a string, not \(v.typeName)")
        }
        return s
    }

    /// Booleans, also as the strings "true"/"false" in any case (Entra ID
    /// sends "False").
    static func boolean(_ v: JSONValue?, _ key: String) throws -> Bool? {
        guard let v, !v.isNull else { return nil }
        if let b = v.boolValue { return b }
        if let s = v.stringValue?.lowercased(), s == "true" || s == "false" { return s == "true" }
        throw SCIMFailure.invalidValue("\(key) must be a boolean, not \(v.typeName)")
    }

    /// A complex attribute's known string sub-attributes, as sent.
    private static func subObject(_ v: JSONValue?, _ key: String, _ attribute: SCIMAttribute) throws -> JSONObject? {
        guard let v, !v.isNull else { return nil }
        guard let object = v.objectValue else { throw SCIMFailure.invalidValue("\(key) must be an object, not \(v.typeName)") }
        var kept = JSONObject()
        for sub in attribute.subAttributes {
            if let s = try string(object, sub.name, key) { kept[sub.name] = .string(s) }
        }
        return kept.isEmpty ? nil : kept
    }

    private static func emails(_ v: JSONValue?) throws -> [JSONValue]? {
        guard let v, !v.isNull else { return nil }
        guard let array = v.arrayValue else { throw SCIMFailure.invalidValue("emails must be an array, not \(v.typeName)") }
        var kept: [JSONValue] = []
        var primaries = 0
        for element in array {
            guard let object = element.objectValue else { throw SCIMFailure.invalidValue("each of emails must be an object") }
            var e = JSONObject()
            guard let value = try string(object, "value", "emails"), !value.isEmpty else {
                throw SCIMFailure.invalidValue("each of emails needs a value")
            }
            e["value"] = .string(value)
            if let display = try string(object, "display", "emails") { e["display"] = .string(display) }
            if let type = try string(object, "type", "emails") { e["type"] = .string(type) }
            if let primary = try boolean(object.value(ignoringCase: "primary"), "emails.primary") {
                e["primary"] = .bool(primary)
                if primary { primaries += 1 }
            }
            kept.append(.object(e))
        }
        guard primaries <= 1 else { throw SCIMFailure.invalidValue("at most one of emails may be primary") }
        return kept.isEmpty ? nil : kept
    }
}
