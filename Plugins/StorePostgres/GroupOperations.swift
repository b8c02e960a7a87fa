// Groups: a user belongs to at most one; deleting a group ungroups its members.
import PluginAPI
import PluginKit

extension PostgresStore {
    static let groupColumns = """
        g.id, g.version, g.created_at, g.updated_at, g.name, g.description, g.policy_json, \
        (SELECT count(*) FROM users m WHERE m.group_id = g.id)
        """

    private static func readGroup(_ r: PGResult, _ i: Int) -> GroupRecord {
        var g = GroupRecord(id: r.id(i, 0) ?? [UInt8](repeating: 0, count: 16), name: r.text(i, 4) ?? "")
        g.version = UInt64(bitPattern: r.int64(i, 1))
        g.createdAt = r.int64(i, 2)
        g.updatedAt = r.int64(i, 3)
        g.description = r.text(i, 5)
        g.policyJSON = r.text(i, 6)
        g.memberCount = UInt64(bitPattern: r.int64(i, 7))
        return g
    }

    func createGroup(_ input: UnsafePointer<proteus_group>?) throws {
        let g = try Input.record(input, "group")
        try Input.requireText(g.name, "the group name")
        let now = now()
        var p = PGParams()
        p.id(g.id)
        p.text(g.name)
        p.text(g.description)
        p.text(g.policy_json)
        p.int64(g.created_at == 0 ? now : g.created_at)
        p.int64(now)
        try write("creating a group") { c in
            do {
                try c.execute("INSERT INTO groups (id, version, name, description, policy_json, created_at, updated_at) VALUES ($1, 1, $2, $3, $4, $5, $6)",
                              p, "creating a group")
            } catch let f as PGFailure where f.isUnique {
                if f.constraint == "groups_pkey" { throw PluginError.conflict("a group with id \(g.id.text) already exists") }
                throw PluginError.conflict("the group name \"\(g.name.string ?? "")\" is already taken")
            }
        }
    }

    func getGroup(_ id: proteus_id, arena: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_group>?>?) throws {
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        let writer = try arenaWriter(arena)
        var p = PGParams()
        p.id(id)
        let found: GroupRecord? = try read("reading a group") { c in
            let r = try c.execute("SELECT \(Self.groupColumns) FROM groups g WHERE g.id = $1", p, "reading a group")
            return r.rows > 0 ? Self.readGroup(r, 0) : nil
        }
        guard let found else { throw PluginError.notFound("no group with id \(id.text)") }
        out.pointee = try writer.single(try writer.group(found))
    }

    func listGroups(arena: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_group_list>?>?) throws {
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        let writer = try arenaWriter(arena)
        let groups: [GroupRecord] = try read("listing groups") { c in
            let r = try c.execute("SELECT \(Self.groupColumns) FROM groups g ORDER BY g.name", PGParams(), "listing groups")
            return (0..<r.rows).map { Self.readGroup(r, $0) }
        }
        out.pointee = try writer.groupList(groups)
    }

    func updateGroup(_ input: UnsafePointer<proteus_group>?, expectedVersion: UInt64, newVersion: UnsafeMutablePointer<UInt64>?) throws {
        let g = try Input.record(input, "group")
        try Input.requireText(g.name, "the group name")
        let now = now()
        let version: UInt64 = try write("updating a group") { c in
            var idp = PGParams()
            idp.id(g.id)
            let r = try c.execute("SELECT version FROM groups WHERE id = $1 FOR UPDATE", idp, "reading a group")
            guard r.rows > 0 else { throw PluginError.notFound("no group with id \(g.id.text)") }
            let current = UInt64(bitPattern: r.int64(0, 0))
            if expectedVersion != 0 && current != expectedVersion {
                throw PluginError.stale("group \(g.id.text) is at version \(current), not \(expectedVersion)")
            }
            var p = idp
            p.text(g.name)
            p.text(g.description)
            p.text(g.policy_json)
            p.int64(now)
            do {
                try c.execute("UPDATE groups SET name = $2, description = $3, policy_json = $4, updated_at = $5, version = version + 1 WHERE id = $1",
                              p, "updating a group")
            } catch let f as PGFailure where f.isUnique {
                throw PluginError.conflict("the group name \"\(g.name.string ?? "")\" is already taken")
            }
            return current + 1
        }
        newVersion?.pointee = version
    }

    /// Members become ungrouped; that is a change of each member (version + 1).
    func deleteGroup(_ id: proteus_id) throws {
        let now = now()
        try write("deleting a group") { c in
            var p = PGParams()
            p.id(id)
            guard try c.execute("SELECT 1 FROM groups WHERE id = $1 FOR UPDATE", p, "reading a group").rows > 0 else {
                throw PluginError.notFound("no group with id \(id.text)")
            }
            var u = p
            u.int64(now)
            try c.execute("UPDATE users SET group_id = NULL, version = version + 1, updated_at = $2 WHERE group_id = $1", u, "ungrouping members")
            try c.execute("DELETE FROM groups WHERE id = $1", p, "deleting a group")
        }
    }
}
