// The commands behind the CLI.
import Glibc
import PluginAPI
import PluginKit

enum Commands {
    static func run(_ argv: [String]) -> Int32 {
        Signals.prepare()
        OutboundHTTP.initializeLibrary()  // before any thread starts
        // Hidden: a worker process, started by the master (Supervision/).
        if argv.count > 1 && argv[1] == "worker" { return WorkerProcess.run(argv) }
        if PluginCommand.isPluginCommand(argv) { return PluginCommand.run(argv) }
        let arguments: Arguments
        do { arguments = try Arguments.parse(argv) } catch {
            printError("\(error)")
            return 2
        }
        if arguments.wantsHelp {
            print(Arguments.usage)
            return 0
        }
        if arguments.wantsVersion { return printVersion(arguments) }
        switch arguments.command {
        case "check-config": return checkConfig(arguments)
        case "plugins": return listPlugins(arguments)
        case "stats": return storeStats(arguments)
        case "import": return ImportCommand.run(arguments)
        case "user": return runReportingErrors { try UserCommand.run(arguments) }
        case "audit": return runReportingErrors { try AuditCommand.run(arguments) }
        case "openapi": return runReportingErrors { try OpenAPICommand.run(arguments) }
        case "check-store": return runReportingErrors { try CheckStoreCommand.run(arguments) }
        case "migrate": return runReportingErrors { try MigrateCommand.run(arguments) }
        case "generate-users": return runReportingErrors { try GenerateUsersCommand.run(arguments) }
        case "bench-abi": return runReportingErrors { try ABIBenchCommand.run(arguments) }
        default: return serve(arguments)
        }
    }

    static func loadConfiguration(_ arguments: Arguments, dialectsRequired: Bool = true) throws -> Configuration {
        guard let path = arguments.configPath else { return .embeddedDefault }
        let configuration = try ConfigurationLoader.load(path: path, dialectsRequired: dialectsRequired)
        configuration.applyLogSettings()
        return configuration
    }

    static func checkConfig(_ arguments: Arguments) -> Int32 {
        guard arguments.configPath != nil else {
            printError("check-config needs --config FILE")
            return 2
        }
        do {
            let configuration = try loadConfiguration(arguments)
            let assembly = try HostAssembly(configuration, persistSecret: false)
            let mounts = assembly.dialects.map { "\($0.name) at \($0.mount)" }.joined(separator: ", ")
            print("config OK: store \(assembly.store.name), auth \(assembly.auth.methodNames.joined(separator: ", ")), dialects \(mounts)")
            assembly.close()
            return 0
        } catch {
            printError("\(error)")
            return 1
        }
    }

    /// `proteus --version`: this build, the ABI it speaks and the plugins
    /// `proteus plugins` would list.
    static func printVersion(_ arguments: Arguments) -> Int32 {
        print("proteus \(ProteusVersion.text)")
        print("abi \(PROTEUS_ABI_MAJOR).\(PROTEUS_ABI_MINOR)")
        return listPlugins(arguments)
    }

    static func listPlugins(_ arguments: Arguments) -> Int32 {
        var directory = arguments.pluginDirectory
        if directory == nil, arguments.configPath != nil {
            do { directory = try loadConfiguration(arguments, dialectsRequired: false).pluginDirectory } catch {
                printError("\(error)")
                return 1
            }
        }
        let dir = directory ?? FileIO.executableDirectory()
        let files = PluginLoader.candidateFiles(in: dir)
        if files.isEmpty {
            print("no plugins (libproteus-*.so) in \(dir)")
            return 0
        }
        print(pad("KIND", 8) + pad("NAME", 16) + pad("VERSION", 10) + pad("ABI", 6) + "PATH")
        var failed = false
        for path in files {
            do {
                let p = try PluginLoader.load(path: path)
                print(pad(p.kindName, 8) + pad(p.name, 16) + pad(p.version, 10) + pad(p.abiVersion, 6) + p.path)
            } catch {
                failed = true
                print(pad("-", 8) + pad("(refused)", 16) + pad("-", 10) + pad("-", 6) + "\(error)")
            }
        }
        return failed ? 1 : 0
    }

    /// Prints the store's counts, one "name value" line each.
    static func storeStats(_ arguments: Arguments) -> Int32 {
        do {
            let store = try HostAssembly.storeOnly(try loadConfiguration(arguments))
            defer { store.instance.destroy() }
            var stats = proteus_store_stats()
            stats.struct_size = UInt32(MemoryLayout<proteus_store_stats>.size)
            var err = proteus_error()
            let status = store.api.stats(store.raw, &stats, &err)
            guard status == PROTEUS_OK else {
                printError("store \(store.name): stats failed: \(PluginError(status: status, from: err).message)")
                return 1
            }
            print("""
            store \(store.name)
            schema_version \(stats.schema_version)
            users \(stats.users)
            documents \(stats.documents)
            groups \(stats.groups)
            roles \(stats.roles)
            sessions \(stats.sessions)
            api_keys \(stats.api_keys)
            identities \(stats.identities)
            """)
            return 0
        } catch {
            printError("\(error)")
            return 1
        }
    }

    static func serve(_ arguments: Arguments) -> Int32 {
        do {
            let (configuration, text) = try Supervisor.loadConfiguration(path: arguments.configPath)
            configuration.applyLogSettings()
            if configuration.workerCount == 0 {
                // Serve in this process: no master, no supervision; its
                // metrics region is its own (slot 0), for the admin
                // listener and host->metrics_text.
                MetricsRecorder.install(try MetricsRegion(), slot: 0)
                let assembly = try HostAssembly(configuration)
                return try ServerRunner.run(assembly)
            }
            let supervisor = try Supervisor(configPath: arguments.configPath, configuration: configuration, configText: text)
            return supervisor.run()
        } catch {
            printError("\(error)")
            return 1
        }
    }

    /// Runs a command, printing a failure: 2 for usage errors, 1 otherwise.
    static func runReportingErrors(_ body: () throws -> Int32) -> Int32 {
        do { return try body() } catch let e as UsageError {
            printError(e.description)
            return 2
        } catch {
            printError("\(error)")
            return 1
        }
    }

    static func printError(_ text: String) {
        Logger.shared.flush()
        var line = "proteus: " + text + "\n"
        line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}
