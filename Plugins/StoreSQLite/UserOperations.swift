// user_create, user_get, user_update, user_delete, and the write helpers
// users_import shares with them.
import PluginAPI
import PluginKit

extension SQLiteStore {
    // MARK: create

    func createUser(_ input: UnsafePointer<proteus_user>?) throws {
        let u = try Input.record(input, "user")
        try Input.userFields(u, fields: Input.allUserFields)
        let now = now()
        try pool.write("creating a user") { c in
            try UserWrites.insert(c, u, version: 1, createdAt: u.created_at == 0 ? now : u.created_at,
                                  updatedAt: now)
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
        let sql: String
        switch key.by {
        case PROTEUS_LOOKUP_ID:
            sql = "SELECT \(UserRows.columns) FROM users u WHERE u.id = ?"
        case PROTEUS_LOOKUP_USERNAME:
            guard key.text.isPresent else { throw PluginError.invalid("a username lookup needs the username (key.text is absent)") }
            sql = "SELECT \(UserRows.columns) FROM users u WHERE u.username = ?"
        case PROTEUS_LOOKUP_EMAIL:
            guard key.text.isPresent else { throw PluginError.invalid("an email lookup needs the email (key.text is absent)") }
            sql = "SELECT \(UserRows.columns) FROM users u WHERE u.email = ? COLLATE NOCASE ORDER BY u.created_at, u.id LIMIT 1"
        default:
            throw PluginError.invalid("unknown lookup kind \(key.by) (expected PROTEUS_LOOKUP_ID, _USERNAME or _EMAIL)")
        }
        let found: UserRecord? = try pool.read("reading a user") { c in
            let row: UserRecord? = try c.with(sql) { s in
                if key.by == PROTEUS_LOOKUP_ID { s.bind(1, key.id) } else { s.bind(1, key.text) }
                guard try s.step("reading a user") else { return nil }
                return UserRows.read(s)
            }
            guard var r = row else { return nil }
            try UserRows.complete(c, &r, docs: docs)
            return r
        }
        guard let found else {
            switch key.by {
            case PROTEUS_LOOKUP_ID: throw PluginError.notFound("no user with id \(key.id.text)")
            case PROTEUS_LOOKUP_USERNAME: throw PluginError.notFound("no user with that username")
            default: throw PluginError.notFound("no user with that email")
            }
        }
        let record = try writer.allocate(proteus_user.self, count: 1)
        record.pointee = try writer.user(found)
        out.pointee = record
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
        let version: UInt64 = try pool.write("updating a user") { c in
            let current = try UserWrites.current(c, u.id)
            guard let current else { throw PluginError.notFound("no user with id \(u.id.text)") }
            if expectedVersion != 0 && current.version != expectedVersion {
                throw PluginError.stale("user \(u.id.text) is at version \(current.version), not \(expectedVersion)")
            }
            let wasHolder = guardRole.isPresent ? try UserWrites.isEnabledHolder(c, u.id, guardRole) : false

            // The user row: selected columns, version + 1, updated_at.
            var sets: [String] = []
            var binders: [(Statement, Int32) -> Void] = []
            func set(_ column: String, _ bind: @escaping (Statement, Int32) -> Void) {
                sets.append("\(column) = ?")
                binders.append(bind)
            }
            if fields & PROTEUS_FIELD_USERNAME != 0 { set("username") { $0.bind($1, u.username) } }
            if fields & PROTEUS_FIELD_EMAIL != 0 { set("email") { $0.bind($1, u.email) } }
            if fields & PROTEUS_FIELD_DISPLAY_NAME != 0 { set("display_name") { $0.bind($1, u.display_name) } }
            if fields & PROTEUS_FIELD_PASSWORD_HASH != 0 { set("password_hash") { $0.bind($1, u.password_hash) } }
            if fields & PROTEUS_FIELD_FLAGS != 0 { set("flags") { $0.bind($1, u.flags) } }
            if fields & PROTEUS_FIELD_MFA != 0 {
                set("mfa_secret") { $0.bind($1, u.mfa_secret) }
                set("mfa_last_step") { $0.bind($1, u.mfa_last_step) }
            }
            if fields & PROTEUS_FIELD_GROUP != 0 {
                set("group_id") { if u.has_group { $0.bind($1, u.group_id) } else { $0.bindNull($1) } }
            }
            if fields & PROTEUS_FIELD_ACCESSED_AT != 0 { set("accessed_at") { $0.bind($1, u.accessed_at) } }
            if fields & PROTEUS_FIELD_LOGIN_AT != 0 { set("login_at") { $0.bind($1, u.login_at) } }
            set("updated_at") { $0.bind($1, now) }
            let sql = "UPDATE users SET \(sets.joined(separator: ", ")), version = version + 1 WHERE id = ?"
            do {
                try c.with(sql) { s in
                    for (i, bind) in binders.enumerated() { bind(s, Int32(i + 1)) }
                    s.bind(Int32(binders.count + 1), u.id)
                    try s.run("updating a user")
                }
            } catch let f as SQLiteFailure where f.isConstraint {
                throw try UserWrites.diagnose(c, u, f, checkID: false)
            }
            if fields & PROTEUS_FIELD_USERNAME != 0 {
                try UsernameIndex.change(c, seq: current.seq, from: current.username, to: u.username)
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
        try pool.write("deleting a user") { c in
            guard let current = try UserWrites.current(c, id) else {
                throw PluginError.notFound("no user with id \(id.text)")
            }
            if expectedVersion != 0 && current.version != expectedVersion {
                throw PluginError.stale("user \(id.text) is at version \(current.version), not \(expectedVersion)")
            }
            let wasHolder = guardRole.isPresent ? try UserWrites.isEnabledHolder(c, id, guardRole) : false
            try c.with("DELETE FROM users WHERE id = ?") { s in
                s.bind(1, id)
                try s.run("deleting a user")
            }
            try UsernameIndex.remove(c, seq: current.seq, current.username)
            if wasHolder, try !UserWrites.anyEnabledHolder(c, guardRole) {
                throw PluginError.guarded("deleting this user would leave no enabled user holding the role \"\(guardRole.string ?? "")\"")
            }
        }
    }
}

/// Statements shared by create, update and import (all run on the writer,
/// inside its transaction).
enum UserWrites {
    static let insertSQL = """
        INSERT INTO users (id, version, flags, created_at, updated_at, accessed_at, login_at, username, email, \
        display_name, password_hash, mfa_secret, mfa_last_step, group_id) \
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static let replaceSQL = """
        UPDATE users SET version = ?2, flags = ?3, created_at = ?4, updated_at = ?5, accessed_at = ?6, \
        login_at = ?7, username = ?8, email = ?9, display_name = ?10, password_hash = ?11, mfa_secret = ?12, \
        mfa_last_step = ?13, group_id = ?14 WHERE id = ?1
        """

    /// Inserts a complete user with its roles and documents.
    static func insert(_ c: Connection, _ u: proteus_user, version: UInt64, createdAt: Int64, updatedAt: Int64) throws {
        do {
            try c.with(insertSQL) { s in
                bindAll(s, u, version: version, createdAt: createdAt, updatedAt: updatedAt)
                try s.run("creating a user")
            }
        } catch let f as SQLiteFailure where f.isConstraint {
            throw try diagnose(c, u, f, checkID: true)
        }
        try UsernameIndex.add(c, seq: c.lastInsertRowID, u.username)
        try addRoles(c, u)
        try writeDocs(c, u, replaceAll: false)
    }

    /// Replaces every field, role and document of an existing user (import UPSERT).
    static func replace(_ c: Connection, _ u: proteus_user, version: UInt64) throws {
        guard let old = try current(c, u.id) else { throw PluginError.notFound("no user with id \(u.id.text)") }
        do {
            try c.with(replaceSQL) { s in
                bindAll(s, u, version: version, createdAt: u.created_at, updatedAt: u.updated_at)
                try s.run("replacing a user")
            }
        } catch let f as SQLiteFailure where f.isConstraint {
            throw try diagnose(c, u, f, checkID: false)
        }
        try UsernameIndex.change(c, seq: old.seq, from: old.username, to: u.username)
        try replaceRoles(c, u)
        try writeDocs(c, u, replaceAll: true)
    }

    private static func bindAll(_ s: Statement, _ u: proteus_user, version: UInt64, createdAt: Int64, updatedAt: Int64) {
        s.bind(1, u.id)
        s.bind(2, version)
        s.bind(3, u.flags)
        s.bind(4, createdAt)
        s.bind(5, updatedAt)
        s.bind(6, u.accessed_at)
        s.bind(7, u.login_at)
        s.bind(8, u.username)
        s.bind(9, u.email)
        s.bind(10, u.display_name)
        s.bind(11, u.password_hash)
        s.bind(12, u.mfa_secret)
        s.bind(13, u.mfa_last_step)
        if u.has_group { s.bind(14, u.group_id) } else { s.bindNull(14) }
    }

    /// Says what a constraint failure on the users row was about.
    static func diagnose(_ c: Connection, _ u: proteus_user, _ f: SQLiteFailure, checkID: Bool) throws -> Error {
        if f.isUnique {
            if checkID, try exists(c, "SELECT 1 FROM users WHERE id = ?", { $0.bind(1, u.id) }) {
                return PluginError.conflict("a user with id \(u.id.text) already exists")
            }
            if u.username.isPresent,
               try exists(c, "SELECT 1 FROM users WHERE username = ? AND id <> ?", { $0.bind(1, u.username); $0.bind(2, u.id) }) {
                return PluginError.conflict("the username \"\(u.username.string ?? "")\" is already taken")
            }
            return PluginError.conflict("a uniqueness rule would break")
        }
        if f.isForeignKey {
            if u.has_group, try !exists(c, "SELECT 1 FROM groups WHERE id = ?", { $0.bind(1, u.group_id) }) {
                return PluginError.invalid("unknown group \(u.group_id.text)")
            }
            return PluginError.invalid("the user refers to a group that does not exist")
        }
        return f.pluginError
    }

    static func exists(_ c: Connection, _ sql: String, _ bind: (Statement) -> Void) throws -> Bool {
        try c.with(sql) { s in
            bind(s)
            return try s.step("checking a record")
        }
    }

    /// Adds the record's roles (duplicates collapse); INVALID for an unknown slug.
    static func addRoles(_ c: Connection, _ u: proteus_user) throws {
        guard u.role_count > 0 else { return }
        try c.with("INSERT OR IGNORE INTO user_roles (user_id, role_slug) VALUES (?, ?)") { s in
            for i in 0..<Int(u.role_count) {
                let slug = u.roles[i]
                s.bind(1, u.id)
                s.bind(2, slug)
                do {
                    try s.run("adding a role to a user")
                } catch let f as SQLiteFailure where f.isForeignKey {
                    throw PluginError.invalid("unknown role \"\(slug.string ?? "")\"")
                }
                s.reset()
            }
        }
    }

    static func replaceRoles(_ c: Connection, _ u: proteus_user) throws {
        try c.with("DELETE FROM user_roles WHERE user_id = ?") { s in
            s.bind(1, u.id)
            try s.run("replacing a user's roles")
        }
        try addRoles(c, u)
    }

    /// Writes the record's documents: present json upserts, absent json
    /// deletes that namespace. `replaceAll` first drops every document.
    static func writeDocs(_ c: Connection, _ u: proteus_user, replaceAll: Bool) throws {
        if replaceAll {
            try c.with("DELETE FROM documents WHERE user_id = ?") { s in
                s.bind(1, u.id)
                try s.run("replacing a user's documents")
            }
        }
        for i in 0..<Int(u.doc_count) {
            let doc = u.docs[i]
            if doc.json.isPresent {
                try c.with("INSERT INTO documents (user_id, ns, json) VALUES (?, ?, ?) ON CONFLICT (user_id, ns) DO UPDATE SET json = excluded.json") { s in
                    s.bind(1, u.id)
                    s.bind(2, doc.ns)
                    s.bind(3, doc.json)
                    try s.run("writing a document")
                }
            } else if !replaceAll {
                try c.with("DELETE FROM documents WHERE user_id = ? AND ns = ?") { s in
                    s.bind(1, u.id)
                    s.bind(2, doc.ns)
                    try s.run("deleting a document")
                }
            }
        }
    }

    /// What a write needs to know about the stored user.
    struct Current {
        var version: UInt64
        var flags: UInt32
        var seq: Int64
        var username: [UInt8]?
    }

    static func current(_ c: Connection, _ id: proteus_id) throws -> Current? {
        try c.with("SELECT version, flags, seq, username FROM users WHERE id = ?") { s in
            s.bind(1, id)
            guard try s.step("reading a user's version") else { return nil }
            return Current(version: UInt64(bitPattern: s.int64(0)), flags: UInt32(truncatingIfNeeded: s.int64(1)),
                           seq: s.int64(2), username: s.blob(3))
        }
    }

    /// The user is enabled and holds `role`.
    static func isEnabledHolder(_ c: Connection, _ id: proteus_id, _ role: proteus_str) throws -> Bool {
        try c.with("""
            SELECT 1 FROM users u JOIN user_roles r ON r.user_id = u.id \
            WHERE u.id = ? AND r.role_slug = ? AND (u.flags & ?) = 0
            """) { s in
            s.bind(1, id)
            s.bind(2, role)
            s.bind(3, PROTEUS_USER_DISABLED)
            return try s.step("checking the guard role")
        }
    }

    /// Some enabled user holds `role`.
    static func anyEnabledHolder(_ c: Connection, _ role: proteus_str) throws -> Bool {
        try c.with("""
            SELECT 1 FROM user_roles r JOIN users u ON u.id = r.user_id \
            WHERE r.role_slug = ? AND (u.flags & ?) = 0 LIMIT 1
            """) { s in
            s.bind(1, role)
            s.bind(2, PROTEUS_USER_DISABLED)
            return try s.step("checking the guard role")
        }
    }
}

/// The trigram index over usernames (users_fts, external content). Every
/// statement that inserts or deletes a user or sets its username calls one
/// of these in the same transaction; the index must see exactly the text it
/// was given. Every user has an index row, also without a username (NULL
/// has no trigrams), so the index's document table matches users row for row.
enum UsernameIndex {
    static func add(_ c: Connection, seq: Int64, _ username: proteus_str) throws {
        try c.with("INSERT INTO users_fts (rowid, username) VALUES (?, ?)") { s in
            s.bind(1, seq)
            s.bind(2, username)
            try s.run("indexing a username")
        }
    }

    static func remove(_ c: Connection, seq: Int64, _ old: [UInt8]?) throws {
        try c.with("INSERT INTO users_fts (users_fts, rowid, username) VALUES ('delete', ?, ?)") { s in
            s.bind(1, seq)
            if let old { s.bind(2, text: old) } else { s.bindNull(2) }
            try s.run("unindexing a username")
        }
    }

    static func change(_ c: Connection, seq: Int64, from old: [UInt8]?, to new: proteus_str) throws {
        if old == nil && !new.isPresent { return }
        if let old, new.isPresent, old.elementsEqual(new.buffer) { return }
        try remove(c, seq: seq, old)
        try add(c, seq: seq, new)
    }
}
