// The password plugin's {MD5} legacy verifier, which MCSManager imports use.
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest
@testable import Host

/// The password plugin's {MD5} legacy verifier (MCSManager's passWordType 0),
/// through the host's auth services, with the RFC 1321 test vectors.
final class MCSManagerLegacyMD5Tests: XCTestCase {
    static func stored(_ hex: String) -> String { "{MD5}" + Base64.encode(Hex.decode(hex)!) }

    func testRFC1321Vectors() throws {
        let harness = try PasswordHarness(options: #"{"memoryKiB": 1024, "iterations": 1}"#)
        let vectors = [
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
            ("Passwörd1", MCSM.md5Hex("Passwörd1")),
        ]
        for (password, hex) in vectors {
            let ok = harness.verify(password, Self.stored(hex))
            XCTAssertEqual(ok.status, PROTEUS_OK, "\(password): \(ok.message)")
            XCTAssertTrue(ok.needsRehash, "an MD5 match always asks for a re-hash")
            XCTAssertEqual(harness.verify(password + "x", Self.stored(hex)).status, PROTEUS_E_DENIED, password)
        }
        XCTAssertEqual(harness.verify("a", "{MD5}not-base64!").status, PROTEUS_E_INVALID)
        XCTAssertEqual(harness.verify("a", "{MD5}" + Base64.encode([1, 2, 3])).status, PROTEUS_E_INVALID)
        // Enrolling never produces MD5.
        XCTAssertTrue(harness.enroll("a").stored?.hasPrefix("$argon2id$") ?? false)
    }
}
