// Roles: definitions users refer to by slug.
import PluginAPI
import PluginKit

extension SQLiteStore {
    private static func readRole(_ s: Statement) -> RoleRecord {
        var r = RoleRecord(slug: s.text(1) ?? "", name: s.text(2), attributesJSON: s.text(3))
        r.id = s.int64(0)
        return r
    }

    func putRole(_ input: UnsafePointer<proteus_role>?, outID: UnsafeMutablePointer<Int64>?) throws {
        let r = try Input.record(input, "role")
        try Input.slug(r.slug)
        try Input.optionalText(r.name, "the role name")
        let id: Int64 = try pool.write("writing a role") { c in
            try c.with("""
                INSERT INTO roles (slug, name, attributes_json) VALUES (?, ?, ?) \
                ON CONFLICT (slug) DO UPDATE SET name = excluded.name, attributes_json = excluded.attributes_json \
                RETURNING id
                """) { s in
                s.bind(1, r.slug)
                s.bind(2, r.name)
                s.bind(3, r.attributes_json)
                guard try s.step("writing a role") else { throw PluginError.internal("writing a role returned no id") }
                let id = s.int64(0)
                try s.run("writing a role")
                return id
            }
        }
        outID?.pointee = id
    }

    func getRole(_ slug: proteus_str, arena: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_role>?>?) throws {
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        try Input.slug(slug)
        let writer = try arenaWriter(arena)
        let found: RoleRecord? = try pool.read("reading a role") { c in
            try c.with("SELECT id, slug, name, attributes_json FROM roles WHERE slug = ?") { s in
                s.bind(1, slug)
                return try s.step("reading a role") ? Self.readRole(s) : nil
            }
        }
        guard let found else { throw PluginError.notFound("no role \"\(slug.string ?? "")\"") }
        let p = try writer.allocate(proteus_role.self, count: 1)
        p.pointee = try writer.role(found)
        out.pointee = p
    }

    func listRoles(arena: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_role_list>?>?) throws {
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        let writer = try arenaWriter(arena)
        let roles: [RoleRecord] = try pool.read("listing roles") { c in
            try c.with("SELECT id, slug, name, attributes_json FROM roles ORDER BY id") { s in
                var all: [RoleRecord] = []
                while try s.step("listing roles") { all.append(Self.readRole(s)) }
                return all
            }
        }
        out.pointee = try writer.roleList(roles)
    }

    /// Removes the role from every holder (each holder's version + 1), then deletes it.
    func deleteRole(_ slug: proteus_str) throws {
        try Input.slug(slug)
        let now = now()
        try pool.write("deleting a role") { c in
            guard try UserWrites.exists(c, "SELECT 1 FROM roles WHERE slug = ?", { $0.bind(1, slug) }) else {
                throw PluginError.notFound("no role \"\(slug.string ?? "")\"")
            }
            try c.with("UPDATE users SET version = version + 1, updated_at = ? WHERE id IN (SELECT user_id FROM user_roles WHERE role_slug = ?)") { s in
                s.bind(1, now)
                s.bind(2, slug)
                try s.run("updating the role's holders")
            }
            try c.with("DELETE FROM roles WHERE slug = ?") { s in
                s.bind(1, slug)
                try s.run("deleting a role")
            }
        }
    }
}
