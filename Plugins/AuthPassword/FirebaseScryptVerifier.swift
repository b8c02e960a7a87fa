// Verifying Firebase Authentication's modified scrypt, in the encoding Ory
// Kratos imports it with. Never used to enroll.
//
//   $firescrypt$ln=<mem_cost>,r=<rounds>,p=<p>$<salt>$<hash>$<salt separator>$<signer key>
//   $firescrypt$ln=<mem_cost>,r=<rounds>,p=<p>$<salt>$<hash>
//
// (standard base64, padding optional). The second form leaves the project's
// salt separator and signer key out of every record: they come from the
// plugin's options instead, "firebase": {"signerKey": …, "saltSeparator": …}
// (base64, as the Firebase console shows them); without that option the
// short form is INVALID. The algorithm (Firebase's published firebase/scrypt):
// key = scrypt(password, salt ‖ separator, N = 2^mem_cost, r = rounds, p, 32
// bytes); the hash is the signer key encrypted with AES-256-CTR under that
// key with an all-zero IV. Bounds: those of ScryptVerifier (mem_cost ≤ 20).
import COpenSSL
import PluginKit

/// A Firebase project's hash parameters (the plugin's "firebase" option).
struct FirebaseProject: Sendable, Equatable {
    var signerKey: [UInt8]
    var saltSeparator: [UInt8]
}

enum FirebaseScryptVerifier {
    static let maxSignerKeyLength = 1024

    static func recognizes(_ stored: UnsafeRawBufferPointer) -> Bool { hasPrefix(stored, "$firescrypt$") }

    struct Parsed {
        var n: Int, r: Int, p: Int
        var salt: [UInt8]
        var hash: [UInt8]
        var project: FirebaseProject
    }

    static func parse(_ stored: UnsafeRawBufferPointer, project configured: FirebaseProject?) throws(PluginError) -> Parsed {
        let fields = try legacyFields(stored, "firescrypt")
        guard fields.count == 7 || fields.count == 5 else {
            throw malformed("expected $firescrypt$ln=<mem_cost>,r=<rounds>,p=<p>$<salt>$<hash>[$<salt separator>$<signer key>]")
        }
        guard let values = namedDecimals(fields[2], ["ln", "r", "p"], max: Int(Int32.max)) else {
            throw malformed("parameters must be ln=<mem_cost>,r=<rounds>,p=<p>")
        }
        guard values[0] >= 1, values[0] <= ScryptVerifier.maxLog2N else {
            throw ScryptVerifier.tooCostly("firescrypt", "ln=\(values[0])")
        }
        let n = 1 << values[0]
        try ScryptVerifier.checkBounds(n: n, r: values[1], p: values[2], format: "firescrypt")
        guard let salt = decodeBase64Field(fields[3]), !salt.isEmpty else { throw malformed("salt is not base64") }
        guard let hash = decodeBase64Field(fields[4]), !hash.isEmpty else { throw malformed("hash is not base64") }
        let project: FirebaseProject
        if fields.count == 7 {
            guard let separator = fields[5].isEmpty ? [] : decodeBase64Field(fields[5]) else { throw malformed("salt separator is not base64") }
            guard let signerKey = decodeBase64Field(fields[6]), !signerKey.isEmpty else { throw malformed("signer key is not base64") }
            project = FirebaseProject(signerKey: signerKey, saltSeparator: separator)
        } else {
            guard let configured else {
                throw .invalid("stored firescrypt verifier has no signer key and the plugin has no \"firebase\" option")
            }
            project = configured
        }
        guard project.signerKey.count <= maxSignerKeyLength else { throw malformed("signer key longer than \(maxSignerKeyLength) bytes") }
        guard hash.count == project.signerKey.count else { throw malformed("hash and signer key lengths differ") }
        return Parsed(n: n, r: values[1], p: values[2], salt: salt, hash: hash, project: project)
    }

    static func verify(password: UnsafeRawBufferPointer, stored: UnsafeRawBufferPointer, project: FirebaseProject?) throws(PluginError) -> Bool {
        let s = try parse(stored, project: project)
        var key = try ScryptVerifier.derive(password: password, salt: s.salt + s.project.saltSeparator,
                                            n: s.n, r: s.r, p: s.p, keyLength: 32)
        defer { for i in key.indices { key[i] = 0 } }
        return digestsEqual(try aes256CTR(key: key, s.project.signerKey), s.hash)
    }

    /// AES-256-CTR of `input` under `key` with an all-zero IV.
    private static func aes256CTR(key: [UInt8], _ input: [UInt8]) throws(PluginError) -> [UInt8] {
        guard let ctx = EVP_CIPHER_CTX_new() else { throw .unavailable("OpenSSL: out of memory") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        let iv = [UInt8](repeating: 0, count: 16)
        var out = [UInt8](repeating: 0, count: input.count + 16)
        var written: Int32 = 0
        guard EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), nil, key, iv) == 1,
              EVP_EncryptUpdate(ctx, &out, &written, input, Int32(input.count)) == 1 else {
            throw .internal("OpenSSL AES-256-CTR failed")
        }
        return Array(out.prefix(Int(written)))
    }

    private static func malformed(_ why: String) -> PluginError { .invalid("stored firescrypt verifier is malformed: \(why)") }
}
