// Cases: groups and roles.
import PluginAPI
import PluginKit

extension StoreConformanceSuite {
    static var groupRoleCases: [Case] {
        [
            Case(name: "groups.crud", summary: "create/get/list/update/delete with versions, CONFLICT, STALE, NOT_FOUND", body: { try $0.groupsCRUD() }),
            Case(name: "groups.members", summary: "member counts; deleting a group ungroups its members", body: { try $0.groupMembers() }),
            Case(name: "roles.crud", summary: "role_put inserts or updates by slug with a stable id; get/list/delete", body: { try $0.rolesCRUD() }),
            Case(name: "roles.delete_removes_from_users", summary: "deleting a role removes it from every user", body: { try $0.roleDeleteRemovesFromUsers() }),
            Case(name: "stats.counts", summary: "stats counts follow creates and deletes", body: { try $0.statsCounts() }),
        ]
    }

    func groupsCRUD() throws {
        var g = GroupRecord(id: randomID(), name: "ct-g-\(token())")
        g.description = "first"
        g.policyJSON = "{\"allow\":[\"x\"]}"
        g.createdAt = 1_234_567
        try client.createGroup(g)
        var got = try client.getGroup(g.id)
        try expectEqual(got.version, 1, "group version after create")
        try expectSame(got.name, g.name, "group name")
        try expectSame(got.description, "first", "group description")
        try expectSame(got.policyJSON, g.policyJSON, "group policy")
        try expectEqual(got.createdAt, 1_234_567, "group created_at")
        try expectEqual(got.memberCount, 0, "member count of a new group")
        try expectRecentTime(got.updatedAt, "group updated_at")
        var auto = GroupRecord(id: randomID(), name: "ct-g-\(token())")
        auto.createdAt = 0
        try client.createGroup(auto)
        try expectRecentTime(try client.getGroup(auto.id).createdAt, "group created_at 0 on create")

        var dupID = GroupRecord(id: g.id, name: "ct-g-\(token())")
        dupID.description = nil
        try expectStatus("group_create with a taken id", PROTEUS_E_CONFLICT) { try client.createGroup(dupID) }
        let dupName = GroupRecord(id: randomID(), name: g.name)
        try expectStatus("group_create with a taken name", PROTEUS_E_CONFLICT) { try client.createGroup(dupName) }
        try expectStatus("the refused group", PROTEUS_E_NOT_FOUND) { _ = try client.getGroup(dupName.id) }
        // Names are byte-exact: other case is a different name.
        try client.createGroup(GroupRecord(id: randomID(), name: g.name.uppercased()))

        var change = g
        change.name = g.name + "-renamed"
        change.description = nil
        change.policyJSON = nil
        try expectEqual(try client.updateGroup(change, expectedVersion: 1), 2, "group new_version")
        got = try client.getGroup(g.id)
        try expectSame(got.name, change.name, "renamed group")
        try expect(got.description == nil, "group description was not cleared")
        try expect(got.policyJSON == nil, "group policy was not cleared")
        try expectStatus("group_update with a stale version", PROTEUS_E_STALE) { try client.updateGroup(change, expectedVersion: 1) }
        change.name = auto.name
        try expectStatus("group_update to a taken name", PROTEUS_E_CONFLICT) { try client.updateGroup(change) }
        try expectEqual(try client.getGroup(g.id).version, 2, "group version after refused updates")
        try expectStatus("group_update of a missing group", PROTEUS_E_NOT_FOUND) { try client.updateGroup(GroupRecord(id: randomID(), name: "ct-g-\(token())")) }

        let listed = try client.listGroups()
        let names = listed.map(\.name)
        try expect(names.contains(where: { sameBytes($0, g.name + "-renamed") }), "group_list lacks the renamed group")
        try expect(zip(names, names.dropFirst()).allSatisfy { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) || $0.utf8.elementsEqual($1.utf8) },
                   "group_list is not ordered by name")

        try client.deleteGroup(g.id)
        try expectStatus("group_get after delete", PROTEUS_E_NOT_FOUND) { _ = try client.getGroup(g.id) }
        try expectStatus("group_delete again", PROTEUS_E_NOT_FOUND) { try client.deleteGroup(g.id) }
    }

    func groupMembers() throws {
        let g = try newGroup()
        var members: [UserRecord] = []
        for _ in 0..<3 {
            var u = newUser()
            u.groupID = g.id
            members.append(try createUser(u))
        }
        let outsider = try createUser(newUser())
        try expectEqual(try client.getGroup(g.id).memberCount, 3, "member_count")
        try expectEqual(try client.listGroups().first { $0.id == g.id }?.memberCount ?? 0, 3, "member_count in group_list")
        var leave = members[0]
        leave.groupID = nil
        try client.updateUser(leave, fields: PROTEUS_FIELD_GROUP)
        try expectEqual(try client.getGroup(g.id).memberCount, 2, "member_count after one member left")
        let versions = try members.map { try client.getUser(id: $0.id).version }
        try client.deleteGroup(g.id)
        for (m, before) in zip(members, versions) {
            let got = try client.getUser(id: m.id)
            try expect(got.groupID == nil, "a member is still in the deleted group")
            // Leaving the group is a change of the user record.
            try expectEqual(got.version, m.id == members[0].id ? before : before + 1, "member version after group_delete")
        }
        try expect(try client.getUser(id: outsider.id).groupID == nil, "outsider changed")
        // Members are still writable with their current version.
        let m = try client.getUser(id: members[1].id)
        var change = m
        change.displayName = "after group delete"
        try client.updateUser(change, fields: PROTEUS_FIELD_DISPLAY_NAME, expectedVersion: m.version)
    }

    func rolesCRUD() throws {
        let slug = "ct.role.\(token())"
        let id = try client.putRole(RoleRecord(slug: slug, name: "First", attributesJSON: "{\"color\":\"red\"}"))
        try expect(id > 0, "role id must be > 0, got \(id)")
        var got = try client.getRole(slug)
        try expectEqual(got.id, id, "role id from role_get")
        try expectSame(got.name, "First", "role name")
        try expectSame(got.attributesJSON, "{\"color\":\"red\"}", "role attributes")
        let again = try client.putRole(RoleRecord(slug: slug, name: "Second", attributesJSON: nil))
        try expectEqual(again, id, "role id after role_put of the same slug")
        got = try client.getRole(slug)
        try expectSame(got.name, "Second", "updated role name")
        try expect(got.attributesJSON == nil, "role attributes were not cleared")
        let other = try client.putRole(RoleRecord(slug: slug.uppercased(), name: "Upper"))
        try expect(other != id, "slugs are byte-exact: an upper-case slug is another role")
        let list = try client.listRoles()
        try expect(list.contains { $0.id == id && sameBytes($0.slug, slug) }, "role_list lacks the role")
        try expect(zip(list, list.dropFirst()).allSatisfy { $0.id < $1.id }, "role_list is not ordered by id")
        try expectStatus("role_get of a missing role", PROTEUS_E_NOT_FOUND) { _ = try client.getRole("ct.missing.\(token())") }
        try expectStatus("role_put with a bad slug", PROTEUS_E_INVALID) { _ = try client.putRole(RoleRecord(slug: "bad slug!")) }
        try expectStatus("role_put with an empty slug", PROTEUS_E_INVALID) { _ = try client.putRole(RoleRecord(slug: "")) }
        try client.deleteRole(slug)
        try expectStatus("role_get after delete", PROTEUS_E_NOT_FOUND) { _ = try client.getRole(slug) }
        try expectStatus("role_delete again", PROTEUS_E_NOT_FOUND) { try client.deleteRole(slug) }
    }

    func roleDeleteRemovesFromUsers() throws {
        let doomed = try newRole("doomed"), kept = try newRole("kept")
        let a = try createUser(newUser(roles: [doomed, kept]))
        let b = try createUser(newUser(roles: [doomed]))
        let c = try createUser(newUser(roles: [kept]))
        try client.deleteRole(doomed)
        // Losing a role is a change of each holder's record; others are untouched.
        try expectEqual(try client.getUser(id: a.id).version, 2, "holder version after role_delete")
        try expectEqual(try client.getUser(id: b.id).version, 2, "holder version after role_delete")
        try expectEqual(try client.getUser(id: c.id).version, 1, "non-holder version after role_delete")
        try expectEqual(try client.getUser(id: a.id).roles, [kept], "roles of a holder after role_delete")
        try expectEqual(try client.getUser(id: b.id).roles, [], "roles of a holder after role_delete")
        var q = UserQuery()
        q.hasRole = doomed
        q.limit = 10
        try expectEqual(try client.search(q).total, 0, "users holding a deleted role")
        // Writing the deleted slug is INVALID again; re-creating it gives a fresh, empty role.
        var change = a
        change.roles = [doomed]
        try expectStatus("assigning a deleted role", PROTEUS_E_INVALID) { try client.updateUser(change, fields: PROTEUS_FIELD_ROLES) }
        _ = try client.putRole(RoleRecord(slug: doomed))
        try expectEqual(try client.search(q).total, 0, "users holding a re-created role")
    }

    func statsCounts() throws {
        let before = try client.stats()
        try expect(before.schema_version > 0, "schema_version must be > 0")
        var u = newUser(roles: [try newRole()])
        u.documents = [DocumentRecord(namespace: "ct.a", json: "1"), DocumentRecord(namespace: "ct.b", json: "2")]
        try client.createUser(u)
        let g = try newGroup()
        try client.createSession(SessionRecord(tokenHash: randomBytes(32), userID: u.id, namespace: "ct"))
        try client.createKey(APIKeyRecord(keyHash: randomBytes(32), userID: u.id, namespace: "ct"))
        try client.link(IdentityRecord(provider: "ct-\(token())", subject: "s", userID: u.id))
        let after = try client.stats()
        try expectEqual(after.users, before.users + 1, "users")
        try expectEqual(after.documents, before.documents + 2, "documents")
        try expectEqual(after.groups, before.groups + 1, "groups")
        try expectEqual(after.roles, before.roles + 1, "roles")
        try expectEqual(after.sessions, before.sessions + 1, "sessions")
        try expectEqual(after.api_keys, before.api_keys + 1, "api_keys")
        try expectEqual(after.identities, before.identities + 1, "identities")
        try client.deleteUser(u.id)
        try client.deleteGroup(g.id)
        let end = try client.stats()
        try expectEqual(end.users, before.users, "users after delete")
        try expectEqual(end.documents, before.documents, "documents after delete")
        try expectEqual(end.sessions, before.sessions, "sessions after delete")
        try expectEqual(end.api_keys, before.api_keys, "api_keys after delete")
        try expectEqual(end.identities, before.identities, "identities after delete")
        try expectEqual(end.groups, before.groups, "groups after delete")
    }
}
