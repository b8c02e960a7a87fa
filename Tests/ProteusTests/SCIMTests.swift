// The SCIM 2.0 dialect (issue 12) against the real binary: bearer tokens
// from `proteus scim token`, discovery, the User and Group resources, the
// wire format (application/scim+json, meta, ETag/If-Match, Location),
// filters, PATCH in the forms Okta and Entra ID send, errors, and the same
// users seen and refused through MCSManager and AIOStreams.
import Foundation
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest

class SCIMTests: XCTestCase {
    var scim: SCIMServer!
    var client: SCIMClient { scim.client }

    override func setUpWithError() throws { scim = try SCIMServer() }

    override func tearDown() {
        scim?.stop()
        scim = nil
    }

    // MARK: tokens

    func testTokensAreTheOnlyWayIn() throws {
        // Created once, printed alone on stdout's first line, stored hashed.
        XCTAssertTrue(scim.token.hasPrefix("scim_"), scim.token)
        let listed = try SCIM.command(["token", "list"], config: scim.server.configPath)
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertTrue(listed.stdout.contains("test"), listed.stdout)
        XCTAssertFalse(listed.stdout.contains(scim.token) || listed.stderr.contains(scim.token))
        XCTAssertFalse(scim.server.outputText.contains(scim.token), "the token is in the server's log")
        for file in try FileManager.default.subpathsOfDirectory(atPath: scim.server.directory) {
            let data = FileManager.default.contents(atPath: scim.server.directory + "/" + file) ?? Data()
            XCTAssertNil(data.range(of: Data(scim.token.utf8)), "the token is in \(file)")
        }
        XCTAssertEqual(try client.call("GET", "/Users").status, 200)

        // Nothing else gets in: no token, Basic, MCSManager's key and session, a made-up token.
        var refused: [(String, [(String, String)])] = [
            ("none", []), ("basic", [APIClient.basic(MCSM.adminName, MCSM.adminPassword)]),
            ("made-up", [("Authorization", "Bearer scim_" + String(repeating: "A", count: 43))]),
            ("other scheme", [("Authorization", "Token \(scim.token)")]),
        ]
        refused.append(("mcsm key", [("X-Api-Key", scim.panel.adminKey)]))
        for (what, headers) in refused {
            let r = try SCIMClient(port: scim.port, token: nil).call("GET", "/Users", headers: headers)
            assertSCIMError(r, 401)
            XCTAssertEqual(r.header("WWW-Authenticate")?.hasPrefix("Bearer"), true, what)
        }
        let keyQuery = try SCIMClient(port: scim.port, token: nil).call("GET", "/Users?apikey=\(scim.panel.adminKey)")
        assertSCIMError(keyQuery, 401)

        // A token created while the server runs works within 5 s; a revoked one stops within 5 s.
        let second = try SCIMServer.createToken(scim.server.configPath, label: "okta")
        try waitUntil("the new token is accepted") { try SCIMClient(port: scim.port, token: second).call("GET", "/Users").status == 200 }
        let duplicate = try SCIM.command(["token", "create", "--label", "okta"], config: scim.server.configPath)
        XCTAssertEqual(duplicate.status, 1, duplicate.stderr)
        let revoke = try SCIM.command(["token", "revoke", "--label", "okta"], config: scim.server.configPath)
        XCTAssertEqual(revoke.status, 0, revoke.stderr)
        try waitUntil("the revoked token is refused") { try SCIMClient(port: scim.port, token: second).call("GET", "/Users").status == 401 }
        XCTAssertEqual(try client.call("GET", "/Users").status, 200, "revoking one token left the other alone")
        let id = try XCTUnwrap(listed.stdout.split(separator: "\n").dropFirst().first?.split(separator: " ").first.map(String.init))
        XCTAssertEqual(try SCIM.command(["token", "revoke", "--id", id], config: scim.server.configPath).status, 0)
        try waitUntil("the first token is refused") { try client.call("GET", "/Users").status == 401 }
        XCTAssertEqual(try SCIM.command(["token", "revoke", "--id", id], config: scim.server.configPath).status, 1)
        XCTAssertEqual(try SCIM.command(["token", "create"], config: scim.server.configPath).status, 2)
        XCTAssertEqual(try SCIM.command(["token", "frobnicate"], config: scim.server.configPath).status, 2)
        // A command no host command and no configured dialect offers names the choices.
        let unknown = try ProteusProcess.run(["nope", "--config", scim.server.configPath])
        XCTAssertEqual(unknown.status, 2, unknown.output)
        XCTAssertTrue(unknown.output.contains("unknown command \"nope\"") && unknown.output.contains("scim"), unknown.output)
    }

    /// Polls for up to 5 s (the documented bound) plus a little slack.
    func waitUntil(_ what: String, file: StaticString = #filePath, line: UInt = #line, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(5.5)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTFail("not within 5 s: \(what)", file: file, line: line)
    }

    // MARK: discovery

    func testDiscoveryEndpoints() throws {
        let anonymous = SCIMClient(port: scim.port, token: nil)
        let spc = try anonymous.call("GET", "/ServiceProviderConfig")
        XCTAssertEqual(spc.status, 200)
        XCTAssertTrue(spc.header("Content-Type")?.hasPrefix("application/scim+json") ?? false)
        XCTAssertEqual(spc.json?["patch"]?["supported"], true)
        XCTAssertEqual(spc.json?["etag"]?["supported"], true)
        XCTAssertEqual(spc.json?["filter"]?["supported"], true)
        XCTAssertEqual(spc.json?["authenticationSchemes"]?[0]?["type"], "oauthbearertoken")

        let types = try anonymous.call("GET", "/ResourceTypes")
        XCTAssertEqual(types.json?["totalResults"], 2)
        XCTAssertEqual(types.json?["Resources"]?.arrayValue?.compactMap { $0["endpoint"]?.stringValue }, ["/Users", "/Groups"])
        XCTAssertEqual(try anonymous.call("GET", "/ResourceTypes/User").json?["schemaExtensions"]?[0]?["schema"]?.stringValue, SCIM.enterprise)
        assertSCIMError(try anonymous.call("GET", "/ResourceTypes/Nope"), 404)

        let schemas = try anonymous.call("GET", "/Schemas")
        XCTAssertEqual(Set(schemas.json?["Resources"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []),
                       [SCIM.userSchema, SCIM.groupSchema, SCIM.enterprise])
        let user = try anonymous.call("GET", "/Schemas/\(SCIM.userSchema)")
        let attributes = user.json?["attributes"]?.arrayValue ?? []
        XCTAssertEqual(attributes.first { $0["name"] == "password" }?["returned"], "never")
        XCTAssertEqual(attributes.first { $0["name"] == "groups" }?["mutability"], "readOnly")
        XCTAssertNotNil(try anonymous.call("GET", "/Schemas/\(SCIM.enterprise)").json?["attributes"])

        // Discovery answers writes with 405; unknown paths under the mount get a SCIM 404.
        for path in ["/ServiceProviderConfig", "/ResourceTypes", "/Schemas", "/Schemas/\(SCIM.userSchema)"] {
            for method in ["POST", "PUT", "PATCH", "DELETE"] {
                assertSCIMError(try client.call(method, path, json: [:]), 405)
            }
        }
        assertSCIMError(try client.call("GET", "/Nope"), 404)
        assertSCIMError(try client.call("GET", "/" + UUID().uuidString), 404)

        // The root /.search lists every type: users, then groups.
        try scim.createUser("searchable", extra: ["externalId": "s-1"])
        XCTAssertEqual(try client.call("POST", "/Groups", json: ["displayName": "G", "externalId": "g-1"]).status, 201)
        let all = try client.call("POST", "/.search", json: ["schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "attributes": ["externalId"]])
        XCTAssertEqual(all.status, 200, all.text)
        XCTAssertEqual(all.json?["totalResults"], 3)
        XCTAssertEqual(all.json?["Resources"]?.arrayValue?.compactMap { $0["meta"]?["resourceType"]?.stringValue }, ["User", "User", "Group"])
        XCTAssertEqual(all.json?["Resources"]?.arrayValue?.compactMap { $0["externalId"]?.stringValue }, ["s-1", "g-1"])
        XCTAssertNil(all.json?["Resources"]?[1]?["userName"])
        let second = try client.call("POST", "/.search", json: ["startIndex": 3, "count": 5])
        XCTAssertEqual(second.json?["Resources"]?.arrayValue?.compactMap { $0["displayName"]?.stringValue }, ["G"])
        assertSCIMError(try client.call("POST", "/.search", json: ["filter": "title pr"]), 400, "invalidFilter")
    }

    // MARK: users

    func testUserCreateReadAndWireFormat() throws {
        let body: JSONValue = [
            "schemas": [.string(SCIM.userSchema), .string(SCIM.enterprise)],
            "userName": "Barbara.Jensen@Example.com", "externalId": "ext-BJ-1",
            "name": ["givenName": "Barbara", "familyName": "Jensen", "formatted": "Ms. Barbara J Jensen III"],
            "displayName": "Babs Jensen",
            "emails": [["value": "Barbara.Jensen@Example.com", "type": "work", "primary": true],
                       ["value": "babs@home.example", "type": "home", "primary": false]],
            "active": true, "password": "Longenough1",
            "locale": "en-US", "roles": [], "groups": [], "id": "ignored", "meta": ["resourceType": "Nope"],
            .init(stringLiteral: SCIM.enterprise): ["employeeNumber": "701984", "department": "Tour Operations", "costCenter": "x"],
        ]
        let r = try client.call("POST", "/Users", json: body)
        XCTAssertEqual(r.status, 201, r.text)
        let user = try XCTUnwrap(r.json)
        let id = try XCTUnwrap(user["id"]?.stringValue)
        XCTAssertEqual(id.count, 32)
        XCTAssertNotEqual(id, "ignored")
        XCTAssertTrue(r.header("Content-Type")?.hasPrefix("application/scim+json") ?? false)
        XCTAssertEqual(r.header("Location"), user["meta"]?["location"]?.stringValue)
        XCTAssertEqual(r.header("Location"), "\(scim.base)/Users/\(id)")
        XCTAssertEqual(r.header("ETag"), user["meta"]?["version"]?.stringValue)
        XCTAssertEqual(user["meta"]?["resourceType"], "User")
        XCTAssertNotNil(user["meta"]?["created"]?.stringValue)
        XCTAssertEqual(user["meta"]?["created"], user["meta"]?["lastModified"])
        XCTAssertTrue(user["meta"]?["version"]?.stringValue?.hasPrefix("W/\"") ?? false)
        // Everything writable round-trips exactly, case kept; nothing else is kept.
        XCTAssertEqual(user["userName"], "Barbara.Jensen@Example.com")
        XCTAssertEqual(user["externalId"], "ext-BJ-1")
        XCTAssertEqual(user["name"], body["name"])
        XCTAssertEqual(user["displayName"], "Babs Jensen")
        XCTAssertEqual(user["emails"], body["emails"])
        XCTAssertEqual(user["active"], true)
        XCTAssertEqual(user[SCIM.enterprise], ["employeeNumber": "701984", "department": "Tour Operations"])
        XCTAssertEqual(user["schemas"], [.string(SCIM.userSchema), .string(SCIM.enterprise)])
        for absent in ["password", "locale", "roles", "groups"] { XCTAssertNil(user[absent], absent) }

        // GET answers the same resource; the id is MCSManager's uuid and, dashed, AIOStreams'.
        let read = try client.call("GET", "/Users/\(id)")
        XCTAssertEqual(read.json, user)
        XCTAssertEqual(try client.call("GET", "/Users/\(proteus_id(compactHex: id)!.dashedUUID)").json?["id"]?.stringValue, id)
        XCTAssertTrue(try scim.panelSignIn("Barbara.Jensen@Example.com", "Longenough1"))
        XCTAssertTrue(try scim.aioSignIn(id, "Longenough1"))
        let row = try scim.panel.search("page=1&page_size=10&userName=Barbara").json?["data"]?["data"]?[0]
        XCTAssertEqual(row?["uuid"]?.stringValue, id)

        // attributes / excludedAttributes.
        let only = try client.call("GET", "/Users/\(id)?attributes=userName,name.givenName")
        XCTAssertEqual(Set(only.json?.objectValue?.keys ?? []), ["schemas", "id", "userName", "name", "meta"])
        XCTAssertEqual(only.json?["name"], ["givenName": "Barbara"])
        let without = try client.call("GET", "/Users/\(id)?excludedAttributes=emails,name")
        XCTAssertNil(without.json?["emails"])
        XCTAssertNil(without.json?["name"])
        XCTAssertNotNil(without.json?["userName"])

        // Unknown users are a SCIM 404, whatever the id looks like.
        assertSCIMError(try client.call("GET", "/Users/\(String(repeating: "0", count: 32))"), 404)
        assertSCIMError(try client.call("GET", "/Users/not-an-id"), 404)
        assertSCIMError(try client.call("DELETE", "/Users/not-an-id"), 404)
    }

    func testUniquenessAndBadInput() throws {
        try scim.createUser("Alice", extra: ["externalId": "a-1"])
        // userName is unique case-insensitively; externalId exactly.
        assertSCIMError(try client.call("POST", "/Users", json: ["userName": "ALICE"]), 409, "uniqueness")
        assertSCIMError(try client.call("POST", "/Users", json: ["userName": "bob", "externalId": "a-1"]), 409, "uniqueness")
        let bob = try scim.createUser("bob", extra: ["externalId": "A-1"])
        assertSCIMError(try client.call("PATCH", "/Users/\(bob["id"]!.stringValue!)", json: SCIM.patch([["op": "replace", "path": "userName", "value": "alice"]])), 409, "uniqueness")

        let before = try client.call("GET", "/Users").json?["totalResults"]
        assertSCIMError(try client.call("POST", "/Users", json: ["not": "a scim resource"]), 400, "invalidValue")
        assertSCIMError(try client.call("POST", "/Users", json: ["userName": 42]), 400, "invalidValue")
        assertSCIMError(try client.call("POST", "/Users", json: ["userName": "c", "active": "maybe"]), 400, "invalidValue")
        assertSCIMError(try client.call("POST", "/Users", json: ["userName": "c", "emails": "c@x"]), 400, "invalidValue")
        assertSCIMError(try client.call("POST", "/Users", json: ["userName": "c", "password": "short"]), 400, "invalidValue")
        let malformed = try scim.client.http.request("POST", SCIM.mount + "/Users", headers: [("Authorization", "Bearer \(scim.token)"), ("Content-Type", "application/scim+json")], body: Array("{\"userName\":".utf8))
        assertSCIMError(malformed, 400, "invalidSyntax")
        assertSCIMError(try client.call("POST", "/Users", json: ["userName": "c"], contentType: "text/plain"), 400, "invalidSyntax")
        let huge = try scim.client.http.request("POST", SCIM.mount + "/Users", headers: [("Authorization", "Bearer \(scim.token)"), ("Content-Type", "application/scim+json")],
                                                body: Array("{\"userName\":\"\(String(repeating: "x", count: 2 << 20))\"}".utf8))
        assertSCIMError(huge, 413)
        XCTAssertEqual(try client.call("GET", "/Users").json?["totalResults"], before, "bad input changed nothing")

        // The password rule is the baseline (8+, nothing else), not MCSManager's.
        XCTAssertEqual(try client.call("POST", "/Users", json: ["userName": "carol", "password": "aaaaaaaa"]).status, 201)
    }

    func testFiltersRunInTheStore() throws {
        let a = try scim.createUser("Alice.Smith@example.com", extra: ["externalId": "okta-1", "emails": [["value": "Alice.Smith@example.com", "type": "work", "primary": true]]])
        let b = try scim.createUser("bob@example.com", extra: ["externalId": "okta-2", "active": false, "emails": [["value": "bob@home.example", "type": "home"]]])
        try scim.createUser("alicia")
        func ids(_ filter: String, _ extra: String = "") throws -> [String] {
            let r = try client.call("GET", "/Users?filter=\(q(filter))\(extra)")
            XCTAssertEqual(r.status, 200, "\(filter): \(r.text)")
            XCTAssertEqual(r.json?["schemas"], [.string(SCIM.listSchema)])
            return r.json?["Resources"]?.arrayValue?.compactMap { $0["userName"]?.stringValue } ?? []
        }
        XCTAssertEqual(try ids("userName eq \"alice.smith@EXAMPLE.com\""), ["Alice.Smith@example.com"])
        XCTAssertEqual(try ids("USERNAME EQ \"nobody\""), [])
        XCTAssertEqual(try ids("externalId eq \"okta-2\""), ["bob@example.com"])
        XCTAssertEqual(try ids("externalId eq \"OKTA-2\""), [], "externalId is case-exact")
        XCTAssertEqual(try ids("id eq \"\(a["id"]!.stringValue!)\""), ["Alice.Smith@example.com"])
        XCTAssertEqual(try ids("emails[type eq \"work\"].value eq \"alice.smith@example.com\""), ["Alice.Smith@example.com"])
        XCTAssertEqual(try ids("emails[type eq \"work\"].value eq \"bob@home.example\""), [])
        XCTAssertEqual(try ids("emails.value eq \"bob@home.example\""), ["bob@example.com"])
        XCTAssertEqual(try ids("emails eq \"bob@home.example\""), ["bob@example.com"])
        XCTAssertEqual(try ids("userName sw \"ali\""), ["Alice.Smith@example.com", "alicia"])
        XCTAssertEqual(try ids("userName co \"example\""), ["Alice.Smith@example.com", "bob@example.com"])
        XCTAssertEqual(try ids("userName co \"SMITH@Ex\""), ["Alice.Smith@example.com"], "co is case-insensitive (userName is caseExact false)")
        XCTAssertEqual(try ids("userName co \"LI\""), ["Alice.Smith@example.com", "alicia"], "two characters, any case")
        XCTAssertEqual(try ids("userName sw \"ali\" and active eq true"), ["Alice.Smith@example.com", "alicia"])
        XCTAssertEqual(try ids("active eq false"), ["bob@example.com"])
        XCTAssertEqual(try ids("userName pr"), ["Admin", "Alice.Smith@example.com", "bob@example.com", "alicia"])
        XCTAssertEqual(try ids("externalId eq \"okta-1\" or externalId eq \"okta-2\""), ["Alice.Smith@example.com", "bob@example.com"])
        XCTAssertEqual(try ids("(userName eq \"alicia\" or id eq \"\(b["id"]!.stringValue!)\") and active eq true"), ["alicia"])
        XCTAssertEqual(try ids("externalId eq \"okta-1\" and displayName pr"), [])
        XCTAssertEqual(try ids("externalId eq \"okta-1\" and not (active eq false)"), ["Alice.Smith@example.com"])
        // Anything the store cannot run, or cannot read, is invalidFilter.
        for bad in ["displayName eq \"x\"", "userName ew \"com\"", "title pr", "not (active eq true)", "userName eq",
                    "userName eq \"a", "(userName eq \"a\"", "userName zz \"a\"", "emails[type eq \"work\"", "userName pr or title pr"] {
            assertSCIMError(try client.call("GET", "/Users?filter=\(q(bad))"), 400, "invalidFilter")
        }
        // POST /Users/.search takes the same filter in a body.
        let search = try client.call("POST", "/Users/.search", json: ["schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                                                                     "filter": "userName sw \"ALI\"", "count": 1, "attributes": ["userName"]])
        XCTAssertEqual(search.json?["totalResults"], 2)
        XCTAssertEqual(search.json?["itemsPerPage"], 1)
        XCTAssertEqual(Set(search.json?["Resources"]?[0]?.objectValue?.keys ?? []), ["schemas", "id", "userName", "meta"])
    }

    func testListPaging() throws {
        for i in 0..<7 { try scim.createUser("user\(i)", password: nil) }
        func page(_ query: String) throws -> JSONValue { try XCTUnwrap(client.call("GET", "/Users?\(query)").json) }
        let first = try page("startIndex=1&count=3&filter=\(q("userName sw \"user\""))")
        XCTAssertEqual(first["totalResults"], 7)
        XCTAssertEqual(first["itemsPerPage"], 3)
        XCTAssertEqual(first["startIndex"], 1)
        XCTAssertEqual(first["Resources"]?.arrayValue?.compactMap { $0["userName"]?.stringValue }, ["user0", "user1", "user2"])
        let last = try page("startIndex=6&count=3&filter=\(q("userName sw \"user\""))")
        XCTAssertEqual(last["Resources"]?.arrayValue?.compactMap { $0["userName"]?.stringValue }, ["user5", "user6"])
        let totals = try page("count=0")
        XCTAssertEqual(totals["totalResults"], 8)
        XCTAssertEqual(totals["itemsPerPage"], 0)
        XCTAssertEqual(totals["Resources"], [])
        let beyond = try page("startIndex=100")
        XCTAssertEqual(beyond["Resources"], [])
        XCTAssertEqual(try page("startIndex=0&count=1")["startIndex"], 1, "startIndex below 1 reads as 1")
        XCTAssertEqual(try page("count=100000")["itemsPerPage"], 8)
        assertSCIMError(try client.call("GET", "/Users?count=many"), 400, "invalidValue")
    }

    func testPutReplacesAndKeepsThePassword() throws {
        let user = try scim.createUser("dave", password: "Original-pw", extra: ["displayName": "Dave", "externalId": "d-1",
                                                                                  "name": ["givenName": "Dave"]])
        let id = try XCTUnwrap(user["id"]?.stringValue)
        // A PUT without password (and without active) keeps both; absent attributes go.
        var put = try XCTUnwrap(user.objectValue)
        put["displayName"] = "David"
        put["name"] = nil
        put["externalId"] = "d-2"
        put["active"] = nil
        let r = try client.call("PUT", "/Users/\(id)", json: .object(put))
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r.json?["displayName"], "David")
        XCTAssertNil(r.json?["name"])
        XCTAssertEqual(r.json?["active"], true)
        XCTAssertTrue(try scim.panelSignIn("dave", "Original-pw"))
        XCTAssertEqual(try client.call("GET", "/Users?filter=\(q("externalId eq \"d-2\""))").json?["totalResults"], 1)
        XCTAssertEqual(try client.call("GET", "/Users?filter=\(q("externalId eq \"d-1\""))").json?["totalResults"], 0)
        // With a password, it is set, hashed by the password plugin, and never returned.
        put["password"] = "Replaced-pw"
        let withPassword = try client.call("PUT", "/Users/\(id)", json: .object(put))
        XCTAssertNil(withPassword.json?["password"])
        XCTAssertFalse(try scim.panelSignIn("dave", "Original-pw"))
        XCTAssertTrue(try scim.panelSignIn("dave", "Replaced-pw"))
        let (store, _) = try MCSM.store(scim.server)
        let hash = try XCTUnwrap(try store.getUser(id: MCSM.id(id), docs: nil).passwordHash)
        XCTAssertTrue(hash.hasPrefix("$argon2id$"), hash)
    }

    func testVersionsAndIfMatch() throws {
        let user = try scim.createUser("erin")
        let id = try XCTUnwrap(user["id"]?.stringValue)
        let v1 = try XCTUnwrap(user["meta"]?["version"]?.stringValue)
        // Reads change nothing; every write gives a new version.
        XCTAssertEqual(try client.call("GET", "/Users/\(id)").json?["meta"]?["version"]?.stringValue, v1)
        _ = try client.call("GET", "/Users?filter=\(q("userName eq \"erin\""))")
        XCTAssertEqual(try client.call("GET", "/Users/\(id)").header("ETag"), v1)
        let stale = try client.call("PATCH", "/Users/\(id)", json: SCIM.patch([["op": "replace", "path": "displayName", "value": "E"]]),
                                    headers: [("If-Match", "W/\"999\"")])
        assertSCIMError(stale, 412)
        XCTAssertNil(try client.call("GET", "/Users/\(id)").json?["displayName"])
        let ok = try client.call("PATCH", "/Users/\(id)", json: SCIM.patch([["op": "replace", "path": "displayName", "value": "E"]]),
                                 headers: [("If-Match", v1)])
        XCTAssertEqual(ok.status, 200, ok.text)
        let v2 = try XCTUnwrap(ok.json?["meta"]?["version"]?.stringValue)
        XCTAssertNotEqual(v1, v2)
        XCTAssertEqual(ok.header("ETag"), v2)
        assertSCIMError(try client.call("PUT", "/Users/\(id)", json: ["userName": "erin"], headers: [("If-Match", v1)]), 412)
        assertSCIMError(try client.call("DELETE", "/Users/\(id)", headers: [("If-Match", v1)]), 412)
        XCTAssertEqual(try client.call("DELETE", "/Users/\(id)", headers: [("If-Match", v2)]).status, 204)
        assertSCIMError(try client.call("GET", "/Users/\(id)"), 404)
    }

    func testPatchForms() throws {
        let user = try scim.createUser("frank", extra: [
            "emails": [["value": "frank@work.example", "type": "work", "primary": true]],
            "name": ["givenName": "Frank", "familyName": "Old"],
        ])
        let id = try XCTUnwrap(user["id"]?.stringValue)
        func patch(_ ops: [JSONValue], line: UInt = #line) throws -> JSONValue {
            let r = try client.call("PATCH", "/Users/\(id)", json: SCIM.patch(ops))
            XCTAssertEqual(r.status, 200, r.text, line: line)
            return try XCTUnwrap(r.json, line: line)
        }
        // Entra: capitalised ops, value paths, sub-attributes, booleans as strings, extension paths.
        var u = try patch([
            ["op": "Replace", "path": "emails[type eq \"work\"].value", "value": "frank@new.example"],
            ["op": "Replace", "path": "name.familyName", "value": "New"],
            ["op": "Add", "path": "emails[type eq \"home\"].value", "value": "frank@home.example"],
            ["op": "Add", "path": .string("\(SCIM.enterprise):department"), "value": "Sales"],
            ["op": "Replace", "path": "roles[primary eq \"True\"].value", "value": "ignored"],
        ])
        XCTAssertEqual(u["emails"], [["value": "frank@new.example", "type": "work", "primary": true] as JSONValue, ["type": "home", "value": "frank@home.example"] as JSONValue])
        XCTAssertEqual(u["name"], ["givenName": "Frank", "familyName": "New"])
        XCTAssertEqual(u[SCIM.enterprise], ["department": "Sales"])
        XCTAssertEqual(try scim.panel.search("page=1&page_size=10&userName=frank").json?["data"]?["data"]?[0]?["userName"], "frank")
        // Path-less replace with an object, dotted keys and the extension's URN as a key (Entra with its flag; Okta).
        u = try patch([["op": "replace", "value": ["name.givenName": "Franz", "displayName": "F", "id": "x",
                                                    .init(stringLiteral: SCIM.enterprise): ["employeeNumber": "42"]]]])
        XCTAssertEqual(u["name"]?["givenName"], "Franz")
        XCTAssertEqual(u["displayName"], "F")
        XCTAssertEqual(u["id"]?.stringValue, id)
        XCTAssertEqual(u[SCIM.enterprise], ["department": "Sales", "employeeNumber": "42"])
        // remove: a value path, an attribute, the whole extension.
        u = try patch([["op": "remove", "path": "emails[type eq \"home\"]"], ["op": "remove", "path": "displayName"],
                       ["op": "remove", "path": .string(SCIM.enterprise)]])
        XCTAssertEqual(u["emails"]?.arrayValue?.count, 1)
        XCTAssertNil(u["displayName"])
        XCTAssertNil(u[SCIM.enterprise])
        // active as the string "False" disables; "True" enables.
        u = try patch([["op": "Replace", "path": "active", "value": "False"]])
        XCTAssertEqual(u["active"], false)
        u = try patch([["op": "replace", "value": ["active": true]]])
        XCTAssertEqual(u["active"], true)
        // Errors: no target, bad path, bad value, required attributes, bad op; nothing changes.
        let before = try client.call("GET", "/Users/\(id)").json
        let failing: [(JSONValue, String)] = [
            (["op": "replace", "path": "emails[type eq \"other\"].value", "value": "x@y"], "noTarget"),
            (["op": "remove", "path": "emails[type eq \"other\"]"], "noTarget"),
            (["op": "remove"], "noTarget"),
            (["op": "remove", "path": "userName"], "mutability"),
            (["op": "remove", "path": "active"], "mutability"),
            (["op": "replace", "path": "emails[type eq ", "value": "x"], "invalidPath"),
            (["op": "replace", "path": "active", "value": "nope"], "invalidValue"),
            (["op": "replace", "path": "userName", "value": 5], "invalidValue"),
            (["op": "frobnicate", "path": "userName", "value": "x"], "invalidSyntax"),
        ]
        for (op, type) in failing {
            assertSCIMError(try client.call("PATCH", "/Users/\(id)", json: SCIM.patch([["op": "replace", "path": "displayName", "value": "changed"], op])), 400, type)
        }
        assertSCIMError(try client.call("PATCH", "/Users/\(id)", json: ["Operations": "x"]), 400, "invalidSyntax")
        // Found by the SCIM fuzz target: a path of 50,000 "and"s nested as deep as it was long.
        let deep = "emails[" + Array(repeating: "type pr", count: 50_000).joined(separator: " and ") + "].value"
        assertSCIMError(try client.call("PATCH", "/Users/\(id)", json: SCIM.patch([["op": "replace", "path": .string(deep), "value": "x"]])), 400, "invalidPath")
        assertSCIMError(try client.call("PATCH", "/Users/\(id)", json: ["schemas": ["urn:x"], "Operations": []]), 400, "invalidSyntax")
        XCTAssertEqual(try client.call("GET", "/Users/\(id)").json, before)
        // A password through PATCH is write-only; remove takes it away.
        _ = try patch([["op": "add", "path": "password", "value": "Patched-pw1"]])
        XCTAssertTrue(try scim.panelSignIn("frank", "Patched-pw1"))
        _ = try patch([["op": "remove", "path": "password"]])
        XCTAssertFalse(try scim.panelSignIn("frank", "Patched-pw1"))
    }

    // MARK: the other dialects

    func testDeactivationAndBansAcrossDialects() throws {
        let user = try scim.createUser("gina", password: "Gina-password")
        let id = try XCTUnwrap(user["id"]?.stringValue)
        let panelClient = PanelClient(port: scim.port)
        XCTAssertEqual(try panelClient.login("gina", "Gina-password").status, 200)
        XCTAssertEqual(try panelClient.call("GET", "/api/auth/").status, 200)
        // active false: refused everywhere at once, open sessions ended.
        let r = try client.call("PATCH", "/Users/\(id)", json: SCIM.patch([["op": "replace", "value": ["active": false]]]))
        XCTAssertEqual(r.json?["active"], false, r.text)
        XCTAssertFalse(try scim.panelSignIn("gina", "Gina-password"))
        XCTAssertFalse(try scim.aioSignIn(id, "Gina-password"))
        XCTAssertNotEqual(try panelClient.call("GET", "/api/auth/").status, 200, "the open MCSManager session still works")
        let (store, _) = try MCSM.store(scim.server)
        XCTAssertTrue(try store.getUser(id: MCSM.id(id), docs: nil).flags & PROTEUS_USER_DISABLED != 0)
        // Back on.
        _ = try client.call("PATCH", "/Users/\(id)", json: SCIM.patch([["op": "replace", "path": "active", "value": true]]))
        XCTAssertTrue(try scim.panelSignIn("gina", "Gina-password"))
        XCTAssertTrue(try scim.aioSignIn(id, "Gina-password"))
        // An MCSManager ban reads as active false.
        let ban = try scim.panel.keyClient().call("PUT", "/api/auth", json: ["uuid": .string(id), "config": ["permission": -1]], ajax: false)
        XCTAssertEqual(ban.status, 200, ban.text)
        XCTAssertEqual(try client.call("GET", "/Users/\(id)").json?["active"], false)
        XCTAssertEqual(try client.call("GET", "/Users?filter=\(q("active eq false"))").json?["Resources"]?[0]?["id"]?.stringValue, id)
        // An AIOStreams account has no username: its id stands in, and a PATCH does not write it as one.
        let aio = try APIClient(port: scim.port).request("POST", "/api/v1/user", json: ["config": ["theme": "dark"], "password": "Stream0Password"])
        let aioID = try XCTUnwrap(aio.json?["data"]?["uuid"]?.stringValue).replacingOccurrences(of: "-", with: "")
        XCTAssertEqual(try client.call("GET", "/Users/\(aioID)").json?["userName"]?.stringValue, aioID)
        let aioOff = try client.call("PATCH", "/Users/\(aioID)", json: SCIM.patch([["op": "replace", "path": "active", "value": false]]))
        XCTAssertEqual(aioOff.json?["active"], false, aioOff.text)
        XCTAssertNil(try store.getUser(id: MCSM.id(aioID), docs: nil).username)
        XCTAssertFalse(try scim.aioSignIn(aioID, "Stream0Password"))
        // Users made elsewhere are SCIM users too; a deleted one is gone everywhere.
        let panelUser = try scim.panel.createUser("hank")
        XCTAssertEqual(try client.call("GET", "/Users/\(panelUser)").json?["userName"], "hank")
        XCTAssertEqual(try client.call("DELETE", "/Users/\(panelUser)").status, 204)
        XCTAssertFalse(try scim.panelSignIn("hank", "Passw0rdUser"))
    }

    /// A provisioning burst on what ./scripts/run serves: default argon2id
    /// cost, default workers and admission. Every create is a 201, or a
    /// SCIM 503 with Retry-After that created nothing; created users sign in.
    func testCreateBurstAtTheDefaultHashingCost() throws {
        scim.stop()
        scim = try SCIMServer(label: "scimdefault", defaultHashing: true)
        let port = scim.port, token = scim.token
        let results = ConcurrentResults()
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            do {
                let r = try SCIMClient(port: port, token: token).call("POST", "/Users", json: ["userName": .string("burst\(i)"), "password": .string("Burst-password-\(i)")])
                // value: "i" when created, else the answer and its Retry-After.
                results.add(r.status, r.status == 201 ? "\(i)" : "\(r.text) retry \(r.header("Retry-After") ?? "-")")
            } catch {
                results.add(-1, "\(error)")
            }
        }
        let created = results.values.compactMap(Int.init)
        XCTAssertEqual(results.statuses.count, 16)
        for (status, text) in zip(results.statuses.filter { $0 != 201 }, results.values.filter { Int($0) == nil }) {
            XCTAssertEqual(status, 503, text)
            XCTAssertTrue(text.contains(SCIM.errorSchema) && text.hasSuffix("retry 1"), text)
        }
        XCTAssertFalse(created.isEmpty, "no create succeeded")
        let listed = try client.call("GET", "/Users?count=0&filter=\(q("userName sw \"burst\""))").json?["totalResults"]?.intValue
        XCTAssertEqual(listed, created.count, "a refused create left a user behind")
        for i in created.prefix(3) { XCTAssertTrue(try scim.panelSignIn("burst\(i)", "Burst-password-\(i)"), "burst\(i)") }
    }

    // MARK: groups

    func testGroupsAndOneGroupPerUser() throws {
        let a = try XCTUnwrap(try scim.createUser("ann")["id"]?.stringValue)
        let b = try XCTUnwrap(try scim.createUser("ben")["id"]?.stringValue)
        let c = try XCTUnwrap(try scim.createUser("cal")["id"]?.stringValue)
        let created = try client.call("POST", "/Groups", json: ["schemas": [.string(SCIM.groupSchema)], "displayName": "Tour Guides",
                                                                "members": [["value": .string(a)], ["value": .string(b), "$ref": nil]]])
        XCTAssertEqual(created.status, 201, created.text)
        let group = try XCTUnwrap(created.json)
        let gid = try XCTUnwrap(group["id"]?.stringValue)
        XCTAssertEqual(created.header("Location"), "\(scim.base)/Groups/\(gid)")
        XCTAssertEqual(Set(group["members"]?.arrayValue?.compactMap { $0["value"]?.stringValue } ?? []), [a, b])
        XCTAssertEqual(try client.call("GET", "/Users/\(a)").json?["groups"]?[0]?["value"]?.stringValue, gid)
        XCTAssertEqual(try client.call("GET", "/Users/\(a)").json?["groups"]?[0]?["display"], "Tour Guides")
        assertSCIMError(try client.call("POST", "/Groups", json: ["displayName": "Tour Guides"]), 409, "uniqueness")
        assertSCIMError(try client.call("POST", "/Groups", json: ["members": []]), 400, "invalidValue")

        // Entra's lookup: displayName filter without members.
        let found = try client.call("GET", "/Groups?excludedAttributes=members&filter=\(q("displayName eq \"Tour Guides\""))")
        XCTAssertEqual(found.json?["totalResults"], 1)
        XCTAssertNil(found.json?["Resources"]?[0]?["members"])
        XCTAssertEqual(try client.call("GET", "/Groups?filter=\(q("displayName eq \"tour guides\""))").json?["totalResults"], 0, "displayName is case-exact")
        XCTAssertNil(try client.call("GET", "/Groups/\(gid)?excludedAttributes=members").json?["members"])

        // A second group cannot take a member of the first: 409, nothing changes.
        let other = try XCTUnwrap(try client.call("POST", "/Groups", json: ["displayName": "Drivers"]).json?["id"]?.stringValue)
        assertSCIMError(try client.call("PATCH", "/Groups/\(other)", json: SCIM.patch([["op": "add", "path": "members", "value": [["value": .string(c)], ["value": .string(a)]]]])), 409, "uniqueness")
        XCTAssertNil(try client.call("GET", "/Users/\(c)").json?["groups"])
        // Entra's remove form removes just the listed members; Okta's filter form too; unknown ids are left out.
        var r = try client.call("PATCH", "/Groups/\(gid)", json: SCIM.patch([["op": "Remove", "path": "members", "value": [["value": .string(a)]]]]))
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r.json?["members"]?.arrayValue?.compactMap { $0["value"]?.stringValue }, [b])
        r = try client.call("PATCH", "/Groups/\(gid)", json: SCIM.patch([["op": "Add", "path": "members", "value": [["value": .string(c)], ["value": "fake-member-id"]]],
                                                                         ["op": "remove", "path": .string("members[value eq \"\(b)\"]")]]))
        XCTAssertEqual(r.json?["members"]?.arrayValue?.compactMap { $0["value"]?.stringValue }, [c])
        // Okta renames with the read-only id in the value.
        r = try client.call("PATCH", "/Groups/\(gid)", json: SCIM.patch([["op": "replace", "value": ["id": .string(gid), "displayName": "Guides"]]]))
        XCTAssertEqual(r.json?["displayName"], "Guides")
        XCTAssertEqual(try client.call("GET", "/Users/\(c)").json?["groups"]?[0]?["display"], "Guides")
        // PUT replaces the members; remove without a value empties the group.
        r = try client.call("PUT", "/Groups/\(gid)", json: ["displayName": "Guides", "members": [["value": .string(a)], ["value": .string(b)]]])
        XCTAssertEqual(Set(r.json?["members"]?.arrayValue?.compactMap { $0["value"]?.stringValue } ?? []), [a, b])
        let v = try XCTUnwrap(r.json?["meta"]?["version"]?.stringValue)
        r = try client.call("PATCH", "/Groups/\(gid)", json: SCIM.patch([["op": "remove", "path": "members"]]))
        XCTAssertNil(r.json?["members"])
        XCTAssertNotEqual(r.json?["meta"]?["version"]?.stringValue, v, "a membership change is a new version")
        assertSCIMError(try client.call("PATCH", "/Groups/\(gid)", json: SCIM.patch([["op": "remove", "path": "displayName"]])), 400, "mutability")
        assertSCIMError(try client.call("PUT", "/Groups/\(gid)", json: ["displayName": "Guides"], headers: [("If-Match", v)]), 412)
        // Delete: members become ungrouped.
        _ = try client.call("PATCH", "/Groups/\(gid)", json: SCIM.patch([["op": "add", "path": "members", "value": [["value": .string(a)]]]]))
        XCTAssertEqual(try client.call("DELETE", "/Groups/\(gid)").status, 204)
        assertSCIMError(try client.call("GET", "/Groups/\(gid)"), 404)
        XCTAssertNil(try client.call("GET", "/Users/\(a)").json?["groups"])
    }

    // MARK: provisioning sessions

    /// Okta's requests in its order (developer.okta.com, SCIM 2.0 reference).
    func testOktaProvisioningSession() throws {
        let lookup = try client.call("GET", "/Users?filter=\(q("userName eq \"dana@example.com\""))&startIndex=1&count=100")
        XCTAssertEqual(lookup.json?["totalResults"], 0)
        XCTAssertEqual(lookup.json?["Resources"], [])
        let created = try client.call("POST", "/Users", json: [
            "schemas": [.string(SCIM.userSchema)], "userName": "dana@example.com",
            "name": ["givenName": "Dana", "familyName": "Scully"],
            "emails": [["primary": true, "value": "dana@example.com", "type": "work"]],
            "displayName": "Dana Scully", "locale": "en-US", "externalId": "00ujl29u0le5T6Aj10h7",
            "groups": [], "password": "1mz050nq", "active": true,
        ])
        XCTAssertEqual(created.status, 201, created.text)
        let id = try XCTUnwrap(created.json?["id"]?.stringValue)
        XCTAssertTrue(try scim.panelSignIn("dana@example.com", "1mz050nq"))
        assertSCIMError(try client.call("POST", "/Users", json: ["userName": "dana@example.com"]), 409, "uniqueness")
        XCTAssertEqual(try client.call("GET", "/Users?filter=\(q("userName eq \"DANA@example.com\""))").json?["Resources"]?[0]?["id"]?.stringValue, id)
        // Profile push: GET then a full PUT with id, groups and meta.
        var full = try XCTUnwrap(try client.call("GET", "/Users/\(id)").json?.objectValue)
        full["name"] = ["givenName": "Dana", "familyName": "Mulder"]
        let put = try client.call("PUT", "/Users/\(id)", json: .object(full))
        XCTAssertEqual(put.status, 200, put.text)
        XCTAssertEqual(put.json?["name"]?["familyName"], "Mulder")
        // Groups: push, membership, rename.
        let group = try client.call("POST", "/Groups", json: ["schemas": [.string(SCIM.groupSchema)], "displayName": "Agents", "members": []])
        let gid = try XCTUnwrap(group.json?["id"]?.stringValue)
        let add = try client.call("PATCH", "/Groups/\(gid)", json: SCIM.patch([["op": "add", "path": "members", "value": [["value": .string(id), "display": "dana@example.com"]]]]))
        XCTAssertEqual(add.json?["members"]?[0]?["value"]?.stringValue, id, add.text)
        let remove = try client.call("PATCH", "/Groups/\(gid)", json: SCIM.patch([["op": "remove", "path": .string("members[value eq \"\(id)\"]")]]))
        XCTAssertNil(remove.json?["members"], remove.text)
        // Deactivate: path-less replace; refused everywhere.
        let off = try client.call("PATCH", "/Users/\(id)", json: SCIM.patch([["op": "replace", "value": ["active": false]]]))
        XCTAssertEqual(off.json?["active"], false, off.text)
        XCTAssertFalse(try scim.panelSignIn("dana@example.com", "1mz050nq"))
        XCTAssertFalse(try scim.aioSignIn(id, "1mz050nq"))
        XCTAssertEqual(try client.call("DELETE", "/Groups/\(gid)").status, 204)
        XCTAssertEqual(try client.call("DELETE", "/Users/\(id)").status, 204)
        XCTAssertFalse(try scim.panelSignIn("dana@example.com", "1mz050nq"))
    }

    /// Entra ID's requests in its order (learn.microsoft.com, "Develop a SCIM endpoint").
    func testEntraProvisioningSession() throws {
        let probe = try client.call("GET", "/Users?filter=\(q("userName eq \"\(UUID().uuidString)\""))")
        XCTAssertEqual(probe.status, 200)
        XCTAssertEqual(probe.json?["totalResults"], 0)
        let created = try client.call("POST", "/Users", json: [
            "schemas": [.string(SCIM.userSchema), .string(SCIM.enterprise)],
            "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", "userName": "Test_User_ab6490ee@contoso.com", "active": true,
            "emails": [["primary": true, "type": "work", "value": "Test_User_fd0ea19b@contoso.com"]],
            "meta": ["resourceType": "User"], "name": ["formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"],
            "roles": [], .init(stringLiteral: SCIM.enterprise): ["employeeNumber": "1", "department": "Eng"],
        ])
        XCTAssertEqual(created.status, 201, created.text)
        let id = try XCTUnwrap(created.json?["id"]?.stringValue)
        XCTAssertEqual(try client.call("GET", "/Users?filter=\(q("externalId eq \"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef\""))").json?["totalResults"], 1)
        XCTAssertEqual(try client.call("GET", "/Users?filter=\(q("emails[type eq \"work\"].value eq \"test_user_fd0ea19b@contoso.com\""))").json?["Resources"]?[0]?["id"]?.stringValue, id)
        let update = try client.call("PATCH", "/Users/\(id)", json: SCIM.patch([
            ["op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@microsoft.com"],
            ["op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"],
            ["op": "Replace", "path": .string("\(SCIM.enterprise):employeeNumber"), "value": "2"],
            ["op": "Add", "path": "phoneNumbers[type eq \"work\"].value", "value": "+1 555"],
        ]))
        XCTAssertEqual(update.status, 200, update.text)
        XCTAssertEqual(update.json?["emails"]?[0]?["value"], "updatedEmail@microsoft.com")
        XCTAssertEqual(update.json?["name"]?["familyName"], "updatedFamilyName")
        XCTAssertEqual(update.json?[SCIM.enterprise]?["employeeNumber"], "2")
        XCTAssertNil(update.json?["phoneNumbers"])
        // A password through PATCH signs in everywhere.
        _ = try client.call("PATCH", "/Users/\(id)", json: SCIM.patch([["op": "Replace", "path": "password", "value": "Entra-pass-1"]]))
        XCTAssertTrue(try scim.aioSignIn(id, "Entra-pass-1"))
        // Groups: create with Microsoft's extra schema, lookup, members add/remove.
        let group = try client.call("POST", "/Groups", json: ["schemas": [.string(SCIM.groupSchema), "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
                                                              "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "displayName": "displayName", "meta": ["resourceType": "Group"]])
        XCTAssertEqual(group.status, 201, group.text)
        let gid = try XCTUnwrap(group.json?["id"]?.stringValue)
        XCTAssertEqual(group.json?["externalId"], "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159")
        XCTAssertEqual(try client.call("GET", "/Groups?excludedAttributes=members&filter=\(q("displayName eq \"displayName\""))").json?["Resources"]?[0]?["id"]?.stringValue, gid)
        XCTAssertEqual(try client.call("GET", "/Groups?filter=\(q("externalId eq \"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159\""))").json?["totalResults"], 1)
        let add = try client.call("PATCH", "/Groups/\(gid)", json: SCIM.patch([["op": "Add", "path": "members", "value": [["$ref": nil, "value": .string(id)]]]]))
        XCTAssertEqual(add.json?["members"]?[0]?["value"]?.stringValue, id, add.text)
        let remove = try client.call("PATCH", "/Groups/\(gid)", json: SCIM.patch([["op": "Remove", "path": "members", "value": [["$ref": nil, "value": .string(id)]]]]))
        XCTAssertNil(remove.json?["members"], remove.text)
        // Disable with "False" as a string: refused everywhere.
        let off = try client.call("PATCH", "/Users/\(id)", json: SCIM.patch([["op": "Replace", "path": "active", "value": "False"]]))
        XCTAssertEqual(off.json?["active"], false, off.text)
        XCTAssertFalse(try scim.aioSignIn(id, "Entra-pass-1"))
        XCTAssertFalse(try scim.panelSignIn("Test_User_ab6490ee@contoso.com", "Entra-pass-1"))
        XCTAssertEqual(try client.call("DELETE", "/Users/\(id)").status, 204)
        assertSCIMError(try client.call("GET", "/Users/\(id)"), 404)
    }
}
