// Store counters for dialects: fixed-window counts every host
// and worker on the same store shares, e.g. failed sign-ins per account.
import PluginAPI

extension Directory {
    /// Adds `weight` to `key`'s counter in its current window (a new window
    /// of `windowSeconds` starts when the stored one has ended) and returns
    /// the count after the hit and when the window ends. Throws UNSUPPORTED
    /// when the store predates counters, UNAVAILABLE when it is down.
    public func hitCounter(key: [UInt8], weight: UInt32, windowSeconds: UInt32, now: Int64) throws -> CounterHit {
        try client.hitCounter(key, weight: weight, windowSeconds: windowSeconds, now: now)
    }

    /// Deletes `key`'s counter (a missing one is not an error).
    public func clearCounter(key: [UInt8]) throws {
        try client.clearCounter(key)
    }
}
