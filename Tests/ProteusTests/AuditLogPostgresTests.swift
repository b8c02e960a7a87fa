// The audit log end to end on PostgreSQL: every test of AuditLogTests with
// the store on the test cluster.
import Foundation
import XCTest

final class AuditLogPostgresTests: AuditLogTests {
    override func setUpWithError() throws {
        AllFive.usePostgres()
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        AllFive.useSQLite()
    }

    override func testAdministrativeChangesAreAuditedWithWhoWhatWhenAndWhere() throws {
        try super.testAdministrativeChangesAreAuditedWithWhoWhatWhenAndWhere()
    }
}
