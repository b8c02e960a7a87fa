// The body of every store entry point: recover the instance, run one
// operation, report any failure into the caller's proteus_error.
import PluginAPI

/// A backend failure (a database library's error) that knows which ABI
/// status and message it stands for.
public protocol PluginErrorConvertible: Error {
    var pluginError: PluginError { get }
}

/// Runs `body` with the instance behind `store` (boxed with InstanceBox)
/// and turns whatever it throws into a status and message.
@inlinable
public func storeCall<Store: AnyObject>(_ store: UnsafeMutableRawPointer?, _ err: UnsafeMutablePointer<proteus_error>?,
                                        as type: Store.Type, _ body: (Store) throws -> Void) -> proteus_status {
    guard store != nil else { return PluginError.invalid("no store instance (NULL)").report(to: err) }
    do {
        try body(InstanceBox.get(store, as: type))
        return PROTEUS_OK
    } catch let e as PluginError {
        return e.report(to: err)
    } catch let e as PluginErrorConvertible {
        return e.pluginError.report(to: err)
    } catch {
        return PluginError.internal("\(error)").report(to: err)
    }
}
