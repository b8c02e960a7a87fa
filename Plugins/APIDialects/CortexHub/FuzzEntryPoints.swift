// The YAML reading and writing of config import/export, for the fuzz target
// Tests/Fuzz/CortexHubYAML (package access: only executables of this
// package can call it; the plugin itself does not).
import ProteusJSON

package enum CortexHubFuzzEntryPoints {
    /// The value of a YAML document within `budget`, or nil when refused
    /// (`tooLarge` tells whether the refusal was the bound).
    package static func parseYAML(_ bytes: [UInt8], budget: Int) -> (value: JSONValue?, tooLarge: Bool) {
        do { return (try YAML.parse(bytes, budget: budget), false) } catch { return (nil, error.kind == .tooLarge) }
    }

    package static func emitYAML(_ value: JSONValue) -> [UInt8]? { try? YAML.emit(value) }
}
