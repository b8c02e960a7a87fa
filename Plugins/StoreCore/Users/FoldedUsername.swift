// user_search's username_folded (ABI 2.3): what "ASCII case-insensitive"
// means, written once for every store. A-Z fold to a-z and every other
// byte stays as it is (Ä and ä differ), as SQLite's NOCASE collation and
// the PostgreSQL store's proteus_fold() fold; the order of folded texts is
// their byte order (UTF-8 byte order is code point order). A prefix is the
// range [folded, upper bound) of that order, which an index on the folded
// username answers. A contained text (2.4) is no range: each backend finds
// it with its trigram index (StoreSQLite, StorePostgres SearchPlan).
import PluginAPI
import PluginKit

public struct FoldedUsername: Sendable {
    public enum Match: Sendable { case equals, prefix, contains }

    /// The query's text, folded.
    public let folded: String
    public let match: Match
    /// For a prefix: the least folded text above every username that starts
    /// with it; nil when there is none (the prefix is empty or all U+10FFFF),
    /// and the range is open above.
    public let upperBound: String?

    /// nil when the query has no username_folded. `q` is checked
    /// (UserQueryInput: UTF-8, a known match).
    public init?(_ q: proteus_user_query) {
        guard q.username_folded.isPresent else { return nil }
        folded = Self.fold(q.username_folded.buffer)
        match = switch q.username_folded_match {
        case PROTEUS_MATCH_PREFIX: .prefix
        case PROTEUS_MATCH_CONTAINS: .contains
        default: .equals
        }
        upperBound = match == .prefix ? Self.upperBound(ofPrefix: folded, skippingUpperCase: true) : nil
    }

    /// The WHERE conditions (ANDed, `$?` marks as SQLConditions takes them)
    /// of this match. An equality or prefix is written by the backend's
    /// `compare`: given an operator ("=", ">=", "<"), how its folded
    /// username is compared with one value (SQLite: `u.username >= $?
    /// COLLATE NOCASE`); a contained text by `contains`, given the folded
    /// text.
    public func conditions(_ compare: (String) -> String,
                           contains: (String) -> [(String, SQLConditions.Binder)]) -> [(String, SQLConditions.Binder)] {
        let folded = self.folded
        switch match {
        case .contains:
            return contains(folded)
        case .equals:
            return [(compare("="), { $0.bind(text: folded) })]
        case .prefix:
            var range: [(String, SQLConditions.Binder)] = [(compare(">="), { $0.bind(text: folded) })]
            if let upper = upperBound { range.append((compare("<"), { $0.bind(text: upper) })) }
            return range
        }
    }

    /// Most runs `byteRuns` makes (a prefix of three letters).
    public static let maxRuns = 8

    /// For a prefix: the runs of the usernames' byte order (the order of a
    /// plain index on them) that hold its matches, one per way of writing
    /// its letters in either case ("ab": "AB", "Ab", "aB", "ab"); a
    /// username matches exactly when it starts with one. Each run is
    /// [from, upTo), upTo nil when open. A page in username order is then a
    /// merge of short walks, where the matches of a short prefix, spread
    /// over far-apart runs, defeat a walk of the whole order. Nil for an
    /// equality or when there would be more than `maxRuns`.
    public func byteRuns() -> [(from: String, upTo: String?)]? {
        guard match == .prefix else { return nil }
        let letters = folded.utf8.filter { $0 >= 0x61 && $0 <= 0x7A }.count
        guard letters < 16, 1 << letters <= Self.maxRuns else { return nil }
        var variants: [[UInt8]] = [[]]
        for byte in folded.utf8 {
            let isLetter = byte >= 0x61 && byte <= 0x7A
            variants = variants.flatMap { v in isLetter ? [v + [byte - 0x20], v + [byte]] : [v + [byte]] }
        }
        return variants.map { bytes in
            let from = String(decoding: bytes, as: UTF8.self)
            return (from, Self.upperBound(ofPrefix: from, skippingUpperCase: false))
        }
    }

    /// Both stores' username_grams (SQLite schema 9, PostgreSQL 8) hold, for
    /// each character of a folded username with at least
    /// `shortestGramText` characters from there on, the up to `gramLength`
    /// characters there. A text of that many characters is contained in a
    /// username exactly when one of its grams starts with the text: a range
    /// of the grams, read from their key alone (a trigram index reads every
    /// trigram's list of users, however few hold the whole text).
    public static let gramLength = 8
    public static let shortestGramText = 4

    /// The range [from, upTo) of username_grams whose users are exactly
    /// those whose username contains `text`, folded (`isFolded`) or
    /// case-sensitive; a case-sensitive text only without ASCII letters
    /// (folding changes nothing then). Nil when the text's length is out of
    /// range or the range is open above.
    public static func gramRange(_ text: String, isFolded: Bool) -> (from: String, upTo: String)? {
        guard (shortestGramText...gramLength).contains(text.unicodeScalars.count),
              isFolded || !text.utf8.contains(where: isASCIILetter),
              let upTo = upperBound(ofPrefix: text, skippingUpperCase: true) else { return nil }
        return (text, upTo)
    }

    /// True for A-Z and a-z, the only bytes folding changes or leaves as
    /// the fold of another.
    public static func isASCIILetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    /// `bytes` (UTF-8) with A-Z folded to a-z.
    public static func fold(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    /// The least text greater than every text starting with `prefix`: the
    /// prefix with its last character replaced by the next one, carrying
    /// past U+10FFFF. Among folded texts (`skippingUpperCase`) the next
    /// character skips A-Z, which none holds: after "@" comes "[" (with
    /// "A", NOCASE would fold the bound itself to "a" and take in every
    /// "a…" to "z…"). Surrogates are skipped: they are no text. Bytes are
    /// never incremented: that could make invalid UTF-8 (PostgreSQL
    /// refuses it), and 0xFF has no successor.
    static func upperBound(ofPrefix prefix: String, skippingUpperCase: Bool) -> String? {
        var scalars = Array(prefix.unicodeScalars)
        while let last = scalars.popLast() {
            if let next = successor(of: last, skippingUpperCase: skippingUpperCase) {
                scalars.append(next)
                var text = String.UnicodeScalarView()
                text.append(contentsOf: scalars)
                return String(text)
            }
        }
        return nil
    }

    /// The next scalar (that a folded text can hold, when
    /// `skippingUpperCase`); nil after U+10FFFF.
    static func successor(of scalar: Unicode.Scalar, skippingUpperCase: Bool) -> Unicode.Scalar? {
        var value = scalar.value + 1
        if skippingUpperCase && value >= 0x41 && value <= 0x5A { value = 0x5B }
        if value >= 0xD800 && value <= 0xDFFF { value = 0xE000 }
        return Unicode.Scalar(value)
    }
}
