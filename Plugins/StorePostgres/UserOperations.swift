// user_create, user_get, user_update, user_delete, and the write helpers
// users_import shares with them.
import PluginAPI
import PluginKit

extension PostgresStore {
    // MARK: create

    func createUser(_ input: UnsafePointer<proteus_user>?) throws {
        let u = try Input.record(input, "user")
        try Input.userFields(u, fields: Input.allUserFields)
        let now = now()
        try write("creating a user") { c in
            try UserWrites.insert(c, u, version: 1, createdAt: u.created_at == 0 ? now : u.created_at, updatedAt: now)
        }
    }

    // MARK: get

    func getUser(_ keyPointer: UnsafePointer<proteus_user_key>?, docNS: proteus_str, arena: OpaquePointer?,
                 out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_user>?>?) throws {
        guard let keyPointer else { throw PluginError.invalid("the lookup key is missing (NULL)") }
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        let writer = try arenaWriter(arena)
        let key = keyPointer.pointee
        let docs = Input.DocSelection(docNS)
        var p = PGParams()
        let columns = UserRows.columns(docs, nsParam: 2)
        let sql: String
        switch key.by {
        case PROTEUS_LOOKUP_ID:
            p.id(key.id)
            sql = "SELECT \(columns) FROM users u WHERE u.id = $1"
        case PROTEUS_LOOKUP_USERNAME:
            guard key.text.isPresent else { throw PluginError.invalid("a username lookup needs the username (key.text is absent)") }
            p.text(key.text)
            sql = "SELECT \(columns) FROM users u WHERE u.username = $1"
        case PROTEUS_LOOKUP_EMAIL:
            guard key.text.isPresent else { throw PluginError.invalid("an email lookup needs the email (key.text is absent)") }
            p.text(key.text)
            sql = "SELECT \(columns) FROM users u WHERE lower(u.email COLLATE \"C\") = lower($1 COLLATE \"C\") ORDER BY u.created_at, u.id LIMIT 1"
        default:
            throw PluginError.invalid("unknown lookup kind \(key.by) (expected PROTEUS_LOOKUP_ID, _USERNAME or _EMAIL)")
        }
        UserRows.bindNamespace(docs, &p)
        let found: UserRecord? = try read("reading a user") { c in
            let r = try c.execute(sql, p, "reading a user")
            return r.rows > 0 ? UserRows.read(r, 0) : nil
        }
        guard let found else {
            switch key.by {
            case PROTEUS_LOOKUP_ID: throw PluginError.notFound("no user with id \(key.id.text)")
            case PROTEUS_LOOKUP_USERNAME: throw PluginError.notFound("no user with that username")
            default: throw PluginError.notFound("no user with that email")
            }
        }
        out.pointee = try writer.single(try writer.user(found))
    }

    // MARK: update

    func updateUser(_ input: UnsafePointer<proteus_user>?, fields: UInt64, expectedVersion: UInt64,
                    guardRole: proteus_str, newVersion: UnsafeMutablePointer<UInt64>?) throws {
        let u = try Input.record(input, "user")
        guard fields & ~Input.allUserFields == 0 else {
            throw PluginError.invalid("unknown field selector bits 0x\(String(fields & ~Input.allUserFields, radix: 16)) (this store knows PROTEUS_FIELD_* up to LOGIN_AT)")
        }
        try Input.userFields(u, fields: fields)
        if guardRole.isPresent { try Input.slug(guardRole, "the guard role") }
        let now = now()
        let version: UInt64 = try write("updating a user") { c in
            let current = try UserWrites.lockForChange(c, u.id, guardRole: guardRole)
            guard let current else { throw PluginError.notFound("no user with id \(u.id.text)") }
            if expectedVersion != 0 && current.version != expectedVersion {
                throw PluginError.stale("user \(u.id.text) is at version \(current.version), not \(expectedVersion)")
            }
            let wasHolder = guardRole.isPresent ? try UserWrites.isEnabledHolder(c, u.id, guardRole) : false

            // The user row: selected columns, version + 1, updated_at.
            var p = PGParams()
            p.id(u.id)
            p.int64(now)
            var sets = ["version = version + 1", "updated_at = $2"]
            func set(_ column: String, _ bind: (inout PGParams) -> Void) {
                bind(&p)
                sets.append("\(column) = $\(p.count)")
            }
            if fields & PROTEUS_FIELD_USERNAME != 0 { set("username") { $0.text(u.username) } }
            if fields & PROTEUS_FIELD_EMAIL != 0 { set("email") { $0.text(u.email) } }
            if fields & PROTEUS_FIELD_DISPLAY_NAME != 0 { set("display_name") { $0.text(u.display_name) } }
            if fields & PROTEUS_FIELD_PASSWORD_HASH != 0 { set("password_hash") { $0.text(u.password_hash) } }
            if fields & PROTEUS_FIELD_FLAGS != 0 { set("flags") { $0.int64(u.flags) } }
            if fields & PROTEUS_FIELD_MFA != 0 {
                set("mfa_secret") { $0.bytes(u.mfa_secret) }
                set("mfa_last_step") { $0.int64(u.mfa_last_step) }
            }
            if fields & PROTEUS_FIELD_GROUP != 0 { set("group_id") { $0.group(u) } }
            if fields & PROTEUS_FIELD_ACCESSED_AT != 0 { set("accessed_at") { $0.int64(u.accessed_at) } }
            if fields & PROTEUS_FIELD_LOGIN_AT != 0 { set("login_at") { $0.int64(u.login_at) } }
            do {
                try c.execute("UPDATE users SET \(sets.joined(separator: ", ")) WHERE id = $1", p, "updating a user")
            } catch let f as PGFailure {
                throw UserWrites.diagnose(f, u)
            }
            if fields & PROTEUS_FIELD_ROLES != 0 { try UserWrites.replaceRoles(c, u) }
            if fields & PROTEUS_FIELD_DOCS != 0 { try UserWrites.writeDocs(c, u, replaceAll: false) }
            if wasHolder, try !UserWrites.anyEnabledHolder(c, guardRole) {
                throw PluginError.guarded("the change would leave no enabled user holding the role \"\(guardRole.string ?? "")\"")
            }
            return current.version + 1
        }
        newVersion?.pointee = version
    }

    // MARK: delete

    func deleteUser(_ id: proteus_id, expectedVersion: UInt64, guardRole: proteus_str) throws {
        if guardRole.isPresent { try Input.slug(guardRole, "the guard role") }
        try write("deleting a user") { c in
            guard let current = try UserWrites.lockForChange(c, id, guardRole: guardRole) else {
                throw PluginError.notFound("no user with id \(id.text)")
            }
            if expectedVersion != 0 && current.version != expectedVersion {
                throw PluginError.stale("user \(id.text) is at version \(current.version), not \(expectedVersion)")
            }
            let wasHolder = guardRole.isPresent ? try UserWrites.isEnabledHolder(c, id, guardRole) : false
            var p = PGParams()
            p.id(id)
            // Documents, roles, sessions, keys and identity links go by ON DELETE CASCADE.
            try c.execute("DELETE FROM users WHERE id = $1", p, "deleting a user")
            if wasHolder, try !UserWrites.anyEnabledHolder(c, guardRole) {
                throw PluginError.guarded("deleting this user would leave no enabled user holding the role \"\(guardRole.string ?? "")\"")
            }
        }
    }
}

/// Statements shared by create, update and import (all inside a write
/// transaction).
enum UserWrites {
    static let insertSQL = """
        INSERT INTO users (id, version, flags, created_at, updated_at, accessed_at, login_at, username, email, \
        display_name, password_hash, mfa_secret, mfa_last_step, group_id) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
        """

    static let replaceSQL = """
        UPDATE users SET version = $2, flags = $3, created_at = $4, updated_at = $5, accessed_at = $6, \
        login_at = $7, username = $8, email = $9, display_name = $10, password_hash = $11, mfa_secret = $12, \
        mfa_last_step = $13, group_id = $14 WHERE id = $1
        """

    static func allColumns(_ u: proteus_user, version: UInt64, createdAt: Int64, updatedAt: Int64) -> PGParams {
        var p = PGParams()
        p.id(u.id)
        p.int64(version)
        p.int64(u.flags)
        p.int64(createdAt)
        p.int64(updatedAt)
        p.int64(u.accessed_at)
        p.int64(u.login_at)
        p.text(u.username)
        p.text(u.email)
        p.text(u.display_name)
        p.text(u.password_hash)
        p.bytes(u.mfa_secret)
        p.int64(u.mfa_last_step)
        p.group(u)
        return p
    }

    /// Inserts a complete user with its roles and documents.
    static func insert(_ c: PGConnection, _ u: proteus_user, version: UInt64, createdAt: Int64, updatedAt: Int64) throws {
        do {
            try c.execute(insertSQL, allColumns(u, version: version, createdAt: createdAt, updatedAt: updatedAt), "creating a user")
        } catch let f as PGFailure {
            throw diagnose(f, u)
        }
        try addRoles(c, u)
        try writeDocs(c, u, replaceAll: false)
    }

    /// Replaces every field, role and document of an existing user (import UPSERT).
    static func replace(_ c: PGConnection, _ u: proteus_user, version: UInt64) throws {
        do {
            let r = try c.execute(replaceSQL, allColumns(u, version: version, createdAt: u.created_at, updatedAt: u.updated_at), "replacing a user")
            guard r.affected == 1 else { throw PluginError.notFound("no user with id \(u.id.text)") }
        } catch let f as PGFailure {
            throw diagnose(f, u)
        }
        try replaceRoles(c, u)
        try writeDocs(c, u, replaceAll: true)
    }

    /// Says what a constraint failure on the users row was about.
    static func diagnose(_ f: PGFailure, _ u: proteus_user) -> Error {
        guard f.kind == .server else { return f }
        switch f.constraint {
        case "users_pkey": return PluginError.conflict("a user with id \(u.id.text) already exists")
        case "users_username_key": return PluginError.conflict("the username \"\(u.username.string ?? "")\" is already taken")
        case "users_group_fkey": return PluginError.invalid("unknown group \(u.group_id.text)")
        default: return f
        }
    }

    /// Adds the record's roles (duplicates collapse); INVALID for an unknown slug.
    static func addRoles(_ c: PGConnection, _ u: proteus_user) throws {
        guard u.role_count > 0 else { return }
        var p = PGParams()
        p.id(u.id)
        p.textArray((0..<Int(u.role_count)).map { u.roles[$0] })
        do {
            try c.execute("INSERT INTO user_roles (user_id, role_slug) SELECT $1, s FROM unnest($2::text[]) AS s ON CONFLICT DO NOTHING",
                          p, "adding roles to a user")
        } catch let f as PGFailure where f.isForeignKey && f.constraint == "user_roles_role_fkey" {
            throw PluginError.invalid("unknown role \(keyValue(f.detail).map { "\"\($0)\"" } ?? "")")
        }
    }

    /// The value in a "Key (column)=(value) ..." detail line.
    static func keyValue(_ detail: String?) -> String? {
        guard let detail, let open = detail.range(of: ")=("), let close = detail.range(of: ") ", options: .backwards),
              open.upperBound <= close.lowerBound else { return nil }
        return String(detail[open.upperBound..<close.lowerBound])
    }

    static func replaceRoles(_ c: PGConnection, _ u: proteus_user) throws {
        var p = PGParams()
        p.id(u.id)
        try c.execute("DELETE FROM user_roles WHERE user_id = $1", p, "replacing a user's roles")
        try addRoles(c, u)
    }

    /// Writes the record's documents: present json upserts, absent json
    /// deletes that namespace. `replaceAll` first drops every document.
    static func writeDocs(_ c: PGConnection, _ u: proteus_user, replaceAll: Bool) throws {
        var id = PGParams()
        id.id(u.id)
        if replaceAll {
            try c.execute("DELETE FROM documents WHERE user_id = $1", id, "replacing a user's documents")
        }
        guard u.doc_count > 0 else { return }
        let docs = (0..<Int(u.doc_count)).map { u.docs[$0] }
        let present = docs.filter { $0.json.isPresent }
        if !present.isEmpty {
            var p = id
            p.textArray(present.map(\.ns))
            p.textArray(present.map(\.json))
            try c.execute("""
                INSERT INTO documents (user_id, ns, json) SELECT $1, d.ns, d.json FROM unnest($2::text[], $3::text[]) AS d(ns, json) \
                ON CONFLICT (user_id, ns) DO UPDATE SET json = EXCLUDED.json
                """, p, "writing documents")
        }
        let absent = docs.filter { !$0.json.isPresent }
        if !absent.isEmpty && !replaceAll {
            var p = id
            p.textArray(absent.map(\.ns))
            try c.execute("DELETE FROM documents WHERE user_id = $1 AND ns = ANY($2::text[])", p, "deleting documents")
        }
    }

    /// What a write needs to know about the stored user.
    struct Current {
        var version: UInt64
        var flags: UInt32
    }

    /// Locks the user row for this transaction (and, with a guard role,
    /// first the role's row, so every guarded change of that role runs one
    /// after the other and sees the previous one's outcome). nil: no such user.
    static func lockForChange(_ c: PGConnection, _ id: proteus_id, guardRole: proteus_str) throws -> Current? {
        if guardRole.isPresent {
            var g = PGParams()
            g.text(guardRole)
            try c.execute("SELECT 1 FROM roles WHERE slug = $1 FOR NO KEY UPDATE", g, "locking the guard role")
        }
        var p = PGParams()
        p.id(id)
        let r = try c.execute("SELECT version, flags FROM users WHERE id = $1 FOR UPDATE", p, "reading a user's version")
        guard r.rows > 0 else { return nil }
        return Current(version: UInt64(bitPattern: r.int64(0, 0)), flags: UInt32(truncatingIfNeeded: r.int64(0, 1)))
    }

    /// The user is enabled and holds `role`.
    static func isEnabledHolder(_ c: PGConnection, _ id: proteus_id, _ role: proteus_str) throws -> Bool {
        var p = PGParams()
        p.id(id)
        p.text(role)
        p.int64(PROTEUS_USER_DISABLED)
        return try c.execute("""
            SELECT 1 FROM users u JOIN user_roles r ON r.user_id = u.id \
            WHERE u.id = $1 AND r.role_slug = $2 AND (u.flags & $3) = 0
            """, p, "checking the guard role").rows > 0
    }

    /// Some enabled user holds `role`.
    static func anyEnabledHolder(_ c: PGConnection, _ role: proteus_str) throws -> Bool {
        var p = PGParams()
        p.text(role)
        p.int64(PROTEUS_USER_DISABLED)
        return try c.execute("""
            SELECT 1 FROM user_roles r JOIN users u ON u.id = r.user_id \
            WHERE r.role_slug = $1 AND (u.flags & $2) = 0 LIMIT 1
            """, p, "checking the guard role").rows > 0
    }

    static func exists(_ c: PGConnection, _ sql: String, _ p: PGParams) throws -> Bool {
        try c.execute(sql, p, "checking a record").rows > 0
    }
}
