// Checks on a user_search query every store makes before planning, so all
// stores accept and refuse the same queries with the same messages.
import PluginAPI
import PluginKit

enum UserQueryInput {
    /// Most roles lacks_roles may list (each is a bound value).
    static let maxLacksRoles = 1000

    /// The query behind `p`, of any minor from 2.0 on: a query built
    /// against 2.2 or older ends before username_folded, one built against
    /// 2.5 or older before after_username and total_cap, which then read
    /// as absent (nothing past its struct_size is read). Smaller than 2.0's
    /// layout: INVALID.
    static func read(_ p: UnsafePointer<proteus_user_query>?) throws(PluginError) -> proteus_user_query {
        guard let p else { throw .invalid("the user query record is missing (NULL)") }
        let size = UnsafeRawPointer(p).load(as: UInt32.self)
        guard Int(size) >= UserQueryLayout.size2_2 else {
            throw .invalid("the user query record is too small (struct_size \(size), ABI 2.0 needs at least \(UserQueryLayout.size2_2))")
        }
        return GrownRecord.read(p, into: proteus_user_query())
    }

    /// Checks `q`; returns its order.
    static func check(_ q: proteus_user_query) throws(PluginError) -> UserOrder {
        let needle = q.username_contains
        if needle.isPresent && needle.len > 0 && !StoreInput.isValidUTF8(needle) {
            throw .invalid("username_contains is not valid UTF-8")
        }
        if q.username_folded.isPresent && !StoreInput.isValidUTF8(q.username_folded) {
            throw .invalid("username_folded is not valid UTF-8")
        }
        switch q.username_folded_match {
        case PROTEUS_MATCH_EQUALS, PROTEUS_MATCH_PREFIX, PROTEUS_MATCH_CONTAINS: break
        default: throw .invalid("unknown username_folded_match \(q.username_folded_match) (expected PROTEUS_MATCH_EQUALS, _PREFIX or _CONTAINS)")
        }
        switch q.group_filter {
        case PROTEUS_GROUP_ANY, PROTEUS_GROUP_NONE, PROTEUS_GROUP_EQUALS: break
        default: throw .invalid("unknown group filter \(q.group_filter) (expected PROTEUS_GROUP_ANY, _NONE or _EQUALS)")
        }
        if q.lacks_role_count > 0 {
            guard q.lacks_roles != nil else { throw .invalid("lacks_role_count is \(q.lacks_role_count) but lacks_roles is NULL") }
            let n = Int(q.lacks_role_count)
            guard n <= maxLacksRoles else { throw .invalid("lacks_roles lists \(n) roles; at most \(maxLacksRoles) are accepted") }
        }
        let order: UserOrder
        switch q.order {
        case PROTEUS_ORDER_CREATED: order = .created
        case PROTEUS_ORDER_USERNAME: order = .username
        case PROTEUS_ORDER_ID: order = .id
        default: throw .invalid("unknown order \(q.order) (expected PROTEUS_ORDER_CREATED, _USERNAME or _ID)")
        }
        if q.after_username.isPresent {
            // A cursor is a place in username order only.
            guard order == .username else {
                throw .invalid("after_username pages in username order only (order PROTEUS_ORDER_USERNAME), not order \(q.order)")
            }
            if q.after_username.len > 0 && !StoreInput.isValidUTF8(q.after_username) {
                throw .invalid("after_username is not valid UTF-8")
            }
        }
        if q.key_presence && q.key_ns.isPresent {
            try StoreInput.requireText(q.key_ns, "key_ns (the API key namespace)", allowEmpty: false)
        }
        return order
    }

    /// True when `q` (checked) tests a substring of the username: a
    /// case-sensitive one or a folded CONTAINS.
    static func hasSubstring(_ q: proteus_user_query) -> Bool {
        (q.username_contains.isPresent && q.username_contains.len > 0)
            || (q.username_folded.isPresent && q.username_folded_match == PROTEUS_MATCH_CONTAINS)
    }

    /// `q` without its cursor: what the total counts (it ignores
    /// after_username as it ignores offset and limit).
    static func uncursored(_ q: proteus_user_query) -> proteus_user_query {
        var all = q
        all.after_username = proteus_str()
        return all
    }
}

extension UserQueryInput {
    /// `q` (checked) with a folded CONTAINS of a text holding no letter
    /// A-Z/a-z asked as the case-sensitive substring it equals, which the
    /// store counts without visiting users (FacetSearch, the trigram
    /// index): a digits-only `userName co` costs what a substring does.
    static func plain(_ q: proteus_user_query) -> proteus_user_query {
        let text = q.username_folded
        guard text.isPresent, text.len > 0, q.username_folded_match == PROTEUS_MATCH_CONTAINS,
              !(q.username_contains.isPresent && q.username_contains.len > 0),
              !text.buffer.contains(where: FoldedUsername.isASCIILetter) else { return q }
        var plain = q
        plain.username_contains = text
        plain.username_folded = proteus_str()
        plain.username_folded_match = PROTEUS_MATCH_EQUALS
        return plain
    }
}

extension proteus_user_query {
    /// The roles the query excludes (empty when none or NULL).
    var lacksRoleList: UnsafeBufferPointer<proteus_str> {
        guard let roles = lacks_roles, lacks_role_count > 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: roles, count: Int(lacks_role_count))
    }
}
