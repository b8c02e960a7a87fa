// `proteus scim token create|list|revoke` (the "command.v1" extension):
// tokens are shown once, at creation, and stored only as SHA-256 hashes.
import PluginAPI
import PluginKit
import ProteusJSON

struct TokenCommand {
    let host: Host

    static let usage = """
    usage: proteus scim token create --label LABEL [--config FILE]
           proteus scim token list [--config FILE]
           proteus scim token revoke (--label LABEL | --id ID) [--config FILE]
    """

    func run(_ arguments: [String], _ output: CommandOutput) -> Int32 {
        guard arguments.count >= 2, arguments[0] == "token" else {
            output.error(Self.usage)
            return 2
        }
        var options: [String: String] = [:]
        var rest = arguments.dropFirst(2)
        while let name = rest.first {
            rest = rest.dropFirst()
            guard name == "--label" || name == "--id", let value = rest.first else {
                output.error("unexpected \"\(name)\"\n" + Self.usage)
                return 2
            }
            options[String(name.dropFirst(2))] = value
            rest = rest.dropFirst()
        }
        do {
            switch arguments[1] {
            case "create":
                guard let label = options["label"], !label.isEmpty, options["id"] == nil else {
                    output.error("token create needs --label LABEL\n" + Self.usage)
                    return 2
                }
                return try create(label: label, output)
            case "list":
                guard options.isEmpty else { output.error(Self.usage); return 2 }
                return try list(output)
            case "revoke":
                guard options.count == 1 else {
                    output.error("token revoke needs --label LABEL or --id ID\n" + Self.usage)
                    return 2
                }
                return try revoke(label: options["label"], id: options["id"], output)
            default:
                output.error("unknown token command \"\(arguments[1])\"\n" + Self.usage)
                return 2
            }
        } catch {
            output.error("scim token \(arguments[1]) failed: \(error)")
            return 1
        }
    }

    private struct Stored {
        let key: String
        let id: String
        let label: String
        let created: String
    }

    private func stored() throws -> [Stored] {
        try host.directory.entries(namespace: BearerTokens.namespace).compactMap { entry in
            guard let o = (try? JSONValue(parsing: entry.json))?.objectValue,
                  let id = o["id"]?.stringValue, let label = o["label"]?.stringValue else { return nil }
            return Stored(key: entry.key, id: id, label: label, created: ISOTime.format(millis: entry.createdAt))
        }
    }

    private func create(label: String, _ output: CommandOutput) throws -> Int32 {
        guard label.utf8.count <= 200 else { output.error("the label is longer than 200 bytes"); return 2 }
        if try stored().contains(where: { $0.label == label }) {
            output.error("a token labelled \"\(label)\" exists; revoke it first or choose another label")
            return 1
        }
        let secret = try SecretToken.generate(host)
        let token = BearerTokens.prefix + secret.text
        let id = Hex.encode(try host.randomBytes(8))
        let value: JSONValue = ["id": .string(id), "label": .string(label)]
        try host.directory.putEntry(EntryRecord(namespace: BearerTokens.namespace, key: BearerTokens.key(token, host),
                                                json: value.serialized()), replace: false)
        output.out(token)
        output.error("created SCIM token \(id) labelled \"\(label)\"; it is shown only now. Servers accept it within \(BearerTokens.cacheMs / 1000) s.")
        return 0
    }

    private func list(_ output: CommandOutput) throws -> Int32 {
        let tokens = try stored()
        guard !tokens.isEmpty else {
            output.error("no SCIM tokens (create one with: proteus scim token create --label LABEL)")
            return 0
        }
        output.out("ID                LABEL  CREATED")
        for t in tokens.sorted(by: { $0.created < $1.created }) { output.out("\(t.id)  \(t.label)  \(t.created)") }
        return 0
    }

    private func revoke(label: String?, id: String?, _ output: CommandOutput) throws -> Int32 {
        let doomed = try stored().filter { ($0.label == label && label != nil) || ($0.id == id && id != nil) }
        guard !doomed.isEmpty else {
            output.error("no SCIM token with \(label.map { "label \"\($0)\"" } ?? "id \(id ?? "")")")
            return 1
        }
        for t in doomed { _ = try host.directory.deleteEntry(namespace: BearerTokens.namespace, key: t.key) }
        for t in doomed { output.out("revoked \(t.id) (\(t.label))") }
        return 0
    }
}
