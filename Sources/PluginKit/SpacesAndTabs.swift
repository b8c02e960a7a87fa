// Trimming HTTP's optional whitespace (spaces and tabs) around header values
// and their parts, without Foundation.

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    public func trimmingSpacesAndTabs() -> String {
        var text = self[...]
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}

extension String {
    /// The name looked like Foundation's (which takes a CharacterSet) while
    /// meaning something else. Kept only for sign-in files being edited on
    /// other branches; remove once they call trimmingSpacesAndTabs().
    @available(*, deprecated, message: "use trimmingSpacesAndTabs()")
    public func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
