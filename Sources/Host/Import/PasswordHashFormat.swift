// The password hash formats an import recognises, by prefix, for the
// summary ("bcrypt 120, pbkdf2-sha256 40, unknown 2") and to decide what is
// stored: a recognised verifier is kept as it is (the password plugin
// verifies it and re-hashes with argon2id at the first sign-in); anything
// else is "unknown" and the user is imported WITHOUT a password, never with
// one that could be guessed. Also the conversions the sources share: ab64
// (passlib's base64), Kratos' crypt and PBKDF2 spellings, and completing a
// short Firebase scrypt hash with the project's keys.
import PluginKit

enum PasswordHashFormat {
    /// The format's name for a stored verifier, or nil when unknown.
    static func classify(_ verifier: String) -> String? {
        guard !verifier.isEmpty, verifier.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        // LDAP's tags are read in any case, as the password plugin reads them.
        let tagged = verifier.hasPrefix("{") ? String(verifier.prefix { $0 != "}" }).uppercased() + verifier.drop { $0 != "}" } : verifier
        for (prefix, name) in prefixes where tagged.hasPrefix(prefix) {
            if name == "firescrypt" { return isCompleteFirebase(verifier) ? name : nil }
            return verifier.utf8.count > prefix.utf8.count ? name : nil
        }
        return nil
    }

    /// Every prefix the password plugin's verifiers recognise
    /// (Plugins/AuthPassword: StoredFormats and its verifiers), so an import
    /// keeps each password the directory can verify. Longest prefixes first
    /// where one starts another ($argon2id$ / $argon2i$).
    private static let prefixes: [(String, String)] = [
        ("$2a$", "bcrypt"), ("$2b$", "bcrypt"), ("$2y$", "bcrypt"),
        ("$6$", "sha512-crypt"), ("$5$", "sha256-crypt"), ("$1$", "md5-crypt"),
        ("pbkdf2_sha256$", "django-pbkdf2-sha256"), ("pbkdf2_sha1$", "django-pbkdf2-sha1"),
        ("pbkdf2_sha512$", "django-pbkdf2-sha512"), ("pbkdf2_sha384$", "django-pbkdf2-sha384"), ("pbkdf2_sha224$", "django-pbkdf2-sha224"),
        ("$pbkdf2-sha256$", "pbkdf2-sha256"), ("$pbkdf2-sha512$", "pbkdf2-sha512"),
        ("$pbkdf2-sha384$", "pbkdf2-sha384"), ("$pbkdf2-sha224$", "pbkdf2-sha224"), ("$pbkdf2$", "pbkdf2-sha1"),
        ("$scrypt$", "scrypt"), ("$firescrypt$", "firescrypt"),
        ("$argon2id$", "argon2id"), ("$argon2i$", "argon2i"), ("$argon2d$", "argon2d"),
        ("$P$", "phpass"), ("$H$", "phpass"),
        ("{SSHA}", "ssha"), ("{MD5}", "md5"), ("{SMD5}", "smd5"), ("{SHA}", "sha1"),
        ("{SHA256}", "sha256"), ("{SSHA256}", "ssha256"), ("{SHA384}", "sha384"), ("{SSHA384}", "ssha384"),
        ("{SHA512}", "sha512"), ("{SSHA512}", "ssha512"),
    ]

    /// `$firescrypt$ln=..,r=..,p=..$salt$hash$separator$signer`: all seven fields.
    static func isCompleteFirebase(_ hash: String) -> Bool {
        let parts = hash.split(separator: "$", omittingEmptySubsequences: false)
        return parts.count == 7 && parts[2].hasPrefix("ln=") && parts[3...].allSatisfy { !$0.isEmpty }
    }

    /// The project keys that complete a short Firebase hash
    /// (`--firebase-signer-key`, `--firebase-salt-separator`, base64).
    struct FirebaseKeys {
        var signerKey: String
        var saltSeparator: String
    }

    /// `$firescrypt$ln=..,r=..,p=..$<salt>$<hash>` + the project's keys; other
    /// strings as they are.
    static func completeFirebase(_ hash: String, _ keys: FirebaseKeys?) -> String {
        guard hash.hasPrefix("$firescrypt$"), let keys else { return hash }
        let parts = hash.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[3...].allSatisfy({ !$0.isEmpty }) else { return hash }
        return hash + "$" + keys.saltSeparator + "$" + keys.signerKey
    }

    /// passlib's "ab64": base64 with "." for "+" and no padding.
    static func ab64(_ bytes: [UInt8]) -> String {
        String(Base64.encode(bytes, padding: false).map { $0 == "+" ? "." : $0 })
    }

    /// `$pbkdf2-<digest>$<iterations>$<ab64 salt>$<ab64 hash>` (passlib's PHC
    /// spelling); digest "sha256", "sha512" or "sha1" (written `$pbkdf2$`).
    static func passlibPBKDF2(digest: String, iterations: Int, salt: [UInt8], hash: [UInt8]) -> String {
        let id = digest == "sha1" ? "pbkdf2" : "pbkdf2-" + digest
        return "$\(id)$\(iterations)$\(ab64(salt))$\(ab64(hash))"
    }

    /// Kratos' spellings of formats the directory writes otherwise:
    /// `$sha512-crypt$…` / `$sha256-crypt$…` / `$md5-crypt$…` are crypt(3)'s
    /// `$6$` / `$5$` / `$1$`; `$pbkdf2-<d>$i=<n>,l=<len>$<b64 salt>$<b64 hash>`
    /// (standard base64, no padding) is passlib's `$pbkdf2-<d>$<n>$<ab64>$<ab64>`.
    /// Anything else comes back as it is.
    static func fromKratos(_ hash: String) -> String {
        for (kratos, crypt) in [("$sha512-crypt$", "$6$"), ("$sha256-crypt$", "$5$"), ("$md5-crypt$", "$1$")] where hash.hasPrefix(kratos) {
            return crypt + hash.dropFirst(kratos.count)
        }
        guard hash.hasPrefix("$pbkdf2-") else { return hash }
        let parts = hash.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[2].hasPrefix("i=") else { return hash }
        let digest = String(parts[1].dropFirst("pbkdf2-".count))
        let params = parts[2].split(separator: ",")
        guard ["sha1", "sha256", "sha512"].contains(digest), let first = params.first,
              let iterations = Int(first.dropFirst(2)), iterations > 0,
              let salt = Base64.decode(parts[3], urlSafe: false), let key = Base64.decode(parts[4], urlSafe: false),
              !salt.isEmpty, !key.isEmpty else { return hash }
        return passlibPBKDF2(digest: digest, iterations: iterations, salt: salt, hash: key)
    }
}
