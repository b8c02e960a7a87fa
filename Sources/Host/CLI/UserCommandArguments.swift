// What `proteus user …` was asked to do, checked before anything is loaded:
// a bad command line is a usage error (exit 2) and touches no store.
struct UserCommandArguments {
    enum Action: Equatable {
        case add(username: String, email: String?, roles: [String])
        case list(search: String?)
        case passwd(name: String)
        case disable(name: String), enable(name: String), delete(name: String)
        case roles(name: String, set: [String])
        case revokeSessions(name: String)
    }

    let action: Action

    /// Whether the action takes a password line on standard input.
    var readsPassword: Bool {
        switch action {
        case .add, .passwd: return true
        default: return false
        }
    }

    static let usage = "usage: proteus user add --username NAME [--email E] [--role SLUG]... --password-stdin | list [--search TEXT] | passwd NAME --password-stdin | disable NAME | enable NAME | delete NAME | roles NAME --set SLUG,... | sessions NAME --revoke  [--config FILE]"

    /// The options each action accepts (besides --config and --plugin-dir).
    private static let accepted: [String: Set<String>] = [
        "add": ["username", "email", "role", "password-stdin"],
        "list": ["search"],
        "passwd": ["password-stdin"],
        "disable": [], "enable": [], "delete": [],
        "roles": ["set"],
        "sessions": ["revoke"],
    ]

    init(_ a: Arguments) throws {
        guard let verb = a.positional.first else { throw UsageError("user needs a subcommand; \(Self.usage)") }
        guard let allowed = Self.accepted[verb] else {
            throw UsageError("unknown user subcommand \"\(verb)\"; \(Self.usage)")
        }
        let given = Set(a.values.keys).union(a.flags).subtracting(["config", "plugin-dir"])
        if let stray = given.subtracting(allowed).sorted().first {
            throw UsageError("user \(verb) does not take --\(stray); \(Self.usage)")
        }
        let operands = Array(a.positional.dropFirst())
        let takesName = verb != "add" && verb != "list"
        guard operands.count == (takesName ? 1 : 0) else {
            throw UsageError(takesName ? "user \(verb) needs one user name; \(Self.usage)"
                                       : "unexpected argument \"\(operands[0])\"; \(Self.usage)")
        }
        if allowed.contains("password-stdin"), !a.flags.contains("password-stdin") {
            throw UsageError("user \(verb) needs --password-stdin (the password, one line on standard input)")
        }
        let name = operands.first ?? ""
        if takesName, name.isEmpty { throw UsageError("user \(verb): the user name is empty") }
        switch verb {
        case "add":
            guard let username = a.values["username"], !username.isEmpty else { throw UsageError("user add needs --username NAME") }
            try Self.checkPrintable(username, "--username")
            if let email = a.values["email"] {
                guard !email.isEmpty else { throw UsageError("user add: --email is empty") }
                try Self.checkPrintable(email, "--email")
            }
            let roles = try (a.repeated["role"] ?? []).map { slug in
                guard !slug.isEmpty else { throw UsageError("user add: --role is empty") }
                return slug
            }
            action = .add(username: username, email: a.values["email"], roles: Self.unique(roles))
        case "list":
            if let search = a.values["search"], search.isEmpty { throw UsageError("user list: --search is empty") }
            action = .list(search: a.values["search"])
        case "passwd": action = .passwd(name: name)
        case "disable": action = .disable(name: name)
        case "enable": action = .enable(name: name)
        case "delete": action = .delete(name: name)
        case "roles":
            guard let list = a.values["set"] else { throw UsageError("user roles needs --set SLUG,... (\"\" for none)") }
            // "" is no roles at all; otherwise every comma-separated slug must be there.
            let slugs = list.isEmpty ? [] : list.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
            guard !slugs.contains(where: \.isEmpty) else { throw UsageError("user roles: --set \"\(list)\" has an empty role slug") }
            action = .roles(name: name, set: Self.unique(slugs))
        default:   // "sessions"
            guard a.flags.contains("revoke") else { throw UsageError("user sessions needs --revoke (the store keeps no list of sessions to show)") }
            action = .revokeSessions(name: name)
        }
    }

    /// Control characters would break `user list`'s one-user-a-line output.
    private static func checkPrintable(_ text: String, _ option: String) throws {
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw UsageError("\(option) must not contain control characters")
        }
    }

    private static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }
}
