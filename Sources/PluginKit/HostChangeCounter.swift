// host->change_counter (2.2): the number every worker of the host shares,
// for caches that must forget what another worker's write may have changed.
import PluginAPI

extension Host {
    /// Whether this host's table has the change counter.
    public var offersChangeCounter: Bool { service(\.change_counter) != nil }

    /// The counter (bumped first when `bump`); nil when the host lacks it.
    public func changeCounter(bump: Bool) -> UInt64? {
        guard let counter = service(\.change_counter) else { return nil }
        return counter(ctx, bump)
    }
}
