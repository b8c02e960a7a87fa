// `proteus import SOURCE --from PATH [--config FILE] [--dry-run]
//  [--firebase-signer-key B64 --firebase-salt-separator B64]`: loads the
// config and creates its plugins as `serve` would (nothing is served), then
// brings another system's users into the directory.
//
// SOURCE is `csv`, `keycloak` or `kratos` (generic sources written by the
// host: Import/, through ImportPipeline; no dialect needed, "dialects": []
// is accepted) or a mounted dialect offering "import.v1" (e.g. mcsmanager),
// whose import_run (ABI 2.5) takes the options as JSON and fills the
// extended summary; a dialect built before 2.5 only has import_from, which
// runs without options (a dry run is refused rather than run for real).
//
// Progress goes to stdout (Maintenance/ProgressReporter): a redrawn bar on a
// terminal, plain lines otherwise; every skipped item gets its own line
// naming its position. Then the summary:
//
//   imported 3, updated 1, unchanged 4, skipped 2 (csv, from users.csv)
//   skipped: wrong number of fields 1, unknown role 1
//   password hashes: bcrypt 5, argon2id 2, unknown 1
//   note: ...
//
// (a dry run starts with "dry run, nothing written: "). Exit status 0 when
// the import ran to the end (even if it skipped items), 1 when it could not
// (unknown source, no import support, unusable source, store failure), 2 on
// usage errors.
import Glibc
import PluginAPI
import PluginKit

enum ImportCommand {
    static let usage = "usage: proteus import <csv|keycloak|kratos|DIALECT> --from PATH [--config FILE] [--dry-run] [--firebase-signer-key B64 --firebase-salt-separator B64]"

    /// The host's own sources.
    static func genericSource(_ name: String) -> ImportSource? {
        switch name {
        case "csv": return CSVSource()
        case "keycloak": return KeycloakSource()
        case "kratos": return KratosSource()
        default: return nil
        }
    }

    static func run(_ arguments: Arguments) -> Int32 {
        guard arguments.positional.count == 1, let source = arguments.importSource, !source.isEmpty else {
            Commands.printError(usage)
            return 2
        }
        let name = arguments.positional[0]
        let dryRun = arguments.flags.contains("dry-run")
        let batch: Int?
        do { batch = try arguments.integer("batch", in: 1...100_000) } catch {
            Commands.printError("\(error)")
            return 2
        }
        let firebase: PasswordHashFormat.FirebaseKeys?
        switch (arguments.values["firebase-signer-key"], arguments.values["firebase-salt-separator"]) {
        case (nil, nil): firebase = nil
        case (let key?, let separator?):
            guard Base64.decode(key, urlSafe: false)?.isEmpty == false, Base64.decode(separator, urlSafe: false)?.isEmpty == false else {
                Commands.printError("--firebase-signer-key and --firebase-salt-separator are base64, as the Firebase console shows them")
                return 2
            }
            firebase = PasswordHashFormat.FirebaseKeys(signerKey: key, saltSeparator: separator)
        default:
            Commands.printError("--firebase-signer-key and --firebase-salt-separator go together (the project's password hash parameters)")
            return 2
        }
        let generic = genericSource(name)
        let assembly: HostAssembly
        do {
            assembly = try HostAssembly(try Commands.loadConfiguration(arguments, dialectsRequired: generic == nil))
        } catch {
            Commands.printError("\(error)")
            return 1
        }
        defer { assembly.close() }

        let progress = ProgressReporter("import")
        let summary: ImportSummary
        if let generic {
            let host = Host(UnsafePointer(HostServicesTable.make(pluginName: "proteus import", runtime: assembly.runtime, dialect: SignInRules())))
            var settings = ImportPipeline.Settings(source: name, dryRun: dryRun, firebase: firebase)
            if let batch { settings.batchSize = batch }
            let pipeline = ImportPipeline(host: host, settings: settings, progress: progress)
            do {
                summary = try pipeline.run(generic, path: source)
            } catch {
                progress.finish()
                Commands.printError("import from \(shown(source)) failed: \(error)")
                return 1
            }
        } else {
            guard let binding = assembly.dialects.first(where: { $0.name == name }) else {
                let names = assembly.dialects.map(\.name)
                Commands.printError("no import source or dialect \"\(name)\" (sources: csv, keycloak, kratos; dialects configured: \(names.isEmpty ? "none" : names.joined(separator: ", ")))")
                return 1
            }
            var options: [String] = []
            if dryRun { options.append("\"\(PROTEUS_IMPORT_OPTION_DRY_RUN)\":true") }
            if let firebase {
                options.append("\"firebaseSignerKey\":\"\(firebase.signerKey)\"")
                options.append("\"firebaseSaltSeparator\":\"\(firebase.saltSeparator)\"")
            }
            do {
                summary = try runDialect(binding, source: source, options: options.isEmpty ? nil : "{" + options.joined(separator: ",") + "}", progress: progress)
            } catch {
                progress.finish()
                Commands.printError("\(error)")
                return 1
            }
        }
        progress.finish()
        for line in lines(summary, source: name, path: shown(source), dryRun: dryRun) { print(line) }
        return 0
    }

    /// A dialect's import.v1: import_run when the table has it, else
    /// import_from (no options: a dry run or an option is refused).
    private static func runDialect(_ binding: DialectBinding, source: String, options: String?, progress: ProgressReporter) throws -> ImportSummary {
        guard let api = binding.extensionTable(PROTEUS_EXT_IMPORT_V1, as: proteus_import_api.self, requiring: \.import_from) else {
            throw HostError("dialect \"\(binding.name)\" cannot import (it offers no \(PROTEUS_EXT_IMPORT_V1) extension)")
        }
        let run = TableEntry.function(api, \.import_run, declaredSize: api.struct_size)
        if run == nil, options != nil {
            throw HostError("dialect \"\(binding.name)\" cannot do a dry run or take import options: its import.v1 has no import_run (built against ABI 2.4 or older)")
        }
        var raw = proteus_import_summary()
        raw.struct_size = UInt32(MemoryLayout<proteus_import_summary>.size)
        var err = proteus_error()
        let context = Unmanaged.passUnretained(progress).toOpaque()
        let callback: proteus_progress_fn = { ctx, done, total, note in
            guard let ctx else { return }
            let reporter = Unmanaged<ProgressReporter>.fromOpaque(ctx).takeUnretainedValue()
            if let text = note.string { reporter.note(text) }
            reporter.update(done: done, total: total)
        }
        let table = binding.instance.hostTable
        guard let arena = table.pointee.arena_create(table.pointee.ctx) else { throw HostError("cannot create an arena") }
        defer { table.pointee.arena_destroy(arena) }
        let status = withProteusStr(source) { path in
            withProteusStr(options) { opts in
                if let run { return run(binding.instance.instance, path, opts, callback, context, arena, &raw, &err) }
                return api.import_from(binding.instance.instance, path, callback, context, &raw, &err)
            }
        }
        guard status == PROTEUS_OK else {
            throw HostError("import from \(shown(source)) failed: \(PluginError(status: status, from: err).message)")
        }
        var summary = ImportSummary(imported: raw.imported, skipped: raw.skipped)
        if run != nil {
            summary.updated = raw.updated
            summary.unchanged = raw.unchanged
            if let details = raw.details.string { summary.readDetails(details) }
        }
        return summary
    }

    /// A source as printed: a URL's password (user:PASSWORD@, or a
    /// password= parameter) never reaches the terminal or a log.
    static func shown(_ source: String) -> String {
        guard let scheme = source.firstRange(of: "://") else { return source }
        var text = source
        let authorityEnd = text[scheme.upperBound...].firstIndex { $0 == "/" || $0 == "?" } ?? text.endIndex
        if let at = text[scheme.upperBound..<authorityEnd].lastIndex(of: "@"),
           let colon = text[scheme.upperBound..<at].firstIndex(of: ":") {
            text.replaceSubrange(text.index(after: colon)..<at, with: "***")
        }
        guard let query = text.firstIndex(of: "?") else { return text }
        let parameters = text[text.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false).map { p in
            p.lowercased().hasPrefix("password=") ? "password=***" : String(p)
        }
        return String(text[...query]) + parameters.joined(separator: "&")
    }

    /// The summary as printed.
    static func lines(_ s: ImportSummary, source: String, path: String, dryRun: Bool) -> [String] {
        func counts(_ d: [String: UInt64]) -> String {
            d.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        var out = ["\(dryRun ? "dry run, nothing written: " : "")imported \(s.imported), updated \(s.updated), unchanged \(s.unchanged), skipped \(s.skipped) (\(source), from \(path))"]
        if !s.skippedReasons.isEmpty { out.append("skipped: " + counts(s.skippedReasons)) }
        if !s.hashFormats.isEmpty { out.append("password hashes: " + counts(s.hashFormats)) }
        out += s.notes.map { "note: " + $0 }
        return out
    }
}
