// Progress of long commands (migrate, import): a redrawn bar on a terminal,
// plain lines (every 10%) otherwise, so logs stay readable.
import Glibc

final class ProgressReporter {
    private let label: String
    private let isTerminal = isatty(STDOUT_FILENO) == 1
    private var lastPercent = -1
    private var lastDraw: UInt64 = 0

    init(_ label: String) { self.label = label }

    /// `total` 0 means unknown.
    func update(done: UInt64, total: UInt64) {
        let percent = total > 0 ? Int(min(done * 100 / total, 100)) : -1
        if isTerminal {
            let now = Clock.monotonicNanos()
            guard done == total || now - lastDraw > 100_000_000 else { return }
            lastDraw = now
            let width = 30
            let filled = percent >= 0 ? percent * width / 100 : 0
            let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
            let amount = total > 0 ? "\(done)/\(total)" : "\(done)"
            write("\r\(label) [\(bar)] \(percent >= 0 ? "\(percent)%" : "") \(amount)   ")
        } else if percent / 10 != lastPercent / 10 || (total == 0 && done % 10_000 == 0) {
            lastPercent = percent
            write("\(label): \(done)\(total > 0 ? "/\(total) (\(percent)%)" : "")\n")
        }
    }

    /// A line about one item (e.g. a skipped file), without breaking the bar.
    func note(_ text: String) {
        write(isTerminal ? "\r\u{1B}[K\(text)\n" : "\(text)\n")
    }

    func finish() {
        if isTerminal { write("\n") }
    }

    private func write(_ text: String) {
        Logger.shared.flush()
        var t = text
        t.withUTF8 { _ = Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }
}
