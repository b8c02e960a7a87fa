// Wall and monotonic clocks.
import Glibc
import HTTPTransport

enum Clock {
    static func nowMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// The transport's monotonic clock, so host and transport readings can
    /// be compared (one clock in the process).
    static func monotonicNanos() -> UInt64 { HTTPTransport.monotonicNanos() }
}
