// PluginKit on a host table missing what it needs: errors the plugin can
// handle, never a crash (it used to call fatalError).
import PluginAPI
import PluginKit
import XCTest

final class PluginKitCheckedPathsTests: XCTestCase {
    /// No arena from the host: INTERNAL from every call that needs one.
    func testNoArenaIsAnError() throws {
        var table = proteus_host_api()
        table.struct_size = UInt32(MemoryLayout<proteus_host_api>.size)
        table.arena_create = { _ in nil }
        table.seal = { _, _, _, _, _, _ in PROTEUS_OK }
        try withUnsafePointer(to: &table) { api in
            let host = PluginKit.Host(api)
            XCTAssertThrowsError(try host.seal([1, 2, 3], aad: [])) { error in
                XCTAssertEqual((error as? PluginError)?.code, PROTEUS_E_INTERNAL, "\(error)")
            }
            XCTAssertThrowsError(try host.withArena { _ in 0 }) { error in
                XCTAssertEqual((error as? PluginError)?.code, PROTEUS_E_INTERNAL, "\(error)")
            }
        }
    }

    /// A plugin that is not a dialect has no store: its directory answers
    /// UNSUPPORTED.
    func testDirectoryWithoutAStoreIsUnsupported() throws {
        var table = proteus_host_api()
        table.struct_size = UInt32(MemoryLayout<proteus_host_api>.size)
        table.arena_create = { _ in OpaquePointer(bitPattern: 0x10) }
        table.arena_alloc = { _, _ in nil }
        table.arena_destroy = { _ in }
        try withUnsafePointer(to: &table) { api in
            let directory = PluginKit.Host(api).directory
            XCTAssertThrowsError(try directory.user(username: "someone")) { error in
                XCTAssertEqual((error as? PluginError)?.code, PROTEUS_E_UNSUPPORTED, "\(error)")
                XCTAssertTrue((error as? PluginError)?.message.contains("no store") == true, "\(error)")
            }
        }
    }
}
