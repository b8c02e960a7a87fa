// `proteus import <dialect> --from PATH [--config FILE]`: loads the config,
// creates the store, auth methods and dialects as `serve` would (nothing is
// served), finds the named dialect and runs its "import.v1" extension on
// PATH. Progress goes to stdout: a redrawn bar on a terminal, plain lines
// otherwise (logs, pipes); every skipped item gets its own line. Exit status
// 0 when the import ran to the end (even if it skipped items), 1 when it
// could not (unknown dialect, no import support, unusable source, store
// failure), 2 on usage errors.
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

        let progress = ImportProgressDisplay(terminal: isatty(STDOUT_FILENO) != 0)
        var summary = proteus_import_summary()
        summary.struct_size = UInt32(MemoryLayout<proteus_import_summary>.size)
        var err = proteus_error()
        let context = Unmanaged.passUnretained(progress).toOpaque()
        let status = source.withCString { pointer in
            api.import_from(binding.instance.instance, proteus_str(ptr: pointer, len: strlen(pointer)), { ctx, done, total, note in
                guard let ctx else { return }
                Unmanaged<ImportProgressDisplay>.fromOpaque(ctx).takeUnretainedValue().update(done: done, total: total, note: note.string)
            }, context, &summary, &err)
        }
        progress.finish()
        guard status == PROTEUS_OK else {
            Commands.printError("import from \(source) failed: \(PluginError(status: status, from: err).message)")
            return 1
        }
        progress.line("imported \(summary.imported), skipped \(summary.skipped) (dialect \(dialectName), from \(source))")
        return 0
    }

    /// The dialect's proteus_import_api, when it offers one of a usable size.
    private static func importAPI(_ binding: DialectBinding) -> proteus_import_api? {
        let descriptor = binding.instance.plugin.descriptor
        let size = Int(descriptor.pointee.struct_size)
        guard size >= MemoryLayout<proteus_plugin_descriptor>.offset(of: \.get_extension)! + MemoryLayout<UnsafeRawPointer>.size,
              let getExtension = descriptor.pointee.get_extension,
              let raw = getExtension(binding.instance.instance, PROTEUS_EXT_IMPORT_V1) else { return nil }
        let table = raw.assumingMemoryBound(to: proteus_import_api.self)
        guard Int(table.pointee.struct_size) >= MemoryLayout<proteus_import_api>.size, table.pointee.import_from != nil else { return nil }
        return table.pointee
    }
}

/// Draws import progress: a bar redrawn in place on a terminal (at most
/// every 50 ms), plain "progress:" lines at every tenth otherwise.
final class ImportProgressDisplay {
    let terminal: Bool
    private var lastDraw: UInt64 = 0
    private var lastTenth: UInt64 = 0
    private var barShown = false
    private var done: UInt64 = 0
    private var total: UInt64 = 0

    init(terminal: Bool) { self.terminal = terminal }

    func update(done: UInt64, total: UInt64, note: String?) {
        self.done = done
        self.total = total
        if let note { line(note) }
        if terminal {
            let now = Clock.monotonicNanos()
            if now - lastDraw >= 50_000_000 || (total > 0 && done >= total) {
                lastDraw = now
                drawBar()
            }
        } else if total > 0 {
            let tenth = min(done * 10 / total, 10)
            if tenth > lastTenth {
                lastTenth = tenth
                emit("progress: \(done)/\(total) (\(tenth * 10)%)\n")
            }
        } else if done > 0 && done % 1000 == 0 {
            emit("progress: \(done)\n")
        }
    }

    /// A line of its own (the bar is cleared first and redrawn after).
    func line(_ text: String) {
        if terminal && barShown { emit("\r\u{1B}[K") }
        emit(text + "\n")
        if terminal && barShown { drawBar() }
    }

    func finish() {
        if terminal && barShown {
            drawBar()
            emit("\n")
            barShown = false
        } else if !terminal && total > 0 && lastTenth < 10 && done >= total {
            emit("progress: \(done)/\(total) (100%)\n")
        }
    }

    private func drawBar() {
        let width = 30
        var text = "\r\u{1B}[K"
        if total > 0 {
            let filled = Int(min(done, total) * UInt64(width) / total)
            text += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            text += "\(min(done, total) * 100 / total)% \(done)/\(total)"
        } else {
            text += "\(done) items"
        }
        emit(text)
        barShown = true
    }

    private func emit(_ text: String) {
        var t = text
        t.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue }; return }
                offset += n
            }
        }
    }
}
