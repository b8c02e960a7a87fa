// The all-five suite on PostgreSQL: every test of AllFiveDialectsTests with
// the store on the test cluster (one schema per test directory).
import Foundation
import XCTest

final class AllFiveDialectsPostgresTests: AllFiveDialectsTests {
    override func setUpWithError() throws {
        AllFive.usePostgres()
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        AllFive.useSQLite()
    }

    override func testOneUsernamePasswordAndIdAcrossAllFive() throws { try super.testOneUsernamePasswordAndIdAcrossAllFive() }
    override func testPasswordChangeThroughAnyDialectWorksEverywhere() throws { try super.testPasswordChangeThroughAnyDialectWorksEverywhere() }
    override func testRolesMapBothWays() throws { try super.testRolesMapBothWays() }
    override func testBanAndDeleteTakeEffectEverywhere() throws { try super.testBanAndDeleteTakeEffectEverywhere() }
    override func testPerDialectDocumentsNeverClobberEachOther() throws { try super.testPerDialectDocumentsNeverClobberEachOther() }
    override func testAccountWithoutUsernameBreaksNoListing() throws { try super.testAccountWithoutUsernameBreaksNoListing() }
    override func testTwoFactorTurnedOnElsewhereIsEnforced() throws { try super.testTwoFactorTurnedOnElsewhereIsEnforced() }
    override func testTwoFactorTurnedOnThroughListenMoeIsEnforcedEverywhere() throws { try super.testTwoFactorTurnedOnThroughListenMoeIsEnforcedEverywhere() }
    override func testOperatorMayExemptADialectFromTheSecondFactor() throws { try super.testOperatorMayExemptADialectFromTheSecondFactor() }

    /// Every test of AllFiveDialectsTests has an override above.
    func testEveryAllFiveTestRunsOnPostgres() throws {
        let here = URL(fileURLWithPath: #filePath)
        let mine = try String(contentsOf: here, encoding: .utf8)
        let source = try String(contentsOf: here.deletingLastPathComponent().appendingPathComponent("AllFiveDialectsTests.swift"), encoding: .utf8)
        var names: [String] = []
        for line in source.components(separatedBy: "\n") where line.hasPrefix("    func test") {
            let name = String(line.dropFirst(9).prefix { $0 != "(" })
            names.append(name)
            XCTAssertTrue(mine.contains("override func \(name)() throws { try super.\(name)() }"), "AllFiveDialectsTests.\(name) does not run on PostgreSQL")
        }
        XCTAssertEqual(names.count, 9)
    }
}
