// HTTP Basic credentials (RFC 7617): "Basic base64(user:password)". The
// password is everything after the first colon, so it may contain colons.
public struct BasicCredentials: Sendable, Equatable {
    public var user: String
    public var password: String

    public init(user: String, password: String) { self.user = user; self.password = password }

    /// Parses an Authorization header value; nil when it is not Basic or
    /// not well-formed (bad base64, not UTF-8, no colon). The scheme name is
    /// case-insensitive.
    public static func parse(_ header: String) -> BasicCredentials? {
        let trimmed = header.trimmingSpacesAndTabs()
        guard trimmed.utf8.count > 6, trimmed.prefix(6).lowercased() == "basic " else { return nil }
        let encoded = String(trimmed.dropFirst(6)).trimmingSpacesAndTabs()
        guard let decoded = Base64.decode(encoded, urlSafe: false),
              let text = String(validating: decoded, as: UTF8.self),
              let colon = text.firstIndex(of: ":") else { return nil }
        return BasicCredentials(user: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
    }
}
