// How an original AIOStreams server protects what its `users` table holds,
// read from its public source (github.com/Viren070/AIOStreams, facts only;
// paths under packages/core/src/):
//
// * `password_hash`: bcrypt, cost 10, from the npm `bcrypt` package
//   (utils/crypto.ts: getTextHash = hash(text, genSalt(10)), verifyHash =
//   compare), so `$2b$10$` + 53 characters. Our password plugin verifies
//   bcrypt as it is (libxcrypt) and re-hashes with argon2id at the first
//   successful sign-in, so the hash is imported unchanged.
// * `config`: the user's config, JSON.stringify'd, then encryptString(text,
//   key) (utils/crypto.ts): zlib-deflate at level 9 (deflateSync: the zlib
//   format, RFC 1950), AES-256-CBC with PKCS#7 padding and a random 16-byte
//   IV, wrapped as base64url-without-padding of the JSON
//   `{"i": base64(iv), "e": base64(ciphertext), "t": "a"}` (decryptString also
//   takes the keys `iv`/`encrypted` and the type `aioEncrypt`).
// * the key: deriveKey(`${password}:${SECRET_KEY}`, config_salt)
//   (db/repositories/users.ts encryptConfig/decryptConfig/resolveConfigKey;
//   so in every release since v2.0.0 — only pre-release builds before
//   2025-06-03 used the password alone, and v1 had no user database):
//   PBKDF2-HMAC-SHA512,
//   100 000 iterations, 32 bytes, over the UTF-8 text of the password, a
//   colon and the server's SECRET_KEY exactly as configured (64 hex
//   characters, utils/env.ts; the text, not its bytes). The salt is
//   `Buffer.from(config_salt, 'hex')`, and `config_salt` is what deriveKey's
//   `genSalt(10)` made: a bcrypt salt string (`$2b$10$` + 22 characters).
//   Node's hex decoding stops at the first pair that is not two hex digits,
//   so that salt is in fact zero bytes; `NodeHex` does exactly what Node
//   does, so any salt decodes as it did there.
//
// So a config opens only with the user's password AND the original server's
// SECRET_KEY: the dialect decrypts an imported config when the user first
// signs in (it has the password then) and the operator has set the option
// `importedSecretKey` to that SECRET_KEY (ImportedConfig.swift).
// The derivation (about 50 ms of CPU) runs once per user, on the thread
// serving that first sign-in, after the password was verified.
import COpenSSL
import CZlib
import PluginKit
import ProteusJSON

enum OriginalCrypto {
    static let iterations: Int32 = 100_000

    /// The original's deriveKey: PBKDF2-HMAC-SHA512 over "password:secretKey".
    static func deriveKey(password: String, secretKey: String, configSalt: String) -> [UInt8]? {
        let secret = Array((password + ":" + secretKey).utf8)
        let salt = NodeHex.decode(configSalt)
        var key = [UInt8](repeating: 0, count: 32)
        let ok = secret.withUnsafeBufferPointer { p in
            salt.withUnsafeBufferPointer { s in
                key.withUnsafeMutableBufferPointer { k in
                    PKCS5_PBKDF2_HMAC(p.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, Int32(p.count),
                                      s.count == 0 ? nil : s.baseAddress, Int32(s.count),
                                      iterations, EVP_sha512(), 32, k.baseAddress)
                }
            }
        }
        return ok == 1 ? key : nil
    }

    /// The IV and ciphertext of an encryptString envelope, nil when `text`
    /// is not one.
    static func envelope(_ text: String) -> (iv: [UInt8], ciphertext: [UInt8])? {
        guard let decoded = Base64.decode(text, urlSafe: nil),
              case .object(let o)? = try? JSONParser.parse(decoded) else { return nil }
        let type = o["t"]?.stringValue ?? o["type"]?.stringValue
        guard type == "a" || type == "aioEncrypt",
              let i = (o["i"] ?? o["iv"])?.stringValue, let e = (o["e"] ?? o["encrypted"])?.stringValue,
              let iv = Base64.decode(i, urlSafe: false), iv.count == 16,
              let ciphertext = Base64.decode(e, urlSafe: false), !ciphertext.isEmpty, ciphertext.count % 16 == 0 else { return nil }
        return (iv, ciphertext)
    }

    /// decryptString(text, key): the plaintext bytes, nil on any failure
    /// (wrong key: bad padding or not a zlib stream).
    static func decrypt(_ text: String, key: [UInt8], limit: Int = 64 << 20) -> [UInt8]? {
        guard key.count == 32, let (iv, ciphertext) = envelope(text) else { return nil }
        guard let compressed = aes256CBCDecrypt(ciphertext, key: key, iv: iv) else { return nil }
        return inflate(compressed, limit: limit)
    }

    static func aes256CBCDecrypt(_ ciphertext: [UInt8], key: [UInt8], iv: [UInt8]) -> [UInt8]? {
        guard let ctx = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(ctx) }
        guard EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), nil, key, iv) == 1 else { return nil }
        var out = [UInt8](repeating: 0, count: ciphertext.count + 16)
        var written: Int32 = 0
        var final: Int32 = 0
        let ok = out.withUnsafeMutableBufferPointer { o -> Bool in
            guard EVP_DecryptUpdate(ctx, o.baseAddress, &written, ciphertext, Int32(ciphertext.count)) == 1 else { return false }
            return EVP_DecryptFinal_ex(ctx, o.baseAddress! + Int(written), &final) == 1
        }
        guard ok else { return nil }
        return Array(out[0..<Int(written + final)])
    }

    /// A whole zlib stream (RFC 1950) inflated; nil when it is not one, is
    /// cut short, has bytes after its end or inflates beyond `limit`.
    static func inflate(_ input: [UInt8], limit: Int) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var input = input
        let status: Int32 = input.withUnsafeMutableBufferPointer { inp in
            stream.next_in = inp.baseAddress
            stream.avail_in = UInt32(inp.count)
            while true {
                let (result, produced) = chunk.withUnsafeMutableBufferPointer { c -> (Int32, Int) in
                    stream.next_out = c.baseAddress
                    stream.avail_out = UInt32(c.count)
                    let r = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return (r, c.count - Int(stream.avail_out))
                }
                out.append(contentsOf: chunk[0..<produced])
                if out.count > limit { return Z_MEM_ERROR }
                if result == Z_STREAM_END { return stream.avail_in == 0 ? Z_STREAM_END : Z_DATA_ERROR }
                if result != Z_OK { return result }
                if produced == 0 && stream.avail_in == 0 { return Z_BUF_ERROR }
            }
        }
        return status == Z_STREAM_END ? out : nil
    }

    /// A bcrypt hash as the original's `bcrypt` package writes it
    /// (`$2a$`/`$2b$`/`$2y$`, two-digit cost, 53 characters of bcrypt base64).
    static func isBcrypt(_ hash: String) -> Bool {
        let b = Array(hash.utf8)
        guard b.count == 60, ["$2a$", "$2b$", "$2y$"].contains(where: { hash.hasPrefix($0) }),
              b[4...5].allSatisfy({ $0 >= 48 && $0 <= 57 }), b[6] == UInt8(ascii: "$") else { return false }
        return b[7...].allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 46 || $0 == 47 }
    }
}

/// Node's `Buffer.from(text, 'hex')`: pairs of hex digits decoded until the
/// first pair that is not one (an odd last digit is dropped too).
enum NodeHex {
    static func decode(_ text: String) -> [UInt8] {
        let b = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        while i + 1 < b.count, let hi = digit(b[i]), let lo = digit(b[i + 1]) {
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func digit(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}
