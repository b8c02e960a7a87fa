// Fixed-window counters (ABI 1.3): one atomic upsert per hit, so hits from
// every thread, process and host on the store are all counted; ended
// counters are deleted a bounded batch at a time as new windows start.
import PluginAPI
import PluginKit

extension StoreCore {
    public func hitCounter(_ key: proteus_bytes, weight: UInt32, windowSeconds: UInt32, nowMillis: Int64) throws -> CounterHit {
        let freshEnd = CounterInput.windowEnd(nowMillis: nowMillis, windowSeconds: windowSeconds)
        let purge = sql.counterPurge
        let hit: CounterHit = try perform(.write, "counting a hit", keepsAuthAnswers: true) { c in
            let hit = try c.first(sql.hitCounter, "counting a hit", { v in
                v.bind(key)
                v.bind(weight)
                v.bind(nowMillis)
                v.bind(freshEnd)
            }) { CounterHit(count: UInt64(max($0.int64(0), 0)), windowEndsMillis: $0.int64(1)) }
            guard let hit else { throw PluginError.internal("the counter upsert returned no row") }
            if hit.windowEndsMillis == freshEnd && purge == .inHitTransaction { try purgeCounters(c, nowMillis: nowMillis) }
            return hit
        }
        if hit.windowEndsMillis == freshEnd && purge == .afterHit {
            touch("deleting expired counters") { try purgeCounters($0, nowMillis: nowMillis) }
        }
        return hit
    }

    public func clearCounter(_ key: proteus_bytes) throws {
        try perform(.write, "clearing a counter", keepsAuthAnswers: true) { c in
            _ = try c.run(sql.clearCounter, "clearing a counter") { $0.bind(key) }
        }
    }

    /// A hit that started a window added at most one row: delete a bounded
    /// batch of ended ones with it, so they never pile up.
    private func purgeCounters(_ c: any StoreConnection, nowMillis: Int64) throws {
        try c.run(sql.purgeCounters, "deleting expired counters") { v in
            v.bind(nowMillis)
            v.bind(CounterInput.purgeBatch)
        }
    }
}
