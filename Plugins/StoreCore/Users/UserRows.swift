// Reading users: the 14 columns of a user row into PluginKit's UserRecord,
// then its roles and documents, from the row itself or by queries
// (UserDetails: the backend's choice).
import PluginAPI
import PluginKit

struct UserRows {
    let details: UserDetails

    var detailsInRow: Bool {
        if case .inRow = details { return true }
        return false
    }

    /// Column 14 is users.role_set, the roles (UserDetailQueries.roles nil).
    var rolesInRoleSet: Bool {
        if case .queried(let q) = details { return q.roles == nil }
        return false
    }

    /// Columns of a user row as read by `read`: the 14 user columns, then
    /// role_set or the 3 details columns. Whatever a statement selects
    /// after the user row starts here.
    var userColumnCount: Int { detailsInRow ? UserDetails.inRowColumnCount : rolesInRoleSet ? 15 : 14 }

    /// Reading a user takes more than one statement (one snapshot needed).
    var readsInSeveralStatements: Bool { !detailsInRow }

    /// The user row at the statement's current row.
    func read(_ s: any StoreStatement) -> UserRecord {
        var u = UserRecord(id: s.id(0) ?? [UInt8](repeating: 0, count: 16))
        u.flags = UInt32(truncatingIfNeeded: s.int64(1))
        u.version = UInt64(bitPattern: s.int64(2))
        u.createdAt = s.int64(3)
        u.updatedAt = s.int64(4)
        u.accessedAt = s.int64(5)
        u.loginAt = s.int64(6)
        u.username = s.text(7)
        u.email = s.text(8)
        u.displayName = s.text(9)
        u.passwordHash = s.text(10)
        u.mfaSecret = s.bytes(11)
        u.mfaLastStep = s.int64(12)
        u.groupID = s.id(13)
        if rolesInRoleSet {
            u.roles = (s.text(14) ?? ",").split(separator: ",").map(String.init)
        } else if detailsInRow {
            u.roles = (s.texts(14) ?? []).map { $0 ?? "" }
            if let names = s.texts(15) {
                let texts = s.texts(16) ?? []
                u.documents = zip(names, texts).map { DocumentRecord(namespace: $0 ?? "", json: $1) }
            }
        }
        return u
    }

    /// Every user row of `sql`, complete (roles and selected documents).
    /// `extra` reads what each row holds after the user's columns.
    func readAll(_ c: any StoreConnection, _ sql: String, _ context: String, documents: StoreInput.DocSelection,
                 extra: ((any StoreStatement) -> Void)? = nil, _ bind: (any StoreStatement) -> Void) throws -> [UserRecord] {
        var users = try c.all(sql, context, bind) { s in
            extra?(s)
            return read(s)
        }
        guard case .queried(let q) = details, users.count > 1 else {
            for i in users.indices { try complete(c, &users[i], documents: documents) }
            return users
        }
        // Several users: roles from their rows or one query each, documents
        // in batches (one statement per documentBatch users).
        if let roles = q.roles {
            for i in users.indices {
                let id = users[i].id
                users[i].roles = try c.all(roles, "reading a user's roles", { $0.bind(bytes: id) }) { $0.text(0) ?? "" }
            }
        }
        let batchSQL: String
        switch documents {
        case .none: return users
        case .all: batchSQL = q.allDocumentsBatch
        case .one: batchSQL = q.oneDocumentBatch
        }
        var index: [[UInt8]: Int] = [:]
        for (i, u) in users.enumerated() { index[u.id] = i }
        let n = UserDetailQueries.documentBatch
        for start in stride(from: 0, to: users.count, by: n) {
            let ids = users[start..<min(start + n, users.count)].map(\.id)
            let found = try c.all(batchSQL, "reading users' documents", { s in
                for k in 0..<n { s.bind(bytes: ids[min(k, ids.count - 1)]) }
                if case .one(let ns) = documents { s.bind(ns) }
            }) { s in (s.bytes(0) ?? [], Self.documentAt(s, 1)) }
            for (id, doc) in found { if let i = index[id] { users[i].documents.append(doc) } }
        }
        for i in users.indices { users[i].documents.sort { $0.namespace < $1.namespace } }
        return users
    }

    /// Adds roles (sorted by slug) and the selected documents (sorted by
    /// namespace) when the row did not carry them.
    func complete(_ c: any StoreConnection, _ u: inout UserRecord, documents: StoreInput.DocSelection) throws {
        guard case .queried(let q) = details else { return }
        let id = u.id
        if let roles = q.roles {
            u.roles = try c.all(roles, "reading a user's roles", { $0.bind(bytes: id) }) { $0.text(0) ?? "" }
        }
        switch documents {
        case .none:
            u.documents = []
        case .all:
            u.documents = try c.all(q.allDocuments, "reading a user's documents", { $0.bind(bytes: id) }, Self.document)
        case .one(let ns):
            u.documents = try c.all(q.oneDocument, "reading a user's document", { $0.bind(bytes: id); $0.bind(ns) }, Self.document)
        }
    }

    private static func document(_ s: any StoreStatement) -> DocumentRecord { documentAt(s, 0) }

    /// (ns, json) at columns `first`, `first` + 1.
    private static func documentAt(_ s: any StoreStatement, _ first: Int) -> DocumentRecord {
        DocumentRecord(namespace: s.text(first) ?? "", json: s.text(first + 1))
    }
}
