// The diagnostics extension every store offers under its backend's id
// (StoreBackend.diagnosticsID): read-only facts for tests and operators.
//
// Extension value: a C function
//   int32_t diagnostic(void *instance, const char *name, char *buffer, size_t capacity)
// writing a NUL-terminated answer (cut to fit); PROTEUS_OK, PROTEUS_E_NOT_FOUND
// for an unknown name, PROTEUS_E_INVALID for NULL arguments.
import PluginAPI
import PluginKit

typealias DiagnosticFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, UnsafeMutablePointer<CChar>?, Int) -> Int32

private let storeDiagnostic: DiagnosticFunction = { instance, name, buffer, capacity in
    guard let core = StoreBox.store(instance), let name, let buffer, capacity > 0 else { return PROTEUS_E_INVALID }
    guard let answer = core.backend.diagnostic(String(cString: name)) else { return PROTEUS_E_NOT_FOUND }
    let bytes = Array(answer.utf8.prefix(capacity - 1))
    for (i, b) in bytes.enumerated() { buffer[i] = CChar(bitPattern: b) }
    buffer[bytes.count] = 0
    return PROTEUS_OK
}

/// The get_extension of a store plugin built on StoreCore.
let storeGetExtension: GetExtensionFunction = { instance, id in
    guard let id, let core = StoreBox.store(instance), String(cString: id) == core.backend.diagnosticsID else { return nil }
    return unsafeBitCast(storeDiagnostic, to: UnsafeRawPointer.self)
}
