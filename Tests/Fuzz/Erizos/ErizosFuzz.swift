// Fuzz target: what the Erizos dialect decodes from a request before it
// reaches the store — the users body (UserInput), the credentials
// (Authorization: Bearer/Basic, else ?erizos-login=), `_id` shapes and the
// role mapping.
//
// Input: LF-separated fields — Authorization (an empty line: no header),
// the raw query string, then the body (the rest, LFs included).
//
// Checked: no crash, over-read or leak; a body is accepted only when
// ProteusJSON parses it as an object, and then every accepted member is the
// body's own value of the right shape (username valid, password non-empty,
// roles a duplicate-free subset of the four, settings an object); refusals
// are 400s; Basic credentials re-encode to the header's base64 payload;
// a Bearer token is the header after the scheme; without a header the
// session is the first ?erizos-login= value; isObjectID agrees with a
// reference; applying roles keeps every foreign role and adds exactly the
// wanted ones.
import Foundation
import Erizos
import FuzzSupport
import PluginKit
import ProteusJSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var reader = FuzzReader(data, size)
    let authorization = reader.field(until: 10)
    let query = reader.field(until: 10)
    let body = reader.rest()
    var headers: [(String, [UInt8])] = []
    if !authorization.isEmpty { headers.append(("Authorization", authorization)) }
    let fuzzRequest = FuzzRequest(method: "POST", path: "/api/users", query: query, headers: headers, body: body)
    let request = Request(UnsafePointer(fuzzRequest.pointer))

    checkInput(request, body)
    checkCredentials(request, authorization)
    let text = String(decoding: body.prefix(40), as: UTF8.self)
    let reference = text.utf8.count == 24 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    fuzzCheck(ErizosFuzzEntryPoints.isObjectID(text) == reference, "isObjectID(\(text))")
    checkRoles(query)
    return 0
}

func checkInput(_ request: Request, _ body: [UInt8]) {
    let parsed = try? JSONParser.parse(body)
    switch ErizosFuzzEntryPoints.userInput(request) {
    case .success(let input):
        guard case .object(let o)? = parsed else { fuzzFail("accepted a body that is not a JSON object") }
        if let u = input.username {
            fuzzCheck(o["username"] == .string(u) && !u.isEmpty && u.unicodeScalars.count <= 128, "username \(u)")
            fuzzCheck(!u.unicodeScalars.contains { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) }, "control character in \(u)")
        } else { fuzzCheck(o["username"] == nil, "username dropped") }
        if let p = input.password { fuzzCheck(o["password"] == .string(p) && !p.isEmpty, "password") } else { fuzzCheck(o["password"] == nil, "password dropped") }
        if let n = input.name { fuzzCheck(o["name"] == .string(n), "name") } else { fuzzCheck(o["name"] == nil, "name dropped") }
        if let roles = input.roles {
            fuzzCheck(Set(roles).count == roles.count && Set(roles).isSubset(of: ["ADMIN", "DESIGNER", "EDITOR", "OPERATOR"]), "roles \(roles)")
            let sent = o["roles"]?.arrayValue?.compactMap(\.stringValue) ?? []
            fuzzCheck(Set(sent) == Set(roles), "roles \(roles) from \(sent)")
        } else { fuzzCheck(o["roles"] == nil, "roles dropped") }
        if let s = input.settings { fuzzCheck(o["settings"] == s && s.objectValue != nil, "settings") } else { fuzzCheck(o["settings"] == nil, "settings dropped") }
    case .failure(let failure):
        fuzzCheck(failure.status == 400, "refused with \(failure.status): \(failure.message)")
    }
}

func checkCredentials(_ request: Request, _ authorization: [UInt8]) {
    let (kind, first, second) = ErizosFuzzEntryPoints.credentials(request)
    guard !authorization.isEmpty, let header = request.header("authorization"), !header.isEmpty else {
        let token = request.queryItems.first { $0.name == "erizos-login" }?.value
        if let token { fuzzCheck(kind == "session" && first == token, "query session \(kind) \(first)") } else { fuzzCheck(kind == "none", "no credentials gave \(kind)") }
        return
    }
    let scheme = header.prefix { $0 != " " }.lowercased()
    switch kind {
    case "session":
        fuzzCheck(scheme == "bearer" && first == String(header.dropFirst(6)).trimmingSpacesAndTabs(), "bearer \(first)")
    case "basic":
        fuzzCheck(scheme == "basic", "basic from scheme \(scheme)")
        let payload = String(header.trimmingSpacesAndTabs().dropFirst(6)).trimmingSpacesAndTabs()
        let decoded = Base64.decode(payload, urlSafe: false)
        fuzzCheck(decoded == Array("\(first):\(second)".utf8), "basic \(first):\(second) from \(payload)")
        fuzzCheck(!first.contains(":"), "user with a colon")
    case "malformed":
        if scheme == "basic" { fuzzCheck(BasicCredentials.parse(header) == nil, "well-formed Basic called malformed") }
        else { fuzzCheck(scheme != "bearer", "bearer called malformed") }
    default:
        fuzzFail("header \(escaped(authorization)) gave \(kind)")
    }
}

func checkRoles(_ query: [UInt8]) {
    // Foreign slugs from the query's names, wanted roles from its values.
    let items = query.withUnsafeBytes { FormDecoding.decode($0) }
    let foreign = items.map(\.name).filter { !$0.isEmpty && !["admin", "erizos.designer", "erizos.editor", "erizos.operator"].contains($0) }
    let wanted = items.map(\.value).filter { ["ADMIN", "DESIGNER", "EDITOR", "OPERATOR"].contains($0) }
    guard let result = ErizosFuzzEntryPoints.applyingRoles(wanted, to: foreign + ["admin", "erizos.editor"]) else {
        fuzzFail("known roles \(wanted) refused")
    }
    fuzzCheck(Array(result.prefix(foreign.count)) == foreign, "foreign roles changed: \(result)")
    let slugs: [String: String] = ["ADMIN": "admin", "DESIGNER": "erizos.designer", "EDITOR": "erizos.editor", "OPERATOR": "erizos.operator"]
    fuzzCheck(Set(result.dropFirst(foreign.count)) == Set(wanted.compactMap { slugs[$0] }), "roles \(result) for \(wanted)")
    fuzzCheck(ErizosFuzzEntryPoints.applyingRoles(["root"], to: []) == nil, "unknown role accepted")
}
