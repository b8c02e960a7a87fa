// Fuzz target: what the SCIM dialect decodes from a request before it
// reaches the store — filters (?filter=, a .search body), PATCH paths and
// bodies applied to a User resource, User resources (POST/PUT, and what a
// PATCH leaves), .search bodies — and filter evaluation over resources.
//
// Input: LF-separated fields — a filter, a PATCH path, then a JSON body (the
// rest, LFs included). The body is read as SCIMWire reads a request body and
// then used as a PATCH body (applied to a sample User), as a User resource
// (UserInput), as a .search body, and as a resource that filters are
// evaluated against and that PATCH operations on the path are applied to.
// The path is also sent in add, replace and remove operations whose value
// is the body (or its text when it is not JSON).
//
// Checked: no crash, over-read, leak or hang; every refusal is a
// SCIMFailure 400 (invalidFilter, invalidPath, invalidSyntax, invalidValue,
// noTarget or mutability), never another error; a filter or PATCH path that
// parses is at most 4096 bytes (a fixed 4.8 KB path is refused), is written
// back (fewest parentheses, Entra's `attr[f].sub op v` form) and the text
// parses to an equal tree, and writes back identically;
// the body object is exactly what ProteusJSON parses (depth 64); a PATCH
// body's operations are its Operations, at most 1000; an operation with a
// path that does not parse is refused as invalidPath; a PATCH that applies
// leaves id, meta, schemas (and a User's groups) unchanged, a replace of a
// whole writable attribute (not an object value) leaves exactly that value,
// and a remove of emails[filter] leaves no email the filter matches;
// UserInput accepts only a userName of 1 to 1024 bytes and keeps exactly the
// body's own values of the published attributes (strings, booleans or
// "true"/"false", emails each with a value and at most one primary); a
// .search body gives startIndex >= 1, 0 <= count <= the maximum, its own
// filter, and a projection that keeps id, schemas and meta.
import FuzzSupport
import PluginKit
import ProteusJSON
import SCIM

typealias Entry = SCIMFuzzEntryPoints

let patchOpURN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
let enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
let maxResults = 100

/// A User as UserResource.render writes it.
let sampleUser: JSONObject = [
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", .string(enterpriseURN)],
    "id": "0190c3f2a6b97c1d8e2f4a5b6c7d8e9f",
    "externalId": "00u1abcdEFGH2ijk3l4m",
    "userName": "Alice.Liddell@example.com",
    "name": ["formatted": "Alice Liddell", "familyName": "Liddell", "givenName": "Alice"],
    "displayName": "Alice Liddell",
    "emails": [["value": "alice.liddell@example.com", "type": "work", "primary": true],
               ["value": "alice@home.example", "type": "home"]],
    "active": true,
    "groups": [["value": "0190c3f2a6b97c1d8e2f4a5b6c7d0000", "$ref": "https://id.example/scim/v2/Groups/0190c3f2a6b97c1d8e2f4a5b6c7d0000",
                "display": "Readers", "type": "direct"]],
    enterpriseURN: ["employeeNumber": "701984", "department": "Tea Parties"],
    "meta": ["resourceType": "User", "created": "2026-01-12T17:05:20.616Z", "lastModified": "2026-01-12T17:05:20.616Z",
             "location": "https://id.example/scim/v2/Users/0190c3f2a6b97c1d8e2f4a5b6c7d8e9f", "version": "W/\"3\""],
]

let writableUserAttributes: Set<String> = ["username", "name", "displayname", "active", "password", "emails", "externalid"]

/// A value path whose "and" chain nests 400 deep, over the 4096 bytes a
/// filter or PATCH path may have: paths had no bound, and a 1 MB PATCH body
/// with such a path of 110,000 terms overflowed the stack evaluating it.
let overlongPath = "emails[" + String(repeating: "type pr and ", count: 400) + "type pr]"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var reader = FuzzReader(data, size)
    let filterText = String(decoding: reader.field(until: 10), as: UTF8.self)
    let pathText = String(decoding: reader.field(until: 10), as: UTF8.self)
    let body = reader.rest()
    let fuzzRequest = FuzzRequest(method: "PATCH", path: "/scim/v2/Users/0190c3f2a6b97c1d8e2f4a5b6c7d8e9f", query: nil,
                                  headers: [("Content-Type", Array("application/scim+json".utf8))], body: body)
    let request = Request(UnsafePointer(fuzzRequest.pointer))

    let filter = checkFilter(filterText)
    let path = checkPatchPath(pathText)
    let object = checkBody(request, body)
    if let filter {
        _ = Entry.matches(filter, sampleUser)
        if let object { _ = Entry.matches(filter, object) }
    }
    if let object {
        checkPatchBody(object)
        checkUser(object, Entry.userInput(object))
        checkSearch(object)
    }
    let value = (try? JSONParser.parse(body, options: JSONParseOptions(maxDepth: 64))) ?? .string(String(decoding: body, as: UTF8.self))
    for op in ["add", "replace", "remove", "Replace"] {
        checkPathOperation(op, pathText, path, value, object)
    }
    guard case .failure(let refusal) = Entry.parsePatchPath(overlongPath), refusal.scimType == "invalidPath" else {
        fuzzFail("a PATCH path of \(overlongPath.utf8.count) bytes accepted")
    }
    return 0
}

// MARK: filters and paths

func checkFilter(_ text: String) -> Entry.ParsedFilter? {
    switch Entry.parseFilter(text) {
    case .success(let filter):
        fuzzCheck(text.utf8.count <= 4096, "a filter of \(text.utf8.count) bytes parsed")
        let written = filter.text
        // Writing back adds spaces around parentheses the text may have left out.
        guard written.utf8.count <= 4096 else { return filter }
        guard case .success(let again) = Entry.parseFilter(written) else { fuzzFail("\(escaped(Array(text.utf8))) written as \(written), which does not parse") }
        fuzzCheck(again == filter, "\(escaped(Array(text.utf8))) written as \(written), which parses to another tree")
        fuzzCheck(again.text == written, "\(written) written again as \(again.text)")
        return filter
    case .failure(let failure):
        fuzzCheck(failure.status == 400 && failure.scimType == "invalidFilter", "filter refused with \(failure)")
        return nil
    }
}

func checkPatchPath(_ text: String) -> Entry.ParsedPatchPath? {
    switch Entry.parsePatchPath(text) {
    case .success(let path):
        fuzzCheck(!text.isEmpty && text.utf8.count <= 4096, "a path of \(text.utf8.count) bytes parsed")
        if !text.contains("[") { fuzzCheck(!path.hasFilter, "\(text): a value filter without \"[\"") }
        let written = path.text
        guard case .success(let again) = Entry.parsePatchPath(written) else { fuzzFail("path \(escaped(Array(text.utf8))) written as \(written), which does not parse") }
        fuzzCheck(again == path, "path \(escaped(Array(text.utf8))) written as \(written), which parses to another path")
        fuzzCheck(again.text == written, "path \(written) written again as \(again.text)")
        return path
    case .failure(let failure):
        fuzzCheck(failure.status == 400 && failure.scimType == "invalidPath", "path refused with \(failure)")
        return nil
    }
}

// MARK: bodies

func checkBody(_ request: Request, _ body: [UInt8]) -> JSONObject? {
    let parsed = body.isEmpty ? nil : try? JSONParser.parse(body, options: JSONParseOptions(maxDepth: 64))
    switch Entry.bodyObject(request) {
    case .success(let object):
        fuzzCheck(parsed == .object(object), "body object is not what ProteusJSON parses")
        return object
    case .failure(let failure):
        fuzzCheck(failure.status == 400 && failure.scimType == "invalidSyntax", "body refused with \(failure)")
        fuzzCheck(parsed?.objectValue == nil, "a JSON object body refused: \(failure.message)")
        return nil
    }
}

/// What the dialect's case-insensitive lookup finds (exact key first).
func member(_ o: JSONObject, _ key: String) -> JSONValue? {
    if let v = o[key] { return v }
    let wanted = key.lowercased()
    return o.first { $0.key.lowercased() == wanted }?.value
}

func checkRefusal(_ failure: Entry.Failure, _ what: String) {
    let kinds: Set<String> = ["invalidFilter", "invalidPath", "invalidSyntax", "invalidValue", "noTarget", "mutability"]
    fuzzCheck(failure.status == 400 && failure.scimType.map(kinds.contains) == true, "\(what) refused with \(failure)")
}

func checkPatchBody(_ body: JSONObject) {
    switch Entry.parsePatch(body) {
    case .success(let patch):
        let operations = member(body, "Operations")?.arrayValue
        fuzzCheck(operations?.count == patch.count && patch.count <= 1000, "\(patch.count) operations from \(operations?.count ?? -1)")
        applyChecked(patch, body)
    case .failure(let failure):
        checkRefusal(failure, "PATCH body")
    }
}

/// Applies `patch` to the sample User and to `resource` (the body read as
/// a resource), as PATCH /Users/{id} does; the sample's result goes through
/// UserInput as the route's does. The patched sample, or nil when refused.
@discardableResult
func applyChecked(_ patch: Entry.Patch, _ resource: JSONObject?) -> JSONObject? {
    var patched = sampleUser
    var result: JSONObject?
    if let failure = Entry.applyUserPatch(patch, to: &patched) {
        checkRefusal(failure, "PATCH")
    } else {
        checkIgnoredKept(sampleUser, patched)
        checkUser(patched, Entry.userInput(patched))
        result = patched
    }
    if var other = resource {
        if let failure = Entry.applyUserPatch(patch, to: &other) { checkRefusal(failure, "PATCH of the body") } else { checkIgnoredKept(resource!, other) }
    }
    return result
}

/// id, meta, schemas and groups (in any case) are as they were.
func checkIgnoredKept(_ before: JSONObject, _ after: JSONObject) {
    let ignored: Set<String> = ["id", "meta", "schemas", "groups"]
    func kept(_ o: JSONObject) -> JSONObject { JSONObject(o.filter { ignored.contains($0.key.lowercased()) }.map { ($0.key, $0.value) }) }
    fuzzCheck(kept(before) == kept(after), "PATCH changed \(kept(before)) to \(kept(after))")
}

func checkPathOperation(_ op: String, _ pathText: String, _ path: Entry.ParsedPatchPath?, _ value: JSONValue, _ resource: JSONObject?) {
    let body: JSONObject = ["schemas": [.string(patchOpURN)], "Operations": [["op": .string(op), "path": .string(pathText), "value": value]]]
    let patch: Entry.Patch
    switch Entry.parsePatch(body) {
    case .success(let p):
        fuzzCheck(path != nil || pathText.isEmpty, "operation on the path \(escaped(Array(pathText.utf8))), which does not parse, accepted")
        patch = p
    case .failure(let failure):
        checkRefusal(failure, "\(op) operation")
        if path == nil && !pathText.isEmpty { fuzzCheck(failure.scimType == "invalidPath", "bad path refused with \(failure)") }
        return
    }
    guard let patched = applyChecked(patch, resource), let path, path.schema == nil, !path.hasSubAttribute else { return }
    let name = path.name.lowercased()
    if op.lowercased() == "replace", !path.hasFilter, writableUserAttributes.contains(name), value.objectValue == nil {
        fuzzCheck(member(patched, path.name) == value, "replace \(pathText) left \(member(patched, path.name) ?? .null), not \(value)")
    }
    if op == "remove", path.hasFilter, name == "emails", case .success(let filter) = Entry.parseFilter(path.text) {
        fuzzCheck(!Entry.matches(filter, patched), "remove \(pathText) left a matching email: \(patched["emails"] ?? .null)")
    }
}

// MARK: User resources

func checkUser(_ o: JSONObject, _ result: Result<Entry.User, Entry.Failure>) {
    let user: Entry.User
    switch result {
    case .success(let u): user = u
    case .failure(let failure):
        fuzzCheck(failure.status == 400 && failure.scimType == "invalidValue", "User refused with \(failure)")
        return
    }
    fuzzCheck(!user.userName.isEmpty && user.userName.utf8.count <= 1024, "userName of \(user.userName.utf8.count) bytes")
    fuzzCheck(member(o, "userName") == .string(user.userName), "userName \(user.userName) is not the body's")
    func string(_ key: String, _ kept: String?) {
        switch member(o, key) {
        case .string(let s)?: fuzzCheck(kept == s, "\(key) \(kept ?? "nil") is not the body's \(s)")
        case nil, .null?: fuzzCheck(kept == nil, "\(key) \(kept ?? "") not in the body")
        case let v?: fuzzFail("\(key) accepted from \(v)")
        }
    }
    string("displayName", user.displayName)
    string("externalId", user.externalId)
    string("password", user.password)
    switch member(o, "active") {
    case .bool(let b)?: fuzzCheck(user.active == b, "active \(String(describing: user.active)) from \(b)")
    case .string(let s)?: fuzzCheck(["true", "false"].contains(s.lowercased()) && user.active == (s.lowercased() == "true"), "active from \(s)")
    case nil, .null?: fuzzCheck(user.active == nil, "active without one in the body")
    case let v?: fuzzFail("active accepted from \(v)")
    }
    func strings(_ kept: JSONObject?, _ sent: JSONValue?, _ allowed: [String], _ what: String) {
        guard let kept else { return }
        fuzzCheck(!kept.isEmpty, "\(what) kept empty")
        guard let sentObject = sent?.objectValue else { fuzzFail("\(what) kept from \(sent ?? .null)") }
        for (key, value) in kept {
            fuzzCheck(allowed.contains(key) && value.stringValue != nil && member(sentObject, key) == value, "\(what).\(key) = \(value)")
        }
    }
    strings(user.name, member(o, "name"), Entry.nameSubAttributes, "name")
    strings(user.enterprise, member(o, enterpriseURN), Entry.enterpriseAttributes, "enterprise")
    if let emails = user.emails {
        fuzzCheck(emails.count == member(o, "emails")?.arrayValue?.count, "\(emails.count) emails from \(member(o, "emails") ?? .null)")
        var primaries = 0
        for e in emails {
            guard let object = e.objectValue, let v = object["value"]?.stringValue, !v.isEmpty else { fuzzFail("email \(e)") }
            fuzzCheck(object.allSatisfy { ["value", "display", "type", "primary"].contains($0.key) }, "email \(e)")
            if object["primary"] == .bool(true) { primaries += 1 }
        }
        fuzzCheck(primaries <= 1, "\(primaries) primary emails")
        fuzzCheck(emails.contains { $0.objectValue?["value"] == user.primaryEmail.map(JSONValue.string) }, "primary email \(user.primaryEmail ?? "nil")")
    } else {
        let sent = member(o, "emails")
        fuzzCheck(sent == nil || sent == .null || sent == .array([]), "emails \(sent ?? .null) dropped")
        fuzzCheck(user.primaryEmail == nil, "a primary email without emails")
    }
}

// MARK: .search

func checkSearch(_ body: JSONObject) {
    switch Entry.search(body, maxResults: maxResults) {
    case .success(let search):
        fuzzCheck(search.startIndex >= 1 && (0...maxResults).contains(search.count), "startIndex \(search.startIndex), count \(search.count)")
        if let sent = member(body, "filter"), sent != .null {
            guard case .string(let text) = sent, case .success(let filter) = Entry.parseFilter(text) else { fuzzFail("filter \(sent) accepted") }
            fuzzCheck(search.filter == filter, "the search's filter is not its body's")
            _ = Entry.matches(filter, sampleUser)
        } else {
            fuzzCheck(search.filter == nil, "a filter without one in the body")
        }
        let projected = search.project(sampleUser)
        for key in ["id", "schemas", "meta"] { fuzzCheck(projected[key] == sampleUser[key], "projection dropped \(key)") }
        fuzzCheck(projected.allSatisfy { sampleUser[$0.key] != nil }, "projection added a member: \(projected)")
    case .failure(let failure):
        fuzzCheck(failure.status == 400 && (failure.scimType == "invalidValue" || failure.scimType == "invalidFilter"), "search refused with \(failure)")
    }
}
