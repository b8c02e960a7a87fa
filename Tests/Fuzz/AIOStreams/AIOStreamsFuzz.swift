// Fuzz target: what the AIOStreams dialect decodes from a request before it
// reaches the store — the JSON body as an object (RequestBody), Basic
// credentials (CredentialSource.basic), the encryptedPassword shape check
// (PasswordToken.looksLikeToken) and the original server's tokens
// (OriginalCrypto), ?uuid= and alias resolution
// (AIOStreamsOptions).
//
// Input: three fields separated by LF — the Authorization header value, the
// raw query string, then the body (which may contain LFs). A field may be
// empty; an empty Authorization line means no header.
//
// Checked: no crash, over-read or leak; the body is an object exactly when
// ProteusJSON parses it to one (blank bodies are {}), otherwise a 400;
// Basic credentials are returned only for "Basic " + canonical-enough Base64
// of UTF-8 "user:password" with both parts non-empty and the user free of
// ':' (and they re-encode to a header that decodes the same), otherwise a
// 400, and nil without the header; looksLikeToken holds for every token
// shaped like the ones the dialect issues and only for base64url JSON
// objects with t, i and e; valid aliases are 2-64 of [a-z0-9._-] and not a
// UUID; resolve returns the UUID's own bytes or the configured alias's id.
import AIOStreams
import FuzzSupport
import PluginAPI
import PluginKit
import ProteusJSON

let aliasID: [UInt8] = Array(0..<16)
nonisolated(unsafe) let resolve: (String) -> [UInt8]? = {
    do {
        return try AIOStreamsFuzzEntryPoints.resolver(options: [
            "aliases": ["my-alias": "00010203-0405-0607-0809-0a0b0c0d0e0f", "team.x_1": "00010203-0405-0607-0809-0a0b0c0d0e0f"],
        ])
    } catch {
        fuzzFail("the alias options were refused: \(error)")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var reader = FuzzReader(data, size)
    let authorization = reader.field(until: 10)
    let query = reader.field(until: 10)
    let body = reader.rest()
    var headers: [(String, [UInt8])] = [("Content-Type", Array("application/json".utf8))]
    if !authorization.isEmpty { headers.append(("Authorization", authorization)) }
    let fuzzRequest = FuzzRequest(method: "PUT", path: "/api/v1/user", query: query, headers: headers, body: body)
    let request = Request(UnsafePointer(fuzzRequest.pointer))

    checkBody(request, body)
    checkBasic(request, authorization)
    for (name, value) in request.queryItems {
        checkResolve(value)
        checkToken(value)
        _ = name
    }
    checkToken(String(decoding: body, as: UTF8.self))
    checkAlias(String(decoding: query, as: UTF8.self))
    return 0
}

func checkBody(_ request: Request, _ body: [UInt8]) {
    let blank = body.allSatisfy { $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }
    let parsed = blank ? nil : try? JSONParser.parse(body)
    switch AIOStreamsFuzzEntryPoints.bodyObject(request) {
    case .success(let object):
        if blank {
            fuzzCheck(object.isEmpty, "blank body gave \(object)")
        } else {
            fuzzCheck(parsed == .object(object), "body object \(object) but the parser says \(String(describing: parsed))")
        }
    case .failure(let failure):
        fuzzCheck(failure.status == 400, "body refused with \(failure.status)")
        if case .object? = parsed { fuzzFail("an object body was refused: \(failure.message)") }
    }
}

func checkBasic(_ request: Request, _ header: [UInt8]) {
    switch AIOStreamsFuzzEntryPoints.basicCredentials(request) {
    case .success(nil):
        fuzzCheck(header.isEmpty, "credentials ignored for Authorization \(escaped(header))")
    case .success(let credentials?):
        let text = String(decoding: header, as: UTF8.self)
        fuzzCheck(text.hasPrefix("Basic "), "credentials from \(escaped(header))")
        fuzzCheck(!credentials.user.isEmpty && !credentials.password.isEmpty && !credentials.user.contains(":"),
                  "credentials (\(credentials.user), \(credentials.password))")
        let encoded = Base64.encode(Array((credentials.user + ":" + credentials.password).utf8))
        let decoded = Base64.decode(String(text.dropFirst(6)).trimmingSpacesAndTabs(), urlSafe: false)
        fuzzCheck(decoded == Base64.decode(encoded), "credentials do not re-encode to the header's bytes")
        // Round trip through a header the dialect would accept.
        let again = FuzzRequest(query: nil, headers: [("Authorization", Array(("Basic " + encoded).utf8))], body: [])
        if case .success(let back?) = AIOStreamsFuzzEntryPoints.basicCredentials(Request(UnsafePointer(again.pointer))) {
            fuzzCheck(back == credentials, "re-encoded credentials decode as (\(back.user), \(back.password))")
        } else {
            fuzzFail("re-encoded credentials are refused")
        }
    case .failure(let failure):
        fuzzCheck(failure.status == 400, "Authorization refused with \(failure.status)")
        fuzzCheck(!header.isEmpty, "empty Authorization refused")
    }
}

func checkToken(_ text: String) {
    let looks = AIOStreamsFuzzEntryPoints.looksLikeToken(text)
    if looks {
        fuzzCheck(text.hasPrefix("eyJ"), "token \(text) without the JSON prefix")
        guard let decoded = Base64.decode(text, urlSafe: true), case .object(let o)? = try? JSONParser.parse(decoded) else {
            fuzzFail("token \(text) is not base64url JSON")
        }
        fuzzCheck(o["t"]?.stringValue != nil && o["i"] != nil && o["e"] != nil, "token \(text) lacks t, i or e")
    }
    // A token in the issued shape built around the text always looks like one.
    let json = JSONValue.object(["i": .string(text), "e": .string(Base64.encode(Array(text.utf8))), "t": .string("g")])
    let token = Base64.encode(Array(json.serialized().utf8), urlSafe: true, padding: false)
    fuzzCheck(AIOStreamsFuzzEntryPoints.looksLikeToken(token), "issued-shape token \(token) not recognised")
    // An original server's token (imported directories): any text opens to
    // nothing or to at most the bounded password, never past its buffers.
    if let opened = AIOStreamsFuzzEntryPoints.openOriginalToken(text, key: Array(repeating: 7, count: 32)) {
        fuzzCheck(opened.count <= AIOStreamsFuzzEntryPoints.maxOriginalPasswordBytes, "original token \(text) opened to \(opened.count) bytes")
    }
}

func checkResolve(_ text: String) {
    guard let id = resolve(text) else { return }
    if let uuid = proteus_id(dashedUUID: text) {
        fuzzCheck(id == uuid.byteArray, "\(text) resolved to another id")
    } else {
        fuzzCheck(["my-alias", "team.x_1"].contains(text) && id == aliasID, "\(text) resolved to \(id)")
    }
}

func checkAlias(_ text: String) {
    guard AIOStreamsFuzzEntryPoints.isValidAlias(text) else { return }
    let bytes = Array(text.utf8)
    fuzzCheck((2...64).contains(bytes.count) && proteus_id(dashedUUID: text) == nil
              && bytes.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 95 || $0 == 45 },
              "alias \(escaped(bytes)) accepted")
}
