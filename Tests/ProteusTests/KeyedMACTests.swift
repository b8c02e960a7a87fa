// host->mac's derivation: HMAC-SHA256 itself against RFC 4231,
// and keys separated by plugin and purpose.
import XCTest
import PluginKit
@testable import Host

final class KeyedMACTests: XCTestCase {
    private func mac(_ key: [UInt8], _ plugin: String, _ purpose: String, _ message: String) -> [UInt8]? {
        Array(purpose.utf8).withUnsafeBytes { p in Array(message.utf8).withUnsafeBytes { m in
            KeyedMAC(serverKey: key).mac(plugin: plugin, purpose: p, message: m)
        } }
    }

    func testHMACSHA256MatchesRFC4231() {
        // RFC 4231 test case 2.
        let out = Array("what do ya want for nothing?".utf8).withUnsafeBytes { KeyedMAC.hmacSHA256(key: Array("Jefe".utf8), message: $0) }
        XCTAssertEqual(out.map { Hex.encode($0) }, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testKeysAreSeparatedByPluginAndPurposeAndServerKey() throws {
        let key = [UInt8](repeating: 1, count: 32)
        let base = try XCTUnwrap(mac(key, "listenmoe", "listenmoe.jwt", "m"))
        XCTAssertEqual(base.count, 32)
        XCTAssertEqual(mac(key, "listenmoe", "listenmoe.jwt", "m"), base, "deterministic")
        XCTAssertNotEqual(mac(key, "mcsmanager", "listenmoe.jwt", "m"), base)
        XCTAssertNotEqual(mac(key, "listenmoe", "listenmoe.jwt2", "m"), base)
        XCTAssertNotEqual(mac(key, "listenmoe", "listenmoe.jwt", "n"), base)
        XCTAssertNotEqual(mac([UInt8](repeating: 2, count: 32), "listenmoe", "listenmoe.jwt", "m"), base)
        // No ambiguity between plugin and purpose ("a" + "b\0c" vs "a\0b" + "c").
        XCTAssertNotEqual(mac(key, "a", "b\0c", "m"), mac(key, "a\0b", "c", "m"))
        XCTAssertNotNil(mac(key, "listenmoe", "p", ""), "an empty message has a MAC")
    }
}
