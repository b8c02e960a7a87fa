// Crypto helpers the host offers plugins: CSPRNG, SHA-256, constant-time
// comparison and AES-256-GCM with the server key (OpenSSL 3).
import COpenSSL

enum SecureRandom {
    /// Fills `count` bytes at `pointer`; false only if OpenSSL's DRBG fails.
    static func fill(_ pointer: UnsafeMutableRawPointer, count: Int) -> Bool {
        var offset = 0
        while offset < count {
            let n = Int32(min(count - offset, Int(Int32.max)))
            guard RAND_bytes((pointer + offset).assumingMemoryBound(to: UInt8.self), n) == 1 else { return false }
            offset += Int(n)
        }
        return true
    }

    static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBytes { fill($0.baseAddress!, count: count) }
        precondition(ok, "the system's random number generator failed")
        return out
    }
}

enum Digest {
    static func sha256(_ data: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) {
        _ = SHA256(data.baseAddress?.assumingMemoryBound(to: UInt8.self), data.count, out)
    }

    static func sha256(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        data.withUnsafeBytes { d in out.withUnsafeMutableBufferPointer { sha256(d, into: $0.baseAddress!) } }
        return out
    }
}

/// Incremental SHA-256 over length-prefixed fields (no ambiguity between
/// "ab","c" and "a","bc"; absent differs from empty).
final class SHA256Stream {
    private let context: OpaquePointer?

    init() {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    func field(_ bytes: [UInt8]?) {
        guard let bytes else { raw([0xFF]); return }
        var length = UInt64(bytes.count).littleEndian
        withUnsafeBytes(of: &length) { raw(Array($0)) }
        raw(bytes)
    }
    func field(_ text: String?) { field(text.map { Array($0.utf8) }) }
    func field<T: FixedWidthInteger>(_ value: T) {
        var v = value.littleEndian
        withUnsafeBytes(of: &v) { raw(Array($0)) }
    }

    private func raw(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { _ = EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
    }

    func finish() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 32
        out.withUnsafeMutableBufferPointer { _ = EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        return out
    }
}

enum ConstantTime {
    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        if a.count == 0 { return true }
        return CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0
    }
}

/// AES-256-GCM sealing with one 32-byte key. Output layout:
/// 12-byte random nonce || ciphertext || 16-byte tag.
struct AEADBox: Sendable {
    static let nonceSize = 12
    static let tagSize = 16
    private let key: [UInt8]

    init(key: [UInt8]) {
        precondition(key.count == 32, "AES-256 needs a 32-byte key")
        self.key = key
    }

    func seal(_ plaintext: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer) -> [UInt8]? {
        guard plaintext.count <= Int(Int32.max) - 64, aad.count <= Int(Int32.max) else { return nil }
        var out = [UInt8](repeating: 0, count: Self.nonceSize + plaintext.count + Self.tagSize)
        let ok = out.withUnsafeMutableBytes { o -> Bool in
            let base = o.baseAddress!.assumingMemoryBound(to: UInt8.self)
            guard SecureRandom.fill(base, count: Self.nonceSize),
                  let ctx = EVP_CIPHER_CTX_new() else { return false }
            defer { EVP_CIPHER_CTX_free(ctx) }
            var len: Int32 = 0
            guard key.withUnsafeBufferPointer({ k in
                EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nil, k.baseAddress, base) }) == 1 else { return false }
            if aad.count > 0 {
                guard EVP_EncryptUpdate(ctx, nil, &len, aad.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(aad.count)) == 1 else { return false }
            }
            var written = 0
            if plaintext.count > 0 {
                guard EVP_EncryptUpdate(ctx, base + Self.nonceSize, &len, plaintext.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(plaintext.count)) == 1 else { return false }
                written = Int(len)
            }
            guard EVP_EncryptFinal_ex(ctx, base + Self.nonceSize + written, &len) == 1 else { return false }
            return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(Self.tagSize), base + Self.nonceSize + plaintext.count) == 1
        }
        return ok ? out : nil
    }

    /// nil for anything that does not authenticate, whatever the reason.
    func open(_ sealed: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer) -> [UInt8]? {
        guard sealed.count >= Self.nonceSize + Self.tagSize, sealed.count <= Int(Int32.max),
              aad.count <= Int(Int32.max) else { return nil }
        let cipherCount = sealed.count - Self.nonceSize - Self.tagSize
        let input = sealed.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var out = [UInt8](repeating: 0, count: max(cipherCount, 1))
        let ok = out.withUnsafeMutableBufferPointer { o -> Bool in
            guard let ctx = EVP_CIPHER_CTX_new() else { return false }
            defer { EVP_CIPHER_CTX_free(ctx) }
            var len: Int32 = 0
            guard key.withUnsafeBufferPointer({ k in
                EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nil, k.baseAddress, input) }) == 1 else { return false }
            if aad.count > 0 {
                guard EVP_DecryptUpdate(ctx, nil, &len, aad.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(aad.count)) == 1 else { return false }
            }
            var written = 0
            if cipherCount > 0 {
                guard EVP_DecryptUpdate(ctx, o.baseAddress, &len, input + Self.nonceSize, Int32(cipherCount)) == 1 else { return false }
                written = Int(len)
            }
            let tag = UnsafeMutableRawPointer(mutating: input + Self.nonceSize + cipherCount)
            guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Int32(Self.tagSize), tag) == 1 else { return false }
            return EVP_DecryptFinal_ex(ctx, o.baseAddress! + written, &len) == 1
        }
        guard ok else { return nil }
        return Array(out.prefix(cipherCount))
    }
}
