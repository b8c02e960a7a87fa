// Command-line parsing: `proteus [COMMAND] [--config FILE] [options]`.

struct Arguments {
    var command: String = "serve"
    var configPath: String?
    var pluginDirectory: String?
    var extra: [String: String] = [:]
    var positional: [String] = []
    var wantsHelp = false
    /// `import --from PATH`
    var importSource: String?

    static let commands = ["serve", "check-config", "plugins", "stats", "import", "help"]

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
            switch arg {
            case "-h", "--help":
                a.wantsHelp = true
            case "-c", "--config", "--plugin-dir", "--from":
                guard let value = rest.first, !value.hasPrefix("-") || value == "-" else {
                    throw HostError("\(arg) needs a value")
                }
                rest = rest.dropFirst()
                if arg == "--from" && a.command != "import" { throw HostError("--from is an option of `proteus import` (see proteus --help)") }
                if arg == "--plugin-dir" { a.pluginDirectory = value } else if arg == "--from" { a.importSource = value } else { a.configPath = value }
            default:
                if arg.hasPrefix("--config=") {
                    a.configPath = String(arg.dropFirst("--config=".count))
                } else if arg.hasPrefix("-") {
                    throw HostError("unknown option \(arg) (see proteus --help)")
                } else {
                    a.positional.append(arg)
                }
            }
        }
        if a.command == "import" && !a.wantsHelp {
            guard a.positional.count == 1 else {
                throw HostError(a.positional.isEmpty ? "import needs a dialect name: proteus import <dialect> --from PATH"
                                                     : "unexpected argument \"\(a.positional[1])\" (see proteus --help)")
            }
            guard a.importSource != nil else { throw HostError("import needs --from PATH (see proteus --help)") }
        } else if !a.positional.isEmpty {
            throw HostError("unexpected argument \"\(a.positional[0])\" (see proteus --help)")
        }
        return a
    }

    static let usage = """
    proteus — a pluggable user-directory server

    Usage:
      proteus [--config FILE]                 serve (no config: SQLite in ./data,
                                              password auth, AIOStreams at /,
                                              on 127.0.0.1:8080)
      proteus check-config --config FILE      load and validate a config, create
                                              every plugin it names, then exit
      proteus plugins [--config FILE | --plugin-dir DIR]
                                              list the plugins found (kind, name,
                                              version, ABI version, path)
      proteus stats [--config FILE]           print the store's record counts
      proteus import DIALECT --from PATH [--config FILE]
                                              bring another system's users into
                                              the directory through a dialect
                                              (e.g. mcsmanager: a panel's data
                                              or data/User directory, or .jsonl)
      proteus --help                          this text

    Options:
      -c, --config FILE    JSON config file (see README.md)
      --plugin-dir DIR     plugin directory for `plugins` (default: the
                           executable's directory, or the config's pluginDirectory)
      --from PATH          what `import` reads

    Exit status: 0 on success, 1 when the config or a plugin is refused
    (the message names the key, plugin, path and reason), 2 on usage errors.
    """
}
