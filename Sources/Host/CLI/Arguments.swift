// Command-line parsing: `proteus [COMMAND] [--config FILE] [options]`.

struct Arguments {
    var command: String = "serve"
    /// Values of `--name VALUE` options, keyed by name without dashes.
    var values: [String: String] = [:]
    /// Every value of an option given more than once (`--role a --role b`),
    /// in order; `values` holds the last.
    var repeated: [String: [String]] = [:]
    /// Options without a value that were given (`--password-stdin`).
    var flags: Set<String> = []
    var positional: [String] = []
    var wantsHelp = false
    var wantsVersion: Bool { flags.contains("version") }

    var configPath: String? { values["config"] }
    var pluginDirectory: String? { values["plugin-dir"] }

    /// `import SOURCE --from PATH`
    var importSource: String? { values["from"] }

    static let commands = ["serve", "check-config", "check-store", "migrate", "generate-users", "plugins", "stats", "import", "user", "openapi",
                           "audit", "help", "bench-abi"]   // bench-abi: hidden, for scripts/bench
    /// Options that take a value; `-c` is short for `--config`.
    static let valueOptions: Set<String> = ["config", "plugin-dir", "from", "to", "filter", "batch", "count", "prefix",
                                             "iterations", "username", "email", "role", "search", "set",
                                             "firebase-signer-key", "firebase-salt-separator",
                                             "actor", "action", "target", "since", "until", "limit"]
    /// Options that take no value.
    static let flagOptions: Set<String> = ["version", "password-stdin", "revoke", "all", "dry-run"]
    /// Commands that take positional arguments.
    static let positionalCommands: Set<String> = ["import", "user", "openapi"]

    static func parse(_ argv: [String]) throws -> Arguments {
        var a = Arguments()
        var rest = argv.dropFirst()
        if let first = rest.first, !first.hasPrefix("-") {
            guard commands.contains(first) else {
                throw HostError("unknown command \"\(first)\" (commands: \(commands.joined(separator: ", ")); see proteus --help)")
            }
            a.command = first == "help" ? "serve" : first
            a.wantsHelp = first == "help"
            rest = rest.dropFirst()
        }
        while let arg = rest.first {
            rest = rest.dropFirst()
            if arg == "-h" || arg == "--help" {
                a.wantsHelp = true
                continue
            }
            guard arg.hasPrefix("-") else {
                a.positional.append(arg)
                continue
            }
            var name = arg == "-c" ? "config" : String(arg.drop { $0 == "-" })
            var value: String?
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            // Refused before anything else: the message must not echo a
            // `--password=VALUE`, and a password in argv is seen by every
            // user of `ps` and kept in shell history.
            if name == "password" {
                throw UsageError("--password is not accepted: a password on the command line is visible to other users and kept in shell history; use --password-stdin and write it on standard input")
            }
            if arg.hasPrefix("--"), flagOptions.contains(name) {
                guard value == nil else { throw UsageError("--\(name) takes no value") }
                a.flags.insert(name)
                continue
            }
            guard arg.hasPrefix("--") || arg == "-c", valueOptions.contains(name) else {
                throw HostError("unknown option \(arg) (see proteus --help)")
            }
            if value == nil {
                guard let next = rest.first, !next.hasPrefix("-") || next == "-" else {
                    throw HostError("--\(name) needs a value")
                }
                value = next
                rest = rest.dropFirst()
            }
            a.values[name] = value
            a.repeated[name, default: []].append(value ?? "")
        }
        if a.command == "import" && !a.wantsHelp {
            guard a.positional.count == 1 else {
                throw HostError(a.positional.isEmpty ? "import needs a source: proteus import <csv|keycloak|kratos|dialect> --from PATH"
                                                     : "unexpected argument \"\(a.positional[1])\" (see proteus --help)")
            }
            guard a.importSource != nil else { throw HostError("import needs --from PATH (see proteus --help)") }
        }
        if a.command == "openapi" && !a.wantsHelp {
            let wanted = a.flags.contains("all") ? 0 : 1
            if a.positional.count < wanted { throw UsageError("openapi needs a dialect name (or --all): proteus openapi <dialect> [--config FILE]") }
            if a.positional.count > wanted { throw UsageError("unexpected argument \"\(a.positional[wanted])\" (see proteus --help)") }
        }
        if !a.positional.isEmpty && !positionalCommands.contains(a.command) {
            throw HostError("unexpected argument \"\(a.positional[0])\" (see proteus --help)")
        }
        return a
    }

    /// A required option's value.
    func require(_ name: String) throws -> String {
        guard let v = values[name], !v.isEmpty else { throw UsageError("\(command) needs --\(name)") }
        return v
    }

    /// The whole number given with `--name` (nil when absent); a value
    /// that is not one, or lies outside `range`, is a usage error.
    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = values[name] else { return nil }
        guard let n = Int(text), range.contains(n) else {
            throw UsageError("\(command): --\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(text)\"")
        }
        return n
    }

    static let usage = """
    proteus — a pluggable user-directory server

    Usage:
      proteus [--config FILE]                 serve (no config: SQLite in ./data,
                                              password auth, AIOStreams at /,
                                              on 127.0.0.1:8080) with supervised
                                              worker processes ("workers"); SIGHUP
                                              reloads the config, SIGTERM drains
      proteus check-config --config FILE      load and validate a config, create
                                              every plugin it names, then exit
      proteus plugins [--config FILE | --plugin-dir DIR]
                                              list the plugins found (kind, name,
                                              version, ABI version, path)
      proteus stats [--config FILE]           print the store's record counts
      proteus check-store --config FILE [--filter NAME]
                                              run the store conformance suite
                                              against the config's store plugin
                                              on a scratch database
      proteus migrate --from FILE --to FILE [--batch N]
                                              copy every user, group, role, API
                                              key and identity from one config's
                                              store to another's, then verify
      proteus generate-users --config FILE --count N [--prefix P]
                                              fill a store with N synthetic users
                                              (bulk path; for benchmarks)
      proteus import SOURCE --from PATH [--config FILE] [--dry-run]
                    [--firebase-signer-key B64 --firebase-salt-separator B64]
                                              bring another system's users into
                                              the directory, passwords included:
                                              SOURCE is csv (username,email,
                                              display_name,password_hash,roles),
                                              keycloak (a realm export JSON),
                                              kratos (identities JSON) or a
                                              dialect (e.g. mcsmanager: a
                                              panel's data or data/User
                                              directory, or .jsonl); safe to
                                              re-run; --dry-run writes nothing
                                              and prints the same summary
      proteus user add --username NAME [--email E] [--role SLUG]... --password-stdin
      proteus user list [--search TEXT]
      proteus user passwd NAME --password-stdin
      proteus user disable|enable|delete NAME
      proteus user roles NAME --set SLUG,...
      proteus user sessions NAME --revoke
                                              manage users on the config's store
                                              (no dialect needed: "dialects": []
                                              is accepted); the password is one
                                              line on standard input, never an
                                              argument; passwd and disable end
                                              the user's sessions everywhere;
                                              list prints one user a line: id,
                                              username, email, roles, disabled
                                              (tab-separated); each change is
                                              recorded in the audit log as
                                              "cli:<login name>"
      proteus audit [--actor ID] [--action A] [--target ID] [--since RFC3339]
                    [--until RFC3339] [--limit N] [--config FILE]
                                              the store's audit log of
                                              administrative changes, newest
                                              first (100 unless --limit): one
                                              event a line, tab-separated: id,
                                              time, actor, actor id, source,
                                              address, action, target kind,
                                              target id, target name, detail;
                                              --action "user." is a prefix;
                                              --actor/--target: an id or a
                                              username
      proteus openapi DIALECT [--config FILE] the OpenAPI 3.1 document of a
                                              configured dialect, for its mount
      proteus openapi --all [--config FILE]   every mounted dialect's document:
                                              {"documents": [{plugin, mount,
                                              document}]}
      proteus PLUGIN ARGS... [--config FILE]  a configured dialect's own commands,
                                              e.g. proteus scim token create
                                              --label okta (prints the token
                                              once), scim token list, scim
                                              token revoke --label L | --id ID
      proteus --version [--config FILE | --plugin-dir DIR]
                                              the version, the ABI version and
                                              the plugins found
      proteus --help                          this text

    Options:
      -c, --config FILE    JSON config file (see README.md)
      --plugin-dir DIR     plugin directory for `plugins` (default: the
                           executable's directory, or the config's pluginDirectory)

    Exit status: 0 on success, 1 when the config or a plugin is refused
    (the message names the key, plugin, path and reason), 2 on usage errors.
    """
}

/// A command-line mistake (exit status 2).
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
