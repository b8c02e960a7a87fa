// The LISTEN.moe suites on PostgreSQL (the test cluster, one schema per test
// directory): every test of ListenMoeTests and ListenMoeMountTests.
import Foundation
import XCTest

final class ListenMoePostgresTests: ListenMoeTests {
    override func setUpWithError() throws {
        LM.usePostgres()
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        LM.useSQLite()
    }

    override func testRegisterAndItsRefusals() throws { try super.testRegisterAndItsRefusals() }
    override func testEightConcurrentRegistrationsMakeOneAccount() throws { try super.testEightConcurrentRegistrationsMakeOneAccount() }
    override func testFailedLoginsAreLimitedPerAccountName() throws { try super.testFailedLoginsAreLimitedPerAccountName() }
    override func testLoginByNameOrEmailAndOneFailureMessage() throws { try super.testLoginByNameOrEmailAndOneFailureMessage() }
    override func testFreshUserShapeAndEmailOnlyForThemself() throws { try super.testFreshUserShapeAndEmailOnlyForThemself() }
    override func testPatchBioByThemselfOrStaffOnly() throws { try super.testPatchBioByThemselfOrStaffOnly() }
    override func testRolesOfThemselfOrForStaff() throws { try super.testRolesOfThemselfOrForStaff() }
    override func testEveryTokenThatDoesNotVerifyIs401() throws { try super.testEveryTokenThatDoesNotVerifyIs401() }
    override func testTokenExpiresAfterItsLifetime() throws { try super.testTokenExpiresAfterItsLifetime() }
    override func testTokensSurviveARestart() throws { try super.testTokensSurviveARestart() }
    override func testHostDecidedAnswersAndMFARoutesAreEnveloped() throws { try super.testHostDecidedAnswersAndMFARoutesAreEnveloped() }
    override func testOptionsAreCheckedStrictly() throws { try super.testOptionsAreCheckedStrictly() }
}

final class ListenMoeMountPostgresTests: ListenMoeMountTests {
    override func setUpWithError() throws {
        LM.usePostgres()
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        LM.useSQLite()
    }

    override func testAccountsCrossDialectsAndPasswordChangesThereInvalidateTokens() throws {
        try super.testAccountsCrossDialectsAndPasswordChangesThereInvalidateTokens()
    }
}
