// PluginKit's Base32: RFC 4648 §10 vectors (encoded without padding, as
// otpauth:// URIs carry secrets) and round trips through the decoder the
// totp plugin reads secrets with.
import PluginKit
import XCTest

final class Base32Tests: XCTestCase {
    func testRFC4648VectorsWithoutPadding() {
        let vectors = ["": "", "f": "MY", "fo": "MZXQ", "foo": "MZXW6", "foob": "MZXW6YQ", "fooba": "MZXW6YTB", "foobar": "MZXW6YTBOI"]
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base32.encode(Array(plain.utf8)), encoded, plain)
        }
    }

    func testRoundTripsThroughTheDecoder() {
        for length in [0, 1, 5, 10, 20, 32, 64] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let text = Base32.encode(bytes)
            XCTAssertEqual(text.count, (length * 8 + 4) / 5)
            let decoded = Array(text.utf8).withUnsafeBytes { Base32.decode($0) }
            XCTAssertEqual(decoded?.bytes, bytes, "length \(length)")
            XCTAssertEqual(decoded?.characters, text.count)
        }
    }
}
