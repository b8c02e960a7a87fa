// Cases: creating, reading, updating and deleting users.
import PluginAPI
import PluginKit

extension StoreConformanceSuite {
    static var userCases: [Case] {
        [
            Case(name: "users.create_get_roundtrip", summary: "every field, role and document written by user_create reads back", body: { try $0.createGetRoundtrip() }),
            Case(name: "users.present_empty_vs_absent", summary: "present-empty strings and bytes stay present, absent stays absent", body: { try $0.presentEmptyVersusAbsent() }),
            Case(name: "users.create_defaults", summary: "created_at 0 = now, version 1 whatever is given, updated_at set", body: { try $0.createDefaults() }),
            Case(name: "users.create_conflicts", summary: "taken id or username is CONFLICT and creates nothing; absent usernames are not unique", body: { try $0.createConflicts() }),
            Case(name: "users.create_invalid_references", summary: "unknown role or group is INVALID and creates nothing", body: { try $0.createInvalidReferences() }),
            Case(name: "users.struct_size", summary: "a record smaller than the ABI 2.0 struct is INVALID", body: { try $0.structSize() }),
            Case(name: "users.lookup_username_byte_exact", summary: "username lookups are byte-exact", body: { try $0.lookupUsername() }),
            Case(name: "users.lookup_email", summary: "email lookups fold ASCII case only and return the earliest-created match", body: { try $0.lookupEmail() }),
            Case(name: "users.not_found", summary: "get, update and delete of a missing user are NOT_FOUND", body: { try $0.usersNotFound() }),
            Case(name: "users.update_versions", summary: "version +1 per update; expected_version mismatch is STALE and changes nothing", body: { try $0.updateVersions() }),
            Case(name: "users.update_field_masks", summary: "each PROTEUS_FIELD_* writes exactly its field", body: { try $0.updateFieldMasks() }),
            Case(name: "users.update_roles_replace", summary: "ROLES replaces the whole set; duplicates collapse", body: { try $0.updateRolesReplace() }),
            Case(name: "users.update_atomic_failures", summary: "CONFLICT/INVALID updates change nothing, not even the version", body: { try $0.updateAtomicFailures() }),
            Case(name: "users.delete_cascades", summary: "delete removes docs, sessions, keys and identity links; STALE respected", body: { try $0.deleteCascades() }),
            Case(name: "unicode.usernames", summary: "NFC/NFD distinct, emoji, case-sensitive uniqueness", body: { try $0.unicodeUsernames() }),
        ]
    }

    /// A user with every field set.
    func fullUser(roles: [String], group: [UInt8]?) -> UserRecord {
        var u = newUser("ct-full-\(token())", roles: roles, email: "Full.\(token())@Example.org")
        u.flags = PROTEUS_USER_MFA_ENABLED
        u.createdAt = 1_600_000_000_000
        u.accessedAt = 1_600_000_001_000
        u.loginAt = 1_600_000_002_000
        u.displayName = "Full Name ✓"
        u.passwordHash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
        u.mfaSecret = randomBytes(40)
        u.mfaLastStep = 55_555_555
        u.groupID = group
        u.documents = [DocumentRecord(namespace: "ct.alpha", json: "{\"a\":1,\"s\":\"é\\\"x\"}"),
                       DocumentRecord(namespace: "ct.beta", json: "[1,2,3]")]
        return u
    }

    func expectRecentTime(_ t: Int64, _ what: String) throws {
        let n = now
        try expect(abs(t - n) < 300_000, "\(what): expected about now (\(n) ms), got \(t)")
    }

    func createGetRoundtrip() throws {
        let r1 = try newRole("a"), r2 = try newRole("b")
        let group = try newGroup()
        var u = fullUser(roles: [r1, r2], group: group.id)
        u.version = 77   // ignored: version becomes 1
        try client.createUser(u)
        let got = try client.getUser(id: u.id, docs: "*")
        var expected = u
        expected.version = 1
        try expectUser(got, expected, "user_get after user_create")
        try expectRecentTime(got.updatedAt, "updated_at after create")
    }

    func presentEmptyVersusAbsent() throws {
        var u = newUser()
        u.email = nil
        u.displayName = ""
        u.passwordHash = nil
        u.mfaSecret = []
        u.documents = [DocumentRecord(namespace: "ct.empty", json: "\"\"")]
        let got = try createUser(u)
        try expect(got.email == nil, "absent email came back present")
        try expect(got.displayName != nil, "present-empty display_name came back absent")
        try expectSame(got.displayName, "", "display_name")
        try expect(got.passwordHash == nil, "absent password_hash came back present")
        try expect(got.mfaSecret != nil, "present-empty mfa_secret came back absent")
        try expectEqual(got.mfaSecret ?? [1], [], "mfa_secret")
        try expectSame(got.document("ct.empty"), "\"\"", "document")
        var noName = newUser()
        noName.username = nil
        let stored = try createUser(noName)
        try expect(stored.username == nil, "absent username came back present")
    }

    func createDefaults() throws {
        var u = newUser()
        u.createdAt = 0
        u.version = 5
        let got = try createUser(u)
        try expectEqual(got.version, 1, "version after create")
        try expectRecentTime(got.createdAt, "created_at 0 on create")
        try expectRecentTime(got.updatedAt, "updated_at after create")
        try expectEqual(got.accessedAt, 0, "accessed_at")
        try expectEqual(got.loginAt, 0, "login_at")
    }

    func createConflicts() throws {
        let a = try createUser(newUser())
        var sameID = newUser()
        sameID.id = a.id
        try expectStatus("user_create with a taken id", PROTEUS_E_CONFLICT) { try client.createUser(sameID) }
        try expectStatus("the refused user", PROTEUS_E_NOT_FOUND) { _ = try client.getUser(username: sameID.username!) }
        var sameName = newUser(a.username)
        sameName.email = "x@example.org"
        try expectStatus("user_create with a taken username", PROTEUS_E_CONFLICT) { try client.createUser(sameName) }
        try expectStatus("the refused user", PROTEUS_E_NOT_FOUND) { _ = try client.getUser(id: sameName.id) }
        let still = try client.getUser(id: a.id)
        try expectEqual(still.version, 1, "the existing user's version")
        // Absent usernames are not unique.
        var n1 = newUser(), n2 = newUser()
        n1.username = nil
        n2.username = nil
        try client.createUser(n1)
        try client.createUser(n2)
    }

    func createInvalidReferences() throws {
        let u1 = newUser(roles: ["ct.missing.\(token())"])
        try expectStatus("user_create with an unknown role", PROTEUS_E_INVALID) { try client.createUser(u1) }
        try expectStatus("the refused user", PROTEUS_E_NOT_FOUND) { _ = try client.getUser(id: u1.id) }
        var u2 = newUser()
        u2.groupID = randomID()
        try expectStatus("user_create with an unknown group", PROTEUS_E_INVALID) { try client.createUser(u2) }
        try expectStatus("the refused user", PROTEUS_E_NOT_FOUND) { _ = try client.getUser(id: u2.id) }
        // One good role and one unknown: still nothing is created.
        let good = try newRole()
        let u3 = newUser(roles: [good, "ct.missing.\(token())"])
        try expectStatus("user_create with one unknown role", PROTEUS_E_INVALID) { try client.createUser(u3) }
        try expectStatus("the refused user", PROTEUS_E_NOT_FOUND) { _ = try client.getUser(id: u3.id) }
    }

    func structSize() throws {
        let u = newUser()
        try client.withArena { w, _ in
            var c = try w.user(u)
            c.struct_size = 8
            try expectStatus("user_create with struct_size 8", PROTEUS_E_INVALID) { try client.createUserRaw(c) }
        }
        try expectStatus("the refused user", PROTEUS_E_NOT_FOUND) { _ = try client.getUser(id: u.id) }
    }

    func lookupUsername() throws {
        let t = token()
        let u = try createUser(newUser("ct-\(t)-Alice"))
        try expectEqual(Hex.encode(try client.getUser(username: "ct-\(t)-Alice").id), Hex.encode(u.id), "lookup by exact username")
        for other in ["ct-\(t)-alice", "ct-\(t)-ALICE", "ct-\(t)-Alice ", " ct-\(t)-Alice", "ct-\(t)-Alic"] {
            try expectStatus("lookup of \"\(other)\"", PROTEUS_E_NOT_FOUND) { _ = try client.getUser(username: other) }
        }
    }

    func lookupEmail() throws {
        let t = token()
        var late = newUser(email: "Mixed.\(t)@Example.COM")
        late.createdAt = 2_000_000
        var early = newUser(email: "mixed.\(t)@example.com")
        early.createdAt = 1_000_000
        try client.createUser(late)
        try client.createUser(early)
        for probe in ["MIXED.\(t)@EXAMPLE.COM", "mixed.\(t)@example.com", "Mixed.\(t)@Example.COM"] {
            let got = try client.getUser(email: probe)
            try expectEqual(Hex.encode(got.id), Hex.encode(early.id), "email lookup \(probe) (earliest created)")
        }
        // Only ASCII letters fold.
        let umlaut = try createUser(newUser(email: "ÄÖ.\(t)@example.org"))
        try expectEqual(Hex.encode(try client.getUser(email: "ÄÖ.\(t)@EXAMPLE.org").id), Hex.encode(umlaut.id), "email lookup with ASCII case changed")
        try expectStatus("email lookup with non-ASCII case changed", PROTEUS_E_NOT_FOUND) { _ = try client.getUser(email: "äö.\(t)@example.org") }
        try expectStatus("email lookup of an unknown address", PROTEUS_E_NOT_FOUND) { _ = try client.getUser(email: "nobody.\(t)@example.org") }
    }

    func usersNotFound() throws {
        let ghost = newUser()
        try expectStatus("user_get by id", PROTEUS_E_NOT_FOUND) { _ = try client.getUser(id: ghost.id) }
        try expectStatus("user_get by username", PROTEUS_E_NOT_FOUND) { _ = try client.getUser(username: ghost.username!) }
        try expectStatus("user_update", PROTEUS_E_NOT_FOUND) { try client.updateUser(ghost, fields: PROTEUS_FIELD_EMAIL) }
        try expectStatus("user_update with expected_version", PROTEUS_E_NOT_FOUND) { try client.updateUser(ghost, fields: PROTEUS_FIELD_EMAIL, expectedVersion: 3) }
        try expectStatus("user_delete", PROTEUS_E_NOT_FOUND) { try client.deleteUser(ghost.id) }
    }

    func updateVersions() throws {
        var u = try createUser(newUser(email: "v1@example.org"))
        let firstUpdatedAt = u.updatedAt
        u.email = "v2@example.org"
        let v2 = try client.updateUser(u, fields: PROTEUS_FIELD_EMAIL, expectedVersion: 1)
        try expectEqual(v2, 2, "new_version after the first update")
        var got = try client.getUser(id: u.id)
        try expectEqual(got.version, 2, "stored version")
        try expectSame(got.email, "v2@example.org", "email")
        try expect(got.updatedAt >= firstUpdatedAt, "updated_at went backwards")
        u.email = "stale@example.org"
        try expectStatus("update with expected_version 1 at version 2", PROTEUS_E_STALE) {
            try client.updateUser(u, fields: PROTEUS_FIELD_EMAIL, expectedVersion: 1)
        }
        got = try client.getUser(id: u.id)
        try expectEqual(got.version, 2, "version after a STALE update")
        try expectSame(got.email, "v2@example.org", "email after a STALE update")
        u.email = "v3@example.org"
        try expectEqual(try client.updateUser(u, fields: PROTEUS_FIELD_EMAIL, expectedVersion: 0), 3, "unconditional update")
        try expectEqual(try client.updateUser(u, fields: PROTEUS_FIELD_ACCESSED_AT), 4, "an accessed_at update is an update too")
        try expectEqual(try client.getUser(id: u.id).version, 4, "stored version")
        try expectStatus("unknown field bits", PROTEUS_E_INVALID) { try client.updateUser(u, fields: 1 << 40) }
        try expectEqual(try client.getUser(id: u.id).version, 4, "version after an INVALID update")
    }

    func updateFieldMasks() throws {
        let r1 = try newRole("m1"), r2 = try newRole("m2"), r3 = try newRole("m3")
        let g1 = try newGroup(), g2 = try newGroup()
        var expected = fullUser(roles: [r1, r2], group: g1.id)
        try client.createUser(expected)
        expected.version = 1
        // A change record in which every field differs.
        var x = fullUser(roles: [r3], group: g2.id)
        x.id = expected.id
        x.flags = PROTEUS_USER_DISABLED
        x.accessedAt = 1_700_000_000_000
        x.loginAt = 1_700_000_000_500
        x.mfaLastStep = 99
        x.documents = [DocumentRecord(namespace: "ct.alpha", json: "{\"a\":2}")]
        let steps: [(UInt64, String, (inout UserRecord) -> Void)] = [
            (PROTEUS_FIELD_USERNAME, "USERNAME", { $0.username = x.username }),
            (PROTEUS_FIELD_EMAIL, "EMAIL", { $0.email = x.email }),
            (PROTEUS_FIELD_DISPLAY_NAME, "DISPLAY_NAME", { $0.displayName = x.displayName }),
            (PROTEUS_FIELD_PASSWORD_HASH, "PASSWORD_HASH", { $0.passwordHash = x.passwordHash }),
            (PROTEUS_FIELD_FLAGS, "FLAGS", { $0.flags = x.flags }),
            (PROTEUS_FIELD_MFA, "MFA", { $0.mfaSecret = x.mfaSecret; $0.mfaLastStep = x.mfaLastStep }),
            (PROTEUS_FIELD_GROUP, "GROUP", { $0.groupID = x.groupID }),
            (PROTEUS_FIELD_ROLES, "ROLES", { $0.roles = x.roles }),
            (PROTEUS_FIELD_DOCS, "DOCS", { $0.documents = [DocumentRecord(namespace: "ct.alpha", json: "{\"a\":2}"), DocumentRecord(namespace: "ct.beta", json: "[1,2,3]")] }),
            (PROTEUS_FIELD_ACCESSED_AT, "ACCESSED_AT", { $0.accessedAt = x.accessedAt }),
            (PROTEUS_FIELD_LOGIN_AT, "LOGIN_AT", { $0.loginAt = x.loginAt }),
        ]
        for (field, name, apply) in steps {
            let v = try client.updateUser(x, fields: field)
            apply(&expected)
            expected.version += 1
            try expectEqual(v, expected.version, "new_version after FIELD_\(name)")
            try expectUser(try client.getUser(id: expected.id, docs: "*"), expected, "after updating FIELD_\(name) only")
        }
        // Clearing: absent username, no group, no password, no MFA secret.
        var clear = UserRecord(id: expected.id)
        clear.username = nil
        try client.updateUser(clear, fields: PROTEUS_FIELD_USERNAME | PROTEUS_FIELD_GROUP | PROTEUS_FIELD_PASSWORD_HASH | PROTEUS_FIELD_MFA)
        expected.username = nil
        expected.groupID = nil
        expected.passwordHash = nil
        expected.mfaSecret = nil
        expected.mfaLastStep = 0
        expected.version += 1
        try expectUser(try client.getUser(id: expected.id, docs: "*"), expected, "after clearing username, group, password and MFA")
        // fields == 0 writes nothing but still counts as an update.
        try expectEqual(try client.updateUser(x, fields: 0), expected.version + 1, "new_version of an empty update")
        expected.version += 1
        try expectUser(try client.getUser(id: expected.id, docs: "*"), expected, "after an empty update")
    }

    func updateRolesReplace() throws {
        let r1 = try newRole("r1"), r2 = try newRole("r2"), r3 = try newRole("r3")
        var u = try createUser(newUser(roles: [r1, r2]))
        u.roles = [r2, r3]
        try client.updateUser(u, fields: PROTEUS_FIELD_ROLES)
        try expectEqual(Set(try client.getUser(id: u.id).roles), [r2, r3], "roles after replacing")
        u.roles = [r1, r1]
        try client.updateUser(u, fields: PROTEUS_FIELD_ROLES)
        try expectEqual(try client.getUser(id: u.id).roles, [r1], "roles after writing a duplicate")
        u.roles = []
        try client.updateUser(u, fields: PROTEUS_FIELD_ROLES)
        try expectEqual(try client.getUser(id: u.id).roles, [], "roles after clearing")
    }

    func updateAtomicFailures() throws {
        let r = try newRole()
        let a = try createUser(newUser())
        let b = try createUser(newUser(roles: [r], email: "b@example.org"))
        var change = b
        change.username = a.username
        change.email = "changed@example.org"
        try expectStatus("taking another user's username", PROTEUS_E_CONFLICT) {
            try client.updateUser(change, fields: PROTEUS_FIELD_USERNAME | PROTEUS_FIELD_EMAIL)
        }
        change = b
        change.email = "changed@example.org"
        change.roles = ["ct.missing.\(token())"]
        try expectStatus("an unknown role", PROTEUS_E_INVALID) {
            try client.updateUser(change, fields: PROTEUS_FIELD_ROLES | PROTEUS_FIELD_EMAIL)
        }
        change = b
        change.email = "changed@example.org"
        change.groupID = randomID()
        try expectStatus("an unknown group", PROTEUS_E_INVALID) {
            try client.updateUser(change, fields: PROTEUS_FIELD_GROUP | PROTEUS_FIELD_EMAIL)
        }
        change = b
        change.documents = [DocumentRecord(namespace: "*", json: "{}")]
        try expectStatus("a document in namespace \"*\"", PROTEUS_E_INVALID) {
            try client.updateUser(change, fields: PROTEUS_FIELD_DOCS)
        }
        try expectUser(try client.getUser(id: b.id, docs: "*"), b, "after failed updates")
    }

    func deleteCascades() throws {
        let r = try newRole()
        var u = newUser(roles: [r])
        u.documents = [DocumentRecord(namespace: "ct.doc", json: "{}")]
        try client.createUser(u)
        let sessionHash = randomBytes(32), keyHash = randomBytes(32)
        try client.createSession(SessionRecord(tokenHash: sessionHash, userID: u.id, namespace: "ct"))
        try client.createKey(APIKeyRecord(keyHash: keyHash, userID: u.id, namespace: "ct"))
        let provider = "ct-oidc-\(token())"
        try client.link(IdentityRecord(provider: provider, subject: "sub-1", userID: u.id))
        try expectStatus("delete with the wrong expected_version", PROTEUS_E_STALE) { try client.deleteUser(u.id, expectedVersion: 9) }
        _ = try client.getUser(id: u.id)
        try client.deleteUser(u.id, expectedVersion: 1)
        try expectStatus("user_get after delete", PROTEUS_E_NOT_FOUND) { _ = try client.getUser(id: u.id) }
        try expectStatus("username after delete", PROTEUS_E_NOT_FOUND) { _ = try client.getUser(username: u.username!) }
        try expectStatus("session of a deleted user", PROTEUS_E_NOT_FOUND) { _ = try client.getSession(sessionHash, now: now) }
        try expectStatus("API key of a deleted user", PROTEUS_E_NOT_FOUND) { _ = try client.getKey(keyHash, now: now) }
        try expectStatus("identity of a deleted user", PROTEUS_E_NOT_FOUND) { _ = try client.identityUser(provider: provider, subject: "sub-1") }
        try expectEqual(try client.listKeys(user: u.id).count, 0, "keys of a deleted user")
        try expectEqual(try client.listIdentities(user: u.id).count, 0, "identities of a deleted user")
        _ = try client.getRole(r)   // the role itself stays
        try expectStatus("deleting again", PROTEUS_E_NOT_FOUND) { try client.deleteUser(u.id) }
        // The username is free again.
        var again = newUser(u.username)
        again.email = "again@example.org"
        try client.createUser(again)
    }

    func unicodeUsernames() throws {
        let t = token()
        let nfc = "ct-\(t)-caf\u{E9}"
        let nfd = "ct-\(t)-cafe\u{301}"
        let emoji = "ct-\(t)-🦊🎉"
        let cjk = "ct-\(t)-用户"
        var ids: [String: [UInt8]] = [:]
        for name in [nfc, nfd, emoji, cjk, "ct-\(t)-Alice", "ct-\(t)-alice"] {
            let u = newUser(name)
            try client.createUser(u)
            ids[Hex.encode(Array(name.utf8))] = u.id
        }
        for name in [nfc, nfd, emoji, cjk, "ct-\(t)-Alice", "ct-\(t)-alice"] {
            let got = try client.getUser(username: name)
            try expectEqual(Hex.encode(got.id), Hex.encode(ids[Hex.encode(Array(name.utf8))]!), "lookup of \(Hex.encode(Array(name.utf8)))")
            try expectSame(got.username, name, "stored username bytes")
        }
        try expectStatus("a second \"Alice\"", PROTEUS_E_CONFLICT) { try client.createUser(newUser("ct-\(t)-Alice")) }
        try expectStatus("a second NFD form", PROTEUS_E_CONFLICT) { try client.createUser(newUser(nfd)) }
    }
}
