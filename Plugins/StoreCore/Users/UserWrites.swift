// Writing users, shared by create, update, delete and import (all inside a
// write unit of work): the complete row, its roles and documents, the
// backend's username index, the version lock, the guard role and what a
// refused users row means.
import PluginAPI
import PluginKit

struct UserWrites {
    let backend: any StoreBackend
    let sql: any StoreSQL

    /// What a write needs to know about the stored user.
    struct Current {
        var version: UInt64
        var username: String?

        /// The stored username is `name` (both absent counts as the same).
        func hasUsername(_ name: proteus_str) -> Bool {
            guard let username else { return !name.isPresent }
            return name.isPresent && username.utf8.elementsEqual(name.buffer)
        }
    }

    // MARK: the row

    /// Binds the 14 user values (UserSQL) of `u`.
    static func bindRow(_ v: any StoreValues, _ u: proteus_user, version: UInt64, createdAt: Int64, updatedAt: Int64) {
        v.bind(u.id)
        v.bind(version)
        v.bind(u.flags)
        v.bind(createdAt)
        v.bind(updatedAt)
        v.bind(u.accessed_at)
        v.bind(u.login_at)
        v.bind(u.username)
        v.bind(u.email)
        v.bind(u.display_name)
        v.bind(u.password_hash)
        v.bind(u.mfa_secret)
        v.bind(u.mfa_last_step)
        v.bind(idOrNull: u.has_group ? u.group_id : nil)
    }

    /// Inserts a complete user with its roles and documents.
    func insert(_ c: any StoreConnection, _ u: proteus_user, version: UInt64, createdAt: Int64, updatedAt: Int64) throws {
        do {
            try c.run(sql.insertUser, "creating a user") { Self.bindRow($0, u, version: version, createdAt: createdAt, updatedAt: updatedAt) }
        } catch {
            throw diagnose(error, u)
        }
        try indexUsername(c, u.id, u.username)
        try addRoles(c, u)
        try writeDocuments(c, u, replaceAll: false)
    }

    /// Replaces every field, role and document of an existing user (import UPSERT).
    func replace(_ c: any StoreConnection, _ u: proteus_user, version: UInt64) throws {
        if sql.usernameIndex != nil {
            guard let current = try current(c, u.id) else { throw PluginError.notFound("no user with id \(u.id.text)") }
            try unindexUsername(c, u.id, current.username)
        }
        let changed: Int64
        do {
            changed = try c.run(sql.replaceUser, "replacing a user") {
                Self.bindRow($0, u, version: version, createdAt: u.created_at, updatedAt: u.updated_at)
            }
        } catch {
            throw diagnose(error, u)
        }
        guard changed == 1 else { throw PluginError.notFound("no user with id \(u.id.text)") }
        try indexUsername(c, u.id, u.username)
        try replaceRoles(c, u)
        try writeDocuments(c, u, replaceAll: true)
    }

    /// Says what a refused write of the users row was about.
    func diagnose(_ error: any Error, _ u: proteus_user) -> any Error {
        guard let v = backend.violation(in: error) else { return error }
        switch (v.kind, v.key) {
        case (.unique, .userID?):
            return PluginError.conflict("a user with id \(u.id.text) already exists")
        case (.unique, .username?):
            return PluginError.conflict("the username \"\(u.username.string ?? "")\" is already taken")
        case (.foreignKey, _):
            // The row's only reference is its group.
            return u.has_group ? PluginError.invalid("unknown group \(u.group_id.text)")
                               : PluginError.invalid("the user refers to a group that does not exist")
        default:
            return error
        }
    }

    // MARK: the backend's username index

    /// Takes a user's stored username (`stored`, as lockForChange read it)
    /// out of the backend's index; the user exists.
    func unindexUsername(_ c: any StoreConnection, _ id: proteus_id, _ stored: String?) throws {
        guard let index = sql.usernameIndex else { return }
        for remove in index.remove {
            try c.run(remove, "unindexing a username") { v in
                v.bind(id)
                v.bind(text: stored)
            }
        }
    }

    /// Puts the username just written into the backend's index.
    func indexUsername(_ c: any StoreConnection, _ id: proteus_id, _ username: proteus_str) throws {
        guard let index = sql.usernameIndex else { return }
        for add in index.add {
            try c.run(add, "indexing a username") { v in
                v.bind(id)
                v.bind(username)
            }
        }
    }

    // MARK: roles and documents

    /// Adds the record's roles (duplicates collapse); INVALID for an unknown slug.
    func addRoles(_ c: any StoreConnection, _ u: proteus_user) throws {
        guard u.role_count > 0, let roles = u.roles else { return }
        let count = Int(u.role_count)
        do {
            try c.batch(sql.addUserRoles, count: count, "adding roles to a user") { v, i in
                v.bind(u.id)
                v.bind(roles[i])
            }
        } catch {
            guard let v = backend.violation(in: error), v.kind == .foreignKey else { throw error }
            let slug = v.value ?? v.item.flatMap { $0 >= 0 && $0 < count ? roles[$0].string : nil }
            throw PluginError.invalid("unknown role \(slug.map { "\"\($0)\"" } ?? "")")
        }
    }

    func replaceRoles(_ c: any StoreConnection, _ u: proteus_user) throws {
        try c.batch(sql.deleteUserRoles, count: 1, "replacing a user's roles") { v, _ in v.bind(u.id) }
        try addRoles(c, u)
    }

    /// Writes the record's documents: present json upserts, absent json
    /// deletes that namespace. `replaceAll` first drops every document (and
    /// absent json then has nothing to delete).
    func writeDocuments(_ c: any StoreConnection, _ u: proteus_user, replaceAll: Bool) throws {
        if replaceAll {
            try c.batch(sql.deleteAllDocuments, count: 1, "replacing a user's documents") { v, _ in v.bind(u.id) }
        }
        guard u.doc_count > 0, let docs = u.docs else { return }
        let all = 0..<Int(u.doc_count)
        let present = all.filter { docs[$0].json.isPresent }
        if !present.isEmpty {
            try c.batch(sql.writeDocuments, count: present.count, "writing documents") { v, i in
                v.bind(u.id)
                v.bind(docs[present[i]].ns)
                v.bind(docs[present[i]].json)
            }
        }
        guard !replaceAll, present.count < all.count else { return }
        let absent = all.filter { !docs[$0].json.isPresent }
        try c.batch(sql.deleteDocuments, count: absent.count, "deleting documents") { v, i in
            v.bind(u.id)
            v.bind(docs[absent[i]].ns)
        }
    }

    // MARK: versions and the guard role

    /// Reads the user for a change, locked for this unit of work where the
    /// backend locks rows (with a guard role, the role's row first). nil:
    /// no such user.
    func lockForChange(_ c: any StoreConnection, _ id: proteus_id, guardRole: proteus_str) throws -> Current? {
        if guardRole.isPresent, let lock = sql.lockGuardRole {
            try c.run(lock, "locking the guard role") { $0.bind(guardRole) }
        }
        return try current(c, id)
    }

    /// The stored user (locked like lockForChange); nil: no such user.
    func current(_ c: any StoreConnection, _ id: proteus_id) throws -> Current? {
        try c.first(sql.lockUser, "reading a user's version", { $0.bind(id) }) { s in
            Current(version: UInt64(bitPattern: s.int64(0)), username: s.text(1))
        }
    }

    /// The user is enabled and holds `role`.
    func isEnabledHolder(_ c: any StoreConnection, _ id: proteus_id, _ role: proteus_str) throws -> Bool {
        try c.exists(sql.isEnabledHolder, "checking the guard role") { v in
            v.bind(id)
            v.bind(role)
            v.bind(PROTEUS_USER_DISABLED)
        }
    }

    /// Some enabled user holds `role`.
    func anyEnabledHolder(_ c: any StoreConnection, _ role: proteus_str) throws -> Bool {
        try c.exists(sql.anyEnabledHolder, "checking the guard role") { v in
            v.bind(role)
            v.bind(PROTEUS_USER_DISABLED)
        }
    }
}
