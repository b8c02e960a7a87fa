// Erizos roles ↔ directory roles.
//
//   ADMIN     "admin"            the canonical administrator role every dialect
//                                shares (an MCSManager permission-10 user is ADMIN)
//   DESIGNER  "erizos.designer"  directory roles of this dialect's own
//   EDITOR    "erizos.editor"
//   OPERATOR  "erizos.operator"
//
// A user's other directory roles (MCSManager's "guest", LISTEN.moe's rows...)
// are never shown here and are kept when roles are changed here.
import PluginKit

enum ErizosRole: String, CaseIterable, Sendable {
    case admin = "ADMIN", designer = "DESIGNER", editor = "EDITOR", `operator` = "OPERATOR"

    var slug: String {
        switch self {
        case .admin: return "admin"
        case .designer: return "erizos.designer"
        case .editor: return "erizos.editor"
        case .operator: return "erizos.operator"
        }
    }

    var displayName: String {
        switch self {
        case .admin: return "Administrator"
        case .designer: return "Erizos designer"
        case .editor: return "Erizos editor"
        case .operator: return "Erizos operator"
        }
    }

    static let adminSlug = ErizosRole.admin.slug

    init?(slug: String) {
        guard let role = Self.allCases.first(where: { $0.slug == slug }) else { return nil }
        self = role
    }

    /// The Erizos roles of a directory user, in the fixed order ADMIN,
    /// DESIGNER, EDITOR, OPERATOR.
    static func of(_ user: UserRecord) -> [ErizosRole] {
        let held = Set(user.roles)
        return allCases.filter { held.contains($0.slug) }
    }

    /// The directory role set after giving `user` exactly `wanted` of the
    /// Erizos roles; roles of other dialects stay.
    static func applying(_ wanted: [ErizosRole], to roles: [String]) -> [String] {
        let ours = Set(allCases.map(\.slug))
        var result = roles.filter { !ours.contains($0) }
        for role in allCases where wanted.contains(role) { result.append(role.slug) }
        return result
    }

    /// Creates the directory roles when missing; existing ones (perhaps
    /// named by another dialect) are left as they are.
    static func ensureExist(_ directory: Directory) throws {
        let existing = Set(try directory.roles().map(\.slug))
        for role in allCases where !existing.contains(role.slug) {
            try directory.putRole(RoleRecord(slug: role.slug, name: role.displayName))
        }
    }
}
