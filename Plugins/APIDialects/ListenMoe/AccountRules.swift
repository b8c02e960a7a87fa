// The rules of POST /register's fields, and how sign-in names are compared.

/// What POST /register accepts (the limits of LISTEN.moe's docs; passwords
/// may be longer than its 40).
enum AccountRules {
    static func validUsername(_ name: String) -> Bool {
        (1...32).contains(name.utf8.count) && name.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 46 || c == 95 || c == 45
        }
    }

    /// At most 70 characters, one "@" between a non-empty local part and a
    /// dotted domain, no spaces or control characters.
    static func validEmail(_ email: String) -> Bool {
        let bytes = Array(email.utf8)
        guard (3...70).contains(bytes.count), bytes.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { return false }
        let pieces = bytes.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false)
        guard pieces.count == 2, !pieces[0].isEmpty else { return false }
        let domain = pieces[1]
        return domain.contains(UInt8(ascii: ".")) && domain.first != UInt8(ascii: ".") && domain.last != UInt8(ascii: ".")
    }

    static func validPassword(_ password: String) -> Bool { (1...1024).contains(password.utf8.count) }

    /// A-Z to a-z only, as the directory matches e-mails.
    static func asciiLowercased(_ text: String) -> String {
        String(decoding: text.utf8.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
