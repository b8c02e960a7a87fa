// Counters and statistics.
import StoreCore

extension PostgresSQL {
    /// PostgreSQL locks the row for the update, so concurrent hits from
    /// every host are serialised on it and none is lost. Saturating: bigint
    /// overflow would be an error.
    var hitCounter: String {
        """
        INSERT INTO counters AS k (key, count, window_ends) VALUES ($1, $2, $4) \
        ON CONFLICT (key) DO UPDATE SET \
        count = CASE WHEN k.window_ends <= $3 THEN EXCLUDED.count \
                     WHEN k.count > 9223372036854775807 - EXCLUDED.count THEN 9223372036854775807 \
                     ELSE k.count + EXCLUDED.count END, \
        window_ends = CASE WHEN k.window_ends <= $3 THEN EXCLUDED.window_ends ELSE k.window_ends END \
        RETURNING count, window_ends
        """
    }
    var clearCounter: String { "DELETE FROM counters WHERE key = $1" }
    /// Skips rows other hosts hold: it never waits, so it cannot deadlock with a hit.
    var purgeCounters: String {
        "DELETE FROM counters WHERE key IN (SELECT key FROM counters WHERE window_ends <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)"
    }
    var counterPurge: CounterPurge { .afterHit }

    /// One statement: every count from one snapshot.
    var stats: String {
        """
        SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM documents), (SELECT count(*) FROM groups), \
        (SELECT count(*) FROM roles), (SELECT count(*) FROM sessions), (SELECT count(*) FROM api_keys), \
        (SELECT count(*) FROM identities), (SELECT value::bigint FROM proteus_meta WHERE key = 'schema_version')
        """
    }
}
