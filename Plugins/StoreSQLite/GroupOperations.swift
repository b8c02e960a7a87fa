// Groups: a user belongs to at most one; deleting a group ungroups its members.
import PluginAPI
import PluginKit

extension SQLiteStore {
    static let groupColumns = """
        g.id, g.version, g.created_at, g.updated_at, g.name, g.description, g.policy_json, \
        (SELECT count(*) FROM users m WHERE m.group_id = g.id)
        """

    private static func readGroup(_ s: Statement) -> GroupRecord {
        var g = GroupRecord(id: s.id(0) ?? [UInt8](repeating: 0, count: 16), name: s.text(4) ?? "")
        g.version = UInt64(bitPattern: s.int64(1))
        g.createdAt = s.int64(2)
        g.updatedAt = s.int64(3)
        g.description = s.text(5)
        g.policyJSON = s.text(6)
        g.memberCount = UInt64(bitPattern: s.int64(7))
        return g
    }

    func createGroup(_ input: UnsafePointer<proteus_group>?) throws {
        let g = try Input.record(input, "group")
        try Input.requireText(g.name, "the group name", allowEmpty: false)
        let now = now()
        try pool.write("creating a group") { c in
            do {
                try c.with("INSERT INTO groups (id, version, name, description, policy_json, created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?)") { s in
                    s.bind(1, g.id)
                    s.bind(2, g.name)
                    s.bind(3, g.description)
                    s.bind(4, g.policy_json)
                    s.bind(5, g.created_at == 0 ? now : g.created_at)
                    s.bind(6, now)
                    try s.run("creating a group")
                }
            } catch let f as SQLiteFailure where f.isUnique {
                if try UserWrites.exists(c, "SELECT 1 FROM groups WHERE id = ?", { $0.bind(1, g.id) }) {
                    throw PluginError.conflict("a group with id \(g.id.text) already exists")
                }
                throw PluginError.conflict("the group name \"\(g.name.string ?? "")\" is already taken")
            }
        }
    }

    func getGroup(_ id: proteus_id, arena: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_group>?>?) throws {
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        let writer = try arenaWriter(arena)
        let found: GroupRecord? = try pool.read("reading a group") { c in
            try c.with("SELECT \(Self.groupColumns) FROM groups g WHERE g.id = ?") { s in
                s.bind(1, id)
                return try s.step("reading a group") ? Self.readGroup(s) : nil
            }
        }
        guard let found else { throw PluginError.notFound("no group with id \(id.text)") }
        let p = try writer.allocate(proteus_group.self, count: 1)
        p.pointee = try writer.group(found)
        out.pointee = p
    }

    func listGroups(arena: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_group_list>?>?) throws {
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        let writer = try arenaWriter(arena)
        let groups: [GroupRecord] = try pool.read("listing groups") { c in
            try c.with("SELECT \(Self.groupColumns) FROM groups g ORDER BY g.name") { s in
                var all: [GroupRecord] = []
                while try s.step("listing groups") { all.append(Self.readGroup(s)) }
                return all
            }
        }
        out.pointee = try writer.groupList(groups)
    }

    func updateGroup(_ input: UnsafePointer<proteus_group>?, expectedVersion: UInt64, newVersion: UnsafeMutablePointer<UInt64>?) throws {
        let g = try Input.record(input, "group")
        try Input.requireText(g.name, "the group name", allowEmpty: false)
        let now = now()
        let version: UInt64 = try pool.write("updating a group") { c in
            let current: UInt64? = try c.with("SELECT version FROM groups WHERE id = ?") { s in
                s.bind(1, g.id)
                return try s.step("reading a group") ? UInt64(bitPattern: s.int64(0)) : nil
            }
            guard let current else { throw PluginError.notFound("no group with id \(g.id.text)") }
            if expectedVersion != 0 && current != expectedVersion {
                throw PluginError.stale("group \(g.id.text) is at version \(current), not \(expectedVersion)")
            }
            do {
                try c.with("UPDATE groups SET name = ?, description = ?, policy_json = ?, updated_at = ?, version = version + 1 WHERE id = ?") { s in
                    s.bind(1, g.name)
                    s.bind(2, g.description)
                    s.bind(3, g.policy_json)
                    s.bind(4, now)
                    s.bind(5, g.id)
                    try s.run("updating a group")
                }
            } catch let f as SQLiteFailure where f.isUnique {
                throw PluginError.conflict("the group name \"\(g.name.string ?? "")\" is already taken")
            }
            return current + 1
        }
        newVersion?.pointee = version
    }

    /// Members become ungrouped; that is a change of each member (version + 1).
    func deleteGroup(_ id: proteus_id) throws {
        let now = now()
        try pool.write("deleting a group") { c in
            guard try UserWrites.exists(c, "SELECT 1 FROM groups WHERE id = ?", { $0.bind(1, id) }) else {
                throw PluginError.notFound("no group with id \(id.text)")
            }
            try c.with("UPDATE users SET group_id = NULL, version = version + 1, updated_at = ? WHERE group_id = ?") { s in
                s.bind(1, now)
                s.bind(2, id)
                try s.run("ungrouping members")
            }
            try c.with("DELETE FROM groups WHERE id = ?") { s in
                s.bind(1, id)
                try s.run("deleting a group")
            }
        }
    }
}
