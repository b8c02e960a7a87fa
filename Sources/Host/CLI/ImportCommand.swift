// `proteus import <dialect> --from PATH [--config FILE]`: loads the config,
// creates the store, auth methods and dialects as `serve` would (nothing is
// served), finds the named dialect and runs its "import.v1" extension on
// PATH. Progress goes to stdout (Maintenance/ProgressReporter): a redrawn
// bar on a terminal, plain lines otherwise (logs, pipes); every skipped item
// gets its own line. Exit status 0 when the import ran to the end (even if it
// skipped items), 1 when it could not (unknown dialect, no import support,
// unusable source, store failure), 2 on usage errors.
import Glibc
import PluginAPI
import PluginKit

enum ImportCommand {
    static func run(_ arguments: Arguments) -> Int32 {
        guard arguments.positional.count == 1, let source = arguments.importSource, !source.isEmpty else {
            Commands.printError("usage: proteus import <dialect> --from PATH [--config FILE]")
            return 2
        }
        let dialectName = arguments.positional[0]
        let assembly: HostAssembly
        do {
            assembly = try HostAssembly(try Commands.loadConfiguration(arguments))
        } catch {
            Commands.printError("\(error)")
            return 1
        }
        defer { assembly.close() }
        guard let binding = assembly.dialects.first(where: { $0.name == dialectName }) else {
            let names = assembly.dialects.map(\.name)
            Commands.printError("no dialect \"\(dialectName)\" in the config (configured: \(names.isEmpty ? "none" : names.joined(separator: ", ")))")
            return 1
        }
        guard let api = importAPI(binding) else {
            Commands.printError("dialect \"\(dialectName)\" cannot import (it offers no \(PROTEUS_EXT_IMPORT_V1) extension)")
            return 1
        }

        let progress = ProgressReporter("import")
        var summary = proteus_import_summary()
        summary.struct_size = UInt32(MemoryLayout<proteus_import_summary>.size)
        var err = proteus_error()
        let context = Unmanaged.passUnretained(progress).toOpaque()
        let status = source.withCString { pointer in
            api.import_from(binding.instance.instance, proteus_str(ptr: pointer, len: strlen(pointer)), { ctx, done, total, note in
                guard let ctx else { return }
                let reporter = Unmanaged<ProgressReporter>.fromOpaque(ctx).takeUnretainedValue()
                if let text = note.string { reporter.note(text) }
                reporter.update(done: done, total: total)
            }, context, &summary, &err)
        }
        progress.finish()
        guard status == PROTEUS_OK else {
            Commands.printError("import from \(source) failed: \(PluginError(status: status, from: err).message)")
            return 1
        }
        print("imported \(summary.imported), skipped \(summary.skipped) (dialect \(dialectName), from \(source))")
        return 0
    }

    private static func importAPI(_ binding: DialectBinding) -> proteus_import_api? {
        binding.extensionTable(PROTEUS_EXT_IMPORT_V1, as: proteus_import_api.self, requiring: \.import_from)
    }
}
