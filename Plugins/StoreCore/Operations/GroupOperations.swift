// Groups: a user belongs to at most one; deleting a group ungroups its members.
import PluginAPI
import PluginKit

extension StoreCore {
    static func readGroup(_ s: any StoreStatement) -> GroupRecord {
        var g = GroupRecord(id: s.id(0) ?? [UInt8](repeating: 0, count: 16), name: s.text(4) ?? "")
        g.version = UInt64(bitPattern: s.int64(1))
        g.createdAt = s.int64(2)
        g.updatedAt = s.int64(3)
        g.description = s.text(5)
        g.policyJSON = s.text(6)
        g.memberCount = UInt64(bitPattern: s.int64(7))
        return g
    }

    public func createGroup(_ input: UnsafePointer<proteus_group>?) throws {
        let g = try StoreInput.record(input, "group")
        try StoreInput.requireText(g.name, "the group name", allowEmpty: false)
        let now = now()
        try perform(.write, "creating a group") { c in
            do {
                try c.run(sql.createGroup, "creating a group") { v in
                    v.bind(g.id)
                    v.bind(g.name)
                    v.bind(g.description)
                    v.bind(g.policy_json)
                    v.bind(g.created_at == 0 ? now : g.created_at)
                    v.bind(now)
                }
            } catch {
                guard let v = backend.violation(in: error), v.kind == .unique else { throw error }
                if v.key == .groupID { throw PluginError.conflict("a group with id \(g.id.text) already exists") }
                throw PluginError.conflict("the group name \"\(g.name.string ?? "")\" is already taken")
            }
        }
    }

    public func getGroup(_ id: proteus_id, arena: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_group>?>?) throws {
        let out = try output(out)
        let writer = try arenaWriter(arena)
        let found = try perform(.read, "reading a group") { c in
            try c.first(sql.getGroup, "reading a group", { $0.bind(id) }, Self.readGroup)
        }
        guard let found else { throw PluginError.notFound("no group with id \(id.text)") }
        out.pointee = try writer.single(try writer.group(found))
    }

    public func listGroups(arena: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_group_list>?>?) throws {
        let out = try output(out)
        let writer = try arenaWriter(arena)
        let groups = try perform(.read, "listing groups") { c in try c.all(sql.listGroups, "listing groups") { Self.readGroup($0) } }
        out.pointee = try writer.groupList(groups)
    }

    public func updateGroup(_ input: UnsafePointer<proteus_group>?, expectedVersion: UInt64, newVersion: UnsafeMutablePointer<UInt64>?) throws {
        let g = try StoreInput.record(input, "group")
        try StoreInput.requireText(g.name, "the group name", allowEmpty: false)
        let now = now()
        let version: UInt64 = try perform(.write, "updating a group") { c in
            let current = try c.first(sql.lockGroupVersion, "reading a group", { $0.bind(g.id) }) { UInt64(bitPattern: $0.int64(0)) }
            guard let current else { throw PluginError.notFound("no group with id \(g.id.text)") }
            if expectedVersion != 0 && current != expectedVersion {
                throw PluginError.stale("group \(g.id.text) is at version \(current), not \(expectedVersion)")
            }
            do {
                try c.run(sql.updateGroup, "updating a group") { v in
                    v.bind(g.id)
                    v.bind(g.name)
                    v.bind(g.description)
                    v.bind(g.policy_json)
                    v.bind(now)
                }
            } catch {
                guard backend.violation(in: error)?.kind == .unique else { throw error }
                throw PluginError.conflict("the group name \"\(g.name.string ?? "")\" is already taken")
            }
            return current + 1
        }
        newVersion?.pointee = version
    }

    /// Members become ungrouped; that is a change of each member (version + 1).
    public func deleteGroup(_ id: proteus_id) throws {
        let now = now()
        try perform(.write, "deleting a group") { c in
            guard try c.exists(sql.lockGroup, "reading a group", { $0.bind(id) }) else {
                throw PluginError.notFound("no group with id \(id.text)")
            }
            try c.run(sql.ungroupMembers, "ungrouping members") { v in
                v.bind(id)
                v.bind(now)
            }
            try c.run(sql.deleteGroup, "deleting a group") { $0.bind(id) }
        }
    }
}
