// The users row: lookups, writes, the version lock and the guard role.
import PluginKit

/// How a user is looked up (user_get's key.by). The raw value indexes a
/// backend's lookup statements, kept in this order.
public enum UserLookup: Int, Sendable {
    case id, username, email
}

/// How a backend's user SELECTs deliver roles and documents.
public enum UserDetails: Sendable {
    /// In the row itself, as lists: column 14 the role slugs (sorted),
    /// columns 15 and 16 the selected documents' namespaces and JSON texts
    /// (sorted by namespace; NULL when no documents were selected). One
    /// round trip per user read.
    case inRow
    /// By queries per user after the row (cheap where the database is in
    /// process).
    case queried(UserDetailQueries)

    /// Columns of a user row with its details in the row (14 + 3): what a
    /// statement selects after it starts here.
    public static let inRowColumnCount = 17
}

public struct UserDetailQueries: Sendable {
    /// Binds the user id; returns role slugs, sorted. Nil: the row carries
    /// them as a 15th column, the user's facet role set ",a,b," ("," for
    /// none; schema 3's users.role_set), and no query is needed.
    public let roles: String?
    /// Binds the user id; returns (ns, json) of every document, sorted by ns.
    public let allDocuments: String
    /// Binds the user id and a namespace; returns (ns, json).
    public let oneDocument: String
    /// The documents of several users in one statement: binds
    /// `documentBatch` user ids (a shorter batch repeats its last id, so the
    /// text never changes), then for `oneDocumentBatch` the namespace;
    /// returns (user_id, ns, json), in any order.
    public let allDocumentsBatch: String
    public let oneDocumentBatch: String
    public static let documentBatch = 32

    public init(roles: String?, allDocuments: String, oneDocument: String, allDocumentsBatch: String, oneDocumentBatch: String) {
        self.roles = roles
        self.allDocuments = allDocuments
        self.oneDocument = oneDocument
        self.allDocumentsBatch = allDocumentsBatch
        self.oneDocumentBatch = oneDocumentBatch
    }
}

/// Statements keeping a backend's own username indexes in step with the
/// users table (SQLite's trigram indexes with external content), one of
/// each per index.
public struct UsernameIndexSQL: Sendable {
    /// Take a username out of the indexes: each binds the user id and the
    /// username as stored (possibly NULL). Run for a user that exists,
    /// before its username changes or its row goes.
    public let remove: [String]
    /// Put a username into the indexes: each binds the user id and the
    /// username just written (possibly NULL), after the row was.
    public let add: [String]

    public init(remove: [String], add: [String]) {
        self.remove = remove
        self.add = add
    }
}

/// The user columns a user_update may set, in the order their values are
/// bound (after the id and updated_at).
public enum UserColumn: String, Sendable {
    case username, email, displayName = "display_name", passwordHash = "password_hash", flags
    case mfaSecret = "mfa_secret", mfaLastStep = "mfa_last_step", groupID = "group_id"
    case accessedAt = "accessed_at", loginAt = "login_at"
}

/// "User values" below: the 14 values of a complete users row, bound in
/// this order: id, version, flags, created_at, updated_at, accessed_at,
/// login_at, username, email, display_name, password_hash, mfa_secret,
/// mfa_last_step, group_id. "A user row": the columns id, flags, version,
/// created_at, updated_at, accessed_at, login_at, username, email,
/// display_name, password_hash, mfa_secret, mfa_last_step, group_id (table
/// alias `u`), then the details with UserDetails.inRow.
public protocol UserSQL: Sendable {
    /// One user row by `lookup`: binds the id, the username (byte-exact) or
    /// the email (ASCII case folded; the earliest created wins), then, with
    /// UserDetails.inRow and one selected namespace, that namespace.
    func selectUser(by lookup: UserLookup, documents: StoreInput.DocSelection) -> String
    /// selectUser's row followed by one more column: 1 when the user holds
    /// an API key of a namespace, else 0. Binds as selectUser does, then
    /// the namespace (NULL: any).
    func selectUserWithKeyPresence(by lookup: UserLookup, documents: StoreInput.DocSelection) -> String
    var userDetails: UserDetails { get }

    /// Inserts one user: binds the user values.
    var insertUser: String { get }
    /// Overwrites every column of the user with the first value's id: binds
    /// the user values.
    var replaceUser: String { get }
    /// Sets some columns of one user, version + 1: binds the id and
    /// updated_at, then the values `assignments` names (", username = ?3,
    /// email = ?4": empty when only the version and updated_at change).
    func updateUser(setting assignments: String) -> String
    /// Binds the id.
    var deleteUser: String { get }
    /// Reads (and, where the backend locks rows, locks for the
    /// transaction) one user: binds the id; returns version, username.
    var lockUser: String { get }
    /// Binds the id; a row when the user exists (locked like lockUser).
    var userExists: String { get }
    /// Locks the guard role's row before the user's, so guarded changes of
    /// one role run one after the other and each sees the previous
    /// outcome. Binds the slug. nil: the backend serialises writers anyway.
    var lockGuardRole: String? { get }
    /// A row when the user is enabled and holds the role: binds the id,
    /// the slug and PROTEUS_USER_DISABLED.
    var isEnabledHolder: String { get }
    /// A row when some enabled user holds the role: binds the slug and
    /// PROTEUS_USER_DISABLED.
    var anyEnabledHolder: String { get }
    /// nil when the backend's username search needs no index of its own.
    var usernameIndex: UsernameIndexSQL? { get }
}
