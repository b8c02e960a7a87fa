// The "password" auth plugin: enrolls secrets as argon2id PHC strings and
// verifies argon2id/argon2i/argon2d PHC strings and, for imported users, the
// formats other systems store (StoredFormats.swift lists them: bcrypt,
// md5/sha256/sha512-crypt, PBKDF2, scrypt, Firebase scrypt, phpass, LDAP
// {MD5}/{SSHA}/...). Every match other than argon2id at the configured
// cost answers needs_rehash, so the dialects re-enroll at the first sign-in.
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
    /// INVALID for malformed ones (or ones asking for more work than the
    /// verifier's bounds). The formats are StoredFormat.all.
    func verify(presented: proteus_str, stored: proteus_str) throws(PluginError) -> AuthVerification {
        let storedBytes = stored.buffer
        guard let format = StoredFormat.find(storedBytes) else {
            throw PluginError(PROTEUS_E_IGNORE, "not a password verifier format this plugin knows")
        }
        try checkPresented(presented)
        switch try format.verify(presented.buffer, storedBytes, options) {
        case .mismatch: throw .denied("password does not match")
        case .match(let needsRehash): return AuthVerification(needsRehash: needsRehash)
        }
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
    description: "Passwords: enrolls argon2id (PHC strings); verifies argon2id/i/d and imported bcrypt, md5/sha256/sha512-crypt, PBKDF2 (Django, passlib, Kratos), scrypt, Firebase scrypt, phpass and LDAP {MD5}/{SMD5}/{SHA}/{SSHA}[256/384/512], re-hashing them on sign-in",
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
