// The SCIM suites on PostgreSQL: every test of SCIMTests and
// SCIMComplianceTests with the store on the test cluster.
import Foundation
import XCTest

final class SCIMPostgresTests: SCIMTests {
    override func setUpWithError() throws {
        SCIM.usePostgres()
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        SCIM.useSQLite()
    }

    override func testTokensAreTheOnlyWayIn() throws { try super.testTokensAreTheOnlyWayIn() }
    override func testDiscoveryEndpoints() throws { try super.testDiscoveryEndpoints() }
    override func testUserCreateReadAndWireFormat() throws { try super.testUserCreateReadAndWireFormat() }
    override func testUniquenessAndBadInput() throws { try super.testUniquenessAndBadInput() }
    override func testFiltersRunInTheStore() throws { try super.testFiltersRunInTheStore() }
    override func testListPaging() throws { try super.testListPaging() }
    override func testPutReplacesAndKeepsThePassword() throws { try super.testPutReplacesAndKeepsThePassword() }
    override func testVersionsAndIfMatch() throws { try super.testVersionsAndIfMatch() }
    override func testPatchForms() throws { try super.testPatchForms() }
    override func testDeactivationAndBansAcrossDialects() throws { try super.testDeactivationAndBansAcrossDialects() }
    override func testGroupsAndOneGroupPerUser() throws { try super.testGroupsAndOneGroupPerUser() }
    override func testCreateBurstAtTheDefaultHashingCost() throws { try super.testCreateBurstAtTheDefaultHashingCost() }
    override func testOktaProvisioningSession() throws { try super.testOktaProvisioningSession() }
    override func testEntraProvisioningSession() throws { try super.testEntraProvisioningSession() }
}

final class SCIMCompliancePostgresTests: SCIMComplianceTests {
    override func setUpWithError() throws {
        SCIM.usePostgres()
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        SCIM.useSQLite()
    }

    override func testScim2TesterFindsNoFailure() throws { try super.testScim2TesterFindsNoFailure() }
    override func testScimSanityProbePasses() throws { try super.testScimSanityProbePasses() }
}
