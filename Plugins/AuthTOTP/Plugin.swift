// The "totp" auth plugin: time-based one-time passwords (RFC 6238 TOTP over
// RFC 4226 HOTP), with the defaults Google Authenticator and Authy assume:
// HMAC-SHA1, 6 digits, 30-second steps, T0 = 0.
//
// enroll(secret)  secret = lines separated by "\n". The first is the shared
//                 secret in base32 (RFC 4648 alphabet, either case, spaces
//                 and '=' padding ignored), at least 16 characters (80
//                 bits); or an existing "$totp$" verifier, kept as it is.
//                 Each further line is a recovery code (RecoveryCodes.swift;
//                 at most 16), replacing any the verifier had. Returns a
//                 verifier (StoredVerifier.swift) holding the secret sealed
//                 with the host's AES-256-GCM, the algorithm, digits and
//                 period it was enrolled with (so later option changes never
//                 break enrolled users) and the recovery codes' keyed hashes.
// verify(code, stored)
//                 IGNORE   stored does not start with "$totp$"
//                 INVALID  stored is malformed, or its secret does not open
//                          with the server key (the key was changed)
//                 DENIED   the code is not exactly `digits` ASCII digits
//                          (whitespace around it is trimmed), matches none of
//                          the steps now-skew ... now+skew, or matches only a
//                          step <= the stored last step (a replay, or an older
//                          code after a newer one was accepted)
//                 OK       updated_stored = the same verifier with step = the
//                          step just accepted; needs_rehash = false
//                 A presented value that is not `digits` digits but is shaped
//                 like a recovery code is checked against the verifier's
//                 unused recovery codes: OK with updated_stored = the
//                 verifier without that code, else DENIED.
//
// WHAT CALLERS MUST DO with OK: the code counts only once `updated_stored`
// is persisted in place of the verifier that was checked, with optimistic
// concurrency (user_update with the version the verifier was read at). When
// that write answers STALE, someone else used a code for this user in the
// meantime: re-read and verify again (the same code is then refused if it
// was the one used) — never accept the code without the write succeeding,
// or the same code could be used twice by two concurrent requests. The
// plugin keeps no state of its own; replay protection lives entirely in the
// stored step. Rate-limiting failed codes per account is the dialect's job.
//
// Threads: enroll and verify are [any thread]. An instance is immutable after
// create (options + host table); every call keeps its data to itself.
import Glibc
import PluginAPI
import PluginKit

/// One configured instance.
final class TOTPAuth: AuthMethodInstance, @unchecked Sendable {
    /// Binds sealed secrets to this purpose (a sealed TOTP secret cannot be
    /// passed off as another kind of sealed token, nor the reverse).
    static let aad = Array("proteus.totp.v1".utf8)
    static let minSecretCharacters = 16
    /// 160 bytes: twice a SHA-512 block, more than any authenticator uses.
    static let maxSecretCharacters = 256
    static let secretMessage = "TOTP secret must be base32, at least 16 characters"
    /// A secret, or a verifier, and the most recovery codes.
    static let maxEnrollBytes = StoredVerifier.maxLength + RecoveryCodes.maxCount * (4 * RecoveryCodes.lengthRange.upperBound + 1)

    let host: UnsafePointer<proteus_host_api>
    let options: TOTPOptions

    init(host: UnsafePointer<proteus_host_api>, options: TOTPOptions) {
        self.host = host
        self.options = options
    }

    /// A new "$totp$" verifier. `secret`'s first line is a base32 secret,
    /// or an existing verifier of this plugin (kept, its recovery codes
    /// replaced); each further line is a recovery code.
    func enroll(secret: proteus_str) throws(PluginError) -> String {
        guard secret.isPresent else { throw .invalid(Self.secretMessage) }
        guard secret.len <= Self.maxEnrollBytes else { throw .invalid("TOTP enrolment text is too long: the secret must be at most \(Self.maxSecretCharacters) base32 characters, with at most \(RecoveryCodes.maxCount) recovery codes") }
        let lines = secret.buffer.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Array($0) }
        guard let first = lines.first else { throw .invalid(Self.secretMessage) }
        var verifier: StoredVerifier
        if first.starts(with: StoredVerifier.prefix.utf8) {
            let parsed = first.withUnsafeBytes { bytes in Result { () throws(PluginError) in try StoredVerifier.parse(bytes) } }
            verifier = try parsed.get()
        } else {
            verifier = try enroll(base32: first)
        }
        verifier.recovery = try RecoveryCodes.hashes(lines.dropFirst(), sealed: verifier.sealed, host: Host(host))
        return verifier.text
    }

    /// A verifier (no step used, no recovery codes) for a base32 secret.
    private func enroll(base32 text: [UInt8]) throws(PluginError) -> StoredVerifier {
        let tooLong = PluginError.invalid("TOTP secret must be at most \(Self.maxSecretCharacters) base32 characters")
        // (Spaces may pad the text, but not without limit.)
        guard text.count <= 4 * Self.maxSecretCharacters else { throw tooLong }
        let decodedText = text.withUnsafeBytes { Base32.decode($0) }
        guard var decoded = decodedText, decoded.characters >= Self.minSecretCharacters else {
            throw .invalid(Self.secretMessage)
        }
        defer { wipe(&decoded.bytes) }
        guard decoded.characters <= Self.maxSecretCharacters else { throw tooLong }
        let sealed = try Host(host).seal(decoded.bytes, aad: Self.aad)
        return StoredVerifier(algorithm: options.algorithm, digits: options.digits,
                              periodSeconds: options.periodSeconds, lastStep: 0, sealed: sealed)
    }

    /// The verifier to persist when `presented` is accepted; throws IGNORE,
    /// INVALID or DENIED otherwise (see the file comment).
    func verify(presented: proteus_str, stored: proteus_str) throws(PluginError) -> AuthVerification {
        guard stored.isPresent, StoredVerifier.recognizes(stored.buffer) else {
            throw PluginError(PROTEUS_E_IGNORE, "not a TOTP verifier")
        }
        var verifier = try StoredVerifier.parse(stored.buffer)
        guard let code = Self.code(in: presented, digits: verifier.digits) else {
            if !verifier.recovery.isEmpty, presented.isPresent, let recovery = RecoveryCodes.canonical(presented.buffer) {
                return try useRecoveryCode(recovery, &verifier)
            }
            throw .denied("TOTP code must be \(verifier.digits) digits")
        }
        let hostServices = Host(host)
        var secret: [UInt8]
        do {
            secret = try hostServices.open(verifier.sealed, aad: Self.aad)
        } catch let error where error.code == PROTEUS_E_DENIED {
            throw .invalid("stored TOTP secret does not open with this server's key (was the key changed?)")
        }
        defer { wipe(&secret) }
        guard secret.count >= 10 else { throw .invalid("stored TOTP secret is shorter than 80 bits") }

        // Every candidate step is computed and compared, matching or not, so
        // the time taken does not depend on which step (if any) matches.
        let now = HOTP.timeStep(unixMillis: hostServices.nowMillis(), periodSeconds: verifier.periodSeconds)
        var accepted = Int64.min
        var replayed = false
        for offset in -options.skewSteps...options.skewSteps {
            let (step, overflow) = now.addingReportingOverflow(Int64(offset))
            guard !overflow, step >= 0 else { continue }
            let candidate: [UInt8]
            do {
                candidate = try HOTP.code(verifier.algorithm, key: secret, counter: UInt64(step), digits: verifier.digits)
            } catch {
                throw .internal("OpenSSL could not compute an HMAC-\(verifier.algorithm.name)")
            }
            guard hostServices.constantTimeEqual(candidate, code) else { continue }
            // A code may match two steps (1 in 10^digits); taking the later
            // one means the same code can never be accepted twice.
            if step > verifier.lastStep { accepted = max(accepted, step) } else { replayed = true }
        }
        guard accepted != Int64.min else {
            throw .denied(replayed ? "TOTP code was already used, or a newer one was" : "TOTP code does not match")
        }
        verifier.lastStep = accepted
        return AuthVerification(updatedStored: verifier.text)
    }

    /// A recovery code stands in for a TOTP code once: accepted, the
    /// verifier to persist lacks its hash (the step is unchanged).
    private func useRecoveryCode(_ code: [UInt8], _ verifier: inout StoredVerifier) throws(PluginError) -> AuthVerification {
        let hostServices = Host(host)
        let presented = try RecoveryCodes.hash(code, sealed: verifier.sealed, host: hostServices)
        // Compared with every hash, so the time says nothing about which matched.
        var match: Int?
        for (index, hash) in verifier.recovery.enumerated() where hostServices.constantTimeEqual(hash, presented) {
            match = index
        }
        guard let match else { throw .denied("not an unused recovery code") }
        verifier.recovery.remove(at: match)
        return AuthVerification(updatedStored: verifier.text)
    }

    /// The presented code as ASCII digits, whitespace around it trimmed;
    /// nil unless exactly `digits` digits remain.
    static func code(in presented: proteus_str, digits: Int) -> [UInt8]? {
        guard presented.isPresent else { return nil }
        let bytes = presented.buffer
        func space(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        guard let first = bytes.firstIndex(where: { !space($0) }),
              let last = bytes.lastIndex(where: { !space($0) }) else { return nil }
        let trimmed = bytes[first...last]
        guard trimmed.count == digits, trimmed.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Array(trimmed)
    }

    private func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { if let p = $0.baseAddress { explicit_bzero(p, $0.count) } }
    }
}

nonisolated(unsafe) let totpDescriptor = AuthExport.descriptor(
    name: "totp",
    method: "totp",
    version: "1.0.0",
    description: "TOTP one-time codes (RFC 6238; SHA1/SHA256/SHA512, 6 or 8 digits), secrets sealed with the server key, replay-proof",
    factory: { host, reader in TOTPAuth(host: host.api, options: try TOTPOptions.parse(reader)) })

/// The one exported symbol (must be public to survive release builds).
@_cdecl("proteus_plugin_entry_v2")
public func proteus_plugin_entry_v2() -> UnsafePointer<proteus_plugin_descriptor> {
    totpDescriptor
}
