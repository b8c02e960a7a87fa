// Roles: definitions users refer to by slug.
import PluginAPI
import PluginKit

extension StoreCore {
    static func readRole(_ s: any StoreStatement) -> RoleRecord {
        var r = RoleRecord(slug: s.text(1) ?? "", name: s.text(2), attributesJSON: s.text(3))
        r.id = s.int64(0)
        return r
    }

    public func putRole(_ input: UnsafePointer<proteus_role>?, outID: UnsafeMutablePointer<Int64>?) throws {
        let r = try StoreInput.record(input, "role")
        try StoreInput.slug(r.slug)
        try StoreInput.optionalText(r.name, "the role name")
        let bind = { (v: any StoreStatement) in
            v.bind(r.slug)
            v.bind(r.name)
            v.bind(r.attributes_json)
        }
        let id: Int64 = try perform(.write, "writing a role") { c in
            // Existing slug first: an insert that turns into an update would
            // use up an id each time on some databases.
            if let id = try c.first(sql.updateRole, "writing a role", bind, { $0.int64(0) }) { return id }
            guard let id = try c.first(sql.insertRole, "writing a role", bind, { $0.int64(0) }) else {
                throw PluginError.internal("writing a role returned no id")
            }
            return id
        }
        outID?.pointee = id
    }

    public func getRole(_ slug: proteus_str, arena: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_role>?>?) throws {
        let out = try output(out)
        try StoreInput.slug(slug)
        let writer = try arenaWriter(arena)
        let found = try perform(.read, "reading a role") { c in
            try c.first(sql.getRole, "reading a role", { $0.bind(slug) }, Self.readRole)
        }
        guard let found else { throw PluginError.notFound("no role \"\(slug.string ?? "")\"") }
        out.pointee = try writer.single(try writer.role(found))
    }

    public func listRoles(arena: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_role_list>?>?) throws {
        let out = try output(out)
        let writer = try arenaWriter(arena)
        let roles = try perform(.read, "listing roles") { c in try c.all(sql.listRoles, "listing roles") { Self.readRole($0) } }
        out.pointee = try writer.roleList(roles)
    }

    /// Removes the role from every holder (each holder's version + 1), then deletes it.
    public func deleteRole(_ slug: proteus_str) throws {
        try StoreInput.slug(slug)
        let now = now()
        try perform(.write, "deleting a role") { c in
            guard try c.exists(sql.lockRole, "reading a role", { $0.bind(slug) }) else {
                throw PluginError.notFound("no role \"\(slug.string ?? "")\"")
            }
            try c.run(sql.touchRoleHolders, "updating the role's holders") { v in
                v.bind(slug)
                v.bind(now)
            }
            try c.run(sql.deleteRole, "deleting a role") { $0.bind(slug) }
        }
    }
}
