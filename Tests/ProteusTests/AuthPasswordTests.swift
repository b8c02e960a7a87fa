// The "password" auth plugin, loaded from its .so the way the host loads it
// and driven through the host's own auth services (KDF pool, method routing).
import Foundation
import Glibc
import PluginAPI
import PluginKit
import XCTest
@testable import Host

/// The password method: strings as UTF-8.
final class PasswordHarness: AuthPluginHarness, @unchecked Sendable {
    /// libproteus-password.so next to the test bundle's executable.
    static var pluginPath: String { BuildProducts.plugin("password") }

    init(options: String = "{}") throws { try super.init(method: "password", options: options) }

    func enroll(_ password: String) -> Outcome { enroll(Array(password.utf8)) }
    func verify(_ password: String, _ stored: String) -> Outcome { verify(Array(password.utf8), stored) }
}

/// Failures collected from several threads.
final class FailureLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ line: String) { lock.lock(); list.append(line); lock.unlock() }
    var entries: [String] { lock.lock(); defer { lock.unlock() }; return list }
}

final class AuthPasswordTests: XCTestCase {
    /// A small cost keeps most tests fast.
    static let cheap = #"{"memoryKiB": 1024, "iterations": 1}"#

    // MARK: enroll

    func testPluginDescriptor() throws {
        let plugin = try PluginLoader.load(path: PasswordHarness.pluginPath)
        XCTAssertEqual(plugin.name, "password")
        XCTAssertEqual(plugin.version, "1.0.0")
        XCTAssertEqual(plugin.kind, UInt32(PROTEUS_KIND_AUTH))
        let api = plugin.descriptor.pointee.vtable.assumingMemoryBound(to: proteus_auth_api.self).pointee
        XCTAssertEqual(String(cString: api.method), "password")
    }

    func testEnrollWithDefaultsIsOWASPArgon2id() throws {
        let h = try PasswordHarness()
        let e = h.enroll("correct horse battery staple")
        XCTAssertEqual(e.status, PROTEUS_OK, e.message)
        let stored = try XCTUnwrap(e.stored)
        XCTAssertTrue(stored.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"), stored)
        let fields = stored.split(separator: "$", omittingEmptySubsequences: false)
        XCTAssertEqual(fields.count, 6)
        XCTAssertEqual(fields[4].count, 22, "16-byte salt, unpadded base64")
        XCTAssertEqual(fields[5].count, 43, "32-byte hash, unpadded base64")
        XCTAssertEqual(Data(base64Encoded: String(fields[4]) + "==")?.count, 16)
        XCTAssertEqual(Data(base64Encoded: String(fields[5]) + "=")?.count, 32)

        let ok = h.verify("correct horse battery staple", stored)
        XCTAssertEqual(ok.status, PROTEUS_OK, ok.message)
        XCTAssertFalse(ok.needsRehash)
        XCTAssertEqual(h.verify("correct horse battery stapler", stored).status, PROTEUS_E_DENIED)
    }

    func testEnrollUsesConfiguredCost() throws {
        let h = try PasswordHarness(options: #"{"memoryKiB": 1024, "iterations": 1, "parallelism": 2}"#)
        let e = h.enroll("pw")
        XCTAssertEqual(e.status, PROTEUS_OK, e.message)
        let stored = try XCTUnwrap(e.stored)
        XCTAssertTrue(stored.hasPrefix("$argon2id$v=19$m=1024,t=1,p=2$"), stored)
        let ok = h.verify("pw", stored)
        XCTAssertEqual(ok.status, PROTEUS_OK, ok.message)
        XCTAssertFalse(ok.needsRehash)
    }

    func testVerifyMatchAndMismatch() throws {
        let h = try PasswordHarness(options: Self.cheap)
        let stored = try XCTUnwrap(h.enroll("s3cret-Pässword").stored)
        XCTAssertEqual(h.verify("s3cret-Pässword", stored).status, PROTEUS_OK)
        let denied = h.verify("s3cret-Password", stored)
        XCTAssertEqual(denied.status, PROTEUS_E_DENIED)
        XCTAssertFalse(denied.message.contains("s3cret"), "messages never carry secrets")
        XCTAssertEqual(h.verify("", stored).status, PROTEUS_E_DENIED)
    }

    func testEmptyPasswordIsTheDialectsBusiness() throws {
        let h = try PasswordHarness(options: Self.cheap)
        let e = h.enroll("")
        XCTAssertEqual(e.status, PROTEUS_OK, e.message)
        let stored = try XCTUnwrap(e.stored)
        XCTAssertEqual(h.verify("", stored).status, PROTEUS_OK)
        XCTAssertEqual(h.verify(" ", stored).status, PROTEUS_E_DENIED)
    }

    func testBinaryPasswordsAreHashedAsBytes() throws {
        let h = try PasswordHarness(options: Self.cheap)
        let secret: [UInt8] = [0x61, 0x00, 0x62, 0xFF]
        let stored = try XCTUnwrap(h.enroll(secret).stored)
        XCTAssertEqual(h.verify(secret, stored).status, PROTEUS_OK)
        XCTAssertEqual(h.verify([0x61], stored).status, PROTEUS_E_DENIED, "no truncation at NUL")
    }

    func testTwoEnrollsOfOnePasswordDiffer() throws {
        let h = try PasswordHarness(options: Self.cheap)
        let a = try XCTUnwrap(h.enroll("same").stored)
        let b = try XCTUnwrap(h.enroll("same").stored)
        XCTAssertNotEqual(a, b)
        XCTAssertNotEqual(a.split(separator: "$")[3], b.split(separator: "$")[3], "fresh salt each time")
        XCTAssertEqual(h.verify("same", a).status, PROTEUS_OK)
        XCTAssertEqual(h.verify("same", b).status, PROTEUS_OK)
    }

    // MARK: bcrypt (legacy, verify only)

    /// Published vectors: Openwall crypt_blowfish (wrapper.c), jBCrypt
    /// (TestBCrypt.java, cost 10) and pyca/bcrypt (tests/test_bcrypt.py).
    static let bcryptVectors: [(password: [UInt8], hash: String)] = [
        // jBCrypt, $2a$ cost 10 (what AIOStreams stores)
        (Array("".utf8), "$2a$10$k1wbIrmNyFAPwPVPSVa/zecw2BCEnBwVS2GbrmgzxFUOqW9dk4TCW"),
        (Array("a".utf8), "$2a$10$k87L/MF28Q673VKh8/cPi.SUl7MU/rWuSiIDDFayrKk/1tBsSQu4u"),
        (Array("abc".utf8), "$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi"),
        (Array("abcdefghijklmnopqrstuvwxyz".utf8), "$2a$10$fVH8e28OQRj9tqiDXs1e1uxpsjN0c7II7YPKXua2NAKYvM6iQk7dq"),
        // The same jBCrypt vectors under $2b$: for passwords shorter than 255
        // bytes $2a$ and $2b$ compute the same hash (checked with Python's
        // crypt module, i.e. libxcrypt, and the OpenBSD definition of $2b$).
        (Array("a".utf8), "$2b$10$k87L/MF28Q673VKh8/cPi.SUl7MU/rWuSiIDDFayrKk/1tBsSQu4u"),
        (Array("abc".utf8), "$2b$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi"),
        // pyca/bcrypt $2b$
        (Array("Kk4DQuMMfZL9o".utf8), "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm"),
        (Array("9IeRXmnGxMYbs".utf8), "$2b$04$pQ7gRO7e6wx/936oXhNjrOUNOHL1D0h1N2IDbJZYs.1ppzSof6SPy"),
        // Openwall
        (Array("U*U".utf8), "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"),
        (Array("U*U*U".utf8), "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a"),
        (Array("".utf8), "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy"),
        (Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored".utf8),
         "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui"),
        ([0xA3], "$2y$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq"),
        ([0xFF, 0xFF, 0xA3], "$2y$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e"),
        ([0xFF, 0xFF, 0xA3], "$2b$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e"),
        // $2a$ applies crypt_blowfish's countermeasure for this input
        ([0xFF, 0xFF, 0xA3], "$2a$05$/OK.fbVrR/bpIqNJ5ianF.nqd1wy.pTMdcvrRWxyiGL2eMz.2a85."),
    ]

    func testBcryptFixturesVerifyAndAskForRehash() throws {
        let h = try PasswordHarness(options: Self.cheap)
        for (password, hash) in Self.bcryptVectors {
            let ok = h.verify(password, hash)
            XCTAssertEqual(ok.status, PROTEUS_OK, "\(hash): \(ok.message)")
            XCTAssertTrue(ok.needsRehash, hash)
            let wrong = h.verify(password + [0x21], hash)
            if password.count < 72 {
                XCTAssertEqual(wrong.status, PROTEUS_E_DENIED, hash)
            } else {
                XCTAssertEqual(wrong.status, PROTEUS_OK, "bcrypt reads only 72 bytes: \(hash)")
            }
        }
        // $2a$ and $2b$ differ for this input, so each only verifies its own hash.
        XCTAssertEqual(h.verify([0xFF, 0xFF, 0xA3], "$2a$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e").status, PROTEUS_E_DENIED)
    }

    func testBcryptImportThenRehashFlow() throws {
        // What the host does after a successful legacy login: re-enroll.
        let h = try PasswordHarness(options: Self.cheap)
        let legacy = "$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi"
        let first = h.verify("abc", legacy)
        XCTAssertEqual(first.status, PROTEUS_OK)
        XCTAssertTrue(first.needsRehash)
        let upgraded = try XCTUnwrap(h.enroll("abc").stored)
        XCTAssertTrue(upgraded.hasPrefix("$argon2id$"))
        let second = h.verify("abc", upgraded)
        XCTAssertEqual(second.status, PROTEUS_OK)
        XCTAssertFalse(second.needsRehash)
    }

    func testBcryptPasswordWithNULIsDenied() throws {
        // pyca/bcrypt's vector hashes a password with a NUL inside; C bcrypt
        // (libxcrypt) cannot see past the NUL, so we deny instead of
        // verifying a truncated password.
        let h = try PasswordHarness(options: Self.cheap)
        let password: [UInt8] = [0x61, 0x62, 0x63, 0x00, 0x64]
        XCTAssertEqual(h.verify(password, "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW").status, PROTEUS_E_DENIED)
        XCTAssertEqual(h.verify(Array("U*U".utf8) + [0, 0x78], "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW").status, PROTEUS_E_DENIED)
    }

    func testMalformedBcryptIsInvalid() throws {
        let h = try PasswordHarness(options: Self.cheap)
        let good = "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm"
        let cases = [
            String(good.dropLast()),                 // 59 characters
            good + "x",                              // 61 characters
            "$2b$03$" + good.dropFirst(7),           // cost below 4
            "$2b$32$" + good.dropFirst(7),           // cost above 31
            "$2b$31$" + good.dropFirst(7),           // cost above what we verify
            "$2b$4x$" + good.dropFirst(7),           // cost not digits
            "$2b$04$?" + good.dropFirst(8),          // bad salt character
            "$2b$12$incorrect",
            "$2y$",
        ]
        for stored in cases {
            let r = h.verify("Kk4DQuMMfZL9o", stored)
            XCTAssertEqual(r.status, PROTEUS_E_INVALID, "\(stored): \(r.message)")
            XCTAssertFalse(r.message.contains(stored), "messages do not quote verifiers")
        }
        XCTAssertEqual(h.verify("Kk4DQuMMfZL9o", good).status, PROTEUS_OK)
    }

    // MARK: other argon2 variants and costs

    func testArgon2iAndArgon2dFixturesVerifyAndAskForRehash() throws {
        let h = try PasswordHarness(options: Self.cheap)
        let vectors = [
            // P-H-C/phc-winner-argon2 src/test.c (v=19 and the pre-1.3 form without v=)
            ("password", "$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$iekCn0Y3spW+sCcFanM2xBT63UP2sghkUoHLIUpWRS8"),
            ("password", "$argon2i$v=19$m=256,t=2,p=2$c29tZXNhbHQ$T/XOJ2mh1/TIpJHfCdQan76Q5esCFVoT5MAeIM1Oq2E"),
            ("password", "$argon2i$m=256,t=2,p=1$c29tZXNhbHQ$/U3YPXYsSb3q9XxHvc0MLxur+GP960kN9j7emXX8zwY"),
            // phxql/argon2-jvm Argon2dTest
            ("password", "$argon2d$v=19$m=1024,t=2,p=1$dGhpc2lzdGhlc2FsdA$rkBsbLVYkXDowmxcwZ9qjpLuAbNjIPBXxmD27YvzHzw"),
        ]
        for (password, stored) in vectors {
            let ok = h.verify(password, stored)
            XCTAssertEqual(ok.status, PROTEUS_OK, "\(stored): \(ok.message)")
            XCTAssertTrue(ok.needsRehash, "not argon2id: \(stored)")
            XCTAssertEqual(h.verify("passwore", stored).status, PROTEUS_E_DENIED, stored)
        }
        // P-H-C: this verifier encodes "passwore".
        XCTAssertEqual(h.verify("password", "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$8iIuixkI73Js3G1uMbezQXD0b8LG4SXGsOwoQkdAQIM").status, PROTEUS_E_DENIED)
    }

    func testRehashFollowsConfiguredArgon2idCost() throws {
        // phxql/argon2-jvm Argon2idTest: "password", m=1024, t=2, p=1.
        let stored = "$argon2id$v=19$m=1024,t=2,p=1$dGhpc2lzdGhlc2FsdA$9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQzZI"
        let cases: [(options: String, rehash: Bool)] = [
            (#"{"memoryKiB": 1024, "iterations": 2, "parallelism": 1}"#, false), // equal
            (#"{"memoryKiB": 512, "iterations": 1}"#, false),                     // stored is stronger
            (#"{"memoryKiB": 2048, "iterations": 2}"#, true),                    // m below
            (#"{"memoryKiB": 1024, "iterations": 3}"#, true),                    // t below
            (#"{"memoryKiB": 1024, "iterations": 2, "parallelism": 2}"#, true),  // p below
            ("{}", true),                                                         // below the defaults
        ]
        for (options, rehash) in cases {
            let h = try PasswordHarness(options: options)
            let r = h.verify("password", stored)
            XCTAssertEqual(r.status, PROTEUS_OK, "\(options): \(r.message)")
            XCTAssertEqual(r.needsRehash, rehash, options)
        }
    }

    func testMalformedArgon2IsInvalid() throws {
        let h = try PasswordHarness(options: Self.cheap)
        let good = "$argon2id$v=19$m=1024,t=2,p=1$dGhpc2lzdGhlc2FsdA$9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQzZI"
        XCTAssertEqual(h.verify("password", good).status, PROTEUS_OK)
        let cases = [
            "$argon2id$",
            "$argon2id$v=19$m=1024,t=2,p=1$dGhpc2lzdGhlc2FsdA",                 // no hash
            "$argon2id$v=19$m=1024,t=2,p=1dGhpc2lzdGhlc2FsdA$9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQzZI",
            "$argon2id$v=19$m=1024,t=2,p=1$dGhpc2lzdGhlc2FsdA9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQzZI",
            "$argon2id$v=19$m=1024,t=2,p=1$$9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQzZI", // empty salt
            "$argon2id$v=19$m=1024,t=2,p=1$c2FsdA$9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQzZI", // 4-byte salt
            "$argon2id$v=19$m=1024,t=2,p=1$dGhpc2lzdGhlc2FsdA$9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQzZI=",
            "$argon2id$v=19$m=1024,t=2,p=1$dGhpc2lzdGhlc2FsdA$9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQz!I",
            "$argon2id$v=20$m=1024,t=2,p=1$dGhpc2lzdGhlc2FsdA$9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQzZI",
            "$argon2id$v=19$t=2,m=1024,p=1$dGhpc2lzdGhlc2FsdA$9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQzZI",
            "$argon2id$v=19$m=abc,t=2,p=1$dGhpc2lzdGhlc2FsdA$9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQzZI",
            "$argon2id$v=19$m=01024,t=2,p=1$dGhpc2lzdGhlc2FsdA$9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQzZI",
            "$argon2id$v=19$m=1024,t=0,p=1$dGhpc2lzdGhlc2FsdA$9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQzZI",
            "$argon2id$v=19$m=8,t=2,p=2$dGhpc2lzdGhlc2FsdA$9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQzZI",
            "$argon2id$v=19$m=1024,t=2,p=1,keyid=abc$dGhpc2lzdGhlc2FsdA$9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQzZI",
            "$argon2id$v=19$m=99999999999,t=2,p=1$dGhpc2lzdGhlc2FsdA$9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQzZI",
            // Well formed but beyond what we agree to spend on one check.
            "$argon2id$v=19$m=4194305,t=2,p=1$dGhpc2lzdGhlc2FsdA$9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQzZI",
            "$argon2id$v=19$m=1024,t=2,p=17$dGhpc2lzdGhlc2FsdA$9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQzZI",
            "$argon2id$v=19$m=1024,t=100000,p=1$dGhpc2lzdGhlc2FsdA$9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQzZI",
            "$argon2i$v=19$m=1024,t=2,p=1$dGhpc2lzdGhlc2FsdA$",
            "$argon2d$x",
        ]
        for stored in cases {
            let r = h.verify("password", stored)
            XCTAssertEqual(r.status, PROTEUS_E_INVALID, "\(stored): \(r.message)")
            XCTAssertFalse(r.message.contains("password"), r.message)
        }
    }

    // MARK: formats that are not ours

    func testUnknownFormatsAreIgnoredAndTheHostAnswersInvalid() throws {
        let h = try PasswordHarness(options: Self.cheap)
        let cases = [
            // (md5/sha-crypt, scrypt and more are ours now: AuthPasswordFormatsTests)
            "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7", // yescrypt
            "$2x$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e", // buggy-bcrypt marker: not ours
            "sha1$salt$1a0ba4f3b4d0b8ce6e6bb1b8a23d2a9d8f3c2d1e",   // Django's unsalted-era sha1
            "{CRYPT}$6$salt$abc",
            "$argon2$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$abc",
            "hunter2",                              // plain text
            "",
        ]
        for stored in cases {
            let direct = h.verifyDirect(Array("hunter2".utf8), stored)
            XCTAssertEqual(direct.status, PROTEUS_E_IGNORE, "plugin: \(stored)")
            let viaHost = h.verify("hunter2", stored)
            XCTAssertEqual(viaHost.status, PROTEUS_E_INVALID, "host: \(stored)")
            XCTAssertTrue(viaHost.message.contains("no password plugin understands"), viaHost.message)
        }
    }

    // MARK: limits and options

    func testTooLongPasswordsAreRefused() throws {
        let h = try PasswordHarness(options: #"{"memoryKiB": 1024, "iterations": 1, "maxPasswordBytes": 16}"#)
        let sixteen = [UInt8](repeating: 0x61, count: 16)
        let stored = try XCTUnwrap(h.enroll(sixteen).stored)
        XCTAssertEqual(h.verify(sixteen, stored).status, PROTEUS_OK)
        let seventeen = sixteen + [0x61]
        let e = h.enroll(seventeen)
        XCTAssertEqual(e.status, PROTEUS_E_TOO_LARGE)
        XCTAssertTrue(e.message.contains("16"), e.message)
        XCTAssertEqual(h.verify(seventeen, stored).status, PROTEUS_E_TOO_LARGE)
        XCTAssertEqual(h.verify(seventeen, "$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi").status, PROTEUS_E_TOO_LARGE)

        let defaults = try PasswordHarness(options: Self.cheap)
        XCTAssertEqual(defaults.enroll([UInt8](repeating: 0x62, count: 1024)).status, PROTEUS_OK)
        XCTAssertEqual(defaults.enroll([UInt8](repeating: 0x62, count: 1025)).status, PROTEUS_E_TOO_LARGE)
        XCTAssertEqual(defaults.enroll([UInt8](repeating: 0x62, count: 4 << 20)).status, PROTEUS_E_TOO_LARGE)
    }

    func testBadOptionsAreRefusedNamingTheKey() throws {
        let cases: [(options: String, mention: String)] = [
            (#"{"memoryKiB": "big"}"#, "memoryKiB"),
            (#"{"memoryKiB": 1024.5}"#, "memoryKiB"),
            (#"{"memoryKiB": -1}"#, "memoryKiB"),
            (#"{"memoryKiB": 4194305}"#, "memoryKiB"),
            (#"{"memoryKiB": 8, "parallelism": 2}"#, "memoryKiB"),
            (#"{"iterations": 0}"#, "iterations"),
            (#"{"iterations": 4294967296}"#, "iterations"),
            (#"{"parallelism": 0}"#, "parallelism"),
            (#"{"parallelism": 17}"#, "parallelism"),
            (#"{"parallelism": true}"#, "parallelism"),
            (#"{"maxPasswordBytes": 0}"#, "maxPasswordBytes"),
            (#"{"maxPasswordBytes": "1024"}"#, "maxPasswordBytes"),
            (#"{"maxPasswordBytes": 10000000}"#, "maxPasswordBytes"),
            (#"{"memoryKib": 1024}"#, "memoryKib"),
            (#"{"pepper": "x"}"#, "pepper"),
            (#"[1, 2]"#, "object"),
            (#"{"memoryKiB": "#, "JSON"),
            (" ", "JSON"),
        ]
        let plugin = try PluginLoader.load(path: PasswordHarness.pluginPath)
        let runtime = HostRuntime(dataDirectory: NSTemporaryDirectory(), secretKey: [UInt8](repeating: 1, count: 32),
                                  rateLimiter: try RateLimiter(), changeCounter: try ChangeCounter())
        for (options, mention) in cases {
            XCTAssertThrowsError(try PluginInstance.create(plugin, optionsJSON: options, runtime: runtime, dialect: nil), options) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(mention), "\(options) → \(text)")
            }
        }
        // The good ones, including the edges.
        for options in ["{}", "", #"{"iterations": null}"#, #"{"memoryKiB": 8}"#, #"{"memoryKiB": 128, "parallelism": 16}"#,
                        #"{"memoryKiB": 4194304, "iterations": 1e1, "maxPasswordBytes": 1}"#] {
            XCTAssertNoThrow(try PluginInstance.create(plugin, optionsJSON: options, runtime: runtime, dialect: nil).destroy(), options)
        }
    }

    // MARK: concurrency

    func testConcurrentVerificationsGetTheRightAnswers() throws {
        let h = try PasswordHarness(options: Self.cheap)
        var cases: [(password: [UInt8], stored: String, expected: proteus_status, rehash: Bool)] = []
        for i in 0..<4 {
            let password = Array("user-\(i)-password".utf8)
            let stored = try XCTUnwrap(h.enroll(password).stored)
            cases.append((password, stored, PROTEUS_OK, false))
            cases.append((Array("user-\(i)-passwort".utf8), stored, PROTEUS_E_DENIED, false))
        }
        cases.append((Array("abc".utf8), "$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi", PROTEUS_OK, true))
        cases.append((Array("abd".utf8), "$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi", PROTEUS_E_DENIED, false))
        cases.append((Array("password".utf8), "$argon2d$v=19$m=1024,t=2,p=1$dGhpc2lzdGhlc2FsdA$rkBsbLVYkXDowmxcwZ9qjpLuAbNjIPBXxmD27YvzHzw", PROTEUS_OK, true))
        let frozen = cases

        for direct in [false, true] {   // through the host's KDF pool, then straight in from 8 threads
            let failures = FailureLog()
            DispatchQueue.concurrentPerform(iterations: 8) { thread in
                for round in 0..<3 {
                    for k in 0..<frozen.count {
                        let c = frozen[(k + thread + round) % frozen.count]
                        let r = direct ? h.verifyDirect(c.password, c.stored) : h.verify(c.password, c.stored)
                        if r.status != c.expected || (r.status == PROTEUS_OK && r.needsRehash != c.rehash) {
                            failures.add("thread \(thread) direct=\(direct): \(c.stored) → \(r.status) \(r.message)")
                        }
                    }
                    // Enrolls run alongside the verifications.
                    let e = direct ? h.enrollDirect(Array("fresh-\(thread)".utf8)) : h.enroll(Array("fresh-\(thread)".utf8))
                    let ok = e.stored.map { h.verify(Array("fresh-\(thread)".utf8), $0).status } ?? e.status
                    if ok != PROTEUS_OK {
                        failures.add("thread \(thread): enroll/verify \(ok) \(e.message)")
                    }
                }
            }
            XCTAssertEqual(failures.entries, [])
        }
    }
}
