// Errors that know what they mean for the ABI (a database library's error
// in a store's backend, for example): `reporting` answers with their status.

/// A backend failure (a database library's error) that knows which ABI
/// status and message it stands for.
public protocol PluginErrorConvertible: Error {
    var pluginError: PluginError { get }
}
