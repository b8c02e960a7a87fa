// The password plugin's imported formats (issue 13): each verified as the
// original tool wrote it, answered needs_rehash, refused when wrong, INVALID
// when malformed or too costly. The hashes are made in the test by the
// originals: passlib (Django, passlib PHC, phpass, crypt, LDAP, argon2 via
// argon2-cffi), `openssl passwd`, the firebase-scrypt package; Kratos' and
// Keycloak's encodings are written from their published formats with
// Python's hashlib. Then a user with each of several formats signs in
// through MCSManager and comes out with an argon2id verifier.
import Foundation
import PluginAPI
import PluginKit
import ProteusJSON
import XCTest
@testable import Host

final class AuthPasswordFormatsTests: XCTestCase {
    static let script = #"""
import base64, hashlib, json, os, subprocess, sys
from passlib import hash as ph
from passlib.utils.binary import ab64_encode
import firebase_scrypt

pw = sys.argv[1]
b = pw.encode()
def b64(x, pad=True):
    s = base64.b64encode(x).decode()
    return s if pad else s.rstrip("=")
out = {}
out["django_pbkdf2_sha256"] = ph.django_pbkdf2_sha256.hash(pw)
out["django_pbkdf2_sha1"] = ph.django_pbkdf2_sha1.hash(pw)
out["pbkdf2_sha256"] = ph.pbkdf2_sha256.hash(pw)
out["pbkdf2_sha512"] = ph.pbkdf2_sha512.hash(pw)
out["pbkdf2_sha1"] = ph.pbkdf2_sha1.hash(pw)
# Keycloak's pbkdf2 credentials as the importer converts them: passlib's PHC form, 64-byte keys.
salt = os.urandom(16)
out["keycloak_sha256"] = "$pbkdf2-sha256$27500$%s$%s" % (ab64_encode(salt).decode(), ab64_encode(hashlib.pbkdf2_hmac("sha256", b, salt, 27500, 64)).decode())
out["keycloak_sha512"] = "$pbkdf2-sha512$30000$%s$%s" % (ab64_encode(salt).decode(), ab64_encode(hashlib.pbkdf2_hmac("sha512", b, salt, 30000, 64)).decode())
# Ory Kratos: $pbkdf2-<digest>$i=<iterations>,l=<length>$<raw base64 salt>$<raw base64 hash>
salt = os.urandom(32)
out["kratos_pbkdf2_sha256"] = "$pbkdf2-sha256$i=100000,l=32$%s$%s" % (b64(salt, False), b64(hashlib.pbkdf2_hmac("sha256", b, salt, 100000, 32), False))
out["kratos_pbkdf2_sha512"] = "$pbkdf2-sha512$i=100000,l=32$%s$%s" % (b64(salt, False), b64(hashlib.pbkdf2_hmac("sha512", b, salt, 100000, 32), False))
out["scrypt"] = ph.scrypt.hash(pw)
out["scrypt_cheap"] = ph.scrypt.using(rounds=12, block_size=4, parallelism=2).hash(pw)
# Ory Kratos: $scrypt$ln=<N itself>,r=..,p=..$<padded base64 salt>$<padded base64 hash>
out["kratos_scrypt"] = "$scrypt$ln=16384,r=8,p=1$%s$%s" % (b64(salt), b64(hashlib.scrypt(b, salt=salt, n=16384, r=8, p=1, dklen=32)))
signer = os.urandom(64); sep = base64.b64decode("Bw=="); fsalt = os.urandom(16)
fhash = firebase_scrypt.encrypt(signer, firebase_scrypt.generate_derived_key(pw, fsalt, sep, 8, 14))
assert firebase_scrypt.verify_password(pw, b64(fhash), b64(fsalt), b64(sep), b64(signer), 8, 14)
out["firebase"] = "$firescrypt$ln=14,r=8,p=1$%s$%s$%s$%s" % (b64(fsalt), b64(fhash), b64(sep), b64(signer))
out["firebase_short"] = "$firescrypt$ln=14,r=8,p=1$%s$%s" % (b64(fsalt), b64(fhash))
out["firebase_signer"] = b64(signer)
out["phpass_P"] = ph.phpass.using(rounds=13).hash(pw)
out["phpass_H"] = ph.phpass.using(ident="H").hash(pw)
out["md5_crypt"] = ph.md5_crypt.hash(pw)
out["sha256_crypt"] = ph.sha256_crypt.using(rounds=5000).hash(pw)
out["sha512_crypt"] = ph.sha512_crypt.using(rounds=5000).hash(pw)
out["sha512_crypt_default"] = ph.sha512_crypt.hash(pw)
out["sha256_crypt_rounds"] = ph.sha256_crypt.using(rounds=20000).hash(pw)
for flag in ("1", "5", "6"):
    out["openssl_" + flag] = subprocess.run(["openssl", "passwd", "-" + flag, "-stdin"], input=b, capture_output=True, check=True).stdout.decode().strip()
out["ldap_md5"] = ph.ldap_md5.hash(pw)
out["ldap_salted_md5"] = ph.ldap_salted_md5.hash(pw)
out["ldap_sha1"] = ph.ldap_sha1.hash(pw)
out["ldap_salted_sha1"] = ph.ldap_salted_sha1.hash(pw)
out["ldap_salted_sha256"] = ph.ldap_salted_sha256.hash(pw)
out["ldap_salted_sha512"] = ph.ldap_salted_sha512.hash(pw)
out["argon2i"] = ph.argon2.using(type="I", memory_cost=1024, rounds=3, parallelism=2).hash(pw)
out["argon2d"] = ph.argon2.using(type="D", memory_cost=1024, rounds=1, parallelism=1).hash(pw)
out["argon2id_cheap"] = ph.argon2.using(type="ID", memory_cost=512, rounds=1, parallelism=1).hash(pw)
import ctypes
lc = ctypes.CDLL("libcrypt.so.1")
lc.crypt_gensalt.restype = ctypes.c_char_p
lc.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
lc.crypt.restype = ctypes.c_char_p
lc.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
out["bcrypt"] = lc.crypt(b, lc.crypt_gensalt(b"$2b$", 4, None, 0)).decode()
json.dump(out, sys.stdout)
"""#

    static let password = "Pässwörd-1 ☃"
    static let cheap = #"{"memoryKiB": 1024, "iterations": 1}"#

    private static let fixtures: Result<JSONObject, Error> = Result {
        let python = CPluginBuilder.repositoryRoot + "/.build/tools/python/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TestFailure("\(python) is missing: source scripts/lib/python-tools.sh; ensure_python_tools")
        }
        let r = try runToolSeparately(python, ["-c", script, password])
        guard r.status == 0, let object = (try? JSONParser.parse(Array(r.stdout.utf8)))?.objectValue else {
            throw TestFailure("fixture script failed (passlib, argon2-cffi, firebase-scrypt installed?): \(r.stderr)")
        }
        return object
    }

    private func fixture(_ name: String) throws -> String {
        try XCTUnwrap(try Self.fixtures.get()[name]?.stringValue, name)
    }

    /// Right password: OK and needs_rehash; wrong and empty: DENIED.
    private func assertVerifies(_ h: PasswordHarness, _ stored: String, password: String = AuthPasswordFormatsTests.password,
                                file: StaticString = #filePath, line: UInt = #line) {
        let ok = h.verify(password, stored)
        XCTAssertEqual(ok.status, PROTEUS_OK, "\(stored): \(ok.message)", file: file, line: line)
        XCTAssertTrue(ok.needsRehash, "\(stored) is re-enrolled as argon2id", file: file, line: line)
        let wrong = h.verify(password + "x", stored)
        XCTAssertEqual(wrong.status, PROTEUS_E_DENIED, "\(stored): \(wrong.message)", file: file, line: line)
        XCTAssertEqual(h.verify("", stored).status, PROTEUS_E_DENIED, stored, file: file, line: line)
    }

    private func assertInvalid(_ h: PasswordHarness, _ stored: String, _ mentions: String? = nil,
                               file: StaticString = #filePath, line: UInt = #line) {
        let r = h.verifyDirect(Array(Self.password.utf8), stored)
        XCTAssertEqual(r.status, PROTEUS_E_INVALID, "\(stored): \(r.message)", file: file, line: line)
        if let mentions { XCTAssertTrue(r.message.contains(mentions), "\(stored): \(r.message)", file: file, line: line) }
        XCTAssertFalse(r.message.contains(Self.password), "messages never carry secrets", file: file, line: line)
    }

    // MARK: crypt

    func testCryptFormats() throws {
        let h = try PasswordHarness(options: Self.cheap)
        for name in ["md5_crypt", "sha256_crypt", "sha512_crypt", "sha256_crypt_rounds", "sha512_crypt_default",
                     "openssl_1", "openssl_5", "openssl_6"] {
            assertVerifies(h, try fixture(name))
        }
        // Kratos' import prefixes for the same strings.
        assertVerifies(h, "$md5-crypt$" + (try fixture("md5_crypt")).dropFirst(3))
        assertVerifies(h, "$sha256-crypt$" + (try fixture("sha256_crypt")).dropFirst(3))
        assertVerifies(h, "$sha512-crypt$" + (try fixture("sha512_crypt_default")).dropFirst(3))
        // A NUL can never have been hashed by crypt: no match.
        XCTAssertEqual(h.verify(Array(Self.password.utf8) + [0], try fixture("sha512_crypt")).status, PROTEUS_E_DENIED)

        let hash86 = String(repeating: "a", count: 86)
        assertInvalid(h, "$6$salt$abc", "malformed")
        assertInvalid(h, "$6$salt$" + hash86 + "!")
        assertInvalid(h, "$6$saltsaltsaltsaltX$" + hash86, "salt")
        assertInvalid(h, "$6$rounds=0500$salt$" + hash86)
        assertInvalid(h, "$6$rounds=999$salt$" + hash86)
        assertInvalid(h, "$6$round=5000$salt$" + hash86)
        assertInvalid(h, "$1$rounds=5000$salt$" + String(repeating: "a", count: 22))
        assertInvalid(h, "$1$toolongsalt$" + String(repeating: "a", count: 22))
        // Absurd cost: refused before any hashing.
        assertInvalid(h, "$6$rounds=5000001$salt$" + hash86, "5000000")
        assertInvalid(h, "$5$rounds=999999999$salt$" + String(repeating: "a", count: 43), "5000000")
    }

    // MARK: PBKDF2

    func testPBKDF2Formats() throws {
        let h = try PasswordHarness(options: Self.cheap)
        for name in ["django_pbkdf2_sha256", "django_pbkdf2_sha1", "pbkdf2_sha256", "pbkdf2_sha512", "pbkdf2_sha1",
                     "keycloak_sha256", "keycloak_sha512", "kratos_pbkdf2_sha256", "kratos_pbkdf2_sha512"] {
            assertVerifies(h, try fixture(name))
        }
        // Django's own published check (django/contrib/auth tests: "lètmein", 260000 iterations, salt "seasalt").
        assertVerifies(h, "pbkdf2_sha256$260000$seasalt$YlZ2Vggtqdc61YjArZuoApoBh9JNGYoDRBUGu6tcJQo=", password: "lètmein")

        assertInvalid(h, "pbkdf2_sha256$abc$salt$aGFzaA==", "malformed")
        assertInvalid(h, "pbkdf2_sha256$01000$salt$aGFzaA==")
        assertInvalid(h, "pbkdf2_sha256$1000$$aGFzaA==", "salt")
        assertInvalid(h, "pbkdf2_sha256$1000$salt$not base64", "base64")
        assertInvalid(h, "pbkdf2_md5$1000$salt$aGFzaA==", "digest")
        assertInvalid(h, "pbkdf2_sha256$1000$salt")
        assertInvalid(h, "$pbkdf2-sha256$1000$c2FsdA$", "base64")
        assertInvalid(h, "$pbkdf2-sha256$1000$c2Fsd!$aGFzaA")
        assertInvalid(h, "$pbkdf2-sha256$i=1000$c2FsdA$aGFzaA", "parameters")
        assertInvalid(h, "$pbkdf2-whirlpool$1000$c2FsdA$aGFzaA", "digest")
        assertInvalid(h, "$pbkdf2-sha256$0$c2FsdA$aGFzaA")
        // Absurd cost: iterations × blocks above 5,000,000.
        assertInvalid(h, "$pbkdf2-sha256$5000001$c2FsdA$aGFzaA", "5000000")
        assertInvalid(h, "pbkdf2_sha256$3000000$salt$" + Base64.encode([UInt8](repeating: 1, count: 64)), "blocks")
        // Kratos' own out-of-bounds fixture.
        assertInvalid(h, "$pbkdf2-sha256$i=1000000000,l=32$1jP+5Zxpxgtee/iPxGgOz0RfE9/KJuDElP1ley4VxXc$QJxzfvdbHYBpydCbHoFg3GJEqMFULwskiuqiJctoYpI")
    }

    // MARK: scrypt

    func testScryptFormats() throws {
        let h = try PasswordHarness(options: Self.cheap)
        for name in ["scrypt", "scrypt_cheap", "kratos_scrypt"] {
            assertVerifies(h, try fixture(name))
        }
        assertInvalid(h, "$scrypt$ln=16,r=8$c2FsdA$aGFzaA", "parameters")
        assertInvalid(h, "$scrypt$ln=16,p=1,r=8$c2FsdA$aGFzaA", "parameters")
        assertInvalid(h, "$scrypt$ln=100,r=8,p=1$c2FsdA$aGFzaA", "power of two")
        assertInvalid(h, "$scrypt$ln=10,r=0,p=1$c2FsdA$aGFzaA")
        assertInvalid(h, "$scrypt$ln=10,r=8,p=1$$aGFzaA", "salt")
        assertInvalid(h, "$scrypt$ln=10,r=8,p=1$c2FsdA$%%%", "hash")
        // Absurd cost: N, r, p, memory or work beyond the bounds.
        assertInvalid(h, "$scrypt$ln=21,r=1,p=1$c2FsdA$aGFzaA", "allows")
        assertInvalid(h, "$scrypt$ln=20,r=8,p=1$c2FsdA$aGFzaA", "allows")      // 1 GiB
        assertInvalid(h, "$scrypt$ln=16,r=8,p=64$c2FsdA$aGFzaA", "allows")
        assertInvalid(h, "$scrypt$ln=18,r=8,p=3$c2FsdA$aGFzaA", "allows")     // work 3 × 2^21 > 2^22
        assertInvalid(h, "$scrypt$ln=4194304,r=1,p=1$c2FsdA==$aGFzaA==", "allows")
        // Kratos' own out-of-bounds fixtures.
        assertInvalid(h, "$scrypt$ln=2097153,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaA==")
        assertInvalid(h, "$scrypt$ln=16384,r=1024,p=1$c2FsdHNhbHRzYWx0$aGFzaA==", "allows")
    }

    // MARK: Firebase scrypt

    /// Firebase's published example (github.com/firebase/scrypt README).
    static let firebaseSigner = "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA=="
    static let firebaseExample = "$firescrypt$ln=14,r=8,p=1$42xEC+ixf3L2lw==$lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ=="

    func testFirebaseScrypt() throws {
        let h = try PasswordHarness(options: Self.cheap)
        assertVerifies(h, Self.firebaseExample + "$Bw==$" + Self.firebaseSigner, password: "user1password")
        assertVerifies(h, try fixture("firebase"))
        // Without the project's key in the record and without the option: INVALID.
        assertInvalid(h, try fixture("firebase_short"), "\"firebase\" option")

        // With the project's key in the options, the short form verifies;
        // a full record still uses its own key.
        let signer = try fixture("firebase_signer")
        let configured = try PasswordHarness(options: #"{"memoryKiB": 1024, "iterations": 1, "firebase": {"signerKey": "\#(signer)", "saltSeparator": "Bw=="}}"#)
        assertVerifies(configured, try fixture("firebase_short"))
        assertVerifies(configured, Self.firebaseExample + "$Bw==$" + Self.firebaseSigner, password: "user1password")
        let example = try PasswordHarness(options: #"{"memoryKiB": 1024, "iterations": 1, "firebase": {"signerKey": "\#(Self.firebaseSigner)", "saltSeparator": "Bw=="}}"#)
        assertVerifies(example, Self.firebaseExample, password: "user1password")
        XCTAssertEqual(example.verify(Self.password, try fixture("firebase_short")).status, PROTEUS_E_DENIED, "another project's key")

        XCTAssertThrowsError(try PasswordHarness(options: #"{"firebase": {"signerKey": "a2V5"}}"#))
        XCTAssertThrowsError(try PasswordHarness(options: #"{"firebase": {"signerKey": "not base64!", "saltSeparator": "Bw=="}}"#))
        XCTAssertThrowsError(try PasswordHarness(options: #"{"firebase": {"signerKey": "a2V5", "saltSeparator": "Bw==", "rounds": 8}}"#))

        assertInvalid(h, "$firescrypt$ln=14,r=8,p=1$c2FsdA==$aGFzaA==$Bw==", "expected")
        assertInvalid(h, "$firescrypt$mem=14,r=8,p=1$c2FsdA==$aGFzaA==$Bw==$a2V5a2V5", "parameters")
        assertInvalid(h, "$firescrypt$ln=14,r=8,p=1$c2FsdA==$aGFzaA==$Bw==$a2V5a2V5", "lengths")
        assertInvalid(h, "$firescrypt$ln=14,r=8,p=1$c2FsdA==$aGFzaA==$Bw==$!!", "signer key")
        // Absurd cost, and Kratos' own out-of-bounds fixture.
        assertInvalid(h, "$firescrypt$ln=21,r=8,p=1$c2FsdA==$a2V5a2V5$Bw==$a2V5a2V5", "allows")
        assertInvalid(h, "$firescrypt$ln=31,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaA==$Bw==$a2V5a2V5", "allows")
    }

    // MARK: phpass

    func testPHPass() throws {
        let h = try PasswordHarness(options: Self.cheap)
        assertVerifies(h, try fixture("phpass_P"))
        assertVerifies(h, try fixture("phpass_H"))
        // The phpass 0.3 test program's vector (test.php: "test12345").
        assertVerifies(h, "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", password: "test12345")

        assertInvalid(h, "$P$Brwm/nSazVkMFwlTuny.7ZqzhNYFWN", "34")
        assertInvalid(h, "$P$Brwm/nSazVkMFwlTuny.7ZqzhNYFWN!", "characters")
        assertInvalid(h, "$P$4rwm/nSazVkMFwlTuny.7ZqzhNYFWN/", "outside")   // 2^6: phpass starts at 2^7
        assertInvalid(h, "$P$Zrwm/nSazVkMFwlTuny.7ZqzhNYFWN/", "outside")   // 2^37
        // Absurd cost: 2^22…2^30 are phpass but beyond this plugin's bound.
        assertInvalid(h, "$P$Krwm/nSazVkMFwlTuny.7ZqzhNYFWN/", "2^21")
        assertInvalid(h, "$P$Srwm/nSazVkMFwlTuny.7ZqzhNYFWN/", "2^21")
    }

    // MARK: LDAP

    func testLDAPSchemes() throws {
        let h = try PasswordHarness(options: Self.cheap)
        for name in ["ldap_md5", "ldap_salted_md5", "ldap_sha1", "ldap_salted_sha1", "ldap_salted_sha256", "ldap_salted_sha512"] {
            assertVerifies(h, try fixture(name))
        }
        // OpenLDAP writes the scheme in either case.
        let ssha = try fixture("ldap_salted_sha1")
        assertVerifies(h, "{ssha}" + ssha.dropFirst(6))
        // Unsalted SHA-2, written here (RFC 2307 style: base64 of the raw digest).
        let digest = Array(Data(Digest.sha256(Array(Self.password.utf8))))
        assertVerifies(h, "{SHA256}" + Base64.encode(digest))

        assertInvalid(h, "{SSHA}" + Base64.encode([UInt8](repeating: 7, count: 20)), "salt")
        assertInvalid(h, "{SHA}" + Base64.encode([UInt8](repeating: 7, count: 21)), "20-byte")
        assertInvalid(h, "{SSHA}not base64", "base64")
        assertInvalid(h, "{SSHA}", "base64")
        assertInvalid(h, "{SSHA512}" + Base64.encode([UInt8](repeating: 7, count: 1000)), "1024")
    }

    // MARK: argon2 other than argon2id at the configured cost

    func testArgon2iAndWeakerArgon2Rehash() throws {
        let h = try PasswordHarness(options: Self.cheap)
        for name in ["argon2i", "argon2d", "argon2id_cheap"] {
            assertVerifies(h, try fixture(name))
        }
        assertInvalid(h, "$argon2i$v=19$m=8388608,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2g", "allows")
        assertInvalid(h, "$argon2i$v=19$m=1024,t=5000,p=1$c29tZXNhbHQ$aGFzaGhhc2g", "allows")
        assertInvalid(h, "$argon2i$v=19$m=1024,t=1$c29tZXNhbHQ$aGFzaGhhc2g", "malformed")
    }

    // MARK: through the real server

    /// Issue 13's round trip, per format: users imported by `proteus import
    /// csv` with other systems' hashes sign in through MCSManager with their
    /// passwords (a wrong one changes nothing) and leave with argon2id
    /// verifiers; the import run again leaves every one unchanged.
    func testImportedUsersOfEveryFormatSignInAndAreUpgraded() throws {
        let names = ["bcrypt", "sha512_crypt", "sha256_crypt", "md5_crypt", "django_pbkdf2_sha256", "pbkdf2_sha256",
                     "keycloak_sha512", "kratos_pbkdf2_sha256", "scrypt", "kratos_scrypt", "firebase_short",
                     "phpass_P", "phpass_H", "ldap_salted_sha1", "ldap_md5", "argon2i", "argon2id_cheap"]
        let dir = TemporaryDirectory.make("password-formats")
        let config = dir + "/config.json"
        var settings = MCSM.config(directory: dir)
        settings["auth"] = [["plugin": "password", "options": ["memoryKiB": 1024, "iterations": 1]], ["plugin": "totp"]]
        try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: config))
        func username(_ name: String) -> String { name.replacingOccurrences(of: "_", with: "-") }
        // RFC 4180: every field quoted (scrypt and argon2 strings hold commas).
        let rows = try names.map { "\"\(username($0))\",\"\",\"\",\"\(try fixture($0))\",\"\"" }
        try (["username,email,display_name,password_hash,roles"] + rows).joined(separator: "\n").write(toFile: dir + "/users.csv", atomically: true, encoding: .utf8)
        let importing = ["import", "csv", "--from", dir + "/users.csv", "--config", config,
                         "--firebase-signer-key", try fixture("firebase_signer"), "--firebase-salt-separator", "Bw=="]
        var (status, output) = try ProteusProcess.run(importing)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("imported \(names.count), updated 0, unchanged 0, skipped 0"), output)
        XCTAssertFalse(output.contains("unknown"), output)

        let server = try ProteusProcess(config: settings, directory: dir)
        defer { server.stop() }
        let (store, binding) = try MCSM.store(server)
        defer { binding.instance.destroy() }
        for name in names {
            let user = username(name)
            let imported = try XCTUnwrap(try store.getUser(username: user).passwordHash, name)
            assertEnvelope(try PanelClient(port: server.port).login(user, Self.password + "x"), 401)
            XCTAssertEqual(try store.getUser(username: user).passwordHash, imported, "\(name): a wrong password changes nothing")
            assertEnvelope(try PanelClient(port: server.port).login(user, Self.password), 200)
            let upgraded = try XCTUnwrap(try store.getUser(username: user).passwordHash)
            XCTAssertTrue(upgraded.hasPrefix("$argon2id$v=19$m=1024,t=1,p=1$"), "\(name): \(upgraded)")
            assertEnvelope(try PanelClient(port: server.port).login(user, Self.password), 200)
        }
        (status, output) = try ProteusProcess.run(importing)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("imported 0, updated 0, unchanged \(names.count), skipped 0"), output)
        for name in names {
            XCTAssertTrue(try store.getUser(username: username(name)).passwordHash?.hasPrefix("$argon2id$") ?? false, "\(name): the re-run kept the upgrade")
        }
    }
}
