// The Cortex Hub suites on PostgreSQL: every test of CortexHubTests,
// CortexHubAdminTests, CortexHubAPITests and CortexHubOIDCTests with the
// store on the test cluster (one schema per test directory; scripts/test
// starts the cluster).
import Foundation
import XCTest

final class CortexHubPostgresTests: CortexHubTests {
    override func setUpWithError() throws {
        CH.usePostgres()
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        CH.useSQLite()
    }
    override func testLoginIssuesANewOpaqueIDEachTime() throws { try super.testLoginIssuesANewOpaqueIDEachTime() }
    override func testForgedAndForeignIDsAreRefused() throws { try super.testForgedAndForeignIDsAreRefused() }
    override func testWrongPasswordAndUnknownUserGetTheSame401() throws { try super.testWrongPasswordAndUnknownUserGetTheSame401() }
    override func testLogoutRevokesOnlyThePresentedID() throws { try super.testLogoutRevokesOnlyThePresentedID() }
    override func testIDsSurviveARestart() throws { try super.testIDsSurviveARestart() }
    override func testRoleChangesApplyAtOnceAndBannedOrDeletedUsersAreOut() throws { try super.testRoleChangesApplyAtOnceAndBannedOrDeletedUsersAreOut() }
    override func testMCSManagerUsersSignInWithTheirPasswordAndAdminsAreAdmin() throws { try super.testMCSManagerUsersSignInWithTheirPasswordAndAdminsAreAdmin() }
    override func testPasswordLoginCanBeSwitchedOff() throws { try super.testPasswordLoginCanBeSwitchedOff() }
    override func testBootstrapAdminsArePromotedAtTheirFirstSignInOnly() throws { try super.testBootstrapAdminsArePromotedAtTheirFirstSignInOnly() }
    override func testLoginRateLimitDefaultLetsFortySignInsThroughAndIsConfigurable() throws { try super.testLoginRateLimitDefaultLetsFortySignInsThroughAndIsConfigurable() }
    override func testProfileReadAndUpdate() throws { try super.testProfileReadAndUpdate() }
    override func testPasswordChange() throws { try super.testPasswordChange() }
    override func testPreferencesAreKeptAsGivenPerUser() throws { try super.testPreferencesAreKeptAsGivenPerUser() }
    override func testProviderCatalogue() throws { try super.testProviderCatalogue() }
    override func testNoCatalogueWithoutProviders() throws { try super.testNoCatalogueWithoutProviders() }
}

final class CortexHubAdminPostgresTests: CortexHubAdminTests {
    override func setUpWithError() throws {
        CH.usePostgres()
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        CH.useSQLite()
    }
    override func testAdminRoutesRefuseNonAdminsAndStrangers() throws { try super.testAdminRoutesRefuseNonAdminsAndStrangers() }
    override func testUserListAndRoleChanges() throws { try super.testUserListAndRoleChanges() }
    override func testTwentyConcurrentDemotionsOfTheLastTwoAdminsLeaveOne() throws { try super.testTwentyConcurrentDemotionsOfTheLastTwoAdminsLeaveOne() }
    override func testGroupsAndGroupAssignment() throws { try super.testGroupsAndGroupAssignment() }
}

final class CortexHubAPIPostgresTests: CortexHubAPITests {
    override func setUpWithError() throws {
        CH.usePostgres()
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        CH.useSQLite()
    }
    override func testValidationErrorsHaveFastAPIShape() throws { try super.testValidationErrorsHaveFastAPIShape() }
    override func testHostDecidedStatusesAreInTheDetailEnvelope() throws { try super.testHostDecidedStatusesAreInTheDetailEnvelope() }
    override func testOIDCRoutesWithoutOIDCOptionsAreNotConfigured() throws { try super.testOIDCRoutesWithoutOIDCOptionsAreNotConfigured() }
    override func testOIDCWithAnIssuerTheHostRefusesIs502() throws { try super.testOIDCWithAnIssuerTheHostRefusesIs502() }
    override func testOptionErrorsStopTheStartNamingTheKey() throws { try super.testOptionErrorsStopTheStartNamingTheKey() }
    override func testOpenAPIDocumentDescribesExactlyTheServedRoutesAndValidates() throws { try super.testOpenAPIDocumentDescribesExactlyTheServedRoutesAndValidates() }
}

final class CortexHubOIDCPostgresTests: CortexHubOIDCTests {
    override func setUpWithError() throws {
        CH.usePostgres()
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        CH.useSQLite()
    }
    override func testGoodSignInsWithRS256AndES256() throws { try super.testGoodSignInsWithRS256AndES256() }
    override func testForgedAndInvalidIDTokensAreRefusedAndCreateNoUser() throws { try super.testForgedAndInvalidIDTokensAreRefusedAndCreateNoUser() }
    override func testClientSecretPostWhenDiscoveryListsOnlyIt() throws { try super.testClientSecretPostWhenDiscoveryListsOnlyIt() }
    override func testOutboundCallsRefusedForLoadAre503() throws { try super.testOutboundCallsRefusedForLoadAre503() }
    override func testKeyRotationRefetchesTheKeySetOnce() throws { try super.testKeyRotationRefetchesTheKeySetOnce() }
    override func testStateIsSingleUseAndMustBeOurs() throws { try super.testStateIsSingleUseAndMustBeOurs() }
    override func testOnlyAllowListedFrontendURIs() throws { try super.testOnlyAllowListedFrontendURIs() }
    override func testRefusedCodesAre4xxAndCreateNoUser() throws { try super.testRefusedCodesAre4xxAndCreateNoUser() }
    override func testProviderFailuresAre502() throws { try super.testProviderFailuresAre502() }
    override func testBootstrapAdminByVerifiedEmailOnceAndBannedUsersAreRefused() throws { try super.testBootstrapAdminByVerifiedEmailOnceAndBannedUsersAreRefused() }
}

/// Every Cortex Hub test has an override above.
final class CortexHubPostgresCoverageTests: XCTestCase {
    func testEveryCortexHubTestRunsOnPostgres() throws {
        let here = URL(fileURLWithPath: #filePath)
        let mine = try String(contentsOf: here, encoding: .utf8)
        for file in ["CortexHubTests", "CortexHubAdminTests", "CortexHubAPITests", "CortexHubOIDCTests"] {
            let source = try String(contentsOf: here.deletingLastPathComponent().appendingPathComponent(file + ".swift"), encoding: .utf8)
            for line in source.components(separatedBy: "\n") where line.hasPrefix("    func test") {
                let name = String(line.dropFirst(9).prefix { $0 != "(" })
                XCTAssertTrue(mine.contains("override func \(name)() throws { try super.\(name)() }"), "\(file).\(name) does not run on PostgreSQL")
            }
        }
    }
}
