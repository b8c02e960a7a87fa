// Fixed-window counters (ABI 1.3): one INSERT ... ON CONFLICT DO UPDATE ...
// RETURNING. PostgreSQL locks the row for the update, so concurrent hits
// from every host are serialised on it and none is lost.
import PluginAPI
import PluginKit

extension PostgresStore {
    func hitCounter(_ key: proteus_bytes, weight: UInt32, windowSeconds: UInt32, nowMillis: Int64) throws -> CounterHit {
        let freshEnd = CounterInput.windowEnd(nowMillis: nowMillis, windowSeconds: windowSeconds)
        var p = PGParams()
        p.bytes(key)
        p.int64(weight)
        p.int64(nowMillis)
        p.int64(freshEnd)
        // A window that has ended restarts at this hit; a live one only
        // grows (saturating: bigint overflow would be an error).
        let hit = try write("counting a hit") { c -> CounterHit in
            let r = try c.execute("""
                INSERT INTO counters AS k (key, count, window_ends) VALUES ($1, $2, $4) \
                ON CONFLICT (key) DO UPDATE SET \
                count = CASE WHEN k.window_ends <= $3 THEN EXCLUDED.count \
                             WHEN k.count > 9223372036854775807 - EXCLUDED.count THEN 9223372036854775807 \
                             ELSE k.count + EXCLUDED.count END, \
                window_ends = CASE WHEN k.window_ends <= $3 THEN EXCLUDED.window_ends ELSE k.window_ends END \
                RETURNING count, window_ends
                """, p, "counting a hit")
            guard r.rows == 1 else { throw PluginError.internal("the counter upsert returned \(r.rows) rows") }
            return CounterHit(count: UInt64(max(r.int64(0, 0), 0)), windowEndsMillis: r.int64(0, 1))
        }
        if hit.windowEndsMillis == freshEnd { purgeExpiredCounters(nowMillis: nowMillis) }
        return hit
    }

    func clearCounter(_ key: proteus_bytes) throws {
        var p = PGParams()
        p.bytes(key)
        try write("clearing a counter") { c in
            _ = try c.execute("DELETE FROM counters WHERE key = $1", p, "clearing a counter")
        }
    }

    /// A hit that started a window added at most one row: delete a bounded
    /// batch of ended ones after it, in a transaction of its own that skips
    /// rows other hosts hold (it never waits, so it cannot deadlock with a
    /// hit). Best effort: the next window start retries.
    private func purgeExpiredCounters(nowMillis: Int64) {
        var p = PGParams()
        p.int64(nowMillis)
        p.int64(CounterInput.purgeBatch)
        _ = try? write("deleting expired counters") { c in
            try c.execute("""
                DELETE FROM counters WHERE key IN \
                (SELECT key FROM counters WHERE window_ends <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
                """, p, "deleting expired counters")
        }
    }
}
