// The "totp" auth plugin, loaded from its .so the way the host loads it and
// driven through the host's own auth services (KDF pool, method routing).
//
// Time: the plugin reads the clock only through its host table's now_ms. A
// harness made with `clock: .fake` replaces that one function pointer in the
// instance's own table (PluginInstance.hostTable, which the plugin keeps)
// with one reading `TOTPFakeClock`, so tests can stand at the RFC 6238 test
// times. Expected codes come from `ReferenceTOTP` (Support/TOTPSupport.swift): a separate, small
// HOTP/TOTP over an HMAC built here from OpenSSL's plain digests, itself
// checked against the RFC 4226 and RFC 6238 vectors.
import COpenSSL
import Foundation
import PluginAPI
import PluginKit
import Synchronization
import XCTest
@testable import Host

final class AuthTOTPTests: XCTestCase {
    /// A 160-bit secret (what most generators produce) and its base32.
    static let secret: [UInt8] = Array("proteus-totp-secret!".utf8)
    static var secretBase32: String { ReferenceTOTP.base32(secret) }
    /// 2023-11-14T22:13:20Z: step 56666666 of 30 s, 20 s into it.
    static let now: Int64 = 1_700_000_000

    func code(_ step: Int64, hash: ReferenceTOTP.Hash = .sha1, digits: Int = 6, key: [UInt8] = AuthTOTPTests.secret) -> String {
        ReferenceTOTP.hotp(hash, key: key, counter: UInt64(step), digits: digits)
    }

    /// "$totp$v=1$a=…,d=…,p=…$step=N$<b64>" split into its parts.
    func parts(_ stored: String) throws -> (params: String, step: Int64, sealed: [UInt8]) {
        let fields = stored.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(fields.count, 6, stored)
        guard fields.count == 6 else { throw MalformedVerifier(text: stored) }
        XCTAssertEqual(fields[0], "")
        XCTAssertEqual(fields[1], "totp")
        XCTAssertEqual(fields[2], "v=1")
        XCTAssertTrue(fields[4].hasPrefix("step="), stored)
        XCTAssertFalse(fields[5].contains("="), "no base64 padding")
        let sealed = try XCTUnwrap(Base64.decode(fields[5], urlSafe: false), stored)
        return (fields[3], try XCTUnwrap(Int64(fields[4].dropFirst(5))), sealed)
    }

    // MARK: the reference and the RFC vectors

    func testReferenceMatchesRFC4226AndRFC6238Vectors() {
        let key = ReferenceTOTP.seed(.sha1)
        XCTAssertEqual(key, Array("12345678901234567890".utf8))
        for (counter, expected) in ReferenceTOTP.rfc4226.enumerated() {
            XCTAssertEqual(ReferenceTOTP.hotp(.sha1, key: key, counter: UInt64(counter), digits: 6), expected, "counter \(counter)")
        }
        for vector in ReferenceTOTP.rfc6238 {
            for hash in ReferenceTOTP.Hash.allCases {
                XCTAssertEqual(ReferenceTOTP.totp(hash, key: ReferenceTOTP.seed(hash), unixSeconds: vector.time, digits: 8),
                               vector.codes[hash], "\(hash) at \(vector.time)")
            }
        }
    }

    func testPluginAgreesWithRFC6238VectorsAtTheirTimes() throws {
        for hash in ReferenceTOTP.Hash.allCases {
            let h = try TOTPHarness(options: #"{"digits": 8, "algorithm": "\#(hash.rawValue)"}"#)
            let e = h.enroll(ReferenceTOTP.base32(ReferenceTOTP.seed(hash)))
            XCTAssertEqual(e.status, PROTEUS_OK, e.message)
            let stored = try XCTUnwrap(e.stored)
            XCTAssertTrue(stored.hasPrefix("$totp$v=1$a=\(hash.rawValue),d=8,p=30$step=0$"), stored)
            for vector in ReferenceTOTP.rfc6238 {
                TOTPFakeClock.set(seconds: vector.time)
                let r = h.verify(vector.codes[hash], stored)
                XCTAssertEqual(r.status, PROTEUS_OK, "\(hash) at \(vector.time): \(r.message)")
                XCTAssertEqual(try parts(try XCTUnwrap(r.stored)).step, vector.time / 30, "\(hash) at \(vector.time)")
                // One digit off is refused.
                var wrong = Array(vector.codes[hash]!)
                wrong[7] = wrong[7] == "9" ? "0" : Character(UnicodeScalar(wrong[7].asciiValue! + 1))
                XCTAssertEqual(h.verify(String(wrong), stored).status, PROTEUS_E_DENIED, "\(hash) at \(vector.time)")
            }
        }
    }

    func testPluginAgreesWithRFC4226Counters() throws {
        let h = try TOTPHarness(options: #"{"skewSteps": 0}"#)
        let stored = try XCTUnwrap(h.enroll(ReferenceTOTP.base32(ReferenceTOTP.seed(.sha1))).stored)
        XCTAssertTrue(stored.hasPrefix("$totp$v=1$a=SHA1,d=6,p=30$step=0$"), stored)
        // Counter 0 is the "nothing accepted yet" step: it can never be used.
        for counter in 1..<ReferenceTOTP.rfc4226.count {
            TOTPFakeClock.set(seconds: Int64(counter) * 30 + 15)
            let r = h.verify(ReferenceTOTP.rfc4226[counter], stored)
            XCTAssertEqual(r.status, PROTEUS_OK, "counter \(counter): \(r.message)")
            XCTAssertEqual(try parts(try XCTUnwrap(r.stored)).step, Int64(counter))
        }
    }

    // MARK: descriptor and enroll

    func testPluginDescriptor() throws {
        let plugin = try PluginLoader.load(path: TOTPHarness.pluginPath)
        XCTAssertEqual(plugin.name, "totp")
        XCTAssertEqual(plugin.version, "1.0.0")
        XCTAssertEqual(plugin.kind, UInt32(PROTEUS_KIND_AUTH))
        let api = plugin.descriptor.pointee.vtable.assumingMemoryBound(to: proteus_auth_api.self).pointee
        XCTAssertEqual(String(cString: api.method), "totp")
    }

    func testEnrollShapeKeepsTheSecretSealed() throws {
        let h = try TOTPHarness()
        let base32 = Self.secretBase32
        let e = h.enroll(base32)
        XCTAssertEqual(e.status, PROTEUS_OK, e.message)
        let stored = try XCTUnwrap(e.stored)
        XCTAssertNotNil(stored.range(of: #"^\$totp\$v=1\$a=SHA1,d=6,p=30\$step=0\$[A-Za-z0-9+/]+$"#, options: .regularExpression), stored)
        let p = try parts(stored)
        XCTAssertEqual(p.params, "a=SHA1,d=6,p=30")
        XCTAssertEqual(p.step, 0)
        XCTAssertEqual(p.sealed.count, 12 + Self.secret.count + 16, "nonce || ciphertext || tag")

        // Neither the base32 text nor the secret's bytes appear anywhere.
        let unpadded = base32.replacingOccurrences(of: "=", with: "")
        for needle in [unpadded, unpadded.lowercased(), String(unpadded.prefix(16)),
                       String(decoding: Self.secret, as: UTF8.self), Base64.encode(Self.secret, padding: false)] {
            XCTAssertFalse(stored.contains(needle), needle)
        }
        XCTAssertFalse(Array(stored.utf8).contains(subsequence: Array(Self.secret.prefix(10))))
        XCTAssertFalse(p.sealed.contains(subsequence: Array(Self.secret.prefix(10))))
        // It is really the secret, sealed with the server key and the TOTP AAD.
        let withoutAAD = p.sealed.withUnsafeBytes { h.runtime.aead.open($0, aad: UnsafeRawBufferPointer(start: nil, count: 0)) }
        XCTAssertNil(withoutAAD, "bound to its AAD")
        let aad = Array("proteus.totp.v1".utf8)
        let opened = p.sealed.withUnsafeBytes { s in aad.withUnsafeBytes { h.runtime.aead.open(s, aad: $0) } }
        XCTAssertEqual(opened, Self.secret)

        // Fresh nonce every time.
        let again = try XCTUnwrap(h.enroll(base32).stored)
        XCTAssertNotEqual(again, stored)
    }

    func testSecretSpellingsAreAccepted() throws {
        let h = try TOTPHarness()
        TOTPFakeClock.set(seconds: Self.now)
        let base32 = Self.secretBase32  // 32 characters, no padding needed
        let grouped = stride(from: 0, to: base32.count, by: 4).map { i -> String in
            let s = base32.index(base32.startIndex, offsetBy: i)
            return String(base32[s..<base32.index(s, offsetBy: 4)])
        }.joined(separator: " ")
        for spelling in [base32, base32.lowercased(), grouped, " " + grouped.lowercased() + " "] {
            let e = h.enroll(spelling)
            XCTAssertEqual(e.status, PROTEUS_OK, "\(spelling): \(e.message)")
            let r = h.verify(code(Self.now / 30), try XCTUnwrap(e.stored))
            XCTAssertEqual(r.status, PROTEUS_OK, "\(spelling): \(r.message)")
        }
        // Padding: 16 bytes → 26 characters + 6 '='; accepted with or without.
        let sixteen = Array(Self.secret.prefix(16))
        let padded = ReferenceTOTP.base32(sixteen)
        XCTAssertTrue(padded.hasSuffix("======"), padded)
        for spelling in [padded, padded.replacingOccurrences(of: "=", with: "")] {
            let stored = try XCTUnwrap(h.enroll(spelling).stored, spelling)
            XCTAssertEqual(h.verify(code(Self.now / 30, key: sixteen), stored).status, PROTEUS_OK, spelling)
        }
        // Exactly 16 characters (80 bits) is the minimum.
        let ten = Array(Self.secret.prefix(10))
        let minimum = ReferenceTOTP.base32(ten)
        XCTAssertEqual(minimum.count, 16)
        let stored = try XCTUnwrap(h.enroll(minimum).stored)
        XCTAssertEqual(h.verify(code(Self.now / 30, key: ten), stored).status, PROTEUS_OK)
    }

    func testBadSecretsAreRefusedAtEnroll() throws {
        let h = try TOTPHarness()
        let cases: [String?] = [
            nil, "", "   ",
            "GEZDGNBVGY3TQOJ",                   // 15 characters
            "GEZD GNBV GY3T QOJ",                // 15 characters, spaced
            "GEZDGNBVGY3TQOJQ1",                 // '1' is not base32
            "GEZDGNBVGY3TQOJQ0",                 // nor '0'
            "GEZDGNBVGY3TQOJQ8",                 // nor '8'
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ!",
            "GEZDGNBV=GY3TQOJQGEZDGNBVGY3TQOJQ", // '=' inside
            "GEZDGNBVGY3TQOJQ-GEZDGNBVGY3TQOJQ", // '-' separators
            "GEZDGNBVGY3TQOJQ\tGEZDGNBVGY3TQOJQ",
            "3132333435363738393031323334353637383930", // hex
            "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=",      // base64
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\u{00e9}",
        ]
        for secret in cases {
            let e = h.enroll(secret)
            XCTAssertEqual(e.status, PROTEUS_E_INVALID, "\(String(describing: secret))")
            XCTAssertEqual(e.message, "TOTP secret must be base32, at least 16 characters", "\(String(describing: secret))")
        }
        // Absurdly long secrets are refused too.
        let long = h.enroll(String(repeating: "A", count: 257))
        XCTAssertEqual(long.status, PROTEUS_E_INVALID)
        XCTAssertTrue(long.message.contains("256"), long.message)
        XCTAssertEqual(h.enroll(String(repeating: "A", count: 256)).status, PROTEUS_OK)
        let huge = h.enroll(String(repeating: "A", count: 100_000))
        XCTAssertEqual(huge.status, PROTEUS_E_INVALID)
        XCTAssertTrue(huge.message.contains("at most 256"), huge.message)
    }

    // MARK: recovery codes

    func testRecoveryCodesStandInForACodeOnceEach() throws {
        let h = try TOTPHarness()
        TOTPFakeClock.set(seconds: Self.now)
        let codes = ["abcde-fghij", "KLMNO-PQRST", "2345 6723 45"]
        let e = h.enroll(([Self.secretBase32] + codes).joined(separator: "\n"))
        XCTAssertEqual(e.status, PROTEUS_OK, e.message)
        let stored = try XCTUnwrap(e.stored)
        XCTAssertTrue(stored.contains("$r="), stored)
        for code in codes { XCTAssertFalse(stored.lowercased().contains(code.lowercased().replacingOccurrences(of: "-", with: "")), stored) }

        // Any case, dashes and spaces ignored; once each; the step is kept.
        let used = h.verify("ABCDEFGHIJ", stored)
        XCTAssertEqual(used.status, PROTEUS_OK, used.message)
        let after = try XCTUnwrap(used.stored)
        XCTAssertEqual(after.components(separatedBy: ".").count, 2, after)
        XCTAssertEqual(h.verify("abcde-fghij", after).status, PROTEUS_E_DENIED)
        XCTAssertEqual(h.verify("klmno-pqrst", after).status, PROTEUS_OK)
        XCTAssertEqual(h.verify("zzzzz-zzzzz", after).status, PROTEUS_E_DENIED)
        // A TOTP code still works next to them, and keeps the codes.
        let totp = h.verify(code(Self.now / 30), after)
        XCTAssertEqual(totp.status, PROTEUS_OK, totp.message)
        XCTAssertTrue(try XCTUnwrap(totp.stored).hasSuffix(String(after.split(separator: "$").last ?? "")), "recovery field kept")

        // Re-enrolling an existing verifier replaces its codes; the secret stays.
        let again = h.enroll(after + "\nnew-code-0001")
        XCTAssertEqual(again.status, PROTEUS_OK, again.message)
        let replaced = try XCTUnwrap(again.stored)
        XCTAssertEqual(h.verify("klmno-pqrst", replaced).status, PROTEUS_E_DENIED)
        XCTAssertEqual(h.verify("NEWCODE0001", replaced).status, PROTEUS_OK)
        XCTAssertEqual(h.verify(code(Self.now / 30), replaced).status, PROTEUS_OK)
        // Without codes, a code-shaped value is just a wrong TOTP code.
        XCTAssertEqual(h.verify("abcde-fghij", try XCTUnwrap(h.enroll(Self.secretBase32).stored)).status, PROTEUS_E_DENIED)

        // Malformed, repeated or too many codes are refused at enrolment.
        for bad in ["short", "abc_defghij", String(repeating: "a", count: 65)] {
            XCTAssertEqual(h.enroll(Self.secretBase32 + "\n" + bad).status, PROTEUS_E_INVALID, bad)
        }
        XCTAssertEqual(h.enroll(Self.secretBase32 + "\nabcdefghij\nABCDE-FGHIJ").status, PROTEUS_E_INVALID, "the same code twice")
        let many = (0..<17).map { String(format: "code%06d", $0) }
        XCTAssertEqual(h.enroll(([Self.secretBase32] + many).joined(separator: "\n")).status, PROTEUS_E_INVALID)
        XCTAssertEqual(h.enroll(([Self.secretBase32] + many.prefix(16)).joined(separator: "\n")).status, PROTEUS_OK)
    }

    // MARK: verify: now, skew, replay

    func testCodeForNowVerifiesWithTheRealClock() throws {
        let h = try TOTPHarness(clock: .real)
        let stored = try XCTUnwrap(h.enroll(Self.secretBase32).stored)
        let before = Int64(Date().timeIntervalSince1970) / 30
        let r = h.verify(code(before), stored)
        let after = Int64(Date().timeIntervalSince1970) / 30
        XCTAssertEqual(r.status, PROTEUS_OK, r.message)
        XCTAssertFalse(r.needsRehash)
        let updated = try XCTUnwrap(r.stored)
        XCTAssertEqual(try parts(updated).step, before, "accepted at step \(before) (now \(before)...\(after))")
        XCTAssertEqual(updated.replacingOccurrences(of: "$step=\(before)$", with: "$step=0$"), stored)
        XCTAssertEqual(h.verify(code(before), updated).status, PROTEUS_E_DENIED)
    }

    func testCodeForNowThenReplayAndSkew() throws {
        let h = try TOTPHarness()
        let now = Self.now / 30
        TOTPFakeClock.set(seconds: Self.now)
        let stored = try XCTUnwrap(h.enroll(Self.secretBase32).stored)

        // The code for now: OK, the same verifier with step = now.
        let ok = h.verify(code(now), stored)
        XCTAssertEqual(ok.status, PROTEUS_OK, ok.message)
        XCTAssertFalse(ok.needsRehash)
        let updated = try XCTUnwrap(ok.stored)
        XCTAssertEqual(try parts(updated).step, now)
        XCTAssertEqual(updated, stored.replacingOccurrences(of: "$step=0$", with: "$step=\(now)$"))

        // The same code again (persisted verifier): a replay.
        let replay = h.verify(code(now), updated)
        XCTAssertEqual(replay.status, PROTEUS_E_DENIED)
        XCTAssertTrue(replay.message.contains("already used"), replay.message)
        // Still refused later in the window, and after the window.
        TOTPFakeClock.set(seconds: Self.now + 9)
        XCTAssertEqual(h.verify(code(now), updated).status, PROTEUS_E_DENIED)
        TOTPFakeClock.set(seconds: Self.now + 30)
        XCTAssertEqual(h.verify(code(now), updated).status, PROTEUS_E_DENIED)
        TOTPFakeClock.set(seconds: Self.now)

        // The previous step's code: accepted against the original verifier
        // (skew 1)...
        let previous = h.verify(code(now - 1), stored)
        XCTAssertEqual(previous.status, PROTEUS_OK, previous.message)
        XCTAssertEqual(try parts(try XCTUnwrap(previous.stored)).step, now - 1)
        // ...but not once a newer step was accepted.
        XCTAssertEqual(h.verify(code(now - 1), updated).status, PROTEUS_E_DENIED)
        // The next step's code is accepted (clock behind the phone's), and
        // then the code for now is too old.
        let next = h.verify(code(now + 1), updated)
        XCTAssertEqual(next.status, PROTEUS_OK, next.message)
        let afterNext = try XCTUnwrap(next.stored)
        XCTAssertEqual(try parts(afterNext).step, now + 1)
        XCTAssertEqual(h.verify(code(now), afterNext).status, PROTEUS_E_DENIED)
        XCTAssertEqual(h.verify(code(now + 1), afterNext).status, PROTEUS_E_DENIED)
        // And the following one is accepted when its time comes.
        TOTPFakeClock.set(seconds: Self.now + 40)
        let later = h.verify(code(now + 2), afterNext)
        XCTAssertEqual(later.status, PROTEUS_OK, later.message)
        XCTAssertEqual(try parts(try XCTUnwrap(later.stored)).step, now + 2)
        TOTPFakeClock.set(seconds: Self.now)

        // Outside the window: two steps away either side, 5 steps ago.
        for step in [now - 5, now - 2, now + 2, now + 5] {
            let r = h.verify(code(step), stored)
            XCTAssertEqual(r.status, PROTEUS_E_DENIED, "step \(step - now)")
            XCTAssertTrue(r.message.contains("does not match"), r.message)
        }
    }

    /// A code that is the right one for two steps of the window (one
    /// secret in ~300,000 has such a pair around a given time; this one was
    /// found by search) is accepted for the later step, so it can't be used
    /// a second time for the earlier one.
    func testACodeValidForTwoStepsIsAcceptedOnlyOnce() throws {
        let key = Array("collision-0000320080".utf8)
        let now = Self.now / 30
        XCTAssertEqual(code(now - 1, key: key), "766361")
        XCTAssertEqual(code(now, key: key), "766361")
        TOTPFakeClock.set(seconds: Self.now)
        let h = try TOTPHarness()
        let stored = try XCTUnwrap(h.enroll(ReferenceTOTP.base32(key)).stored)
        let ok = h.verify("766361", stored)
        XCTAssertEqual(ok.status, PROTEUS_OK, ok.message)
        let updated = try XCTUnwrap(ok.stored)
        XCTAssertEqual(try parts(updated).step, now)
        XCTAssertEqual(h.verify("766361", updated).status, PROTEUS_E_DENIED)
    }

    func testSkewStepsOption() throws {
        TOTPFakeClock.set(seconds: Self.now)
        let now = Self.now / 30
        let strict = try TOTPHarness(options: #"{"skewSteps": 0}"#)
        let stored = try XCTUnwrap(strict.enroll(Self.secretBase32).stored)
        XCTAssertEqual(strict.verify(code(now), stored).status, PROTEUS_OK)
        XCTAssertEqual(strict.verify(code(now - 1), stored).status, PROTEUS_E_DENIED)
        XCTAssertEqual(strict.verify(code(now + 1), stored).status, PROTEUS_E_DENIED)

        let loose = try TOTPHarness(options: #"{"skewSteps": 5}"#)
        for step in (now - 5)...(now + 5) {
            XCTAssertEqual(loose.verify(code(step), stored).status, PROTEUS_OK, "step \(step - now)")
        }
        XCTAssertEqual(loose.verify(code(now - 6), stored).status, PROTEUS_E_DENIED)
        XCTAssertEqual(loose.verify(code(now + 6), stored).status, PROTEUS_E_DENIED)
    }

    func testMalformedCodesAreDenied() throws {
        let h = try TOTPHarness()
        TOTPFakeClock.set(seconds: Self.now)
        let stored = try XCTUnwrap(h.enroll(Self.secretBase32).stored)
        let good = code(Self.now / 30)
        let wrong = good == "000000" ? "000001" : "000000"
        let cases: [String?] = [
            nil, "", " ", wrong,
            String(good.prefix(5)),
            good + "0",                                  // 7 digits
            "0" + good,
            "abcdef", "ABCDEF", "12345a",
            String(good.prefix(3)) + " " + String(good.dropFirst(3)),   // inner space
            String(good.prefix(3)) + "-" + String(good.dropFirst(3)),
            "+" + String(good.dropFirst()),
            "\u{0661}\u{0662}\u{0663}\u{0664}\u{0665}\u{0666}",        // Arabic-Indic digits
            good + "\0",
            good + "x",
        ]
        for presented in cases {
            let r = h.verify(presented, stored)
            XCTAssertEqual(r.status, PROTEUS_E_DENIED, "\(String(describing: presented))")
            XCTAssertFalse(r.message.contains(good), r.message)
        }
        // Whitespace around the code is trimmed.
        for presented in [" " + good, good + "\n", "\t" + good + " \r\n"] {
            XCTAssertEqual(h.verify(presented, stored).status, PROTEUS_OK, presented.debugDescription)
        }
    }

    // MARK: verifiers that are not ours, or broken

    func testOtherFormatsAreIgnoredAndTheHostAnswersInvalid() throws {
        let h = try TOTPHarness()
        TOTPFakeClock.set(seconds: Self.now)
        let cases = [
            "$argon2id$v=19$m=1024,t=2,p=1$dGhpc2lzdGhlc2FsdA$9GrHfosTNz04GroO1Gx0gTT3F9c3X6X8ztZgESUQzZI",
            "$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi",
            "$totp",
            "$TOTP$v=1$a=SHA1,d=6,p=30$step=0$AAAA",
            "totp$v=1$a=SHA1,d=6,p=30$step=0$AAAA",
            Self.secretBase32,
            "",
        ]
        for stored in cases {
            let direct = h.verifyDirect(code(Self.now / 30), stored)
            XCTAssertEqual(direct.status, PROTEUS_E_IGNORE, "plugin: \(stored) \(direct.message)")
            let viaHost = h.verify(code(Self.now / 30), stored)
            XCTAssertEqual(viaHost.status, PROTEUS_E_INVALID, "host: \(stored)")
            XCTAssertTrue(viaHost.message.contains("no totp plugin understands"), viaHost.message)
        }
    }

    func testMalformedVerifiersAreInvalid() throws {
        let h = try TOTPHarness()
        TOTPFakeClock.set(seconds: Self.now)
        let good = try XCTUnwrap(h.enroll(Self.secretBase32).stored)
        let b64 = String(good.split(separator: "$", omittingEmptySubsequences: false)[5])
        let c = code(Self.now / 30)
        XCTAssertEqual(h.verify(c, good).status, PROTEUS_OK)
        let cases = [
            "$totp$",
            "$totp$v=1$a=SHA1,d=6,p=30$step=0",
            "$totp$v=1$a=SHA1,d=6,p=30$step=0$",
            "$totp$v=1$a=SHA1,d=6,p=30$step=0$\(b64)$",
            "$totp$v=2$a=SHA1,d=6,p=30$step=0$\(b64)",
            "$totp$v=01$a=SHA1,d=6,p=30$step=0$\(b64)",
            "$totp$a=SHA1,d=6,p=30$step=0$\(b64)",
            "$totp$v=1$a=MD5,d=6,p=30$step=0$\(b64)",
            "$totp$v=1$a=sha1,d=6,p=30$step=0$\(b64)",
            "$totp$v=1$a=SHA1,d=7,p=30$step=0$\(b64)",
            "$totp$v=1$a=SHA1,d=6,p=5$step=0$\(b64)",
            "$totp$v=1$a=SHA1,d=6,p=121$step=0$\(b64)",
            "$totp$v=1$a=SHA1,d=6,p=030$step=0$\(b64)",
            "$totp$v=1$d=6,a=SHA1,p=30$step=0$\(b64)",
            "$totp$v=1$a=SHA1,d=6$step=0$\(b64)",
            "$totp$v=1$a=SHA1,d=6,p=30,x=1$step=0$\(b64)",
            "$totp$v=1$a=SHA1,d=6,p=30$step=-1$\(b64)",
            "$totp$v=1$a=SHA1,d=6,p=30$step=$\(b64)",
            "$totp$v=1$a=SHA1,d=6,p=30$step=00$\(b64)",
            "$totp$v=1$a=SHA1,d=6,p=30$step=99999999999999999999$\(b64)",
            "$totp$v=1$a=SHA1,d=6,p=30$last=0$\(b64)",
            "$totp$v=1$a=SHA1,d=6,p=30$step=0$\(b64)=",
            "$totp$v=1$a=SHA1,d=6,p=30$step=0$\(b64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))!",
            "$totp$v=1$a=SHA1,d=6,p=30$step=0$AAAA",               // too short to hold a secret
            "$totp$v=1$a=SHA1,d=6,p=30$step=0$" + String(repeating: "A", count: 2000),
        ]
        for stored in cases {
            let r = h.verify(c, stored)
            XCTAssertEqual(r.status, PROTEUS_E_INVALID, "\(stored): \(r.message)")
            XCTAssertTrue(r.message.contains("malformed"), "\(stored): \(r.message)")
        }
    }

    func testTamperedOrForeignSealedSecretIsInvalid() throws {
        let h = try TOTPHarness()
        TOTPFakeClock.set(seconds: Self.now)
        let stored = try XCTUnwrap(h.enroll(Self.secretBase32).stored)
        let c = code(Self.now / 30)
        var sealed = try parts(stored).sealed
        let head = String(stored[..<stored.range(of: "$", options: .backwards)!.upperBound])
        for index in [0, 12, sealed.count - 1] {       // nonce, ciphertext, tag
            sealed[index] ^= 0x01
            let tampered = head + Base64.encode(sealed, padding: false)
            sealed[index] ^= 0x01
            let r = h.verify(c, tampered)
            XCTAssertEqual(r.status, PROTEUS_E_INVALID, "byte \(index): \(r.message)")
            XCTAssertTrue(r.message.contains("key"), r.message)
        }
        // Another server key cannot open it.
        let other = try TOTPHarness(key: [UInt8](repeating: 0x17, count: 32))
        let r = other.verify(c, stored)
        XCTAssertEqual(r.status, PROTEUS_E_INVALID, r.message)
        // Something sealed for another purpose (other AAD) is not a TOTP secret.
        let foreign = Self.secret.withUnsafeBytes { s in
            Array("aiostreams.password:x".utf8).withUnsafeBytes { h.runtime.aead.seal(s, aad: $0)! }
        }
        XCTAssertEqual(h.verify(c, head + Base64.encode(foreign, padding: false)).status, PROTEUS_E_INVALID)
        // The untouched one still works.
        XCTAssertEqual(h.verify(c, stored).status, PROTEUS_OK)
    }

    func testResultWithoutRoomForUpdatedStoredIsRefused() throws {
        let h = try TOTPHarness()
        TOTPFakeClock.set(seconds: Self.now)
        let stored = try XCTUnwrap(h.enroll(Self.secretBase32).stored)
        let short = h.verifyDirect(code(Self.now / 30), stored, resultSize: MemoryLayout<proteus_verify_result>.offset(of: \.updated_stored)!)
        XCTAssertEqual(short.status, PROTEUS_E_INVALID, short.message)
        let full = h.verifyDirect(code(Self.now / 30), stored)
        XCTAssertEqual(full.status, PROTEUS_OK, full.message)
        XCTAssertEqual(try parts(try XCTUnwrap(full.stored)).step, Self.now / 30)
    }

    // MARK: options

    func testSHA256EightDigitsRoundTripAndSurvivesOptionChanges() throws {
        TOTPFakeClock.set(seconds: Self.now)
        let h = try TOTPHarness(options: #"{"digits": 8, "algorithm": "sha256", "periodSeconds": 60}"#)
        let stored = try XCTUnwrap(h.enroll(Self.secretBase32).stored)
        XCTAssertTrue(stored.hasPrefix("$totp$v=1$a=SHA256,d=8,p=60$step=0$"), stored)
        let now = Self.now / 60
        let c = code(now, hash: .sha256, digits: 8)
        XCTAssertEqual(c.count, 8)
        XCTAssertEqual(h.verify(String(c.prefix(6)), stored).status, PROTEUS_E_DENIED, "6 digits for an 8-digit verifier")
        XCTAssertEqual(h.verify(code(now, hash: .sha1, digits: 8), stored).status, PROTEUS_E_DENIED, "SHA-1 code")
        let ok = h.verify(c, stored)
        XCTAssertEqual(ok.status, PROTEUS_OK, ok.message)
        let updated = try XCTUnwrap(ok.stored)
        XCTAssertTrue(updated.hasPrefix("$totp$v=1$a=SHA256,d=8,p=60$step=\(now)$"), updated)
        XCTAssertEqual(h.verify(c, updated).status, PROTEUS_E_DENIED)

        // An instance with the defaults still verifies with what was enrolled.
        let defaults = try TOTPHarness()
        XCTAssertEqual(defaults.verify(c, stored).status, PROTEUS_OK)
        XCTAssertEqual(defaults.verify(code(Self.now / 30), stored).status, PROTEUS_E_DENIED)

        // SHA-512 too.
        let sha512 = try TOTPHarness(options: #"{"algorithm": "SHA512"}"#)
        let stored512 = try XCTUnwrap(sha512.enroll(Self.secretBase32).stored)
        XCTAssertTrue(stored512.hasPrefix("$totp$v=1$a=SHA512,d=6,p=30$step=0$"), stored512)
        XCTAssertEqual(sha512.verify(code(Self.now / 30, hash: .sha512), stored512).status, PROTEUS_OK)
    }

    func testBadOptionsAreRefusedNamingTheKey() throws {
        let cases: [(options: String, mention: String)] = [
            (#"{"digits": 7}"#, "digits"),
            (#"{"digits": 5}"#, "digits"),
            (#"{"digits": 10}"#, "digits"),
            (#"{"digits": "6"}"#, "digits"),
            (#"{"digits": 6.5}"#, "digits"),
            (#"{"periodSeconds": 9}"#, "periodSeconds"),
            (#"{"periodSeconds": 121}"#, "periodSeconds"),
            (#"{"periodSeconds": true}"#, "periodSeconds"),
            (#"{"skewSteps": -1}"#, "skewSteps"),
            (#"{"skewSteps": 6}"#, "skewSteps"),
            (#"{"skewSteps": [1]}"#, "skewSteps"),
            (#"{"algorithm": "MD5"}"#, "algorithm"),
            (#"{"algorithm": "SHA-1"}"#, "algorithm"),
            (#"{"algorithm": 1}"#, "algorithm"),
            (#"{"issuer": "Proteus"}"#, "issuer"),
            (#"{"period": 30}"#, "period"),
            (#"[6]"#, "object"),
            (#"{"digits": "#, "JSON"),
        ]
        let plugin = try PluginLoader.load(path: TOTPHarness.pluginPath)
        let runtime = HostRuntime(dataDirectory: NSTemporaryDirectory(), secretKey: [UInt8](repeating: 1, count: 32),
                                  rateLimiter: try RateLimiter(), changeCounter: try ChangeCounter())
        for (options, mention) in cases {
            XCTAssertThrowsError(try PluginInstance.create(plugin, optionsJSON: options, runtime: runtime, dialect: nil), options) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(mention), "\(options) → \(text)")
            }
        }
        for options in ["{}", "", #"{"digits": null}"#, #"{"digits": 8, "periodSeconds": 10, "skewSteps": 0, "algorithm": "SHA1"}"#,
                        #"{"periodSeconds": 120, "skewSteps": 5, "algorithm": "sha512"}"#] {
            XCTAssertNoThrow(try PluginInstance.create(plugin, optionsJSON: options, runtime: runtime, dialect: nil).destroy(), options)
        }
    }

    // MARK: concurrency

    func testConcurrentVerificationsGetTheRightAnswers() throws {
        let h = try TOTPHarness()
        TOTPFakeClock.set(seconds: Self.now)
        let now = Self.now / 30
        var cases: [(code: String, stored: String, expected: proteus_status)] = []
        for i in 0..<4 {
            let key = Array("user-\(i)-secret-0123".utf8)
            let stored = try XCTUnwrap(h.enroll(ReferenceTOTP.base32(key)).stored)
            cases.append((code(now, key: key), stored, PROTEUS_OK))
            cases.append((code(now - 3, key: key), stored, PROTEUS_E_DENIED))
        }
        let frozen = cases
        let failures = FailureLog()
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 0..<20 {
                for k in 0..<frozen.count {
                    let c = frozen[(k + thread + round) % frozen.count]
                    let r = thread % 2 == 0 ? h.verify(c.code, c.stored) : h.verifyDirect(c.code, c.stored)
                    if r.status != c.expected { failures.add("thread \(thread): \(r.status) \(r.message)") }
                }
            }
        }
        XCTAssertEqual(failures.entries, [])
    }
}

private extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        for i in 0...(count - needle.count) where Array(self[i..<(i + needle.count)]) == needle { return true }
        return false
    }
}

struct MalformedVerifier: Error { let text: String }
