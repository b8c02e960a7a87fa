// One password line from standard input (`--password-stdin`), so that a
// password is never in argv, the environment or a log. Read byte by byte
// up to the first newline (nothing after it is consumed); a trailing CR is
// dropped. On a terminal, a prompt goes to standard error and echo is off
// while typing.
import Glibc

enum PasswordLine {
    /// Longer lines are refused rather than cut (a cut password would not be the one meant).
    static let maxBytes = 4096

    static func read() throws -> String {
        let terminal = isatty(STDIN_FILENO) == 1
        var saved = termios()
        let echoOff = terminal && tcgetattr(STDIN_FILENO, &saved) == 0
        if terminal {
            prompt("password: ")
        }
        if echoOff {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        }
        defer {
            if echoOff {
                _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
                prompt("\n")
            }
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = Glibc.read(STDIN_FILENO, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw HostError("cannot read the password from standard input: \(String(cString: strerror(errno)))") }
            if n == 0 || byte == UInt8(ascii: "\n") { break }
            guard bytes.count < maxBytes else { throw HostError("the password line on standard input is longer than \(maxBytes) bytes") }
            bytes.append(byte)
        }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard !bytes.isEmpty else { throw HostError("no password: the line on standard input is empty (--password-stdin reads one line)") }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw HostError("the password on standard input is not valid UTF-8")
        }
        return text
    }

    private static func prompt(_ text: String) {
        var t = text
        t.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
