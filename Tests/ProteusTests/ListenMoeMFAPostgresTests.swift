// The LISTEN.moe MFA suite on PostgreSQL (the test cluster, one schema per
// test directory).
import Foundation
import XCTest

final class ListenMoeMFAPostgresTests: ListenMoeMFATests {
    override func setUpWithError() throws {
        LM.usePostgres()
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        LM.useSQLite()
    }

    override func testEnrolmentShowsAScannableQRCodeAndTheLatestSecretConfirms() throws {
        try super.testEnrolmentShowsAScannableQRCodeAndTheLatestSecretConfirms()
    }
    override func testMFARouteRefusalsAndMessages() throws { try super.testMFARouteRefusalsAndMessages() }
    override func testWithoutTheTOTPPluginMFAIsUnavailable() throws { try super.testWithoutTheTOTPPluginMFAIsUnavailable() }
    override func testPendingTokenIsConfinedToLoginMFA() throws { try super.testPendingTokenIsConfinedToLoginMFA() }
    override func testACodeIsAcceptedOnceAcrossRoutes() throws { try super.testACodeIsAcceptedOnceAcrossRoutes() }
    override func testConcurrentUsesOfOneCodeSignInOnce() throws { try super.testConcurrentUsesOfOneCodeSignInOnce() }
    override func testRecoveryCodesWorkOnceEachAndOnlyForTheirEnrolment() throws {
        try super.testRecoveryCodesWorkOnceEachAndOnlyForTheirEnrolment()
    }
    override func testRecoveryCodesWorkAtMCSManagerTooOnceEach() throws { try super.testRecoveryCodesWorkAtMCSManagerTooOnceEach() }
    override func testDisableNeedsACodeAndEndsEveryToken() throws { try super.testDisableNeedsACodeAndEndsEveryToken() }
    override func testWrongCodesAreLimitedPerAccountAcrossHosts() throws { try super.testWrongCodesAreLimitedPerAccountAcrossHosts() }
    override func testWindowEdgesAndCodesSharedWithMCSManager() throws { try super.testWindowEdgesAndCodesSharedWithMCSManager() }
    // (testOathtoolAndTheTOTPPluginAgreeOnRFC6238Vectors, inherited, uses no store: it runs again unchanged.)
}
