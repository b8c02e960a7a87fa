// Cases: sessions, API keys and external identities.
import PluginAPI
import PluginKit

extension StoreConformanceSuite {
    static var credentialCases: [Case] {
        [
            Case(name: "sessions.crud_and_expiry", summary: "create/get/delete; expired is NOT_FOUND; CONFLICT; missing user", body: { try $0.sessionsCRUD() }),
            Case(name: "sessions.delete_by_user", summary: "session_delete_user by namespace and for all namespaces", body: { try $0.sessionsByUser() }),
            Case(name: "sessions.purge_expired", summary: "purge_expired removes expired sessions only", body: { try $0.sessionsPurge() }),
            Case(name: "apikeys.crud", summary: "create/get/list/delete; apikey_get records last_used_at", body: { try $0.apiKeysCRUD() }),
            Case(name: "apikeys.delete_by_user", summary: "apikey_delete_user by namespace and for all namespaces", body: { try $0.apiKeysByUser() }),
            Case(name: "errors.no_secrets", summary: "failure messages never contain token or key hashes or password hashes", body: { try $0.errorsWithoutSecrets() }),
            Case(name: "identities.crud", summary: "link/get/unlink/list; CONFLICT; NOT_FOUND", body: { try $0.identitiesCRUD() }),
        ]
    }

    func sessionsCRUD() throws {
        let u = try createUser(newUser())
        let t0 = now
        var s = SessionRecord(tokenHash: randomBytes(32), userID: u.id, namespace: "ct.dialect")
        s.createdAt = 1_111
        s.expiresAt = t0 + 3_600_000
        s.dataJSON = "{\"mfa\":\"pending\"}"
        try client.createSession(s)
        var got = try client.getSession(s.tokenHash, now: t0)
        try expectEqual(got, s, "session_get")
        // Expiry: expires_at <= now is gone; 0 never expires.
        try expectStatus("session_get at expires_at", PROTEUS_E_NOT_FOUND) { _ = try client.getSession(s.tokenHash, now: s.expiresAt) }
        try expectStatus("session_get after expires_at", PROTEUS_E_NOT_FOUND) { _ = try client.getSession(s.tokenHash, now: s.expiresAt + 1) }
        _ = try client.getSession(s.tokenHash, now: s.expiresAt - 1)
        var forever = SessionRecord(tokenHash: randomBytes(32), userID: u.id, namespace: "ct.dialect")
        forever.createdAt = 0
        try client.createSession(forever)
        got = try client.getSession(forever.tokenHash, now: Int64.max - 1)
        try expectEqual(got.expiresAt, 0, "expires_at of a session that never expires")
        try expectRecentTime(got.createdAt, "created_at 0 on session_create")
        try expect(got.dataJSON == nil, "absent data_json came back present")

        try expectStatus("session_create with a taken hash", PROTEUS_E_CONFLICT) { try client.createSession(s) }
        let orphan = SessionRecord(tokenHash: randomBytes(32), userID: randomID(), namespace: "ct")
        try expectStatus("session_create for a missing user", PROTEUS_E_NOT_FOUND, PROTEUS_E_INVALID) { try client.createSession(orphan) }
        try expectStatus("session_get of an unknown hash", PROTEUS_E_NOT_FOUND) { _ = try client.getSession(randomBytes(32), now: t0) }
        try client.deleteSession(s.tokenHash)
        try expectStatus("session_get after delete", PROTEUS_E_NOT_FOUND) { _ = try client.getSession(s.tokenHash, now: t0) }
        try expectStatus("session_delete again", PROTEUS_E_NOT_FOUND) { try client.deleteSession(s.tokenHash) }
    }

    func sessionsByUser() throws {
        let u = try createUser(newUser()), other = try createUser(newUser())
        var hashes: [[UInt8]] = []
        for ns in ["ct.a", "ct.a", "ct.b"] {
            let s = SessionRecord(tokenHash: randomBytes(32), userID: u.id, namespace: ns)
            try client.createSession(s)
            hashes.append(s.tokenHash)
        }
        let keep = SessionRecord(tokenHash: randomBytes(32), userID: other.id, namespace: "ct.a")
        try client.createSession(keep)
        try expectEqual(try client.deleteSessions(user: u.id, ns: "ct.a"), 2, "sessions deleted in ct.a")
        try expectStatus("a deleted ct.a session", PROTEUS_E_NOT_FOUND) { _ = try client.getSession(hashes[0], now: now) }
        _ = try client.getSession(hashes[2], now: now)
        _ = try client.getSession(keep.tokenHash, now: now)
        try client.createSession(SessionRecord(tokenHash: randomBytes(32), userID: u.id, namespace: "ct.c"))
        try expectEqual(try client.deleteSessions(user: u.id, ns: nil), 2, "sessions deleted in all namespaces")
        try expectEqual(try client.deleteSessions(user: u.id, ns: nil), 0, "sessions deleted the second time")
        try expectEqual(try client.deleteSessions(user: randomID(), ns: nil), 0, "sessions of a missing user")
        _ = try client.getSession(keep.tokenHash, now: now)
    }

    func sessionsPurge() throws {
        let u = try createUser(newUser())
        let t0 = now
        var expired: [[UInt8]] = [], live: [[UInt8]] = []
        for i in 0..<4 {
            var s = SessionRecord(tokenHash: randomBytes(32), userID: u.id, namespace: "ct")
            s.expiresAt = i < 2 ? t0 - 1000 * Int64(i + 1) : (i == 2 ? t0 + 3_600_000 : 0)
            try client.createSession(s)
            (i < 2 ? { expired.append(s.tokenHash) } : { live.append(s.tokenHash) })()
        }
        let removed = try client.purgeExpired(now: t0)
        try expect(removed >= 2, "purge_expired removed \(removed), expected at least the 2 expired sessions")
        try expectEqual(try client.deleteSessions(user: u.id, ns: nil), 2, "sessions left after purge")
    }

    func apiKeysCRUD() throws {
        let u = try createUser(newUser())
        var k1 = APIKeyRecord(keyHash: randomBytes(32), userID: u.id, namespace: "ct.dialect")
        k1.label = "first"
        k1.createdAt = 1_000
        k1.lastUsedAt = 999_999   // output only: ignored on create
        var k2 = APIKeyRecord(keyHash: randomBytes(32), userID: u.id, namespace: "ct.dialect")
        k2.createdAt = 2_000
        try client.createKey(k2)
        try client.createKey(k1)
        let listed = try client.listKeys(user: u.id)
        try expectEqual(listed.map { Hex.encode($0.keyHash) }, [Hex.encode(k1.keyHash), Hex.encode(k2.keyHash)], "apikey_list by creation")
        try expectEqual(listed[0].lastUsedAt, 0, "last_used_at before any use")
        try expectSame(listed[0].label, "first", "label")
        try expect(listed[1].label == nil, "absent label came back present")
        let t = now
        let used = try client.getKey(k1.keyHash, now: t)
        try expectEqual(used.lastUsedAt, t, "last_used_at returned by apikey_get")
        try expectEqual(try client.listKeys(user: u.id)[0].lastUsedAt, t, "last_used_at stored by apikey_get")
        _ = try client.getKey(k1.keyHash, now: t + 5_000)
        try expectEqual(try client.listKeys(user: u.id)[0].lastUsedAt, t, "last_used_at after a use within the resolution")
        let later = t + Int64(PROTEUS_LAST_USED_RESOLUTION_MS)
        try expectEqual(try client.getKey(k1.keyHash, now: later).lastUsedAt, later, "last_used_at returned after a use a resolution later")
        try expectEqual(try client.listKeys(user: u.id)[0].lastUsedAt, later, "last_used_at after a use a resolution later")
        try expect(try client.listKeys(user: nil).contains { $0.keyHash == k2.keyHash }, "apikey_list of all keys lacks a key")
        try expectStatus("apikey_create with a taken hash", PROTEUS_E_CONFLICT) { try client.createKey(k1) }
        try expectStatus("apikey_create for a missing user", PROTEUS_E_NOT_FOUND, PROTEUS_E_INVALID) {
            try client.createKey(APIKeyRecord(keyHash: randomBytes(32), userID: randomID(), namespace: "ct"))
        }
        try expectStatus("apikey_get of an unknown hash", PROTEUS_E_NOT_FOUND) { _ = try client.getKey(randomBytes(32), now: t) }
        try client.deleteKey(k1.keyHash)
        try expectStatus("apikey_get after delete", PROTEUS_E_NOT_FOUND) { _ = try client.getKey(k1.keyHash, now: t) }
        try expectStatus("apikey_delete again", PROTEUS_E_NOT_FOUND) { try client.deleteKey(k1.keyHash) }
    }

    func apiKeysByUser() throws {
        let u = try createUser(newUser()), other = try createUser(newUser())
        for ns in ["ct.a", "ct.a", "ct.b"] {
            try client.createKey(APIKeyRecord(keyHash: randomBytes(32), userID: u.id, namespace: ns))
        }
        let keep = APIKeyRecord(keyHash: randomBytes(32), userID: other.id, namespace: "ct.a")
        try client.createKey(keep)
        try expectEqual(try client.deleteKeys(user: u.id, ns: "ct.a"), 2, "keys deleted in ct.a")
        try expectEqual(try client.listKeys(user: u.id).map(\.namespace), ["ct.b"], "keys left")
        try expectEqual(try client.deleteKeys(user: u.id, ns: nil), 1, "keys deleted in all namespaces")
        try expectEqual(try client.listKeys(user: other.id).count, 1, "other user's keys")
    }

    func errorsWithoutSecrets() throws {
        var u = newUser()
        u.passwordHash = "$argon2id$v=19$m=65536,t=3,p=4$U0VDUkVUU0FMVA$U0VDUkVUSEFTSFNFQ1JFVEhBU0g"
        try client.createUser(u)
        let token = randomBytes(32), key = randomBytes(32)
        try client.createSession(SessionRecord(tokenHash: token, userID: u.id, namespace: "ct"))
        try client.createKey(APIKeyRecord(keyHash: key, userID: u.id, namespace: "ct"))
        var messages: [String] = []
        func collect(_ body: () throws -> Void) {
            do { try body() } catch let f as PluginError { messages.append(f.message) } catch { messages.append("\(error)") }
        }
        collect { try client.createUser(u) }                                          // taken id
        var other = newUser(u.username)
        other.passwordHash = u.passwordHash
        collect { try client.createUser(other) }                                      // taken username
        collect { try client.createSession(SessionRecord(tokenHash: token, userID: u.id, namespace: "ct")) }
        collect { try client.createKey(APIKeyRecord(keyHash: key, userID: u.id, namespace: "ct")) }
        collect { _ = try client.getSession(randomBytes(32), now: now) }
        collect { _ = try client.getKey(randomBytes(32), now: now) }
        collect { try client.deleteSession(randomBytes(32)) }
        var stale = u
        stale.passwordHash = "$2b$12$SECRETSECRETSECRETSECRETSECRETSECRETSECRETSECRETSECR"
        collect { try client.updateUser(stale, fields: PROTEUS_FIELD_PASSWORD_HASH, expectedVersion: 99) }
        try expectEqual(messages.count, 8, "calls that should have failed")
        let secrets = [u.passwordHash!, stale.passwordHash!, "U0VDUkVU", Hex.encode(token), Hex.encode(key),
                       Hex.encode(token).uppercased(), Hex.encode(key).uppercased()]
        for m in messages {
            try expect(!m.isEmpty, "a failure without a message")
            for secret in secrets { try expect(!m.contains(secret), "a failure message contains a secret: \(m)") }
        }
    }

    func identitiesCRUD() throws {
        let u = try createUser(newUser()), v = try createUser(newUser())
        let provider = "ct-issuer-\(token())"
        try client.link(IdentityRecord(provider: provider, subject: "alice", userID: u.id))
        try client.link(IdentityRecord(provider: provider, subject: "Alice", userID: v.id))
        try client.link(IdentityRecord(provider: provider + "-2", subject: "alice", userID: u.id))
        try expectEqual(Hex.encode(try client.identityUser(provider: provider, subject: "alice")), Hex.encode(u.id), "identity_get")
        try expectEqual(Hex.encode(try client.identityUser(provider: provider, subject: "Alice")), Hex.encode(v.id), "identity_get is byte-exact")
        try expectStatus("linking a linked identity", PROTEUS_E_CONFLICT) {
            try client.link(IdentityRecord(provider: provider, subject: "alice", userID: v.id))
        }
        try expectStatus("linking to a missing user", PROTEUS_E_NOT_FOUND, PROTEUS_E_INVALID) {
            try client.link(IdentityRecord(provider: provider, subject: "ghost", userID: randomID()))
        }
        let mine = try client.listIdentities(user: u.id)
        try expectEqual(Set(mine.map { $0.provider + "|" + $0.subject }), [provider + "|alice", provider + "-2|alice"], "identity_list of a user")
        try expect(try client.listIdentities(user: nil).contains { $0.provider == provider && $0.subject == "Alice" }, "identity_list of all lacks a link")
        try client.unlink(provider: provider, subject: "alice")
        try expectStatus("identity_get after unlink", PROTEUS_E_NOT_FOUND) { _ = try client.identityUser(provider: provider, subject: "alice") }
        try expectStatus("unlink again", PROTEUS_E_NOT_FOUND) { try client.unlink(provider: provider, subject: "alice") }
        try expectStatus("identity_get of an unknown link", PROTEUS_E_NOT_FOUND) { _ = try client.identityUser(provider: provider, subject: "nobody") }
    }
}
