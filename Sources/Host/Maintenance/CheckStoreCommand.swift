// `proteus check-store --config FILE`: the store conformance suite against
// the config's store plugin, on a scratch database, one line per case.
import Glibc
import PluginAPI
import PluginKit
import ProteusJSON

enum CheckStoreCommand {
    static func run(_ arguments: Arguments) throws -> Int32 {
        var configuration = try Commands.loadConfiguration(arguments)
        let scratch = try ScratchStore(for: configuration.store)
        defer { scratch.cleanUp() }
        configuration.store.options = scratch.options
        let store = try HostAssembly.storeOnly(configuration)
        defer { store.instance.destroy() }
        if !scratch.isDisposable {
            // A store we can't make a scratch copy of: it must be empty,
            // because the suite writes records and leaves them behind.
            let stats = try StoreClient(store, host: store.instance.hostTable).stats()
            guard stats.users == 0 && stats.groups == 0 && stats.roles == 0 && stats.sessions == 0 && stats.api_keys == 0 && stats.identities == 0 else {
                throw UsageError("check-store writes test records: point the config's store at an empty scratch database (store \"\(store.name)\" has \(stats.users) users)")
            }
        }
        print("checking store \"\(store.name)\" (\(store.instance.plugin.path)) on \(scratch.description)")
        let suite = StoreConformanceSuite(store: store, host: store.instance.hostTable, reopen: {
            try HostAssembly.storeOnly(configuration)
        })
        var passed = 0, failed = 0
        let ok = suite.run(filter: arguments.values["filter"]) { result in
            let ms = Int(result.duration * 1000)
            if result.passed {
                passed += 1
                print("PASS \(result.name) (\(ms) ms)")
            } else {
                failed += 1
                print("FAIL \(result.name) (\(ms) ms): \(result.message)")
            }
        }
        print("\(passed) passed, \(failed) failed")
        return ok && failed == 0 ? 0 : 1
    }
}

/// Options that point a store plugin at a throwaway database, for the plugins
/// the host knows; other plugins keep their configured options.
struct ScratchStore {
    let options: JSONObject
    let isDisposable: Bool
    let description: String
    private let directory: String?

    init(for reference: PluginReference) throws {
        var options = reference.options
        switch reference.plugin {
        case "sqlite":
            let dir = try Self.makeTemporaryDirectory()
            options["path"] = .string(dir + "/check-store.sqlite")
            self.init(options: options, isDisposable: true, description: "scratch database \(dir)/check-store.sqlite", directory: dir)
        case "postgres":
            let schema = "proteus_check_" + Hex.encode(SecureRandom.bytes(6))
            options["schema"] = .string(schema)
            options["dropSchemaOnClose"] = true
            self.init(options: options, isDisposable: true, description: "scratch schema \(schema) (dropped afterwards)", directory: nil)
        default:
            self.init(options: options, isDisposable: false, description: "the configured database (must be empty)", directory: nil)
        }
    }

    private init(options: JSONObject, isDisposable: Bool, description: String, directory: String?) {
        self.options = options
        self.isDisposable = isDisposable
        self.description = description
        self.directory = directory
    }

    func cleanUp() {
        guard let directory else { return }
        for name in ["check-store.sqlite", "check-store.sqlite-wal", "check-store.sqlite-shm"] {
            unlink(directory + "/" + name)
        }
        rmdir(directory)
    }

    private static func makeTemporaryDirectory() throws -> String {
        var template = Array("/tmp/proteus-check-store-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw HostError("cannot create a scratch directory in /tmp: \(String(cString: strerror(errno)))") }
        return String(cString: made)
    }
}
