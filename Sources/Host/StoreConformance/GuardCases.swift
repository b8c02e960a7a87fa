// Cases: guard_role ("never zero enabled administrators") and documents.
import PluginAPI
import PluginKit

extension StoreConformanceSuite {
    static var guardCases: [Case] {
        [
            Case(name: "guard.last_holder", summary: "demoting, disabling or deleting the last enabled holder is GUARD and changes nothing", body: { try $0.guardLastHolder() }),
            Case(name: "guard.two_holders", summary: "with two enabled holders the first demotion succeeds, the second is GUARD", body: { try $0.guardTwoHolders() }),
            Case(name: "guard.disabled_holders", summary: "disabled holders do not count; changing a disabled holder is never GUARD", body: { try $0.guardDisabledHolders() }),
            Case(name: "guard.non_holders", summary: "changes to users who do not hold the role are never GUARD", body: { try $0.guardNonHolders() }),
        ]
    }

    static var documentCases: [Case] {
        [
            Case(name: "documents.namespaces", summary: "DOCS writes only the listed namespaces; absent json deletes; reads select by namespace", body: { try $0.documentNamespaces() }),
            Case(name: "documents.large_json", summary: "a 1 MB JSON document round-trips byte for byte", body: { try $0.largeDocument() }),
        ]
    }

    func demote(_ u: UserRecord, guardRole: String, expectedVersion: UInt64 = 0) throws {
        var change = u
        change.roles = []
        try client.updateUser(change, fields: PROTEUS_FIELD_ROLES, expectedVersion: expectedVersion, guardRole: guardRole)
    }

    func guardLastHolder() throws {
        let admin = try newRole("admin")
        let a = try createUser(newUser(roles: [admin]))
        let other = try createUser(newUser())
        try expectStatus("demoting the last enabled holder", PROTEUS_E_GUARD) { try demote(a, guardRole: admin) }
        var disable = a
        disable.flags = PROTEUS_USER_DISABLED
        try expectStatus("disabling the last enabled holder", PROTEUS_E_GUARD) {
            try client.updateUser(disable, fields: PROTEUS_FIELD_FLAGS, guardRole: admin)
        }
        try expectStatus("deleting the last enabled holder", PROTEUS_E_GUARD) { try client.deleteUser(a.id, guardRole: admin) }
        try expectUser(try client.getUser(id: a.id, docs: "*"), a, "the holder after GUARD refusals")
        // Changes that keep the role are fine.
        var rename = a
        rename.displayName = "Still admin"
        rename.flags = PROTEUS_USER_MFA_ENABLED
        try client.updateUser(rename, fields: PROTEUS_FIELD_DISPLAY_NAME | PROTEUS_FIELD_FLAGS, guardRole: admin)
        // Without a guard role the store does not check.
        try demote(a, guardRole: "ct.unrelated.\(token())")
        try expectEqual(try client.getUser(id: a.id).roles, [], "roles after an unguarded demotion")
        _ = other
    }

    func guardTwoHolders() throws {
        let admin = try newRole("admin")
        let a = try createUser(newUser(roles: [admin]))
        let b = try createUser(newUser(roles: [admin]))
        try demote(a, guardRole: admin)
        try expectStatus("demoting the second (now last) holder", PROTEUS_E_GUARD) { try demote(b, guardRole: admin) }
        try expectEqual(try client.getUser(id: b.id).roles, [admin], "the last holder's roles")
        let c = try createUser(newUser(roles: [admin]))
        try client.deleteUser(b.id, guardRole: admin)
        try expectStatus("deleting the last holder", PROTEUS_E_GUARD) { try client.deleteUser(c.id, guardRole: admin) }
    }

    func guardDisabledHolders() throws {
        let admin = try newRole("admin")
        let a = try createUser(newUser(roles: [admin]))
        var b = newUser(roles: [admin])
        b.flags = PROTEUS_USER_DISABLED
        b = try createUser(b)
        try expectStatus("demoting the only enabled holder while a disabled one remains", PROTEUS_E_GUARD) { try demote(a, guardRole: admin) }
        // Changing the disabled holder never removes an enabled holder.
        try demote(b, guardRole: admin)
        try client.deleteUser(b.id, guardRole: admin)
        // Enabling a second holder makes the demotion possible.
        var c = newUser(roles: [admin])
        c.flags = PROTEUS_USER_DISABLED
        c = try createUser(c)
        var enable = c
        enable.flags = 0
        try client.updateUser(enable, fields: PROTEUS_FIELD_FLAGS, guardRole: admin)
        try demote(a, guardRole: admin)
        // When only disabled users hold the role, changing one of them is not GUARD:
        // the change does not remove an enabled holder.
        let lonely = try newRole("admin")
        var d = newUser(roles: [lonely])
        d.flags = PROTEUS_USER_DISABLED
        d = try createUser(d)
        try demote(d, guardRole: lonely)
    }

    func guardNonHolders() throws {
        let admin = try newRole("admin")
        _ = try createUser(newUser(roles: [admin]))
        let plain = try createUser(newUser())
        var disable = plain
        disable.flags = PROTEUS_USER_DISABLED
        try client.updateUser(disable, fields: PROTEUS_FIELD_FLAGS, guardRole: admin)
        try demote(plain, guardRole: admin)
        try client.deleteUser(plain.id, guardRole: admin)
        // A role nobody holds: nothing to protect.
        let nobody = try createUser(newUser())
        try client.deleteUser(nobody.id, guardRole: "ct.none.\(token())")
    }

    func documentNamespaces() throws {
        var u = newUser()
        u.documents = [DocumentRecord(namespace: "ct.alpha", json: "{\"v\":1}"),
                       DocumentRecord(namespace: "ct.beta", json: "{\"v\":1}")]
        try client.createUser(u)
        var change = UserRecord(id: u.id)
        change.documents = [DocumentRecord(namespace: "ct.alpha", json: "{\"v\":2}")]
        try client.updateUser(change, fields: PROTEUS_FIELD_DOCS)
        var got = try client.getUser(id: u.id, docs: "*")
        try expectSame(got.document("ct.alpha"), "{\"v\":2}", "alpha after writing alpha")
        try expectSame(got.document("ct.beta"), "{\"v\":1}", "beta after writing alpha")
        change.documents = [DocumentRecord(namespace: "ct.beta", json: nil), DocumentRecord(namespace: "ct.gamma", json: "[]")]
        try client.updateUser(change, fields: PROTEUS_FIELD_DOCS)
        got = try client.getUser(id: u.id, docs: "*")
        try expectEqual(got.documents.map(\.namespace).sorted(), ["ct.alpha", "ct.gamma"], "namespaces after deleting beta and adding gamma")
        // Deleting a document that does not exist is fine.
        change.documents = [DocumentRecord(namespace: "ct.never", json: nil)]
        try client.updateUser(change, fields: PROTEUS_FIELD_DOCS)
        // A non-DOCS update leaves documents alone even when the record carries some.
        change.documents = [DocumentRecord(namespace: "ct.alpha", json: "{\"v\":3}")]
        change.email = "docs@example.org"
        try client.updateUser(change, fields: PROTEUS_FIELD_EMAIL)
        // Selection on read.
        got = try client.getUser(id: u.id, docs: "ct.alpha")
        try expectEqual(got.documents.map(\.namespace), ["ct.alpha"], "documents with doc_ns = ct.alpha")
        try expectSame(got.document("ct.alpha"), "{\"v\":2}", "alpha after a non-DOCS update")
        try expectEqual(try client.getUser(id: u.id, docs: nil).documents.count, 0, "documents with doc_ns absent")
        try expectEqual(try client.getUser(id: u.id, docs: "ct.nothing").documents.count, 0, "documents of an empty namespace")
        try expectEqual(try client.getUser(id: u.id, docs: "*").documents.count, 2, "documents with doc_ns = *")
        // Namespaces are byte-exact.
        try expectEqual(try client.getUser(id: u.id, docs: "CT.ALPHA").documents.count, 0, "documents with doc_ns in other case")
    }

    /// About 1 MB of JSON with escapes and non-ASCII text.
    func largeJSON(_ seed: String) -> String {
        var parts: [String] = []
        var size = 0
        var i = 0
        while size < 1_048_576 {
            let item = "{\"i\":\(i),\"s\":\"\(seed) \\\"quoted\\\" \\\\ é 🦊 line\\nbreak\",\"n\":[\(i),\(i * 2),1.5e3]}"
            parts.append(item)
            size += item.utf8.count + 1
            i += 1
        }
        return "{\"items\":[" + parts.joined(separator: ",") + "]}"
    }

    func largeDocument() throws {
        let big = largeJSON(token())
        var u = newUser()
        u.documents = [DocumentRecord(namespace: "ct.big", json: big), DocumentRecord(namespace: "ct.small", json: "{}")]
        try client.createUser(u)
        var got = try client.getUser(id: u.id, docs: "ct.big")
        try expectEqual(got.document("ct.big")?.utf8.count ?? 0, big.utf8.count, "size of the large document")
        try expectSame(got.document("ct.big"), big, "the large document")
        // Updating another namespace leaves it intact; replacing it works too.
        var change = UserRecord(id: u.id)
        change.documents = [DocumentRecord(namespace: "ct.small", json: "{\"x\":1}")]
        try client.updateUser(change, fields: PROTEUS_FIELD_DOCS)
        got = try client.getUser(id: u.id, docs: "*")
        try expectSame(got.document("ct.big"), big, "the large document after another namespace changed")
        let bigger = largeJSON(token())
        change.documents = [DocumentRecord(namespace: "ct.big", json: bigger)]
        try client.updateUser(change, fields: PROTEUS_FIELD_DOCS)
        try expectSame(try client.getUser(id: u.id, docs: "ct.big").document("ct.big"), bigger, "the replaced large document")
    }
}
