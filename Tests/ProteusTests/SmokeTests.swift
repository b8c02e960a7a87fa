import XCTest
@testable import Host

final class SmokeTests: XCTestCase {
    func testHostIsImportable() {
        XCTAssertTrue(PluginLoader.isValidName("sqlite"))
    }
}
