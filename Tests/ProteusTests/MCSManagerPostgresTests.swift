// The MCSManager suites on PostgreSQL: every test of MCSManagerTests,
// MCSManagerSearchTests (10,000 users), MCSManagerMountTests (cross-dialect
// sign-in) and MCSManagerImportTests, with the store on the test cluster
// (one schema per test directory). The SQLite-specific 503 test (a held
// write lock) is covered for PostgreSQL by StorePostgresBinaryTests, which
// stops and freezes the database under a running server.
import Foundation
import XCTest

final class MCSManagerPostgresTests: MCSManagerTests {
    override func setUpWithError() throws {
        MCSM.usePostgres()
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        MCSM.useSQLite()
    }

    override func testInstallOnlyWhileThereAreNoUsers() throws { try super.testInstallOnlyWhileThereAreNoUsers() }
    override func testSessionLoginNeedsTokenCookieAndAjaxHeader() throws { try super.testSessionLoginNeedsTokenCookieAndAjaxHeader() }
    override func testLoginFailuresShareOneMessage() throws { try super.testLoginFailuresShareOneMessage() }
    override func testLoginAttemptsAreRateLimitedPerAccount() throws { try super.testLoginAttemptsAreRateLimitedPerAccount() }
    override func testLoginFailuresAreRateLimitedPerAddress() throws { try super.testLoginFailuresAreRateLimitedPerAddress() }
    override func testRateLimitOptions() throws { try super.testRateLimitOptions() }
    override func testOwnRecordThroughSessionAndKey() throws { try super.testOwnRecordThroughSessionAndKey() }
    override func testAPIKeyCreateUseAndRemove() throws { try super.testAPIKeyCreateUseAndRemove() }
    override func testAPIKeyRefusals() throws { try super.testAPIKeyRefusals() }
    override func testAPIKeysSwitchedOff() throws { try super.testAPIKeysSwitchedOff() }
    override func testCreateUserJSONAndForm() throws { try super.testCreateUserJSONAndForm() }
    override func testSearchMasksSecretsAndFilters() throws { try super.testSearchMasksSecretsAndFilters() }
    override func testUpdateUserFields() throws { try super.testUpdateUserFields() }
    override func testUpdateWithNestedForm() throws { try super.testUpdateWithNestedForm() }
    override func testUpdateAPIKeyFieldAndSecretMask() throws { try super.testUpdateAPIKeyFieldAndSecretMask() }
    override func testDeleteUsers() throws { try super.testDeleteUsers() }
    override func testLastAdministratorCannotBeRemoved() throws { try super.testLastAdministratorCannotBeRemoved() }
    override func testTwoAdministratorsDemotingEachOtherAtOnce() throws { try super.testTwoAdministratorsDemotingEachOtherAtOnce() }
    override func testBannedUserCanDoNothing() throws { try super.testBannedUserCanDoNothing() }
    override func testTwoFactorLogin() throws { try super.testTwoFactorLogin() }
    override func testUnknownRoutesAndHostDecidedStatuses() throws { try super.testUnknownRoutesAndHostDecidedStatuses() }
    override func testMalformedBodiesChangeNothing() throws { try super.testMalformedBodiesChangeNothing() }
    override func testUpdateOwnPasswordSignsOut() throws { try super.testUpdateOwnPasswordSignsOut() }
    override func testStatusTellsWhetherInstalled() throws { try super.testStatusTellsWhetherInstalled() }
}

final class MCSManagerSearchPostgresTests: MCSManagerSearchTests {
    override class func setUp() {
        super.setUp()
        MCSM.usePostgres()
    }

    override class func tearDown() {
        super.tearDown()
        MCSM.useSQLite()
    }

    override func testPagingEdges() throws { try super.testPagingEdges() }
    override func testPagesPartitionTheUsers() throws { try super.testPagesPartitionTheUsers() }
    override func testFiltersAtScale() throws { try super.testFiltersAtScale() }
}

final class MCSManagerMountPostgresTests: MCSManagerMountTests {
    override func setUpWithError() throws {
        MCSM.usePostgres()
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        MCSM.useSQLite()
    }

    override func testPanelUserSignsInThroughAIOStreams() throws { try super.testPanelUserSignsInThroughAIOStreams() }
    override func testAIOStreamsUserIsListedWithoutNameUntilGivenOne() throws { try super.testAIOStreamsUserIsListedWithoutNameUntilGivenOne() }
    override func testBothDialectsAtRootAreAccepted() throws { try super.testBothDialectsAtRootAreAccepted() }
    override func testTwoPanelsAtRootAreRefused() throws { try super.testTwoPanelsAtRootAreRefused() }
}

final class MCSManagerImportPostgresTests: MCSManagerImportTests {
    override func setUpWithError() throws {
        MCSM.usePostgres()
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        MCSM.useSQLite()
    }

    override func testImportPanelUsers() throws { try super.testImportPanelUsers() }
    override func testImportSkipsNamesTakenByOtherUsers() throws { try super.testImportSkipsNamesTakenByOtherUsers() }
    override func testImportCommandErrors() throws { try super.testImportCommandErrors() }
    override func testImportDryRunWritesNothing() throws { try super.testImportDryRunWritesNothing() }
}

/// Every MCSManager test (but the SQLite-only lock test) has an override above.
final class MCSManagerPostgresCoverageTests: XCTestCase {
    func testEveryMCSManagerTestRunsOnPostgres() throws {
        let here = URL(fileURLWithPath: #filePath)
        let mine = try String(contentsOf: here, encoding: .utf8)
        for file in ["MCSManagerTests", "MCSManagerSearchTests", "MCSManagerMountTests", "MCSManagerImportTests"] {
            let source = try String(contentsOf: here.deletingLastPathComponent().appendingPathComponent(file + ".swift"), encoding: .utf8)
            for line in source.components(separatedBy: "\n") where line.hasPrefix("    func test") {
                let name = String(line.dropFirst(9).prefix { $0 != "(" })
                if name == "testStoreUnavailableIs503InTheEnvelope" { continue }
                XCTAssertTrue(mine.contains("override func \(name)() throws { try super.\(name)() }"), "\(file).\(name) does not run on PostgreSQL")
            }
        }
    }
}
