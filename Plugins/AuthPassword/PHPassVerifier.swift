// Verifying phpass "portable" hashes (WordPress $P$, phpBB $H$) with OpenSSL
// MD5. Never used to enroll.
//
//   $P$<count><8 salt><22 hash>    (34 characters; $H$ the same)
//
// <count> is a character of phpass' itoa64 alphabet ./0-9A-Za-z whose index
// is log2 of the iterations: hash = MD5(salt ‖ password), then 2^count times
// hash = MD5(hash ‖ password); the 16 bytes are written in itoa64, little end
// first. phpass allows 7…30. Bound: count ≤ 21 (2 million MD5s, about two
// seconds at worst; WordPress writes 13, phpBB 11, passlib 19).
import COpenSSL
import PluginKit

enum PHPassVerifier {
    static let length = 34
    static let maxLog2Count = 21
    static let itoa64 = Array("./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    static func recognizes(_ stored: UnsafeRawBufferPointer) -> Bool { hasPrefix(stored, "$P$") || hasPrefix(stored, "$H$") }

    static func verify(password: UnsafeRawBufferPointer, stored: UnsafeRawBufferPointer) throws(PluginError) -> Bool {
        guard stored.count == length else { throw malformed("expected \(length) characters, found \(stored.count)") }
        let text = Array(stored)
        guard text[3...].allSatisfy(CryptVerifier.isCryptAlphabet), let log2Count = itoa64.firstIndex(of: text[3]) else {
            throw malformed("characters outside ./0-9A-Za-z")
        }
        guard log2Count >= 7, log2Count <= 30 else { throw malformed("count \(log2Count) outside 7…30") }
        guard log2Count <= maxLog2Count else {
            throw .invalid("stored phpass verifier asks for 2^\(log2Count) iterations; this plugin verifies up to 2^\(maxLog2Count)")
        }
        let salt = Array(text[4..<12])
        var hash = try md5Chain(first: salt, password: password, count: 1 << log2Count)
        defer { for i in hash.indices { hash[i] = 0 } }
        return digestsEqual(encode64(hash), Array(text[12...]))
    }

    /// MD5(first ‖ password), then `count` × MD5(previous ‖ password), reusing one context.
    private static func md5Chain(first: [UInt8], password: UnsafeRawBufferPointer, count: Int) throws(PluginError) -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { throw .unavailable("OpenSSL: out of memory") }
        defer { EVP_MD_CTX_free(ctx) }
        let md = EVP_md5()
        var hash = [UInt8](repeating: 0, count: 16)
        var length: UInt32 = 0
        func round(_ prefix: UnsafeRawBufferPointer) -> Bool {
            EVP_DigestInit_ex(ctx, md, nil) == 1
                && (prefix.count == 0 || EVP_DigestUpdate(ctx, prefix.baseAddress, prefix.count) == 1)
                && (password.count == 0 || EVP_DigestUpdate(ctx, password.baseAddress, password.count) == 1)
                && hash.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(ctx, $0.baseAddress, &length) } == 1
        }
        guard first.withUnsafeBytes({ round($0) }) else { throw .internal("OpenSSL MD5 failed") }
        var previous = [UInt8](repeating: 0, count: 16)
        for _ in 0..<count {
            previous.withUnsafeMutableBytes { p in hash.withUnsafeBytes { p.copyMemory(from: $0) } }
            guard previous.withUnsafeBytes({ round($0) }) else { throw .internal("OpenSSL MD5 failed") }
        }
        return hash
    }

    /// phpass' encode64 of 16 bytes: 22 characters.
    static func encode64(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < input.count {
            var value = Int(input[i]); i += 1
            out.append(itoa64[value & 0x3F])
            if i < input.count { value |= Int(input[i]) << 8 }
            out.append(itoa64[(value >> 6) & 0x3F])
            if i >= input.count { break }
            i += 1
            if i < input.count { value |= Int(input[i]) << 16 }
            out.append(itoa64[(value >> 12) & 0x3F])
            if i >= input.count { break }
            i += 1
            out.append(itoa64[(value >> 18) & 0x3F])
        }
        return out
    }

    private static func malformed(_ why: String) -> PluginError { .invalid("stored phpass verifier is malformed: \(why)") }
}
