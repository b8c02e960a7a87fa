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
final class PasswordAuth: @unchecked Sendable {
    let host: UnsafePointer<proteus_host_api>
    let options: PasswordOptions

    init(host: UnsafePointer<proteus_host_api>, options: PasswordOptions) {
        self.host = host
        self.options = options
    }

    /// A new argon2id PHC string for `secret`.
    func enroll(secret: proteus_str) throws(PluginError) -> [UInt8] {
        guard secret.isPresent else { throw .invalid("no password given") }
        try checkSize(secret)
        let salt = try Host(host).randomBytes(Argon2Hasher.saltBytes)
        return try Argon2Hasher.enroll(password: secret.buffer, salt: salt, options: options)
    }

    /// OK / DENIED with needs_rehash, IGNORE for formats that are not ours,
    /// INVALID for malformed ones.
    func verify(presented: proteus_str, stored: proteus_str) throws(PluginError) -> Bool {
        let storedBytes = stored.buffer
        if Argon2Variant.detect(storedBytes) != nil {
            try checkPresented(presented)
            let verdict = try Argon2Hasher.verify(password: presented.buffer, stored: storedBytes)
            guard verdict.matches else { throw .denied("password does not match") }
            return needsRehash(verdict.parameters)
        }
        if BcryptVerifier.recognizes(storedBytes) {
            try checkPresented(presented)
            guard try BcryptVerifier.verify(password: presented.buffer, stored: storedBytes) else {
                throw .denied("password does not match")
            }
            return true // bcrypt is legacy: always re-enroll with argon2id
        }
        if LegacyMD5Verifier.recognizes(storedBytes) {
            try checkPresented(presented)
            guard try LegacyMD5Verifier.verify(password: presented.buffer, stored: storedBytes) else {
                throw .denied("password does not match")
            }
            return true // unsalted MD5 (MCSManager type 0): always re-enroll
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

enum PasswordEntry {
    static let create: CreateFunction = { host, text, length, instance, err in
        reporting(err) {
            guard let host, let instance else { throw PluginError.invalid("create: missing host table or instance pointer") }
            let options = try PasswordOptions.parse(json: text, length: length)
            if options.isBelowOWASPMinimum {
                Host(host).warn("argon2id cost below the OWASP minimum (m=19456 KiB, t=2 or an equivalent): \(options.summary)")
            }
            instance.pointee = InstanceBox.retain(PasswordAuth(host: host, options: options))
        }
    }

    static let destroy: DestroyFunction = { instance in
        InstanceBox.release(instance, as: PasswordAuth.self)
    }

    static let enroll: @convention(c) (UnsafeMutableRawPointer?, proteus_str, OpaquePointer?, UnsafeMutablePointer<proteus_str>?, UnsafeMutablePointer<proteus_error>?) -> proteus_status = { instance, secret, arena, stored, err in
        reporting(err) {
            guard instance != nil, let arena, let stored else {
                throw PluginError.invalid("enroll: missing instance, arena or output")
            }
            let auth = InstanceBox.get(instance, as: PasswordAuth.self)
            let encoded = try auth.enroll(secret: secret)
            let writer = ArenaWriter(host: auth.host, arena: arena)
            stored.pointee = try encoded.withUnsafeBytes { try writer.str(bytes: $0) }
        }
    }

    static let verify: @convention(c) (UnsafeMutableRawPointer?, proteus_str, proteus_str, OpaquePointer?, UnsafeMutablePointer<proteus_verify_result>?, UnsafeMutablePointer<proteus_error>?) -> proteus_status = { instance, presented, stored, _, result, err in
        reporting(err) {
            guard instance != nil else { throw PluginError.invalid("verify: missing instance") }
            let auth = InstanceBox.get(instance, as: PasswordAuth.self)
            let needsRehash = try auth.verify(presented: presented, stored: stored)
            if let result {
                result.pointee.needs_rehash = needsRehash
                result.pointee.updated_stored = .absent
            }
        }
    }
}

nonisolated(unsafe) let passwordAuthTable: UnsafePointer<proteus_auth_api> = makeStaticTable(
    proteus_auth_api(
        struct_size: UInt32(MemoryLayout<proteus_auth_api>.size),
        method: UnsafeRawPointer(("password" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self),
        enroll: PasswordEntry.enroll,
        verify: PasswordEntry.verify
    )
)

nonisolated(unsafe) let passwordDescriptor: UnsafePointer<proteus_plugin_descriptor> = makeDescriptor(
    kind: PROTEUS_KIND_AUTH,
    name: "password",
    version: "1.0.0",
    description: "Passwords: enrolls argon2id (PHC strings); verifies argon2id/i/d and legacy bcrypt ($2a$/$2b$/$2y$) and {MD5}",
    create: PasswordEntry.create,
    destroy: PasswordEntry.destroy,
    vtable: UnsafeRawPointer(passwordAuthTable)
)

/// The one exported symbol (must be public to survive release builds).
@_cdecl("proteus_plugin_entry_v1")
public func proteus_plugin_entry_v1() -> UnsafePointer<proteus_plugin_descriptor> {
    passwordDescriptor
}
