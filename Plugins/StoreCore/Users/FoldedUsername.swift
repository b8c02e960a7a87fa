// user_search's username_folded (ABI 2.3): what "ASCII case-insensitive"
// means, written once for every store. A-Z fold to a-z and every other
// byte stays as it is (Ä and ä differ), as SQLite's NOCASE collation and
// the PostgreSQL store's proteus_fold() fold; the order of folded texts is
// their byte order (UTF-8 byte order is code point order). A prefix is the
// range [folded, upper bound) of that order, which an index on the folded
// username answers.
import PluginAPI
import PluginKit

public struct FoldedUsername: Sendable {
    public enum Match: Sendable { case equals, prefix }

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
        match = q.username_folded_match == PROTEUS_MATCH_PREFIX ? .prefix : .equals
        upperBound = match == .prefix ? Self.upperBound(ofPrefix: folded) : nil
    }

    /// The WHERE conditions (ANDed, `$?` marks as SQLConditions takes them)
    /// of this match, written by the backend's `compare`: given an operator
    /// ("=", ">=", "<"), how its folded username is compared with one value
    /// (SQLite: `u.username >= $? COLLATE NOCASE`).
    public func conditions(_ compare: (String) -> String) -> [(String, SQLConditions.Binder)] {
        let folded = self.folded
        switch match {
        case .equals:
            return [(compare("="), { $0.bind(text: folded) })]
        case .prefix:
            var range: [(String, SQLConditions.Binder)] = [(compare(">="), { $0.bind(text: folded) })]
            if let upper = upperBound { range.append((compare("<"), { $0.bind(text: upper) })) }
            return range
        }
    }

    /// `bytes` (UTF-8) with A-Z folded to a-z.
    public static func fold(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    /// The least folded text greater than every text starting with
    /// `prefix` (itself folded): the prefix with its last character
    /// replaced by the next one a folded text can hold, carrying past
    /// U+10FFFF. The next character skips A-Z, which no folded text holds:
    /// after "@" comes "[" (with "A", NOCASE would fold the bound itself
    /// to "a" and take in every "a…" to "z…"), and the surrogates, which
    /// are no text. Bytes are never incremented: that could make invalid
    /// UTF-8 (PostgreSQL refuses it), and 0xFF has no successor.
    static func upperBound(ofPrefix prefix: String) -> String? {
        var scalars = Array(prefix.unicodeScalars)
        while let last = scalars.popLast() {
            if let next = successor(of: last) {
                scalars.append(next)
                var text = String.UnicodeScalarView()
                text.append(contentsOf: scalars)
                return String(text)
            }
        }
        return nil
    }

    /// The next scalar a folded text can hold; nil after U+10FFFF.
    static func successor(of scalar: Unicode.Scalar) -> Unicode.Scalar? {
        var value = scalar.value + 1
        if value >= 0x41 && value <= 0x5A { value = 0x5B }
        if value >= 0xD800 && value <= 0xDFFF { value = 0xE000 }
        return Unicode.Scalar(value)
    }
}
