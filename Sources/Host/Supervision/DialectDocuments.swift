// The mounted dialects' OpenAPI documents as the admin listener serves
// them: /openapi/<plugin>.json each, and /openapi/ the index that maps each
// mount to its document (several dialects share "/", so a public
// /openapi.json would clash). Asked for once per serving configuration and
// kept:
//   * the master asks a `proteus openapi --all` child over the serving
//     generation's config (it loads no plugin code itself);
//   * the single process (`workers: 0`) asks its own dialects.
import Glibc
import HTTPTransport
import ProteusJSON

final class DialectDocuments: @unchecked Sendable {
    /// One mounted dialect: its document (nil when it offers none) and the
    /// file name it is served under.
    struct Entry {
        var plugin: String
        var mount: String
        var document: String?
        var file = ""
    }

    typealias Source = @Sendable () throws -> [Entry]

    /// Held while a source runs, so concurrent requests ask once.
    private let asking = PThreadMutex()
    private let lock = PThreadMutex()
    private var source: Source
    private var entries: [Entry]?
    private var version = 0

    init(_ source: @escaping Source) { self.source = source }

    /// A new serving configuration: asked afresh on the next request.
    func replace(_ newSource: @escaping Source) {
        lock.lock()
        source = newSource
        entries = nil
        version += 1
        lock.unlock()
    }

    /// The entries, asking the source when none are kept (its error is
    /// thrown and nothing kept, so the next request asks again).
    func current() throws -> [Entry] {
        asking.lock()
        defer { asking.unlock() }
        lock.lock()
        let (kept, source, asked) = (entries, self.source, version)
        lock.unlock()
        if let kept { return kept }
        let named = Self.named(try source())
        lock.lock()
        if version == asked { entries = named }
        lock.unlock()
        return named
    }

    /// "<plugin>.json"; a plugin mounted again gets "<plugin>-2.json", ...
    static func named(_ entries: [Entry]) -> [Entry] {
        var seen: [String: Int] = [:]
        return entries.map { entry in
            var e = entry
            let n = (seen[e.plugin] ?? 0) + 1
            seen[e.plugin] = n
            e.file = n == 1 ? "\(e.plugin).json" : "\(e.plugin)-\(n).json"
            return e
        }
    }

    /// /openapi/'s answer: each mount, its plugin and its document's path
    /// (null for a dialect that describes no routes).
    static func index(_ entries: [Entry]) -> String {
        let listed: [JSONValue] = entries.map { e in
            ["mount": .string(e.mount), "plugin": .string(e.plugin),
             "document": e.document == nil ? .null : .string("/openapi/" + e.file)]
        }
        return JSONValue.object(["documents": .array(listed)]).serialized()
    }

    // MARK: - Sources

    /// `proteus openapi --all` output: {"documents": [{plugin, mount, document}]}.
    static func listing(_ entries: [Entry]) throws -> String {
        var listed: [JSONValue] = []
        for e in entries {
            var document = JSONValue.null
            if let text = e.document {
                do { document = try JSONParser.parse(Array(text.utf8)) } catch {
                    throw HostError("dialect \"\(e.plugin)\": its OpenAPI document is not JSON: \(error)")
                }
            }
            listed.append(["plugin": .string(e.plugin), "mount": .string(e.mount), "document": document])
        }
        return JSONValue.object(["documents": .array(listed)]).serialized()
    }

    /// A configuration's bytes (a generation's fd 3 copy), closed when the
    /// source that reads them is replaced.
    final class ConfigCopy: @unchecked Sendable {
        let fd: Int32
        init(_ fd: Int32) { self.fd = fd }
        deinit { if fd >= 0 { close(fd) } }
    }

    /// The entries a `proteus openapi --all` child prints for the config in
    /// `config` (nil: the embedded default). The child reads the serving
    /// generation's own bytes, not the file as it may have been edited since.
    static func fromChild(config: ConfigCopy?) -> Source {
        let arguments = ["openapi", "--all"] + (config == nil ? [] : ["--config", "/proc/self/fd/\(ProcessSupport.firstInheritedFD)"])
        return {
            if let config, config.fd < 0 { throw HostError("the OpenAPI documents could not be built: cannot pass the config to a child") }
            let child = try ChildCommand.run(arguments, descriptors: config.map { [$0.fd] } ?? [])
            guard child.succeeded else { throw HostError("the OpenAPI documents could not be built: \(child.failure)") }
            guard let listed = (try? JSONParser.parse(child.standardOutput))?.objectValue?["documents"]?.arrayValue else {
                throw HostError("the OpenAPI documents could not be built: `proteus openapi --all` printed no listing")
            }
            return listed.compactMap { item in
                guard let plugin = item["plugin"]?.stringValue, let mount = item["mount"]?.stringValue else { return nil }
                let document = item["document"].flatMap { $0 == .null ? nil : $0.serialized() }
                return Entry(plugin: plugin, mount: mount, document: document)
            }
        }
    }

    /// The entries of this process's own dialects.
    static func fromDialects(_ dialects: [DialectBinding]) -> Source {
        let bindings = UncheckedBindings(dialects)
        return { try bindings.value.map { Entry(plugin: $0.name, mount: $0.mount, document: try $0.openAPIDocument()) } }
    }

    /// Dialect bindings are used from any thread (openapi.v1 is [any thread]).
    private struct UncheckedBindings: @unchecked Sendable {
        let value: [DialectBinding]
        init(_ value: [DialectBinding]) { self.value = value }
    }
}
