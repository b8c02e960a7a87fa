// Fuzz target: the Cortex Hub dialect's YAML reader and writer (libyaml's
// event parser and emitter, YAML.swift).
//
// Input: a YAML document.
//
// Checked: no crash, over-read or leak; the import's budget (10,000 + 4 ×
// size) refuses or accepts; an accepted value is written by the emitter and
// that YAML reads back as the same value, and written again gives the same
// bytes.
import CortexHub
import FuzzSupport
import ProteusJSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = CortexHubFuzzEntryPoints.parseYAML(bytes, budget: 10_000 + 4 * bytes.count).value else { return 0 }
    guard let yaml = CortexHubFuzzEntryPoints.emitYAML(value) else { fuzzFail("an accepted value was not written") }
    let again = CortexHubFuzzEntryPoints.parseYAML(yaml, budget: 10_000 + 4 * yaml.count)
    guard let back = again.value else { fuzzFail("written YAML not read back: \(String(decoding: yaml, as: UTF8.self))") }
    fuzzCheck(back == value, "round trip changed \(value.serialized()) into \(back.serialized()) via \(String(decoding: yaml, as: UTF8.self))")
    fuzzCheck(CortexHubFuzzEntryPoints.emitYAML(back) == yaml, "second write differs")
    return 0
}
