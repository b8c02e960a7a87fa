// Reading users into PluginKit's UserRecord. One SELECT returns the user
// row with its roles and selected documents as arrays (columns 14-16), so a
// record is always read from one consistent snapshot in one round trip.
import PluginAPI
import PluginKit

enum UserRows {
    static let baseColumns = """
        u.id, u.flags, u.version, u.created_at, u.updated_at, u.accessed_at, u.login_at, \
        u.username, u.email, u.display_name, u.password_hash, u.mfa_secret, u.mfa_last_step, u.group_id, \
        ARRAY(SELECT r.role_slug FROM user_roles r WHERE r.user_id = u.id ORDER BY r.role_slug)
        """

    /// The column list of a user SELECT (table alias `u`). For one namespace
    /// the caller binds it as parameter `nsParam`.
    static func columns(_ docs: Input.DocSelection, nsParam: Int = 0) -> String {
        switch docs {
        case .none:
            return baseColumns + ", NULL::text[], NULL::text[]"
        case .all:
            return baseColumns + """
                , ARRAY(SELECT d.ns FROM documents d WHERE d.user_id = u.id ORDER BY d.ns), \
                ARRAY(SELECT d.json FROM documents d WHERE d.user_id = u.id ORDER BY d.ns)
                """
        case .one:
            return baseColumns + """
                , ARRAY(SELECT d.ns FROM documents d WHERE d.user_id = u.id AND d.ns = $\(nsParam)), \
                ARRAY(SELECT d.json FROM documents d WHERE d.user_id = u.id AND d.ns = $\(nsParam))
                """
        }
    }

    /// Binds the namespace of a one-namespace selection (nothing otherwise).
    static func bindNamespace(_ docs: Input.DocSelection, _ p: inout PGParams) {
        if case .one(let ns) = docs { p.text(ns) }
    }

    static func read(_ r: PGResult, _ row: Int) -> UserRecord {
        var u = UserRecord(id: r.id(row, 0) ?? [UInt8](repeating: 0, count: 16))
        u.flags = UInt32(truncatingIfNeeded: r.int64(row, 1))
        u.version = UInt64(bitPattern: r.int64(row, 2))
        u.createdAt = r.int64(row, 3)
        u.updatedAt = r.int64(row, 4)
        u.accessedAt = r.int64(row, 5)
        u.loginAt = r.int64(row, 6)
        u.username = r.text(row, 7)
        u.email = r.text(row, 8)
        u.displayName = r.text(row, 9)
        u.passwordHash = r.text(row, 10)
        u.mfaSecret = r.bytes(row, 11)
        u.mfaLastStep = r.int64(row, 12)
        u.groupID = r.id(row, 13)
        u.roles = r.textArray(row, 14)
        if !r.isNull(row, 15) {
            let names = r.array(row, 15), jsons = r.array(row, 16)
            u.documents = zip(names, jsons).map { ns, json in
                DocumentRecord(namespace: ns.map { String(decoding: $0, as: UTF8.self) } ?? "",
                               json: json.map { String(decoding: $0, as: UTF8.self) })
            }
        }
        return u
    }

    static func readAll(_ r: PGResult) -> [UserRecord] {
        (0..<r.rows).map { read(r, $0) }
    }
}
