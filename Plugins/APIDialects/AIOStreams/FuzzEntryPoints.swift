// The decoding this dialect does on request input, for the fuzz target
// Tests/Fuzz/AIOStreams (package access: only executables of this package
// can call it; the plugin itself does not).
import PluginKit
import ProteusJSON

package enum AIOStreamsFuzzEntryPoints {
    package struct Failure: Error {
        package let status: Int
        package let message: String
    }

    /// RequestBody.object: the body as a JSON object (empty body: empty object).
    package static func bodyObject(_ request: Request) -> Result<JSONObject, Failure> {
        do { return .success(try RequestBody.object(request)) } catch {
            return .failure(Failure(status: error.status, message: error.message))
        }
    }

    /// CredentialSource.basic: `Authorization: Basic` credentials, nil without the header.
    package static func basicCredentials(_ request: Request) -> Result<(user: String, password: String)?, Failure> {
        do {
            guard let c = try CredentialSource.basic(request) else { return .success(nil) }
            return .success((c.user, c.password))
        } catch {
            return .failure(Failure(status: error.status, message: error.message))
        }
    }

    /// PasswordToken.looksLikeToken: whether a password is shaped like an encryptedPassword.
    package static func looksLikeToken(_ text: String) -> Bool { PasswordToken.looksLikeToken(text) }

    /// PasswordToken's reading of an original server's token (OriginalCrypto:
    /// envelope, AES-256-CBC, zlib) under `key`: the password bytes or nil.
    package static func openOriginalToken(_ text: String, key: [UInt8]) -> [UInt8]? {
        OriginalCrypto.decrypt(text, key: key, limit: PasswordToken.maxPasswordBytes)
    }

    package static var maxOriginalPasswordBytes: Int { PasswordToken.maxPasswordBytes }

    /// AIOStreamsOptions.isValidAlias.
    package static func isValidAlias(_ alias: String) -> Bool { AIOStreamsOptions.isValidAlias(alias) }

    /// AIOStreamsOptions from the dialect's JSON options, and its resolve (UUID or alias → user id).
    package static func resolver(options: JSONObject) throws -> (String) -> [UInt8]? {
        let parsed = try AIOStreamsOptions(PluginOptions(options))
        return { parsed.resolve($0) }
    }
}
