// The store option "authCacheMs", read the same way by every StoreCore
// store (each lists it among its known options): how long a worker may
// answer API-key and session reads from memory (AuthCache).
import PluginKit

public enum AuthCacheOption {
    public static let key = "authCacheMs"
    /// Off by default: workers of one host do not yet share an
    /// invalidation signal, so with a cache a key revoked through one
    /// worker would stay usable through another for up to the bound. An
    /// operator who accepts that bound turns it on (e.g. 1000).
    public static let defaultMillis = 0
    /// At most a minute: a longer bound would let a revoked credential live too long.
    public static let range = 0...60_000

    /// The option's value in milliseconds (0 = no cache); INVALID with a
    /// message naming the option when it is not an integer in `range`.
    public static func parse(_ options: PluginOptions) throws(PluginError) -> Int {
        try options.int(key, in: range) ?? defaultMillis
    }
}
