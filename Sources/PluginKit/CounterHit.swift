// A store counter after one hit (counter_hit): what StoreClient returns to
// callers and what a store reports.
import PluginAPI

/// A counter after one hit: the count in its window and when the window ends.
public struct CounterHit: Sendable, Equatable {
    public var count: UInt64
    public var windowEndsMillis: Int64

    public init(count: UInt64, windowEndsMillis: Int64) {
        self.count = count
        self.windowEndsMillis = windowEndsMillis
    }
}
