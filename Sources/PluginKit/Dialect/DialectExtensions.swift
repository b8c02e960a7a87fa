// Optional capabilities of a Swift dialect, offered through the descriptor's
// get_extension (CLAP-style): a dialect conforms to one of these protocols and
// DialectExport answers the matching extension id with a static table.
import PluginAPI

/// A dialect that can bring another system's data into the directory
/// ("import.v1", proteus_import_api). Called by `proteus import` on the main
/// thread while nothing is being served.
public protocol ImportingDialect: DialectInstance {
    /// Reads `source` (a path) and writes what it finds through the
    /// directory. Each item is written atomically or not at all; skipped
    /// items are reported through `progress` with a note naming them. Throw
    /// INVALID when `source` is unusable as a whole.
    func importFrom(source: String, progress: ImportProgress) throws(PluginError) -> ImportSummary
}

/// Counts of an import.
public struct ImportSummary: Sendable {
    public var imported: UInt64
    public var skipped: UInt64
    public init(imported: UInt64 = 0, skipped: UInt64 = 0) { self.imported = imported; self.skipped = skipped }
}

/// The caller's progress callback.
public struct ImportProgress {
    let function: proteus_progress_fn?
    let context: UnsafeMutableRawPointer?

    public init(function: proteus_progress_fn?, context: UnsafeMutableRawPointer?) {
        self.function = function
        self.context = context
    }

    /// `done` of `total` items (0 = unknown), with an optional note about
    /// one item (why it was skipped).
    public func report(done: UInt64, total: UInt64, note: String? = nil) {
        guard let function else { return }
        withProteusStr(note) { function(context, done, total, $0) }
    }
}

/// A dialect with command-line commands of its own ("command.v1",
/// proteus_command_api): `proteus <name> ARGS...` calls runCommand on the
/// main thread while nothing is being served.
public protocol CommandDialect: DialectInstance {
    /// Runs one command; returns the exit status (0 ok, 1 failure, 2 usage).
    func runCommand(_ arguments: [String], output: CommandOutput) -> Int32
}

/// The caller's output callback: lines to standard output or error.
public struct CommandOutput {
    let function: proteus_output_fn?
    let context: UnsafeMutableRawPointer?

    public init(function: proteus_output_fn?, context: UnsafeMutableRawPointer?) {
        self.function = function
        self.context = context
    }

    public func out(_ line: String) { write(PROTEUS_OUTPUT_STDOUT, line) }
    public func error(_ line: String) { write(PROTEUS_OUTPUT_STDERR, line) }

    private func write(_ stream: Int32, _ line: String) {
        guard let function else { return }
        withProteusStr(line) { function(context, stream, $0) }
    }
}

/// A dialect that describes its routes as an OpenAPI 3.1 document
/// ("openapi.v1", proteus_openapi_api), served by the host on the admin
/// listener and printed by `proteus openapi`. Any thread.
public protocol DocumentedDialect: DialectInstance {
    /// The document (JSON) for the dialect mounted at `mount`, whose
    /// `servers` URL carries the mount.
    func openAPIDocument(mount: String) throws(PluginError) -> String
}

/// Any other extension: a dialect returns its own static table for an id.
public protocol ExtendedDialect: DialectInstance {
    func extensionTable(_ id: String) -> UnsafeRawPointer?
}

extension DialectExport {
    nonisolated(unsafe) static let importTable: UnsafePointer<proteus_import_api> = makeStaticTable({
        var t = proteus_import_api()
        t.struct_size = UInt32(MemoryLayout<proteus_import_api>.size)
        t.import_from = { instance, source, progress, progressContext, summary, err in
            reporting(err) {
                guard let box = InstanceBox.get(instance, as: Box.self) else { throw PluginError.invalid("import_from: NULL instance") }
                guard let importer = box.instance as? ImportingDialect else {
                    throw PluginError.unsupported("this dialect does not import")
                }
                guard let path = source.string, !path.isEmpty else { throw PluginError.invalid("no source path given") }
                let result = try importer.importFrom(source: path, progress: ImportProgress(function: progress, context: progressContext))
                if let summary {
                    let size = Int(summary.pointee.struct_size)
                    if size >= MemoryLayout<proteus_import_summary>.offset(of: \.imported)! + 8 { summary.pointee.imported = result.imported }
                    if size >= MemoryLayout<proteus_import_summary>.offset(of: \.skipped)! + 8 { summary.pointee.skipped = result.skipped }
                }
            }
        }
        return t
    }())

    nonisolated(unsafe) static let commandTable: UnsafePointer<proteus_command_api> = makeStaticTable({
        var t = proteus_command_api()
        t.struct_size = UInt32(MemoryLayout<proteus_command_api>.size)
        t.run = { instance, args, count, output, outputContext in
            guard let box = InstanceBox.get(instance, as: Box.self), let commands = box.instance as? CommandDialect else { return 1 }
            guard count == 0 || args != nil else { return 2 }
            var arguments: [String] = []
            for i in 0..<Int(count) {
                guard let text = args?[i].string else { return 2 }
                arguments.append(text)
            }
            return commands.runCommand(arguments, output: CommandOutput(function: output, context: outputContext))
        }
        return t
    }())

    nonisolated(unsafe) static let openAPITable: UnsafePointer<proteus_openapi_api> = makeStaticTable({
        var t = proteus_openapi_api()
        t.struct_size = UInt32(MemoryLayout<proteus_openapi_api>.size)
        t.document = { instance, mount, arena, out, err in
            reporting(err) {
                guard let box = InstanceBox.get(instance, as: Box.self), let documented = box.instance as? DocumentedDialect else {
                    throw PluginError.invalid("document: NULL instance, or a dialect without a document")
                }
                guard let arena, let out else { throw PluginError.invalid("document: NULL arena or output") }
                guard let mount = mount.string else { throw PluginError.invalid("document: the mount is absent or not UTF-8") }
                let text = try documented.openAPIDocument(mount: mount)
                out.pointee = try ArenaWriter(host: box.host, arena: arena).str(text)
            }
        }
        return t
    }())

    /// The descriptor's get_extension for Swift dialects.
    static let getExtension: GetExtensionFunction = { instance, id in
        guard let id, let box = InstanceBox.get(instance, as: Box.self) else { return nil }
        let name = String(cString: id)
        if name == PROTEUS_EXT_IMPORT_V1, box.instance is ImportingDialect {
            return UnsafeRawPointer(importTable)
        }
        if name == PROTEUS_EXT_COMMAND_V1, box.instance is CommandDialect {
            return UnsafeRawPointer(commandTable)
        }
        if name == PROTEUS_EXT_OPENAPI_V1, box.instance is DocumentedDialect {
            return UnsafeRawPointer(openAPITable)
        }
        if let extended = box.instance as? ExtendedDialect { return extended.extensionTable(name) }
        return nil
    }
}
