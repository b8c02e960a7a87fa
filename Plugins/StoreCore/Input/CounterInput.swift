// The argument checks every store makes on counter calls, so all stores
// accept and refuse the same keys and windows.
import PluginAPI
import PluginKit

public enum CounterInput {
    /// Expired counters a store deletes per hit that starts a window: each
    /// such hit adds at most one row, so expired rows never pile up, and no
    /// single hit pays for a large clean-up.
    public static let purgeBatch = 32

    public static func check(key: proteus_bytes, windowSeconds: UInt32 = 1) throws(PluginError) {
        guard key.ptr != nil, key.len > 0 else { throw .invalid("the counter key is required (absent or empty)") }
        guard key.len <= Int(PROTEUS_COUNTER_KEY_MAX) else {
            throw .tooLarge("the counter key is \(key.len) bytes, longer than \(PROTEUS_COUNTER_KEY_MAX)")
        }
        guard windowSeconds >= 1, windowSeconds <= UInt32(PROTEUS_COUNTER_WINDOW_MAX) else {
            throw .invalid("the counter window must be 1...\(PROTEUS_COUNTER_WINDOW_MAX) seconds, not \(windowSeconds)")
        }
    }

    /// When a window starting now ends (unix ms; saturates instead of wrapping).
    public static func windowEnd(nowMillis: Int64, windowSeconds: UInt32) -> Int64 {
        let (sum, overflow) = nowMillis.addingReportingOverflow(Int64(windowSeconds) * 1000)
        return overflow ? Int64.max : sum
    }
}
