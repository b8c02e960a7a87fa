// Turning a User filter into store work. Filters run in the store, never in
// memory over all users:
// - a conjunction of userName eq/sw/co, active eq and pr on always-present
//   attributes becomes one store query, which pages and counts exactly;
// - otherwise one conjunct must be a point lookup (id eq, externalId eq,
//   userName eq, emails eq), whose few candidates are then checked against
//   the whole filter; "or" needs a point lookup in each branch.
// Anything else is 400 invalidFilter, naming what is supported.
import PluginAPI
import PluginKit
import ProteusJSON

enum UserSelection {
    case query(UserQuery)
    case candidates([UserRecord])
}

struct UserSelector {
    let directory: Directory
    /// Most candidates a point lookup may bring (users sharing one email).
    static let candidateLimit: UInt32 = 1000
    static let externalIdProvider = "scim.externalId"
    static let supported = "supported: userName eq/sw/co, id eq, externalId eq, emails eq, emails[type eq \"…\"].value eq, active eq, pr, and/or of these"

    func select(_ filter: Filter?) throws -> UserSelection {
        var base = UserQuery()
        base.order = PROTEUS_ORDER_CREATED
        base.documentNamespace = SCIMDocument.namespace
        guard let filter else { return .query(base) }
        if let query = try storeQuery(filter.conjuncts, base) { return .query(query) }
        guard let found = try candidates(filter, base) else {
            throw SCIMFailure.invalidFilter("cannot run this filter in the store (\(Self.supported))")
        }
        let evaluation = FilterEvaluation(schemas: [SCIMSchema.user, SCIMSchema.enterpriseUser])
        let matching = found.filter { evaluation.matches(filter, Self.filterView($0)) }
        return .candidates(matching.sorted { ResourceID.createdBefore(($0.createdAt, $0.id), ($1.createdAt, $1.id)) })
    }

    /// The attributes filters can name, without store lookups for groups.
    static func filterView(_ user: UserRecord) -> JSONObject {
        UserResource.render(user, locations: ResourceLocations(base: ""), groupName: { _ in nil })
    }

    /// A bounded superset of the users `filter` matches, found by point
    /// lookups (or small store queries); nil when the store cannot bound it.
    private func candidates(_ filter: Filter, _ base: UserQuery) throws -> [UserRecord]? {
        if case .or = filter {
            var found: [UserRecord] = []
            var seen = Set<[UInt8]>()
            for branch in filter.disjuncts {
                guard let some = try candidates(branch, base) else { return nil }
                for user in some where seen.insert(user.id).inserted { found.append(user) }
            }
            return found
        }
        let conjuncts = filter.conjuncts
        for conjunct in conjuncts {
            if let found = try pointLookup(conjunct, base) { return found }
        }
        for conjunct in conjuncts {
            if case .or = conjunct, let found = try candidates(conjunct, base) { return found }
        }
        guard var query = try storeQuery(conjuncts, base) else { return nil }
        query.limit = Self.candidateLimit
        let page = try directory.searchUsers(query)
        guard page.total <= UInt64(Self.candidateLimit) else {
            throw SCIMFailure.invalidFilter("a branch of this \"or\" matches more than \(Self.candidateLimit) users; narrow it")
        }
        return page.users
    }

    // MARK: store queries

    private func storeQuery(_ conjuncts: [Filter], _ base: UserQuery) throws -> UserQuery? {
        var query = base
        for conjunct in conjuncts {
            guard try narrow(&query, by: conjunct) else { return nil }
        }
        return query
    }

    /// Adds one conjunct to the query; false when the store cannot express it.
    private func narrow(_ query: inout UserQuery, by conjunct: Filter) throws -> Bool {
        switch conjunct {
        case .present(let path):
            // Every user has these; anything else would need a scan.
            return isCore(path) && path.subAttribute == nil
                && ["id", "username", "active", "meta"].contains(path.name.lowercased())
        case .compare(let path, let op, let value):
            guard isCore(path) else { return false }
            if path.named("userName"), let text = value.stringValue {
                guard query.usernameFolded == nil, query.usernameContains == nil else { return false }
                switch op {
                case .eq: query.usernameFolded = text; query.usernameFoldedMatch = PROTEUS_MATCH_EQUALS
                case .sw: query.usernameFolded = text; query.usernameFoldedMatch = PROTEUS_MATCH_PREFIX
                case .co where !text.isEmpty: query.usernameFolded = text; query.usernameFoldedMatch = PROTEUS_MATCH_CONTAINS
                default: return false
                }
                return true
            }
            if path.named("active"), op == .eq || op == .ne, let wanted = try UserInput.boolean(value, "active") {
                guard query.flagsMask & PROTEUS_USER_DISABLED == 0 else { return false }
                let active = op == .eq ? wanted : !wanted
                query.flagsMask |= PROTEUS_USER_DISABLED
                query.flagsValue = active ? 0 : PROTEUS_USER_DISABLED
                return true
            }
            return false
        default:
            return false
        }
    }

    private func isCore(_ path: AttributePath) -> Bool { path.inSchema(SCIMSchemaURN.user) }

    // MARK: point lookups

    private func pointLookup(_ conjunct: Filter, _ base: UserQuery) throws -> [UserRecord]? {
        switch conjunct {
        case .compare(let path, .eq, .string(let text)) where isCore(path):
            if path.named("id") {
                guard let id = ResourceID.parse(text) else { return [] }
                return try directory.user(id: id, documents: SCIMDocument.namespace).map { [$0] } ?? []
            }
            if path.named("externalId") {
                guard let id = try directory.identityUser(provider: Self.externalIdProvider, subject: text) else { return [] }
                return try directory.user(id: id, documents: SCIMDocument.namespace).map { [$0] } ?? []
            }
            if path.named("userName") {
                var query = base
                query.usernameFolded = text
                query.usernameFoldedMatch = PROTEUS_MATCH_EQUALS
                query.limit = Self.candidateLimit
                return try directory.searchUsers(query).users
            }
            if path.named("emails") || path.named("emails", sub: "value") { return try byEmail(text, base) }
            return nil
        case .valuePath(let path, let inner) where isCore(path) && path.named("emails"):
            for c in inner.conjuncts {
                if case .compare(let sub, .eq, .string(let text)) = c, sub.named("value") { return try byEmail(text, base) }
            }
            return nil
        default:
            return nil
        }
    }

    private func byEmail(_ address: String, _ base: UserQuery) throws -> [UserRecord] {
        var query = base
        query.email = address
        query.limit = Self.candidateLimit
        return try directory.searchUsers(query).users
    }
}
