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
