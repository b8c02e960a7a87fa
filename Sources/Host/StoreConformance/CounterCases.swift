// Cases: fixed-window counters (counter_hit / counter_clear). Time
// is driven through now_ms, never slept. Keys are random, so the cases run
// on a database that already holds counters.
import PluginAPI
import PluginKit

extension StoreConformanceSuite {
    static var counterCases: [Case] {
        [
            Case(name: "counters.count_and_window", summary: "hits count up within one window; the window ends window_seconds after the first hit", body: { try $0.counterCountsInWindow() }),
            Case(name: "counters.weight", summary: "a hit adds its weight; weight 0 reads the count", body: { try $0.counterWeights() }),
            Case(name: "counters.new_window", summary: "the first hit at or after the window's end starts a new window at its weight", body: { try $0.counterNewWindow() }),
            Case(name: "counters.keys_isolated", summary: "keys count separately (also a key that is a prefix of another)", body: { try $0.counterKeysIsolated() }),
            Case(name: "counters.clear", summary: "counter_clear restarts a counter; clearing a missing one is OK", body: { try $0.counterClear() }),
            Case(name: "counters.input_checks", summary: "empty key and window outside 1...86400 are INVALID, a key over 256 bytes TOO_LARGE", body: { try $0.counterInputChecks() }),
            Case(name: "counters.concurrent_hits", summary: "8 threads hit one key 25 times each: every hit counts, each sees a distinct count", body: { try $0.counterConcurrentHits() }),
        ]
    }

    private func counterKey() -> [UInt8] { Array("ct-counter:\(token(16))".utf8) }

    func counterCountsInWindow() throws {
        let key = counterKey(), t = client.now
        let first = try client.hitCounter(key, weight: 1, windowSeconds: 60, now: t)
        try expectEqual(first, CounterHit(count: 1, windowEndsMillis: t + 60_000), "the first hit")
        let second = try client.hitCounter(key, weight: 1, windowSeconds: 60, now: t + 1_500)
        try expectEqual(second, CounterHit(count: 2, windowEndsMillis: t + 60_000), "a second hit 1.5 s later (same window)")
        let last = try client.hitCounter(key, weight: 1, windowSeconds: 60, now: t + 59_999)
        try expectEqual(last, CounterHit(count: 3, windowEndsMillis: t + 60_000), "a hit 1 ms before the window ends")
    }

    func counterWeights() throws {
        let key = counterKey(), t = client.now
        try expectEqual(try client.hitCounter(key, weight: 5, windowSeconds: 10, now: t).count, 5, "count after weight 5")
        try expectEqual(try client.hitCounter(key, weight: 3, windowSeconds: 10, now: t + 1).count, 8, "count after weight 3 more")
        let read = try client.hitCounter(key, weight: 0, windowSeconds: 10, now: t + 2)
        try expectEqual(read, CounterHit(count: 8, windowEndsMillis: t + 10_000), "a weight-0 hit (read)")
        let fresh = try client.hitCounter(counterKey(), weight: 0, windowSeconds: 10, now: t)
        try expectEqual(fresh.count, 0, "a weight-0 hit on a new key")
    }

    func counterNewWindow() throws {
        let key = counterKey(), t = client.now
        _ = try client.hitCounter(key, weight: 4, windowSeconds: 30, now: t)
        // A different window length does not move a live window's end.
        let sameWindow = try client.hitCounter(key, weight: 1, windowSeconds: 5, now: t + 1_000)
        try expectEqual(sameWindow, CounterHit(count: 5, windowEndsMillis: t + 30_000), "a hit with another window length inside the live window")
        let atEnd = try client.hitCounter(key, weight: 2, windowSeconds: 30, now: t + 30_000)
        try expectEqual(atEnd, CounterHit(count: 2, windowEndsMillis: t + 60_000), "the first hit at the window's end (a new window)")
        let later = try client.hitCounter(key, weight: 1, windowSeconds: 30, now: t + 200_000)
        try expectEqual(later, CounterHit(count: 1, windowEndsMillis: t + 230_000), "a hit long after the window ended")
    }

    func counterKeysIsolated() throws {
        let a = counterKey(), b = counterKey(), t = client.now
        let prefixed = a + [0]
        _ = try client.hitCounter(a, weight: 3, windowSeconds: 60, now: t)
        try expectEqual(try client.hitCounter(b, weight: 1, windowSeconds: 60, now: t).count, 1, "another key")
        try expectEqual(try client.hitCounter(prefixed, weight: 1, windowSeconds: 60, now: t).count, 1, "a key extending the first by one byte")
        try expectEqual(try client.hitCounter(a, weight: 0, windowSeconds: 60, now: t).count, 3, "the first key after the others were hit")
        let binary: [UInt8] = [0, 255, 0, 1]
        try expectEqual(try client.hitCounter(binary + randomBytes(8), weight: 2, windowSeconds: 60, now: t).count, 2, "a binary key with NUL bytes")
    }

    func counterClear() throws {
        let key = counterKey(), other = counterKey(), t = client.now
        _ = try client.hitCounter(key, weight: 7, windowSeconds: 60, now: t)
        _ = try client.hitCounter(other, weight: 2, windowSeconds: 60, now: t)
        try client.clearCounter(key)
        let after = try client.hitCounter(key, weight: 1, windowSeconds: 60, now: t + 5_000)
        try expectEqual(after, CounterHit(count: 1, windowEndsMillis: t + 65_000), "the first hit after clear (a new window)")
        try expectEqual(try client.hitCounter(other, weight: 0, windowSeconds: 60, now: t).count, 2, "another key after the clear")
        try client.clearCounter(counterKey())
    }

    func counterInputChecks() throws {
        let t = client.now
        try expectStatus("an empty key", PROTEUS_E_INVALID) { _ = try client.hitCounter([], weight: 1, windowSeconds: 60, now: t) }
        try expectStatus("clearing an empty key", PROTEUS_E_INVALID) { try client.clearCounter([]) }
        let longest = Array(counterKey().prefix(16)) + randomBytes(Int(PROTEUS_COUNTER_KEY_MAX) - 16)
        try expectEqual(try client.hitCounter(longest, weight: 1, windowSeconds: 60, now: t).count, 1, "a key of PROTEUS_COUNTER_KEY_MAX bytes")
        try expectStatus("a key one byte longer than PROTEUS_COUNTER_KEY_MAX", PROTEUS_E_TOO_LARGE) {
            _ = try client.hitCounter(longest + [1], weight: 1, windowSeconds: 60, now: t)
        }
        try expectStatus("window 0", PROTEUS_E_INVALID) { _ = try client.hitCounter(counterKey(), weight: 1, windowSeconds: 0, now: t) }
        try expectStatus("a window over PROTEUS_COUNTER_WINDOW_MAX", PROTEUS_E_INVALID) {
            _ = try client.hitCounter(counterKey(), weight: 1, windowSeconds: UInt32(PROTEUS_COUNTER_WINDOW_MAX) + 1, now: t)
        }
        let day = try client.hitCounter(counterKey(), weight: 1, windowSeconds: UInt32(PROTEUS_COUNTER_WINDOW_MAX), now: t)
        try expectEqual(day.windowEndsMillis, t + Int64(PROTEUS_COUNTER_WINDOW_MAX) * 1000, "the end of a one-day window")
    }

    func counterConcurrentHits() throws {
        let key = counterKey(), t = client.now
        let threads = 8, perThread = 25
        let seen = Shared<[UInt64]>([])
        let errors = Shared<[String]>([])
        let client = self.client
        runConcurrently(threads) { _ in
            for _ in 0..<perThread {
                do {
                    let hit = try client.hitCounter(key, weight: 1, windowSeconds: 600, now: t)
                    seen.update { $0.append(hit.count) }
                } catch {
                    errors.update { $0.append("\(error)") }
                    return
                }
            }
        }
        try expect(errors.current.isEmpty, "concurrent hits failed: \(errors.current.prefix(3))")
        let total = threads * perThread
        try expectEqual(seen.current.sorted(), (1...UInt64(total)).map { $0 }, "the counts the \(total) hits saw (each distinct, none lost)")
        try expectEqual(try client.hitCounter(key, weight: 0, windowSeconds: 600, now: t), CounterHit(count: UInt64(total), windowEndsMillis: t + 600_000), "the counter after \(total) concurrent hits")
    }
}
