// The "password" auth plugin: enrolls secrets as argon2id PHC strings and
// verifies argon2id/argon2i/argon2d PHC strings and legacy bcrypt hashes and
// MCSManager's unsalted MD5 (as "{MD5}" + base64).
//
// Threads: enroll and verify are [any thread] and run concurrently on the
// host's KDF pool. An instance is immutable after create (options + host
// table), and every call keeps its scratch memory to itself, so there is no
// shared mutable state and no lock.
import Glibc
import PluginAPI
import PluginKit

/// One configured instance.
final class PasswordAuth: AuthMethodInstance, @unchecked Sendable {
    let host: UnsafePointer<proteus_host_api>
    let options: PasswordOptions

    init(host: UnsafePointer<proteus_host_api>, options: PasswordOptions) {
        self.host = host
        self.options = options
    }

    /// A new argon2id PHC string for `secret`.
    func enroll(secret: proteus_str) throws(PluginError) -> String {
        guard secret.isPresent else { throw .invalid("no password given") }
        try checkSize(secret)
        let salt = try Host(host).randomBytes(Argon2Hasher.saltBytes)
        return String(decoding: try Argon2Hasher.enroll(password: secret.buffer, salt: salt, options: options), as: UTF8.self)
    }

    /// OK / DENIED with needs_rehash, IGNORE for formats that are not ours,
    /// INVALID for malformed ones.
    func verify(presented: proteus_str, stored: proteus_str) throws(PluginError) -> AuthVerification {
        let storedBytes = stored.buffer
        if Argon2Variant.detect(storedBytes) != nil {
            try checkPresented(presented)
            let verdict = try Argon2Hasher.verify(password: presented.buffer, stored: storedBytes)
            guard verdict.matches else { throw .denied("password does not match") }
            return AuthVerification(needsRehash: needsRehash(verdict.parameters))
        }
        if BcryptVerifier.recognizes(storedBytes) {
            try checkPresented(presented)
            guard try BcryptVerifier.verify(password: presented.buffer, stored: storedBytes) else {
                throw .denied("password does not match")
            }
            return AuthVerification(needsRehash: true) // bcrypt is legacy: always re-enroll with argon2id
        }
        if LegacyMD5Verifier.recognizes(storedBytes) {
            try checkPresented(presented)
            guard try LegacyMD5Verifier.verify(password: presented.buffer, stored: storedBytes) else {
                throw .denied("password does not match")
            }
            return AuthVerification(needsRehash: true) // unsalted MD5 (MCSManager type 0): always re-enroll
        }
        throw PluginError(PROTEUS_E_IGNORE, "not an argon2, bcrypt or {MD5} verifier")
    }

    /// True when a matching stored string is weaker than what we would
    /// enroll today: another variant, the old version, or a lower m, t or p.
    func needsRehash(_ phc: PHCString) -> Bool {
        phc.variant != .argon2id
            || phc.version != PHCString.version13
            || phc.memoryKiB < options.memoryKiB
            || phc.iterations < options.iterations
            || phc.parallelism < options.parallelism
    }

    private func checkPresented(_ presented: proteus_str) throws(PluginError) {
        guard presented.isPresent else { throw .invalid("no password presented") }
        try checkSize(presented)
    }

    private func checkSize(_ secret: proteus_str) throws(PluginError) {
        guard secret.len <= options.maxPasswordBytes else {
            throw .tooLarge("password longer than \(options.maxPasswordBytes) bytes")
        }
    }
}

nonisolated(unsafe) let passwordDescriptor = AuthExport.descriptor(
    name: "password",
    method: "password",
    version: "1.0.0",
    description: "Passwords: enrolls argon2id (PHC strings); verifies argon2id/i/d and legacy bcrypt ($2a$/$2b$/$2y$) and {MD5}",
    factory: { host, reader in
        let options = try PasswordOptions.parse(reader)
        if options.isBelowOWASPMinimum {
            host.warn("argon2id cost below the OWASP minimum (m=19456 KiB, t=2 or an equivalent): \(options.summary)")
        }
        return PasswordAuth(host: host.api, options: options)
    })

/// The one exported symbol (must be public to survive release builds).
@_cdecl("proteus_plugin_entry_v2")
public func proteus_plugin_entry_v2() -> UnsafePointer<proteus_plugin_descriptor> {
    passwordDescriptor
}
