// The store option "authCacheMs", read the same way by every StoreCore
// store (each lists it among its known options): how long a worker may
// answer API-key and session reads from memory (AuthCache).
import PluginKit

public enum AuthCacheOption {
    public static let key = "authCacheMs"
    /// One second: within a host every worker forgets at once what a write
    /// may have changed (host->change_counter); this bound is how long a
    /// change made through another host on the same database may go
    /// unseen here.
    public static let defaultMillis = 1000
    /// At most a minute: a longer bound would let a revoked credential live too long.
    public static let range = 0...60_000

    /// The option's value in milliseconds (0 = no cache); INVALID with a
    /// message naming the option when it is not an integer in `range`.
    public static func parse(_ options: PluginOptions) throws(PluginError) -> Int {
        try options.int(key, in: range) ?? defaultMillis
    }
}
