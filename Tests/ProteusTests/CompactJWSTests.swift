// PluginKit's CompactJWS on its own (HS256 with a test MAC), and
// PluginKit's Host.mac on a host table too short to hold mac.
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest
@testable import Host

final class CompactJWSTests: XCTestCase {
    private let key = Array("test key".utf8)
    private func mac(_ message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { KeyedMAC.hmacSHA256(key: key, message: $0)! }
    }
    private func verify(_ token: String) -> JSONObject? {
        CompactJWS.verify(token, mac: mac, equal: { $0 == $1 })
    }
    private func b64(_ text: String) -> String { Base64.encode(Array(text.utf8), urlSafe: true, padding: false) }
    private func signed(header: String, payload: String) -> String {
        let input = b64(header) + "." + b64(payload)
        return input + "." + Base64.encode(mac(Array(input.utf8)), urlSafe: true, padding: false)
    }

    func testRoundTripAndTheRFC7515Shape() throws {
        let token = CompactJWS.sign(["sub": "x", "n": 1], mac: mac)
        XCTAssertEqual(verify(token), ["sub": "x", "n": 1])
        let parts = token.split(separator: ".")
        XCTAssertEqual(parts.count, 3)
        XCTAssertFalse(token.contains("=") || token.contains("+") || token.contains("/"))
        XCTAssertEqual(Base64.decode(String(parts[0]), urlSafe: true).map { String(decoding: $0, as: UTF8.self) }, #"{"alg":"HS256","typ":"JWT"}"#)
        // Key order of the header does not matter; its content does.
        XCTAssertNotNil(verify(signed(header: #"{"typ":"JWT","alg":"HS256"}"#, payload: #"{"a":1}"#)))
    }

    func testRefusals() {
        let payload = #"{"a":1}"#
        for header in [#"{"alg":"none","typ":"JWT"}"#, #"{"alg":"HS256"}"#, #"{"alg":"HS256","typ":"JWT","kid":"k"}"#,
                       #"{"alg":"RS256","typ":"JWT"}"#, #"{"alg":"hs256","typ":"JWT"}"#, "[]", "not json"] {
            XCTAssertNil(verify(signed(header: header, payload: payload)), header)
        }
        for body in ["[1]", "\"text\"", "{bad"] {
            XCTAssertNil(verify(signed(header: #"{"alg":"HS256","typ":"JWT"}"#, payload: body)), body)
        }
        let good = signed(header: #"{"alg":"HS256","typ":"JWT"}"#, payload: payload)
        XCTAssertNotNil(verify(good))
        let parts = good.split(separator: ".").map(String.init)
        for bad in ["", "..", good + ".", parts[0] + "." + parts[1], parts[0] + "." + parts[1] + ".",
                    parts[0] + "." + parts[1] + "." + String(parts[2].dropLast()),
                    parts[0] + "." + parts[1] + "." + parts[2] + "=", parts[0] + "=." + parts[1] + "." + parts[2],
                    parts[0] + "." + b64(#"{"a":2}"#) + "." + parts[2],
                    good + String(repeating: "A", count: CompactJWS.maxLength)] {
            XCTAssertNil(verify(bad), bad)
        }
    }

    /// Any change to a signed token — one character replaced, inserted or
    /// removed anywhere — is refused (and never crashes the verifier).
    func testEveryMutationIsRefused() {
        let token = CompactJWS.sign(["sub": "0b9d1a7e-0000-4000-8000-000000000000", "ver": 0, "exp": 4_000_000_000], mac: mac)
        let bytes = Array(token.utf8)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \0{}\"".utf8)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            var mutated = bytes
            let at = Int.random(in: 0..<mutated.count, using: &generator)
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: mutated[at] = alphabet.randomElement(using: &generator)!
            case 1: mutated.insert(alphabet.randomElement(using: &generator)!, at: at)
            default: mutated.remove(at: at)
            }
            guard mutated != bytes else { continue }
            let text = String(decoding: mutated, as: UTF8.self)
            XCTAssertNil(verify(text), text)
        }
    }

    /// A host table whose struct_size ends before mac: UNSUPPORTED, not a crash.
    func testHostMACOnAnOlderHostIsUnsupported() throws {
        var table = proteus_host_api()
        table.struct_size = UInt32(MemoryLayout<proteus_host_api>.offset(of: \proteus_host_api.mac)!)
        table.abi_major = UInt16(PROTEUS_ABI_MAJOR)
        try withUnsafePointer(to: &table) { api in
            let host = PluginKit.Host(api)
            XCTAssertFalse(host.offersMAC)
            XCTAssertThrowsError(try host.mac(purpose: "p", message: [1])) { error in
                XCTAssertEqual((error as? PluginError)?.code, PROTEUS_E_UNSUPPORTED, "\(error)")
            }
        }
    }
}
