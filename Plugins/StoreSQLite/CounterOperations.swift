// Fixed-window counters (ABI 1.3): one UPSERT ... RETURNING inside the
// writer's IMMEDIATE transaction, so hits from every thread and every
// process on the file are serialised and none is lost.
import PluginAPI
import PluginKit

extension SQLiteStore {
    func hitCounter(_ key: proteus_bytes, weight: UInt32, windowSeconds: UInt32, nowMillis: Int64) throws -> CounterHit {
        let freshEnd = CounterInput.windowEnd(nowMillis: nowMillis, windowSeconds: windowSeconds)
        return try pool.write("counting a hit") { c in
            // A window that has ended restarts at this hit; a live one only
            // grows (saturating: SQLite would turn an overflow into a REAL).
            let hit = try c.with("""
                INSERT INTO counters (key, count, window_ends) VALUES (?1, ?2, ?4)
                ON CONFLICT (key) DO UPDATE SET
                    count = CASE WHEN counters.window_ends <= ?3 THEN excluded.count
                                 WHEN counters.count > 9223372036854775807 - excluded.count THEN 9223372036854775807
                                 ELSE counters.count + excluded.count END,
                    window_ends = CASE WHEN counters.window_ends <= ?3 THEN excluded.window_ends
                                       ELSE counters.window_ends END
                RETURNING count, window_ends
                """) { s -> CounterHit in
                s.bind(1, key)
                s.bind(2, weight)
                s.bind(3, nowMillis)
                s.bind(4, freshEnd)
                guard try s.step("counting a hit") else { throw PluginError.internal("the counter upsert returned no row") }
                return CounterHit(count: UInt64(max(s.int64(0), 0)), windowEndsMillis: s.int64(1))
            }
            if hit.windowEndsMillis == freshEnd { try purgeExpiredCounters(c, nowMillis: nowMillis) }
            return hit
        }
    }

    func clearCounter(_ key: proteus_bytes) throws {
        try pool.write("clearing a counter") { c in
            try c.with("DELETE FROM counters WHERE key = ?") { s in
                s.bind(1, key)
                try s.run("clearing a counter")
            }
        }
    }

    /// A hit that started a window added at most one row: delete a bounded
    /// batch of ended ones with it, so they never pile up.
    private func purgeExpiredCounters(_ c: Connection, nowMillis: Int64) throws {
        try c.with("DELETE FROM counters WHERE key IN (SELECT key FROM counters WHERE window_ends <= ? LIMIT ?)") { s in
            s.bind(1, nowMillis)
            s.bind(2, CounterInput.purgeBatch)
            try s.run("deleting expired counters")
        }
    }
}
