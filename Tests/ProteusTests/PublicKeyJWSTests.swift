// PluginKit's JWKPublicKey and PublicKeyJWS against keys and tokens made by
// PyJWT + cryptography (the venv of scripts/lib/python-tools.sh; missing
// tools fail): good RS256/ES256 tokens verify, and every way to cheat is
// refused — edited signatures, the wrong key type, DER-encoded ES256
// signatures, alg none/HS256, crit headers, unusable JWKs (private parts,
// "use": "enc", RSA under 2048 bits, points off the curve, other curves).
import Foundation
import PluginKit
import ProteusJSON
import XCTest

final class PublicKeyJWSTests: XCTestCase {
    private static let script = #"""
import base64, json, time
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives import hashes
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
r = rsa.generate_private_key(public_exponent=65537, key_size=2048)
small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
e = ec.generate_private_key(ec.SECP256R1())
p384 = ec.generate_private_key(ec.SECP384R1())
claims = {"sub": "s", "iat": int(time.time())}
es = jwt.encode(claims, e, algorithm="ES256", headers={"kid": "e"})
h, p, _ = es.split(".")
der = e.sign((h + "." + p).encode(), ec.ECDSA(hashes.SHA256()))
ec_jwk = json.loads(ECAlgorithm.to_jwk(e.public_key()))
off = dict(ec_jwk); y = bytearray(base64.urlsafe_b64decode(off["y"] + "==")); y[-1] ^= 1; off["y"] = b64(bytes(y))
print(json.dumps({
  "rsa": json.loads(RSAAlgorithm.to_jwk(r.public_key())),
  "rsaPrivate": json.loads(RSAAlgorithm.to_jwk(r)),
  "rsa1024": json.loads(RSAAlgorithm.to_jwk(small.public_key())),
  "ec": ec_jwk, "ecOffCurve": off,
  "p384": json.loads(ECAlgorithm.to_jwk(p384.public_key())),
  "rs256": jwt.encode(claims, r, algorithm="RS256", headers={"kid": "r"}),
  "rs256Crit": jwt.encode(claims, r, algorithm="RS256", headers={"kid": "r", "crit": ["exp"]}),
  "es256": es, "es256Der": h + "." + p + "." + b64(der),
  "none": b64(b'{"alg":"none"}') + "." + p + ".",
  "hs256": jwt.encode(claims, "s" * 32, algorithm="HS256"),
}))
"""#

    private static let fixtures: Result<JSONValue, Error> = Result {
        let python = CPluginBuilder.repositoryRoot + "/.build/tools/python/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TestFailure("\(python) is missing: source scripts/lib/python-tools.sh; ensure_python_tools")
        }
        let (status, output) = try runTool(python, ["-c", script])
        guard status == 0, let json = try? JSONParser.parse(Array(output.utf8)) else { throw TestFailure("fixture script failed: \(output)") }
        return json
    }

    private func fixture(_ name: String) throws -> JSONValue { try XCTUnwrap(try Self.fixtures.get()[name], name) }
    private func key(_ name: String) throws -> JWKPublicKey? { JWKPublicKey.make(try XCTUnwrap(try fixture(name).objectValue)) }
    private func token(_ name: String) throws -> String { try XCTUnwrap(try fixture(name).stringValue) }

    func testGoodTokensVerifyWithTheirKeyOnly() throws {
        let rsa = try XCTUnwrap(try key("rsa")), ec = try XCTUnwrap(try key("ec"))
        let rs = try XCTUnwrap(PublicKeyJWS.parse(try token("rs256")))
        let es = try XCTUnwrap(PublicKeyJWS.parse(try token("es256")))
        XCTAssertEqual(rs.algorithm, "RS256")
        XCTAssertEqual(rs.kid, "r")
        XCTAssertEqual(rs.payload["sub"], "s")
        XCTAssertTrue(PublicKeyJWS.verify(rs, with: rsa))
        XCTAssertTrue(PublicKeyJWS.verify(es, with: ec))
        XCTAssertFalse(PublicKeyJWS.verify(rs, with: ec))
        XCTAssertFalse(PublicKeyJWS.verify(es, with: rsa))
        let full = try XCTUnwrap(try fixture("rsaPrivate").objectValue)
        let publicHalf: JSONObject = ["kty": full["kty"]!, "n": full["n"]!, "e": full["e"]!]
        let other = try XCTUnwrap(JWKPublicKey.make(publicHalf))
        XCTAssertTrue(PublicKeyJWS.verify(rs, with: other), "the public half of the private JWK")
    }

    func testEditedSignaturesAndPayloadsAreRefused() throws {
        let rsa = try XCTUnwrap(try key("rsa")), ec = try XCTUnwrap(try key("ec"))
        for (name, key) in [("rs256", rsa), ("es256", ec)] {
            let original = Array(try token(name).utf8)
            let signatureStart = original.lastIndex(of: UInt8(ascii: "."))! + 1
            let payloadStart = original.firstIndex(of: UInt8(ascii: "."))! + 1
            for position in [payloadStart + 2, signatureStart, signatureStart + 10, original.count - 2] {
                var edited = original
                edited[position] = edited[position] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
                if let parsed = PublicKeyJWS.parse(String(decoding: edited, as: UTF8.self)) {
                    XCTAssertFalse(PublicKeyJWS.verify(parsed, with: key), "\(name) edited at \(position)")
                }
            }
        }
        // ES256 signatures are raw r||s; a DER one (as OpenSSL makes) is refused.
        let der = try XCTUnwrap(PublicKeyJWS.parse(try token("es256Der")))
        XCTAssertFalse(PublicKeyJWS.verify(der, with: ec))
    }

    func testOtherAlgorithmsAndCritHeadersAreNotEvenParsed() throws {
        XCTAssertNil(PublicKeyJWS.parse(try token("none")))
        XCTAssertNil(PublicKeyJWS.parse(try token("hs256")))
        XCTAssertNil(PublicKeyJWS.parse(try token("rs256Crit")))
        XCTAssertNil(PublicKeyJWS.parse(try token("rs256") + "."))
        XCTAssertNil(PublicKeyJWS.parse("a.b"))
    }

    func testUnusableKeysAreSkipped() throws {
        XCTAssertNil(try key("rsaPrivate"), "a JWK with a private part")
        XCTAssertNil(try key("rsa1024"), "RSA under 2048 bits")
        XCTAssertNil(try key("ecOffCurve"), "a point off the curve")
        XCTAssertNil(try key("p384"), "another curve")
        for exponent in ["AQ", "Ag", "AAE"] { // 1, 2, and 1 with a leading zero
            var weak = try XCTUnwrap(try fixture("rsa").objectValue)
            weak["e"] = .string(exponent)
            XCTAssertNil(JWKPublicKey.make(weak), "e = \(exponent)")
        }
        var encryption = try XCTUnwrap(try fixture("rsa").objectValue)
        encryption["use"] = "enc"
        XCTAssertNil(JWKPublicKey.make(encryption))
        // A key restricted to another algorithm does not verify.
        var restricted = try XCTUnwrap(try fixture("rsa").objectValue)
        restricted["alg"] = "RS512"
        let rs = try XCTUnwrap(PublicKeyJWS.parse(try token("rs256")))
        XCTAssertFalse(PublicKeyJWS.verify(rs, with: try XCTUnwrap(JWKPublicKey.make(restricted))))
        // A set keeps the usable keys only.
        let set = JWKPublicKey.set(["keys": [try fixture("rsa"), try fixture("rsa1024"), try fixture("ec"), "junk"]])
        XCTAssertEqual(set?.count, 2)
        XCTAssertNil(JWKPublicKey.set(["nokeys": []]))
    }
}
