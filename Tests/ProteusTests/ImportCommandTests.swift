// What `proteus import` prints of its source (never a URL's password), and
// which stored hashes it keeps (every format the password plugin verifies).
import XCTest
@testable import Host

final class ImportCommandTests: XCTestCase {
    func testASourceURLIsPrintedWithoutItsPassword() {
        XCTAssertEqual(ImportCommand.shown("postgres://aio:s3cret@db.example:5432/aio"), "postgres://aio:***@db.example:5432/aio")
        XCTAssertEqual(ImportCommand.shown("postgresql://aio:p@ss@db/aio?sslmode=require"), "postgresql://aio:***@db/aio?sslmode=require")
        XCTAssertEqual(ImportCommand.shown("postgres://db/aio?user=aio&password=s3cret&sslmode=require"),
                       "postgres://db/aio?user=aio&password=***&sslmode=require")
        XCTAssertEqual(ImportCommand.shown("postgres://aio@db/aio"), "postgres://aio@db/aio")
        XCTAssertEqual(ImportCommand.shown("sqlite://./data/db.sqlite"), "sqlite://./data/db.sqlite")
        XCTAssertEqual(ImportCommand.shown("/opt/aiostreams/data/db.sqlite"), "/opt/aiostreams/data/db.sqlite")
    }

    /// Each prefix the password plugin's verifiers read is kept (the
    /// import/sign-in round trip of each family is AuthPasswordFormatsTests).
    func testEveryFormatThePasswordPluginReadsIsKept() {
        let kept: [(String, String)] = [
            ("$argon2d$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g", "argon2d"),
            ("pbkdf2_sha1$260000$salt$aGFzaA==", "django-pbkdf2-sha1"),
            ("$pbkdf2-sha224$29000$c2FsdA$aGFzaA", "pbkdf2-sha224"),
            ("$pbkdf2-sha384$29000$c2FsdA$aGFzaA", "pbkdf2-sha384"),
            ("{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=", "sha1"),
            ("{smd5}aGFzaGhhc2hoYXNoaGFzaHNhbHQ=", "smd5"),
            ("{ssha512}aGFzaA==", "ssha512"),
            ("{ssha}aGFzaA==", "ssha"),
        ]
        for (hash, name) in kept { XCTAssertEqual(PasswordHashFormat.classify(hash), name, hash) }
        for unknown in ["{CRYPT}abc", "$argon2x$v=19$m=1,t=1,p=1$a$b", "{SSHA}", "sha1$abc$def"] {
            XCTAssertNil(PasswordHashFormat.classify(unknown), unknown)
        }
    }
}
