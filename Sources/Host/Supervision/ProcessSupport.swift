// Process plumbing for the master and its workers: posix_spawn of the same
// binary with inherited descriptors, wait statuses in words, signal names,
// close-on-exec pipes, the parent-death signal.
import CLinux
import Glibc

enum ProcessSupport {
    /// This executable, resolved once at start (a binary replaced on disk
    /// later still starts the same file name).
    static let executablePath: String = {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return CommandLine.arguments.first ?? "proteus" }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// The first descriptor number a worker finds its inherited fds at.
    static let firstInheritedFD: Int32 = 3

    /// Starts `executablePath arguments...` with `descriptors[i]` as fd
    /// 3 + i and no other descriptor (everything else is close-on-exec),
    /// an empty signal mask and default dispositions. posix_spawn, not a
    /// bare fork: no Swift code (nor plugin code) runs in a forked copy of
    /// this multi-threaded process; the child execs at once.
    /// `standardOutput`/`standardError`, when given, become its fd 1/2.
    static func spawn(arguments: [String], descriptors: [Int32], standardOutput: Int32? = nil, standardError: Int32? = nil) throws -> pid_t {
        // Copies above every target number, so no dup2 clobbers a source.
        var copies: [Int32] = []
        defer { for fd in copies { close(fd) } }
        for fd in descriptors {
            let copy = fcntl(fd, F_DUPFD_CLOEXEC, 64)
            guard copy >= 0 else { throw HostError("cannot pass descriptor \(fd) to a worker: \(errnoText(errno))") }
            copies.append(copy)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (i, fd) in copies.enumerated() {
            posix_spawn_file_actions_adddup2(&actions, fd, firstInheritedFD + Int32(i))
        }
        if let fd = standardOutput { posix_spawn_file_actions_adddup2(&actions, fd, 1) }
        if let fd = standardError { posix_spawn_file_actions_adddup2(&actions, fd, 2) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGPIPE] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executablePath] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid = pid_t()
        let rc = posix_spawn(&pid, executablePath, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw HostError("cannot start \(arguments.first ?? "a") process (\(executablePath)): \(errnoText(rc))") }
        return pid
    }

    /// A pipe whose ends are both close-on-exec; the read end non-blocking.
    static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard Glibc.pipe(&fds) == 0 else { throw HostError("pipe: \(errnoText(errno))") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        return (fds[0], fds[1])
    }

    static func setCloseOnExec(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFD)
        if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
    }

    /// A fresh unlinked shared-memory file holding `bytes` (a worker's
    /// config), close-on-exec; read with pread (offset-independent, so
    /// several workers can share it).
    static func sharedFile(_ bytes: [UInt8]) throws -> Int32 {
        let fd = try SharedMemory.openUnlinked("config for the workers")
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + offset, $0.count - offset, off_t(offset)) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                close(fd)
                throw HostError("cannot pass the config to workers: \(errnoText(e))")
            }
            offset += n
        }
        return fd
    }

    /// Everything in a file, from offset 0 (pread: the file offset is
    /// shared with other processes and is not used).
    static func readWhole(_ fd: Int32) throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(out.count)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw HostError("cannot read descriptor \(fd): \(errnoText(errno))")
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    /// Writes everything (blocking), ignoring errors other than EINTR.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }

    /// prctl(PR_SET_PDEATHSIG, sig): the kernel sends `sig` to this process
    /// when the thread that started it exits.
    static func setParentDeathSignal(_ sig: Int32) -> Bool {
        proteus_set_parent_death_signal(sig) == 0
    }

    // MARK: - Wait statuses

    static func exited(_ status: Int32) -> Bool { status & 0x7F == 0 }
    static func exitCode(_ status: Int32) -> Int32 { (status >> 8) & 0xFF }
    static func signalled(_ status: Int32) -> Bool { status & 0x7F != 0 && status & 0x7F != 0x7F }
    static func terminatingSignal(_ status: Int32) -> Int32 { status & 0x7F }

    /// "exited with status 1", "killed by SIGABRT (core dumped)".
    static func describe(_ status: Int32) -> String {
        if exited(status) { return "exited with status \(exitCode(status))" }
        if signalled(status) {
            return "killed by \(signalName(terminatingSignal(status)))" + (status & 0x80 != 0 ? " (core dumped)" : "")
        }
        return "changed state (wait status \(status))"
    }

    static func signalName(_ sig: Int32) -> String {
        switch sig {
        case SIGHUP: return "SIGHUP"
        case SIGINT: return "SIGINT"
        case SIGQUIT: return "SIGQUIT"
        case SIGILL: return "SIGILL"
        case SIGTRAP: return "SIGTRAP"
        case SIGABRT: return "SIGABRT"
        case SIGBUS: return "SIGBUS"
        case SIGFPE: return "SIGFPE"
        case SIGKILL: return "SIGKILL"
        case SIGUSR1: return "SIGUSR1"
        case SIGSEGV: return "SIGSEGV"
        case SIGUSR2: return "SIGUSR2"
        case SIGPIPE: return "SIGPIPE"
        case SIGALRM: return "SIGALRM"
        case SIGTERM: return "SIGTERM"
        case SIGCHLD: return "SIGCHLD"
        case SIGXCPU: return "SIGXCPU"
        case SIGXFSZ: return "SIGXFSZ"
        case SIGSYS: return "SIGSYS"
        default: return "signal \(sig)"
        }
    }

    static func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }
}
