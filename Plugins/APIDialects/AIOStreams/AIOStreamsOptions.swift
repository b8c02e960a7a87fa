// The dialect's options: UUID aliases, the user-API rate limit and the
// SECRET_KEY of an original server whose users were imported.
import PluginAPI
import PluginKit
import ProteusJSON

struct AIOStreamsOptions: Sendable {
    struct RateLimit: Sendable {
        var requests: UInt32
        var windowSeconds: UInt32
    }

    /// alias → user id (16 bytes)
    var aliases: [String: [UInt8]] = [:]
    /// nil when disabled (`"rateLimit": false`). Per client address and per
    /// host (the host's rate_limit, shared by its workers): the dialect has
    /// no per-account counter, so nothing here needs the store's counters.
    var rateLimit: RateLimit? = RateLimit(requests: 5, windowSeconds: 5)
    /// The SECRET_KEY of the original AIOStreams server the users were
    /// imported from (`proteus import aiostreams`), exactly as it was set
    /// there (its text goes into the key derivation, so case matters): with
    /// it an imported user's sealed config is opened at the first sign-in
    /// (ImportedConfig.swift). Nil: imported configs stay sealed.
    var importedSecretKey: String?
    /// The original's encryptedPassword key (its SECRET_KEY as hex bytes):
    /// tokens users saved from it (addon URLs) keep working after the import.
    var originalTokenKey: [UInt8]?
    /// Minimum length of new passwords, in UTF-16 code units as the
    /// original's JavaScript `password.length < 6` counts them.
    let minimumPasswordLength = 6

    init(_ options: PluginOptions) throws {
        try options.rejectUnknown(["aliases", "rateLimit", "importedSecretKey"])
        if let key = try options.string("importedSecretKey") {
            // The original's own rule for SECRET_KEY (utils/env.ts).
            guard key.utf8.count == 64, Hex.decode(key) != nil else {
                throw PluginError.invalid("option \"importedSecretKey\" must be the original server's SECRET_KEY: 64 hexadecimal characters")
            }
            importedSecretKey = key
            originalTokenKey = NodeHex.decode(key)
        }
        if let aliases = try options.object("aliases") {
            for (alias, value) in aliases {
                guard Self.isValidAlias(alias) else {
                    throw PluginError.invalid("option \"aliases\": alias \"\(alias)\" must be 2-64 characters of a-z, 0-9, '.', '_' or '-', and must not look like a UUID")
                }
                guard let text = value.stringValue, let id = proteus_id(dashedUUID: text) else {
                    throw PluginError.invalid("option \"aliases\": alias \"\(alias)\" must map to a UUID string (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)")
                }
                self.aliases[alias] = id.byteArray
            }
        }
        switch options.value("rateLimit") {
        case nil, .null?:
            break
        case .bool(false)?:
            rateLimit = nil
        case .bool(true)?:
            break
        case .object(let o)?:
            let limit = PluginOptions(o)
            try limit.rejectUnknown(["requests", "windowSeconds"])
            rateLimit = RateLimit(
                requests: UInt32(try limit.int("requests", in: 1...1_000_000) ?? 5),
                windowSeconds: UInt32(try limit.int("windowSeconds", in: 1...86_400) ?? 5))
        case let other?:
            throw PluginError.invalid("option \"rateLimit\" must be false or an object {\"requests\": N, \"windowSeconds\": S}, not \(other.typeName)")
        }
    }

    static func isValidAlias(_ alias: String) -> Bool {
        let bytes = Array(alias.utf8)
        guard (2...64).contains(bytes.count), proteus_id(dashedUUID: alias) == nil else { return false }
        return bytes.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 95 || $0 == 45 }
    }

    /// A UUID or an alias, resolved to a user id; nil when neither.
    func resolve(_ text: String) -> [UInt8]? {
        if let id = proteus_id(dashedUUID: text) { return id.byteArray }
        return aliases[text]
    }
}
