// Optional capabilities of a Swift dialect, offered through the descriptor's
// get_extension (CLAP-style): a dialect conforms to one of these protocols and
// DialectExport answers the matching extension id with a static table.
import PluginAPI
import ProteusJSON

/// A dialect that can bring another system's data into the directory
/// ("import.v1", proteus_import_api). Called by `proteus import` on the main
/// thread while nothing is being served.
public protocol ImportingDialect: DialectInstance {
    /// Reads `source` (a path) and writes what it finds through the
    /// directory. Each item is written atomically or not at all; skipped
    /// items are reported through `progress` with a note naming them. Throw
    /// INVALID when `source` is unusable as a whole.
    func importFrom(source: String, progress: ImportProgress) throws(PluginError) -> ImportSummary

    /// (ABI 2.5, import_run) The same with options: `options.dryRun` reads,
    /// checks and maps everything and writes nothing. The default refuses a
    /// dry run (UNSUPPORTED) and any option of the dialect's own (INVALID),
    /// and otherwise runs importFrom(source:progress:): a dialect that
    /// supports dry runs implements this one.
    func importFrom(source: String, options: ImportOptions, progress: ImportProgress) throws(PluginError) -> ImportSummary
}

extension ImportingDialect {
    public func importFrom(source: String, options: ImportOptions, progress: ImportProgress) throws(PluginError) -> ImportSummary {
        if options.dryRun { throw PluginError.unsupported("this dialect's import cannot do a dry run") }
        if let key = options.other.keys.first { throw PluginError.invalid("unknown import option \"\(key)\"") }
        return try importFrom(source: source, progress: progress)
    }
}

/// The options of an import_run (a JSON object): `dryRun`, and the keys a
/// dialect defines for itself (in `other`, to check and use).
public struct ImportOptions: Sendable {
    public var dryRun: Bool
    public var other: JSONObject

    public init(dryRun: Bool = false, other: JSONObject = JSONObject()) {
        self.dryRun = dryRun
        self.other = other
    }

    /// Parses the options text (absent or empty = the defaults).
    public init(json: String?) throws(PluginError) {
        self.init()
        guard let json, !json.isEmpty else { return }
        let value: JSONValue
        do { value = try JSONParser.parse(json) } catch { throw PluginError.invalid("import options: not valid JSON (\(error.message))") }
        guard case .object(let object) = value else { throw PluginError.invalid("import options: not a JSON object") }
        for (key, v) in object {
            if key == PROTEUS_IMPORT_OPTION_DRY_RUN {
                guard let b = v.boolValue else { throw PluginError.invalid("import option \"dryRun\" must be true or false") }
                dryRun = b
            } else {
                other[key] = v
            }
        }
    }
}

/// Counts of an import.
public struct ImportSummary: Sendable {
    public var imported: UInt64
    public var skipped: UInt64
    /// (2.5) Items already present whose data differed, rewritten.
    public var updated: UInt64
    /// (2.5) Items already present as the source has them.
    public var unchanged: UInt64
    /// (2.5) Password hash formats seen, by name ("bcrypt", "unknown"...).
    public var hashFormats: [String: UInt64]
    /// (2.5) Why items were skipped, counted by reason.
    public var skippedReasons: [String: UInt64]
    /// (2.5) Short lines for the operator (never a secret).
    public var notes: [String]

    public init(imported: UInt64 = 0, skipped: UInt64 = 0, updated: UInt64 = 0, unchanged: UInt64 = 0,
                hashFormats: [String: UInt64] = [:], skippedReasons: [String: UInt64] = [:], notes: [String] = []) {
        self.imported = imported
        self.skipped = skipped
        self.updated = updated
        self.unchanged = unchanged
        self.hashFormats = hashFormats
        self.skippedReasons = skippedReasons
        self.notes = notes
    }

    /// One skipped item, counted under `reason`.
    public mutating func skip(reason: String) {
        skipped += 1
        skippedReasons[reason, default: 0] += 1
    }

    /// summary->details: the JSON object of proteus_import.h, nil when
    /// there is nothing to tell.
    public var detailsJSON: String? {
        var o = JSONObject()
        func counts(_ d: [String: UInt64]) -> JSONValue {
            .object(JSONObject(d.sorted { $0.key < $1.key }.map { ($0.key, JSONValue($0.value)) }))
        }
        if !hashFormats.isEmpty { o["hashFormats"] = counts(hashFormats) }
        if !skippedReasons.isEmpty { o["skippedReasons"] = counts(skippedReasons) }
        if !notes.isEmpty { o["notes"] = .array(notes.map { .string($0) }) }
        return o.isEmpty ? nil : JSONValue.object(o).serialized()
    }

    /// Reads summary->details back (the host's side); unknown keys ignored.
    public mutating func readDetails(_ json: String) {
        guard let value = try? JSONParser.parse(json) else { return }
        func counts(_ v: JSONValue?) -> [String: UInt64] {
            guard case .object(let o)? = v else { return [:] }
            var d: [String: UInt64] = [:]
            for (k, n) in o { if let c = n.numberValue?.uint64 { d[k] = c } }
            return d
        }
        hashFormats = counts(value["hashFormats"])
        skippedReasons = counts(value["skippedReasons"])
        notes = value["notes"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
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
                let (importer, path) = try importTarget(instance, source)
                let result = try importer.importFrom(source: path, progress: ImportProgress(function: progress, context: progressContext))
                try write(result, to: summary, extended: false, arena: nil, host: nil)
            }
        }
        t.import_run = { instance, source, options, progress, progressContext, arena, summary, err in
            reporting(err) {
                let (importer, path) = try importTarget(instance, source)
                guard options.ptr == nil || options.string != nil else { throw PluginError.invalid("import options are not UTF-8") }
                let parsed = try ImportOptions(json: options.string)
                let result = try importer.importFrom(source: path, options: parsed, progress: ImportProgress(function: progress, context: progressContext))
                try write(result, to: summary, extended: true, arena: arena, host: InstanceBox.get(instance, as: Box.self)?.host)
            }
        }
        return t
    }())

    private static func importTarget(_ instance: UnsafeMutableRawPointer?, _ source: proteus_str) throws(PluginError) -> (ImportingDialect, String) {
        guard let box = InstanceBox.get(instance, as: Box.self) else { throw PluginError.invalid("import: NULL instance") }
        guard let importer = box.instance as? ImportingDialect else { throw PluginError.unsupported("this dialect does not import") }
        guard let path = source.string, !path.isEmpty else { throw PluginError.invalid("no source path given") }
        return (importer, path)
    }

    /// The summary's fields that lie inside the caller's struct_size (the
    /// 2.5 ones for import_run only).
    private static func write(_ result: ImportSummary, to summary: UnsafeMutablePointer<proteus_import_summary>?, extended: Bool,
                              arena: OpaquePointer?, host: UnsafePointer<proteus_host_api>?) throws(PluginError) {
        guard let summary else { return }
        let size = Int(summary.pointee.struct_size)
        func covers<T>(_ field: KeyPath<proteus_import_summary, T>) -> Bool {
            size >= MemoryLayout<proteus_import_summary>.offset(of: field)! + MemoryLayout<T>.size
        }
        if covers(\.imported) { summary.pointee.imported = result.imported }
        if covers(\.skipped) { summary.pointee.skipped = result.skipped }
        guard extended else { return }
        if covers(\.updated) { summary.pointee.updated = result.updated }
        if covers(\.unchanged) { summary.pointee.unchanged = result.unchanged }
        if covers(\.details), let arena, let host, let json = result.detailsJSON {
            do { summary.pointee.details = try ArenaWriter(host: host, arena: arena).str(json) } catch {
                throw (error as? PluginError) ?? PluginError.internal("cannot write the import details: \(error)")
            }
        }
    }

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
