// The Erizos suite on PostgreSQL: every test of ErizosTests with the store
// on the test cluster (one schema per test directory; a restarted server
// finds its data again). The SQLite-only busy-store test is not repeated.
import Foundation
import XCTest

final class ErizosPostgresTests: ErizosTests {
    override func setUpWithError() throws {
        Erizos.usePostgres()
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        Erizos.useSQLite()
    }

    override func testLoginAnswersTheUserAndASession() throws { try super.testLoginAnswersTheUserAndASession() }
    override func testWrongPasswordAndUnknownUserLookAlike() throws { try super.testWrongPasswordAndUnknownUserLookAlike() }
    override func testThreeWaysToSignIn() throws { try super.testThreeWaysToSignIn() }
    override func testFailedSignInsAreLimitedPerAccount() throws { try super.testFailedSignInsAreLimitedPerAccount() }
    override func testTwoFactorAccountsCannotSignInHere() throws { try super.testTwoFactorAccountsCannotSignInHere() }
    override func testSessionsExpireAndAreStoredHashed() throws { try super.testSessionsExpireAndAreStoredHashed() }
    override func testCreateAndList() throws { try super.testCreateAndList() }
    override func testReadByIdOrUsernameWithRights() throws { try super.testReadByIdOrUsernameWithRights() }
    override func testUpdateWritesWhatIsWritable() throws { try super.testUpdateWritesWhatIsWritable() }
    override func testPasswordThroughPutIsSetAndNeverEchoed() throws { try super.testPasswordThroughPutIsSetAndNeverEchoed() }
    override func testSelfUpdateRules() throws { try super.testSelfUpdateRules() }
    override func testResetSettings() throws { try super.testResetSettings() }
    override func testDeleteEndsSessions() throws { try super.testDeleteEndsSessions() }
    override func testDemotionAppliesToAnExistingSession() throws { try super.testDemotionAppliesToAnExistingSession() }
    override func testRolesOfOtherDialectsAreKeptAndHidden() throws { try super.testRolesOfOtherDialectsAreKeptAndHidden() }
    override func testLastAdminCanBeNeitherDeletedNorDemoted() throws { try super.testLastAdminCanBeNeitherDeletedNorDemoted() }
    override func testParallelCreatesOfOneUsernameMakeOneUser() throws { try super.testParallelCreatesOfOneUsernameMakeOneUser() }
    override func testConcurrentDemotionsAndDeletionsLeaveOneAdmin() throws { try super.testConcurrentDemotionsAndDeletionsLeaveOneAdmin() }
    override func testLazyIdsOfUsersMadeElsewhereAreStableUnderConcurrency() throws { try super.testLazyIdsOfUsersMadeElsewhereAreStableUnderConcurrency() }
    override func testSessionsAndIdsSurviveARestart() throws { try super.testSessionsAndIdsSurviveARestart() }
    override func testMCSManagerUsersAndBans() throws { try super.testMCSManagerUsersAndBans() }
    override func testAIOStreamsAccountWithoutUsernameIsListed() throws { try super.testAIOStreamsAccountWithoutUsernameIsListed() }
    override func testHostDecidedStatusesUseTheErrorFormat() throws { try super.testHostDecidedStatusesUseTheErrorFormat() }
}

final class ErizosFirstAdminPostgresTests: ErizosFirstAdminTests {
    override func setUpWithError() throws {
        Erizos.usePostgres()
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        Erizos.useSQLite()
    }

    override func testFirstAdminFromConfigAndEnvironment() throws { try super.testFirstAdminFromConfigAndEnvironment() }
    override func testWithoutAnAdminTheVariableMustBeSet() throws { try super.testWithoutAnAdminTheVariableMustBeSet() }
}
