// Fixed-window counters (ABI 1.3).

/// When the bounded clean-up of ended counters runs.
public enum CounterPurge: Sendable {
    /// In the hit's own transaction (one writer: a second commit would cost
    /// a second sync to disk).
    case inHitTransaction
    /// After the hit committed, on its own and best effort (it must never
    /// wait for rows other hosts hold, so it cannot deadlock with a hit).
    case afterHit
}

public protocol CounterSQL: Sendable {
    /// One atomic upsert: binds key, weight, now (ms), the end of a window
    /// starting now. An ended window (or none) restarts at this hit; a live
    /// one only grows, saturating at INT64_MAX. Returns count, window_ends.
    var hitCounter: String { get }
    /// Binds the key.
    var clearCounter: String { get }
    /// Deletes a bounded batch of ended counters: binds now and the batch size.
    var purgeCounters: String { get }
    var counterPurge: CounterPurge { get }
}
