// A reader of Prometheus's text exposition format 0.0.4, as far as the
// Health page needs it: the samples (name, labels, value) of the host's
// /metrics text (host->metrics_text). Comment lines (# HELP, # TYPE) and
// lines it cannot read are skipped: the host's text is well formed, and a
// series added later must not break the page.
enum PrometheusText {
    struct Sample: Equatable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    static func samples(_ text: String) -> [Sample] {
        text.split(separator: "\n", omittingEmptySubsequences: true).compactMap { sample(Substring($0)) }
    }

    /// `name{label="value",...} value [timestamp]`, or nil.
    static func sample(_ line: Substring) -> Sample? {
        let chars = Array(line.unicodeScalars)
        guard let first = chars.first, first != "#" else { return nil }
        var i = 0
        var name = ""
        while i < chars.count, isNameCharacter(chars[i]) { name.unicodeScalars.append(chars[i]); i += 1 }
        guard !name.isEmpty else { return nil }
        var labels: [String: String] = [:]
        if i < chars.count, chars[i] == "{" {
            i += 1
            while true {
                while i < chars.count, chars[i] == " " || chars[i] == "," { i += 1 }
                guard i < chars.count else { return nil }
                if chars[i] == "}" { i += 1; break }
                var key = ""
                while i < chars.count, isNameCharacter(chars[i]) { key.unicodeScalars.append(chars[i]); i += 1 }
                guard !key.isEmpty, i + 1 < chars.count, chars[i] == "=", chars[i + 1] == "\"" else { return nil }
                i += 2
                var value = ""
                while i < chars.count, chars[i] != "\"" {
                    if chars[i] == "\\", i + 1 < chars.count {
                        i += 1
                        value.unicodeScalars.append(chars[i] == "n" ? "\n" : chars[i])
                    } else {
                        value.unicodeScalars.append(chars[i])
                    }
                    i += 1
                }
                guard i < chars.count else { return nil }
                i += 1
                labels[key] = value
            }
        }
        let rest = String(String.UnicodeScalarView(chars[i...])).split(separator: " ", omittingEmptySubsequences: true)
        guard let text = rest.first, let value = number(String(text)) else { return nil }
        return Sample(name: name, labels: labels, value: value)
    }

    private static func isNameCharacter(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == ":"
    }

    private static func number(_ text: String) -> Double? {
        switch text {
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        default: return Double(text)
        }
    }
}
