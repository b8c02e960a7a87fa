// `proteus <plugin> ARGS... [--config FILE]`: a configured dialect's own
// commands (the "command.v1" extension), e.g. `proteus scim token create`.
// The config is loaded and every plugin created as for `serve` (nothing is
// served); the arguments after the plugin name, without --config, go to the
// dialect, whose exit status is the command's.
import Glibc
import PluginAPI
import PluginKit

enum PluginCommand {
    /// Whether `argv` names a plugin command rather than a host command.
    static func isPluginCommand(_ argv: [String]) -> Bool {
        guard argv.count > 1, let first = argv[1].first, first != "-" else { return false }
        return !Arguments.commands.contains(argv[1])
    }

    static func run(_ argv: [String]) -> Int32 {
        // Standard output is the command's result (a token, a list) alone.
        Logger.shared.useStandardError()
        let name = argv[1]
        var configPath: String?
        var rest: [String] = []
        var i = 2
        while i < argv.count {
            let arg = argv[i]
            if arg == "--config" || arg == "-c" {
                guard i + 1 < argv.count else {
                    Commands.printError("\(arg) needs a value")
                    return 2
                }
                configPath = argv[i + 1]
                i += 2
                continue
            }
            if arg.hasPrefix("--config=") {
                configPath = String(arg.dropFirst("--config=".count))
            } else {
                rest.append(arg)
            }
            i += 1
        }
        let assembly: HostAssembly
        do {
            let configuration = try configPath.map { try ConfigurationLoader.load(path: $0) } ?? .embeddedDefault
            assembly = try HostAssembly(configuration)
        } catch {
            Commands.printError("\(error)")
            return 1
        }
        defer { assembly.close() }
        guard let binding = assembly.dialects.first(where: { $0.name == name }), let api = commandAPI(binding) else {
            let offering = assembly.dialects.filter { commandAPI($0) != nil }.map(\.name)
            Commands.printError("unknown command \"\(name)\": not a proteus command (\(Arguments.commands.joined(separator: ", "))) nor a configured dialect with commands (\(offering.isEmpty ? "none in this config" : offering.joined(separator: ", "))); see proteus --help")
            return 2
        }
        let pointers = rest.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        let args = pointers.map { p in proteus_str(ptr: p.map { UnsafePointer($0) }, len: p.map { strlen($0) } ?? 0) }
        Logger.shared.flush()
        return args.withUnsafeBufferPointer { buffer in
            api.run(binding.instance.instance, buffer.baseAddress, UInt32(buffer.count), { _, stream, text in
                var line = (text.string ?? "") + "\n"
                line.withUTF8 { _ = write(stream == PROTEUS_OUTPUT_STDERR ? STDERR_FILENO : STDOUT_FILENO, $0.baseAddress, $0.count) }
            }, nil)
        }
    }

    private static func commandAPI(_ binding: DialectBinding) -> proteus_command_api? {
        binding.extensionTable(PROTEUS_EXT_COMMAND_V1, as: proteus_command_api.self, requiring: \.run)
    }
}
