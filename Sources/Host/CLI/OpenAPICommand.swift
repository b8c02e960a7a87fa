// `proteus openapi PLUGIN [--config FILE]`: prints the OpenAPI document of a
// configured dialect for its mount, as the admin listener serves it.
// `proteus openapi --all`: every mounted dialect's, in one listing (what the
// master asks for to serve them: Supervision/DialectDocuments.swift). The
// config is loaded and every plugin created as for `serve` (nothing is
// served).
enum OpenAPICommand {
    static func run(_ arguments: Arguments) throws -> Int32 {
        // Standard output is the document alone.
        Logger.shared.useStandardError()
        let assembly = try HostAssembly(try Commands.loadConfiguration(arguments))
        defer { assembly.close() }
        if arguments.flags.contains("all") {
            print(try DialectDocuments.listing(try DialectDocuments.fromDialects(assembly.dialects)()))
            return 0
        }
        let name = arguments.positional[0]
        guard let binding = assembly.dialects.first(where: { $0.name == name }) else {
            let mounted = assembly.dialects.map(\.name)
            throw HostError("no dialect \"\(name)\" in this config (dialects: \(mounted.joined(separator: ", ")))")
        }
        guard let document = try binding.openAPIDocument() else {
            throw HostError("dialect \"\(name)\" describes no routes (it offers no \"openapi.v1\" document)")
        }
        print(document)
        return 0
    }
}
