// The decoding this dialect does on request input, for the fuzz target
// Tests/Fuzz/MCSManager (package access: only executables of this package
// can call it; the plugin itself does not).
import PluginKit
import ProteusJSON

package enum MCSManagerFuzzEntryPoints {
    package struct Failure: Error {
        package let status: Int
        package let message: String
    }

    /// RequestInput.query: the query string as an object (repeated names → arrays).
    package static func query(_ request: Request) -> JSONObject { RequestInput.query(request) }

    /// RequestInput.body: JSON, form or text body by Content-Type.
    package static func body(_ request: Request) -> Result<JSONValue, Failure> {
        do { return .success(try RequestInput.body(request)) } catch {
            return .failure(Failure(status: error.status, message: error.message))
        }
    }

    /// The validator's string conversion of `key` in a body.
    package static func validatedString(_ body: JSONValue, _ key: String) -> Result<String, Failure> {
        do { return .success(try Validated(body).string(key)) } catch {
            return .failure(Failure(status: error.status, message: error.message))
        }
    }

    /// The validator's number conversion of `key` in a body.
    package static func validatedNumber(_ body: JSONValue, _ key: String) -> Result<Double, Failure> {
        do { return .success(try Validated(body).number(key)) } catch {
            return .failure(Failure(status: error.status, message: error.message))
        }
    }

    /// Access.apiKey: X-Request-API-Key, else ?apikey=.
    package static func apiKey(_ request: Request, _ query: JSONObject) -> String? { Access.apiKey(request, query) }

    /// Access.cookie: a cookie's value from the Cookie header(s).
    package static func cookie(_ request: Request, _ name: String) -> String? { Access.cookie(request, name) }

    /// Access.isAjax: X-Requested-With: XMLHttpRequest.
    package static func isAjax(_ request: Request) -> Bool { Access.isAjax(request) }
}
