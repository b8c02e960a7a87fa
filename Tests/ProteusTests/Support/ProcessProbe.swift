// What the reliability tests read about a running proteus from /proc
// (resident memory, open descriptors), summed over the process and its
// children — the master and its worker processes — and the test process's
// own descriptor limit.
import Glibc

enum ProcessProbe {
    /// The direct children of `pid` (a master's workers).
    static func children(_ pid: Int32) -> [Int32] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var found: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let child = Int32(name), let f = fopen("/proc/\(child)/stat", "r") else { continue }
            var line = [CChar](repeating: 0, count: 1024)
            let ok = fgets(&line, Int32(line.count), f) != nil
            fclose(f)
            guard ok else { continue }
            // "pid (comm) state ppid ...": comm may hold spaces, so parse after the last ')'.
            let text = String(cString: line)
            guard let close = text.lastIndex(of: ")") else { continue }
            let fields = text[text.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == pid { found.append(child) }
        }
        return found
    }

    /// VmRSS of `pid` and its children in KiB, or nil when `pid` is gone.
    static func residentKiB(_ pid: Int32) -> Int? {
        guard let own = ownResidentKiB(pid) else { return nil }
        return children(pid).reduce(own) { $0 + (ownResidentKiB($1) ?? 0) }
    }

    /// Open file descriptors of `pid` and its children.
    static func descriptorCount(_ pid: Int32) -> Int? {
        guard let own = ownDescriptorCount(pid) else { return nil }
        return children(pid).reduce(own) { $0 + (ownDescriptorCount($1) ?? 0) }
    }

    /// VmRSS of `pid` alone in KiB.
    static func ownResidentKiB(_ pid: Int32) -> Int? {
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

    /// Open file descriptors of `pid` alone (entries of /proc/PID/fd).
    static func ownDescriptorCount(_ pid: Int32) -> Int? {
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
