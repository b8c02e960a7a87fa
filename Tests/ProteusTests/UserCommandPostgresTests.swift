// UserCommandTests on PostgreSQL: the same tests with the store on the test
// cluster (one schema per test directory).
import Foundation
import XCTest

final class UserCommandPostgresTests: UserCommandTests {
    override func setUpWithError() throws {
        PostgresTestStore.prepare()
        UserCLI.storeOverride = { PostgresTestStore.config(directory: $0, prefix: "usercli_") }
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        UserCLI.storeOverride = nil
    }

    override func testEverySubcommandOnAConfigWithoutDialects() throws { try super.testEverySubcommandOnAConfigWithoutDialects() }
    override func testFirstAdminFromTheShellSignsInEverywhere() throws { try super.testFirstAdminFromTheShellSignsInEverywhere() }
}
