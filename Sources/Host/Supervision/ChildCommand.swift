// One short-lived `proteus <command>` child of the master, its output
// captured: how the master gets answers that need plugin code (the master
// itself never loads a plugin, so a crashing one cannot take supervision
// down). Waited for by pid on the calling thread; the supervision loop
// reaps only its workers.
import Glibc

enum ChildCommand {
    struct Finished {
        var status: Int32
        var standardOutput: [UInt8]
        var standardError: [UInt8]
        var succeeded: Bool { ProcessSupport.exited(status) && ProcessSupport.exitCode(status) == 0 }
        /// The last line it wrote to stderr, or how it ended.
        var failure: String {
            let lines = String(decoding: standardError, as: UTF8.self).split(separator: "\n")
            return lines.last.map(String.init) ?? ProcessSupport.describe(status)
        }
    }

    /// Runs this executable with `arguments` and `descriptors` as fd 3...,
    /// collecting stdout and stderr until it exits; killed (SIGKILL) when it
    /// takes longer than `timeoutSeconds`.
    static func run(_ arguments: [String], descriptors: [Int32] = [], timeoutSeconds: Int = 30) throws -> Finished {
        let out = try ProcessSupport.pipe()
        let err: (read: Int32, write: Int32)
        do { err = try ProcessSupport.pipe() } catch {
            close(out.read); close(out.write)
            throw error
        }
        let pid: pid_t
        do {
            pid = try ProcessSupport.spawn(arguments: arguments, descriptors: descriptors, standardOutput: out.write, standardError: err.write)
        } catch {
            for fd in [out.read, out.write, err.read, err.write] { close(fd) }
            throw error
        }
        close(out.write)
        close(err.write)
        defer { close(out.read); close(err.read) }

        var finished = Finished(status: 0, standardOutput: [], standardError: [])
        let deadline = Clock.monotonicNanos() + UInt64(timeoutSeconds) * 1_000_000_000
        var open: [Int32] = [out.read, err.read]
        var timedOut = false
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while !open.isEmpty {
            let now = Clock.monotonicNanos()
            guard now < deadline else { timedOut = true; break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min((deadline - now) / 1_000_000, 1_000)))
            if ready < 0 && errno != EINTR { break }
            for p in fds where p.revents != 0 {
                let n = chunk.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    if p.fd == out.read { finished.standardOutput += chunk[0..<n] } else { finished.standardError += chunk[0..<n] }
                } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                    open.removeAll { $0 == p.fd }
                }
            }
        }
        if timedOut { kill(pid, SIGKILL) }
        while waitpid(pid, &finished.status, 0) < 0 && errno == EINTR {}
        if timedOut { finished.standardError += Array("\(arguments.first ?? "child") did not finish within \(timeoutSeconds) s\n".utf8) }
        return finished
    }
}
