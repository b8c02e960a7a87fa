// Counters and statistics.
import StoreCore

extension SQLiteSQL {
    /// Inside the writer's IMMEDIATE transaction, so hits from every thread
    /// and every process on the file are serialised and none is lost.
    /// Saturating: SQLite would turn an overflow into a REAL.
    var hitCounter: String {
        """
        INSERT INTO counters (key, count, window_ends) VALUES (?1, ?2, ?4)
        ON CONFLICT (key) DO UPDATE SET
            count = CASE WHEN counters.window_ends <= ?3 THEN excluded.count
                         WHEN counters.count > 9223372036854775807 - excluded.count THEN 9223372036854775807
                         ELSE counters.count + excluded.count END,
            window_ends = CASE WHEN counters.window_ends <= ?3 THEN excluded.window_ends
                               ELSE counters.window_ends END
        RETURNING count, window_ends
        """
    }
    var clearCounter: String { "DELETE FROM counters WHERE key = ?1" }
    var purgeCounters: String { "DELETE FROM counters WHERE key IN (SELECT key FROM counters WHERE window_ends <= ?1 LIMIT ?2)" }
    var counterPurge: CounterPurge { .inHitTransaction }

    var stats: String {
        """
        SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM documents), (SELECT count(*) FROM groups), \
        (SELECT count(*) FROM roles), (SELECT count(*) FROM sessions), (SELECT count(*) FROM api_keys), \
        (SELECT count(*) FROM identities), (SELECT user_version FROM pragma_user_version)
        """
    }
}
