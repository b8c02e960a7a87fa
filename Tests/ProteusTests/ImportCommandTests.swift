// What `proteus import` prints of its source: never a URL's password.
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
}
