// What the reliability tests read about a running process from /proc
// (resident memory, open descriptors) and the test process's own
// descriptor limit.
import Glibc

enum ProcessProbe {
    /// VmRSS of `pid` in KiB, or nil when the process is gone.
    static func residentKiB(_ pid: Int32) -> Int? {
        guard let f = fopen("/proc/\(pid)/status", "r") else { return nil }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 512)
        while fgets(&line, Int32(line.count), f) != nil {
            let text = String(cString: line)
            if text.hasPrefix("VmRSS:") {
                return Int(text.dropFirst(6).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
            }
        }
        return nil
    }

    /// Open file descriptors of `pid` (entries of /proc/PID/fd).
    static func descriptorCount(_ pid: Int32) -> Int? {
        guard let dir = opendir("/proc/\(pid)/fd") else { return nil }
        defer { closedir(dir) }
        var n = 0
        while let entry = readdir(dir) {
            let first = withUnsafeBytes(of: entry.pointee.d_name) { $0[0] }
            if first != UInt8(ascii: ".") { n += 1 }
        }
        return n
    }

    /// The descriptor count of `pid` once it has not changed for 300 ms
    /// (connections the test just dropped are closed by then).
    static func settledDescriptorCount(_ pid: Int32, timeout: Double = 5) -> Int? {
        var last = descriptorCount(pid)
        var stableSince = now()
        let deadline = now() + timeout
        while now() < deadline {
            usleep(20_000)
            let current = descriptorCount(pid)
            if current != last {
                last = current
                stableSince = now()
            } else if now() - stableSince >= 0.3 {
                break
            }
        }
        return last
    }

    /// Raises this process's soft RLIMIT_NOFILE to at least `wanted` (up to
    /// the hard limit); returns the soft limit in force afterwards.
    @discardableResult
    static func raiseDescriptorLimit(to wanted: Int) -> Int {
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 0 }
        if limit.rlim_cur < rlim_t(wanted) {
            limit.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
            _ = setrlimit(resource, &limit)
            _ = getrlimit(resource, &limit)
        }
        return Int(limit.rlim_cur)
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes.
    static func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = now() + timeout
        while true {
            if condition() { return true }
            if now() > deadline { return false }
            usleep(50_000)
        }
    }
}
