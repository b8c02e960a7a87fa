// Roles: definitions users refer to by slug.
import PluginAPI
import PluginKit

extension PostgresStore {
    private static func readRole(_ r: PGResult, _ i: Int) -> RoleRecord {
        var role = RoleRecord(slug: r.text(i, 1) ?? "", name: r.text(i, 2), attributesJSON: r.text(i, 3))
        role.id = r.int64(i, 0)
        return role
    }

    func putRole(_ input: UnsafePointer<proteus_role>?, outID: UnsafeMutablePointer<Int64>?) throws {
        let r = try Input.record(input, "role")
        try Input.slug(r.slug)
        try Input.optionalText(r.name, "the role name")
        var p = PGParams()
        p.text(r.slug)
        p.text(r.name)
        p.text(r.attributes_json)
        let id: Int64 = try write("writing a role") { c in
            // Existing slug first: an upsert would use up an identity value each time.
            let updated = try c.execute("UPDATE roles SET name = $2, attributes_json = $3 WHERE slug = $1 RETURNING id", p, "writing a role")
            if updated.rows > 0 { return updated.int64(0, 0) }
            let inserted = try c.execute("""
                INSERT INTO roles (slug, name, attributes_json) VALUES ($1, $2, $3) \
                ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, attributes_json = EXCLUDED.attributes_json \
                RETURNING id
                """, p, "writing a role")
            guard inserted.rows > 0 else { throw PluginError.internal("writing a role returned no id") }
            return inserted.int64(0, 0)
        }
        outID?.pointee = id
    }

    func getRole(_ slug: proteus_str, arena: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_role>?>?) throws {
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        try Input.slug(slug)
        let writer = try arenaWriter(arena)
        var p = PGParams()
        p.text(slug)
        let found: RoleRecord? = try read("reading a role") { c in
            let r = try c.execute("SELECT id, slug, name, attributes_json FROM roles WHERE slug = $1", p, "reading a role")
            return r.rows > 0 ? Self.readRole(r, 0) : nil
        }
        guard let found else { throw PluginError.notFound("no role \"\(slug.string ?? "")\"") }
        out.pointee = try writer.single(try writer.role(found))
    }

    func listRoles(arena: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_role_list>?>?) throws {
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        let writer = try arenaWriter(arena)
        let roles: [RoleRecord] = try read("listing roles") { c in
            let r = try c.execute("SELECT id, slug, name, attributes_json FROM roles ORDER BY id", PGParams(), "listing roles")
            return (0..<r.rows).map { Self.readRole(r, $0) }
        }
        out.pointee = try writer.roleList(roles)
    }

    /// Removes the role from every holder (each holder's version + 1), then deletes it.
    func deleteRole(_ slug: proteus_str) throws {
        try Input.slug(slug)
        let now = now()
        try write("deleting a role") { c in
            var p = PGParams()
            p.text(slug)
            guard try c.execute("SELECT 1 FROM roles WHERE slug = $1 FOR UPDATE", p, "reading a role").rows > 0 else {
                throw PluginError.notFound("no role \"\(slug.string ?? "")\"")
            }
            var u = p
            u.int64(now)
            try c.execute("UPDATE users SET version = version + 1, updated_at = $2 WHERE id IN (SELECT user_id FROM user_roles WHERE role_slug = $1)",
                          u, "updating the role's holders")
            try c.execute("DELETE FROM roles WHERE slug = $1", p, "deleting a role")
        }
    }
}
