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
        if detailsInRow {
            u.roles = (s.texts(14) ?? []).map { $0 ?? "" }
            if let names = s.texts(15) {
                let texts = s.texts(16) ?? []
                u.documents = zip(names, texts).map { DocumentRecord(namespace: $0 ?? "", json: $1) }
            }
        }
        return u
    }

    /// Every user row of `sql`, complete (roles and selected documents).
    func readAll(_ c: any StoreConnection, _ sql: String, _ context: String, documents: StoreInput.DocSelection,
                 _ bind: (any StoreStatement) -> Void) throws -> [UserRecord] {
        var users = try c.all(sql, context, bind) { read($0) }
        for i in users.indices { try complete(c, &users[i], documents: documents) }
        return users
    }

    /// Adds roles (sorted by slug) and the selected documents (sorted by
    /// namespace) when the row did not carry them.
    func complete(_ c: any StoreConnection, _ u: inout UserRecord, documents: StoreInput.DocSelection) throws {
        guard case .queried(let q) = details else { return }
        let id = u.id
        u.roles = try c.all(q.roles, "reading a user's roles", { $0.bind(bytes: id) }) { $0.text(0) ?? "" }
        switch documents {
        case .none:
            u.documents = []
        case .all:
            u.documents = try c.all(q.allDocuments, "reading a user's documents", { $0.bind(bytes: id) }, Self.document)
        case .one(let ns):
            u.documents = try c.all(q.oneDocument, "reading a user's document", { $0.bind(bytes: id); $0.bind(ns) }, Self.document)
        }
    }

    private static func document(_ s: any StoreStatement) -> DocumentRecord {
        DocumentRecord(namespace: s.text(0) ?? "", json: s.text(1))
    }
}
