// Backend errors that know what they mean for the ABI.
import PluginKit

/// A backend failure (a database library's error) that knows which ABI
/// status and message it stands for.
public protocol PluginErrorConvertible: Error {
    var pluginError: PluginError { get }
}
