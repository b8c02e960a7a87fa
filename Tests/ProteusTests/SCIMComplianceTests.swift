// The SCIM dialect checked by the community's compliance tools from PyPI
// (installed by scripts/test into .build/tools/python): scim2-tester
// ("Check SCIM RFCs server compliance"), through
// Tests/Fixtures/SCIM/run_scim2_tester.py, and scim-sanity's live probe.
// Each runs against a fresh server (the tools expect what they create on
// the first page of a list). Missing tools fail the test.
import Foundation
import XCTest

class SCIMComplianceTests: XCTestCase {
    var scim: SCIMServer!

    override func setUpWithError() throws { scim = try SCIMServer(label: "scimtools") }

    override func tearDown() {
        scim?.stop()
        scim = nil
    }

    static var python: String { CPluginBuilder.repositoryRoot + "/.build/tools/python/bin/python" }

    static func requireTools() throws {
        guard FileManager.default.isExecutableFile(atPath: python),
              try runTool(python, ["-c", "import scim2_tester, httpx2"]).status == 0,
              FileManager.default.isExecutableFile(atPath: CPluginBuilder.repositoryRoot + "/.build/tools/python/bin/scim-sanity") else {
            throw TestFailure("scim2-tester[httpx2] and scim-sanity are missing in .build/tools/python: run scripts/test (or source scripts/lib/python-tools.sh; ensure_python_tools)")
        }
    }

    /// Every scim2-tester check passes: none fails, none is skipped.
    func testScim2TesterFindsNoFailure() throws {
        try Self.requireTools()
        var environment = ProcessInfo.processInfo.environment
        environment["NO_PROXY"] = "127.0.0.1,localhost"
        let r = try runTool(Self.python, [CPluginBuilder.repositoryRoot + "/Tests/Fixtures/SCIM/run_scim2_tester.py", scim.base, "--token", scim.token],
                            environment: environment)
        let summary = r.output.split(separator: "\n").last { $0.hasPrefix("scim2-tester:") } ?? "no summary"
        XCTAssertEqual(r.status, 0, "scim2-tester failed:\n" + r.output.split(separator: "\n").filter { !$0.hasPrefix("PASS") }.joined(separator: "\n"))
        XCTAssertTrue(summary.contains(" 0 failed") && summary.contains(" 0 skipped"), String(summary))
        let passed = Int(summary.split(separator: " ").dropFirst().first ?? "") ?? 0
        XCTAssertGreaterThanOrEqual(passed, 70, String(summary))
        print("SCIM compliance: \(summary)")
    }

    /// scim-sanity's live probe (users, groups, search, errors) in strict mode.
    func testScimSanityProbePasses() throws {
        try Self.requireTools()
        var environment = ProcessInfo.processInfo.environment
        environment["NO_PROXY"] = "127.0.0.1,localhost"
        let r = try runTool(CPluginBuilder.repositoryRoot + "/.build/tools/python/bin/scim-sanity",
                            ["probe", scim.base, "--token", scim.token, "--i-accept-side-effects"], environment: environment)
        XCTAssertEqual(r.status, 0, "scim-sanity probe:\n\(r.output)")
        print("SCIM sanity probe:\n\(r.output.split(separator: "\n").suffix(3).joined(separator: "\n"))")
    }
}
