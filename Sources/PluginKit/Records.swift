// Swift mirrors of the directory records in the ABI, with conversions both
// ways: `init(_ c:)` copies a C record into Swift values; `ArenaWriter`
// writes a Swift record as a C record into an arena.
import PluginAPI

public struct DocumentRecord: Sendable, Equatable {
    public var namespace: String
    /// JSON text; nil in an update means "delete this document".
    public var json: String?
    public init(namespace: String, json: String?) { self.namespace = namespace; self.json = json }
}

public struct UserRecord: Sendable {
    public var id: [UInt8]            // 16 bytes
    public var flags: UInt32 = 0
    public var version: UInt64 = 0
    public var createdAt: Int64 = 0
    public var updatedAt: Int64 = 0
    public var accessedAt: Int64 = 0
    public var loginAt: Int64 = 0
    public var username: String?
    public var email: String?
    public var displayName: String?
    public var passwordHash: String?
    public var mfaSecret: [UInt8]?
    public var mfaLastStep: Int64 = 0
    public var groupID: [UInt8]?      // 16 bytes when in a group
    public var roles: [String] = []
    public var documents: [DocumentRecord] = []

    public init(id: [UInt8]) { self.id = id }

    public var isDisabled: Bool { flags & PROTEUS_USER_DISABLED != 0 }
    public var isMFAEnabled: Bool { flags & PROTEUS_USER_MFA_ENABLED != 0 }

    /// The JSON text of one namespace's document, if loaded and present.
    public func document(_ namespace: String) -> String? {
        documents.first { $0.namespace == namespace }?.json ?? nil
    }

    public init(_ c: proteus_user) {
        id = c.id.byteArray
        flags = c.flags
        version = c.version
        createdAt = c.created_at
        updatedAt = c.updated_at
        accessedAt = c.accessed_at
        loginAt = c.login_at
        username = c.username.string
        email = c.email.string
        displayName = c.display_name.string
        passwordHash = c.password_hash.string
        mfaSecret = c.mfa_secret.array
        mfaLastStep = c.mfa_last_step
        groupID = c.has_group ? c.group_id.byteArray : nil
        roles = (0..<Int(c.role_count)).map { c.roles[$0].string ?? "" }
        documents = (0..<Int(c.doc_count)).map {
            DocumentRecord(namespace: c.docs[$0].ns.string ?? "", json: c.docs[$0].json.string)
        }
    }
}

public struct GroupRecord: Sendable, Equatable {
    public var id: [UInt8]
    public var version: UInt64 = 0
    public var createdAt: Int64 = 0
    public var updatedAt: Int64 = 0
    public var name: String
    public var description: String?
    public var policyJSON: String?
    public var memberCount: UInt64 = 0

    public init(id: [UInt8], name: String) { self.id = id; self.name = name }

    public init(_ c: proteus_group) {
        id = c.id.byteArray
        version = c.version
        createdAt = c.created_at
        updatedAt = c.updated_at
        name = c.name.string ?? ""
        description = c.description.string
        policyJSON = c.policy_json.string
        memberCount = c.member_count
    }
}

public struct RoleRecord: Sendable, Equatable {
    public var id: Int64 = 0
    public var slug: String
    public var name: String?
    public var attributesJSON: String?

    public init(slug: String, name: String? = nil, attributesJSON: String? = nil) {
        self.slug = slug; self.name = name; self.attributesJSON = attributesJSON
    }

    public init(_ c: proteus_role) {
        id = c.id
        slug = c.slug.string ?? ""
        name = c.name.string
        attributesJSON = c.attributes_json.string
    }
}

public struct SessionRecord: Sendable, Equatable {
    public var tokenHash: [UInt8]
    public var userID: [UInt8]
    public var namespace: String
    public var createdAt: Int64 = 0
    public var expiresAt: Int64 = 0
    public var dataJSON: String?

    public init(tokenHash: [UInt8], userID: [UInt8], namespace: String) {
        self.tokenHash = tokenHash; self.userID = userID; self.namespace = namespace
    }

    public init(_ c: proteus_session) {
        tokenHash = c.token_hash.array ?? []
        userID = c.user_id.byteArray
        namespace = c.ns.string ?? ""
        createdAt = c.created_at
        expiresAt = c.expires_at
        dataJSON = c.data_json.string
    }
}

public struct APIKeyRecord: Sendable, Equatable {
    public var keyHash: [UInt8]
    public var userID: [UInt8]
    public var namespace: String
    public var label: String?
    public var createdAt: Int64 = 0
    public var lastUsedAt: Int64 = 0

    public init(keyHash: [UInt8], userID: [UInt8], namespace: String) {
        self.keyHash = keyHash; self.userID = userID; self.namespace = namespace
    }

    public init(_ c: proteus_api_key) {
        keyHash = c.key_hash.array ?? []
        userID = c.user_id.byteArray
        namespace = c.ns.string ?? ""
        label = c.label.string
        createdAt = c.created_at
        lastUsedAt = c.last_used_at
    }
}

/// An API key with its owner's record (apikey_owner).
public struct KeyOwner: Sendable {
    public var key: APIKeyRecord
    public var user: UserRecord
    public init(key: APIKeyRecord, user: UserRecord) { self.key = key; self.user = user }
}

public struct IdentityRecord: Sendable, Equatable {
    public var provider: String
    public var subject: String
    public var userID: [UInt8]

    public init(provider: String, subject: String, userID: [UInt8]) {
        self.provider = provider; self.subject = subject; self.userID = userID
    }

    public init(_ c: proteus_identity) {
        provider = c.provider.string ?? ""
        subject = c.subject.string ?? ""
        userID = c.user_id.byteArray
    }
}

/// A plugin entry (proteus_entry, ABI 2.3): one JSON value under a key in
/// an owner's namespace, not tied to a user. createdAt and updatedAt are
/// the store's (ignored when writing).
public struct EntryRecord: Sendable, Equatable {
    public var namespace: String
    public var key: String
    /// One JSON value as text, stored byte for byte (the store does not parse it).
    public var json: String
    public var createdAt: Int64 = 0
    public var updatedAt: Int64 = 0

    public init(namespace: String, key: String, json: String, createdAt: Int64 = 0, updatedAt: Int64 = 0) {
        self.namespace = namespace; self.key = key; self.json = json
        self.createdAt = createdAt; self.updatedAt = updatedAt
    }

    public init(_ c: proteus_entry) {
        namespace = c.ns.string ?? ""
        key = c.key.string ?? ""
        json = c.json.string ?? ""
        createdAt = c.created_at
        updatedAt = c.updated_at
    }
}

/// A user search (see proteus_user_query).
public struct UserQuery: Sendable {
    public var usernameContains: String?
    public var email: String?
    public var hasRole: String?
    public var lacksRoles: [String] = []
    public var flagsMask: UInt32 = 0
    public var flagsValue: UInt32 = 0
    public var groupFilter: Int32 = PROTEUS_GROUP_ANY
    public var groupID: [UInt8]?
    public var offset: UInt64 = 0
    public var limit: UInt32 = 0
    public var order: Int32 = PROTEUS_ORDER_CREATED
    public var documentNamespace: String?
    /// (ABI 2.3) The username compared ASCII-case-insensitively with this
    /// text, as `usernameFoldedMatch` says (PROTEUS_MATCH_EQUALS: the whole
    /// username, PROTEUS_MATCH_PREFIX: its start); nil = any. A store built
    /// against 2.2 cannot: StoreClient.search then throws UNSUPPORTED.
    public var usernameFolded: String?
    public var usernameFoldedMatch: Int32 = PROTEUS_MATCH_EQUALS
    /// (ABI 2.6) Keyset paging in username order: only users whose
    /// username sorts after this one (bytes); nil = from the first.
    public var afterUsername: String?
    /// (ABI 2.6) 0 = an exact total; N > 0 = the store may stop counting
    /// at N (UserPage.totalIsLowerBound then says so).
    public var totalCap: UInt64 = 0
    /// (ABI 2.7) Also answer, for each user of the page, whether it holds
    /// an API key of `keyNamespace` (nil: any): UserPage.holdsKey.
    public var keyPresence = false
    public var keyNamespace: String?

    public init() {}

    /// True when the query sets a field only a 2.6 store reads.
    public var needs2_6: Bool { afterUsername != nil || totalCap != 0 }

    public init(_ c: proteus_user_query) {
        usernameContains = c.username_contains.string
        email = c.email.string
        hasRole = c.has_role.string
        lacksRoles = (0..<Int(c.lacks_role_count)).map { c.lacks_roles[$0].string ?? "" }
        flagsMask = c.flags_mask
        flagsValue = c.flags_value
        groupFilter = c.group_filter
        groupID = c.group_filter == PROTEUS_GROUP_EQUALS ? c.group_id.byteArray : nil
        offset = c.offset
        limit = c.limit
        order = c.order
        documentNamespace = c.doc_ns.string
        // Only what the writer's struct_size holds (a 2.2 query ends before).
        if GrownRecord.holds(\proteus_user_query.username_folded_match, declaredSize: c.struct_size) {
            usernameFolded = c.username_folded.string
            usernameFoldedMatch = c.username_folded_match
        }
        if GrownRecord.holds(\proteus_user_query.total_cap, declaredSize: c.struct_size) {
            afterUsername = c.after_username.string
            totalCap = c.total_cap
        }
        if GrownRecord.holds(\proteus_user_query.key_ns, declaredSize: c.struct_size) {
            keyPresence = c.key_presence
            keyNamespace = c.key_ns.string
        }
    }
}

public struct UserPage: Sendable {
    public var total: UInt64
    public var users: [UserRecord]
    /// (ABI 2.6) `total` is a lower bound: the store stopped counting at
    /// the query's totalCap (PROTEUS_PAGE_TOTAL_AT_LEAST).
    public var totalIsLowerBound = false
    /// (ABI 2.7) For a query with keyPresence: whether users[i] holds an
    /// API key of its keyNamespace (as many as users); nil otherwise.
    public var holdsKey: [Bool]?
    public init(total: UInt64, users: [UserRecord], totalIsLowerBound: Bool = false, holdsKey: [Bool]? = nil) {
        self.total = total
        self.users = users
        self.totalIsLowerBound = totalIsLowerBound
        self.holdsKey = holdsKey
    }
    /// Nil when the store wrote a page this reader cannot read (see
    /// RecordArray). A page written before 2.6 ends before `flags`.
    public init?(_ page: UnsafePointer<proteus_user_page>) {
        let size = UnsafeRawPointer(page).load(as: UInt32.self)
        guard GrownRecord.holds(\proteus_user_page.items, declaredSize: size),
              let users = RecordArray.read(page.pointee.items, count: page.pointee.count, UserRecord.init) else {
            return nil
        }
        total = page.pointee.total
        self.users = users
        if GrownRecord.holds(\proteus_user_page.flags, declaredSize: size) {
            totalIsLowerBound = page.pointee.flags & PROTEUS_PAGE_TOTAL_AT_LEAST != 0
        }
        if GrownRecord.holds(\proteus_user_page.holds_key, declaredSize: size), let holds = page.pointee.holds_key {
            holdsKey = (0..<users.count).map { holds[$0] != 0 }
        }
    }
}

extension ArenaWriter {
    public func id(_ bytes: [UInt8]?) -> proteus_id {
        guard let bytes, bytes.count == 16 else { return proteus_id() }
        return proteus_id(byteArray: bytes)
    }

    public func user(_ r: UserRecord) throws -> proteus_user {
        var c = proteus_user()
        c.struct_size = RecordArray.size(of: proteus_user.self)
        c.flags = r.flags
        c.id = id(r.id)
        c.version = r.version
        c.created_at = r.createdAt
        c.updated_at = r.updatedAt
        c.accessed_at = r.accessedAt
        c.login_at = r.loginAt
        c.username = try str(r.username)
        c.email = try str(r.email)
        c.display_name = try str(r.displayName)
        c.password_hash = try str(r.passwordHash)
        c.mfa_secret = try bytes(r.mfaSecret)
        c.mfa_last_step = r.mfaLastStep
        c.has_group = r.groupID != nil
        c.group_id = id(r.groupID)
        if !r.roles.isEmpty {
            let roles = try allocate(proteus_str.self, count: r.roles.count)
            for (i, slug) in r.roles.enumerated() { roles[i] = try str(slug) }
            c.roles = UnsafePointer(roles)
        }
        c.role_count = UInt32(r.roles.count)
        if !r.documents.isEmpty {
            let docs = try allocate(proteus_doc.self, count: r.documents.count)
            for (i, d) in r.documents.enumerated() {
                docs[i] = proteus_doc(ns: try str(d.namespace), json: try str(d.json))
            }
            c.docs = UnsafePointer(docs)
        }
        c.doc_count = UInt32(r.documents.count)
        return c
    }

    /// `holdsKey` (2.7): the key presence of each of `users`, when the
    /// query asked for it.
    public func userPage(total: UInt64, users: [UserRecord], totalIsLowerBound: Bool = false,
                         holdsKey: [Bool]? = nil) throws -> UnsafeMutablePointer<proteus_user_page> {
        let page = try allocate(proteus_user_page.self, count: 1)
        page.pointee.struct_size = RecordArray.size(of: proteus_user_page.self)
        page.pointee.total = total
        page.pointee.flags = totalIsLowerBound ? PROTEUS_PAGE_TOTAL_AT_LEAST : 0
        page.pointee.count = UInt32(users.count)
        page.pointee.holds_key = nil
        if let holdsKey, !holdsKey.isEmpty {
            guard holdsKey.count == users.count else {
                throw PluginError.internal("the key presence of \(holdsKey.count) users for a page of \(users.count)")
            }
            let holds = try allocate(UInt8.self, count: holdsKey.count)
            for (i, h) in holdsKey.enumerated() { holds[i] = h ? 1 : 0 }
            page.pointee.holds_key = UnsafePointer(holds)
        }
        if !users.isEmpty {
            let items = try allocate(proteus_user.self, count: users.count)
            for (i, u) in users.enumerated() { items[i] = try user(u) }
            page.pointee.items = UnsafePointer(items)
        }
        return page
    }

    public func group(_ r: GroupRecord) throws -> proteus_group {
        var c = proteus_group()
        c.struct_size = RecordArray.size(of: proteus_group.self)
        c.id = id(r.id)
        c.version = r.version
        c.created_at = r.createdAt
        c.updated_at = r.updatedAt
        c.name = try str(r.name)
        c.description = try str(r.description)
        c.policy_json = try str(r.policyJSON)
        c.member_count = r.memberCount
        return c
    }

    public func role(_ r: RoleRecord) throws -> proteus_role {
        var c = proteus_role()
        c.struct_size = RecordArray.size(of: proteus_role.self)
        c.id = r.id
        c.slug = try str(r.slug)
        c.name = try str(r.name)
        c.attributes_json = try str(r.attributesJSON)
        return c
    }

    public func session(_ r: SessionRecord) throws -> proteus_session {
        var c = proteus_session()
        c.struct_size = RecordArray.size(of: proteus_session.self)
        c.token_hash = try bytes(r.tokenHash)
        c.user_id = id(r.userID)
        c.ns = try str(r.namespace)
        c.created_at = r.createdAt
        c.expires_at = r.expiresAt
        c.data_json = try str(r.dataJSON)
        return c
    }

    public func apiKey(_ r: APIKeyRecord) throws -> proteus_api_key {
        var c = proteus_api_key()
        c.struct_size = RecordArray.size(of: proteus_api_key.self)
        c.key_hash = try bytes(r.keyHash)
        c.user_id = id(r.userID)
        c.ns = try str(r.namespace)
        c.label = try str(r.label)
        c.created_at = r.createdAt
        c.last_used_at = r.lastUsedAt
        return c
    }

    public func identity(_ r: IdentityRecord) throws -> proteus_identity {
        var c = proteus_identity()
        c.struct_size = RecordArray.size(of: proteus_identity.self)
        c.provider = try str(r.provider)
        c.subject = try str(r.subject)
        c.user_id = id(r.userID)
        return c
    }

    public func query(_ q: UserQuery) throws -> proteus_user_query {
        var c = proteus_user_query()
        c.struct_size = RecordArray.size(of: proteus_user_query.self)
        c.username_contains = try str(q.usernameContains)
        c.email = try str(q.email)
        c.has_role = try str(q.hasRole)
        if !q.lacksRoles.isEmpty {
            let roles = try allocate(proteus_str.self, count: q.lacksRoles.count)
            for (i, slug) in q.lacksRoles.enumerated() { roles[i] = try str(slug) }
            c.lacks_roles = UnsafePointer(roles)
        }
        c.lacks_role_count = UInt32(q.lacksRoles.count)
        c.flags_mask = q.flagsMask
        c.flags_value = q.flagsValue
        c.group_filter = q.groupFilter
        c.group_id = id(q.groupID)
        c.offset = q.offset
        c.limit = q.limit
        c.order = q.order
        c.doc_ns = try str(q.documentNamespace)
        c.username_folded = try str(q.usernameFolded)
        c.username_folded_match = q.usernameFoldedMatch
        c.after_username = try str(q.afterUsername)
        c.total_cap = q.totalCap
        c.key_presence = q.keyPresence
        c.key_ns = try str(q.keyNamespace)
        return c
    }

    public func entry(_ r: EntryRecord) throws -> proteus_entry {
        var c = proteus_entry()
        c.struct_size = RecordArray.size(of: proteus_entry.self)
        c.ns = try str(r.namespace)
        c.key = try str(r.key)
        c.json = try str(r.json)
        c.created_at = r.createdAt
        c.updated_at = r.updatedAt
        return c
    }
}

// MARK: - lists

extension ArenaWriter {
    /// A list record whose items are written by `convert`.
    private func list<Item, CItem, List>(_ items: [Item], _ type: List.Type, _ convert: (Item) throws -> CItem,
                                         _ fill: (UnsafeMutablePointer<List>, UInt32, UnsafePointer<CItem>?) -> Void) throws -> UnsafeMutablePointer<List> {
        let list = try allocate(List.self, count: 1)
        // Every list starts with its struct_size.
        UnsafeMutableRawPointer(list).storeBytes(of: RecordArray.size(of: List.self), as: UInt32.self)
        var pointer: UnsafePointer<CItem>? = nil
        if !items.isEmpty {
            let out = try allocate(CItem.self, count: items.count)
            for (i, item) in items.enumerated() { out[i] = try convert(item) }
            pointer = UnsafePointer(out)
        }
        fill(list, UInt32(items.count), pointer)
        return list
    }

    public func groupList(_ groups: [GroupRecord]) throws -> UnsafeMutablePointer<proteus_group_list> {
        try list(groups, proteus_group_list.self, group) { $0.pointee.count = $1; $0.pointee.items = $2 }
    }

    public func roleList(_ roles: [RoleRecord]) throws -> UnsafeMutablePointer<proteus_role_list> {
        try list(roles, proteus_role_list.self, role) { $0.pointee.count = $1; $0.pointee.items = $2 }
    }

    public func apiKeyList(_ keys: [APIKeyRecord]) throws -> UnsafeMutablePointer<proteus_api_key_list> {
        try list(keys, proteus_api_key_list.self, apiKey) { $0.pointee.count = $1; $0.pointee.items = $2 }
    }

    public func identityList(_ links: [IdentityRecord]) throws -> UnsafeMutablePointer<proteus_identity_list> {
        try list(links, proteus_identity_list.self, identity) { $0.pointee.count = $1; $0.pointee.items = $2 }
    }

    public func entryList(_ entries: [EntryRecord]) throws -> UnsafeMutablePointer<proteus_entry_list> {
        try list(entries, proteus_entry_list.self, entry) { $0.pointee.count = $1; $0.pointee.items = $2 }
    }

    /// One record in the arena.
    public func single<T>(_ value: T) throws -> UnsafeMutablePointer<T> {
        let p = try allocate(T.self, count: 1)
        p.pointee = value
        return p
    }
}
