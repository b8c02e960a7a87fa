// An imported user's config while it is still the original's sealed blob,
// and how it is opened at the user's first sign-in.
//
// `proteus import aiostreams` cannot decrypt configs: the original derives
// each config's key from the user's password (OriginalCrypto.swift). So the
// importer stores the blob as it is, in the user's document of namespace
// "aiostreams.import":
//
//   {"state": "sealed", "row": DIGEST, "config": BLOB, "configSalt": SALT}
//
// (DIGEST: SHA-256 hex of the source row's password_hash, config and
// config_salt; a re-run compares it to tell an unchanged row from a changed
// one). The user has no "aiostreams" document yet. When the user next signs
// in with the password (GET, verify, password change) and the operator has
// set the dialect option `importedSecretKey` (the original's SECRET_KEY), the
// config is decrypted, given its `uuid` and stored as the "aiostreams"
// document every config of ours is, and the import document shrinks to
// `{"state": "opened", "row": DIGEST}` — one write, conditioned on the
// version that was verified. Until then the config endpoints answer as the
// original does for a config it cannot decrypt: 500 ENCRYPTION_ERROR (GET,
// password change); PUT replaces the config (the original re-encrypts the
// new one without reading the old) and DELETE deletes.
import PluginAPI
import PluginKit
import ProteusJSON

struct ImportedConfig {
    static let namespace = "aiostreams.import"

    var sealed: Bool
    var row: String
    var config: String
    var configSalt: String

    /// The import document of `user` (loaded with its documents), nil when
    /// it has none or it is not one of ours.
    init?(_ user: UserRecord) {
        guard let text = user.document(Self.namespace) else { return nil }
        self.init(json: text)
    }

    init?(json text: String) {
        guard case .object(let o)? = try? JSONParser.parse(Array(text.utf8)),
              let state = o["state"]?.stringValue, let row = o["row"]?.stringValue else { return nil }
        switch state {
        case "sealed":
            guard let config = o["config"]?.stringValue, let salt = o["configSalt"]?.stringValue else { return nil }
            self.init(sealed: true, row: row, config: config, configSalt: salt)
        case "opened":
            self.init(sealed: false, row: row, config: "", configSalt: "")
        default:
            return nil
        }
    }

    init(sealed: Bool, row: String, config: String, configSalt: String) {
        self.sealed = sealed
        self.row = row
        self.config = config
        self.configSalt = configSalt
    }

    var json: String {
        var o: JSONObject = ["state": .string(sealed ? "sealed" : "opened"), "row": .string(row)]
        if sealed {
            o["config"] = .string(config)
            o["configSalt"] = .string(configSalt)
        }
        return JSONValue.object(o).serialized()
    }

    /// The same row, opened.
    var opened: ImportedConfig { ImportedConfig(sealed: false, row: row, config: "", configSalt: "") }

    /// The decrypted config object with `uuid` set, nil when the password
    /// and secret key do not open it (or it is not a JSON object).
    func open(password: String, secretKey: String, userID: [UInt8]) -> JSONObject? {
        guard let key = OriginalCrypto.deriveKey(password: password, secretKey: secretKey, configSalt: configSalt),
              let plain = OriginalCrypto.decrypt(config, key: key),
              case .object(var o)? = try? JSONParser.parse(plain) else { return nil }
        o["uuid"] = .string(proteus_id(byteArray: userID).dashedUUID)
        return o
    }
}
